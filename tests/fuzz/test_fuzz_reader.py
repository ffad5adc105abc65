"""Fuzzing the offline reader with free text: real phrasings with bad numbers spliced in, word soup of its own
vocabulary, and arbitrary Unicode.

The reader never raises, and every number it reads is finite (``1e400``, ``1e300T``, ``一亿亿亿…`` are reported as not
understood, never read as infinity); what it reports back is shortened, so a 5,000-digit number is not echoed whole.
"""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.offline.parse import parse_message
from assistant.offline.request import ParsedRequest
from tests.support.fuzz import BAD_NUMBERS, SEEDS, message, soup, spliced

_GENERATED = st.integers(min_value=0, max_value=2**32).map(lambda seed: message(random.Random(seed)))
_SPLICED = st.tuples(st.sampled_from(SEEDS), st.integers(0, 2**32)).map(
    lambda pair: spliced(random.Random(pair[1]), pair[0]))
_SOUP = st.integers(min_value=0, max_value=2**32).map(lambda seed: soup(random.Random(seed), max_words=60))
_TEXT = st.text(max_size=200)
_NUMBERS = st.lists(st.sampled_from(BAD_NUMBERS), min_size=1, max_size=8).map(" ".join)


def _numbers(request: ParsedRequest) -> list[float]:
    return [value for value in vars(request).values() if isinstance(value, int | float) and not isinstance(value, bool)]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(text=st.one_of(_GENERATED, _SPLICED, _SOUP, _TEXT, _NUMBERS))
def test_the_reader_reads_anything_and_every_number_it_reads_is_finite(text: str) -> None:
    request = parse_message.__wrapped__(text)
    assert all(math.isfinite(value) for value in _numbers(request))
    assert all(len(written) <= 80 for written in request.unknown_numbers)


def test_numbers_past_every_limit_are_reported_not_read() -> None:
    request = parse_message.__wrapped__("1e300T tokens, 1e400 张卡, hidden 1e-400, " + "9" * 5000 + " 条样本")
    assert (request.tokens, request.gpu_count, request.hidden_size, request.samples) == (None, None, None, None)
    assert "1e300T" in request.unknown_numbers and "1e400" in request.unknown_numbers
    assert "999999999999999999999999999999…(5,000 characters)" in request.unknown_numbers
