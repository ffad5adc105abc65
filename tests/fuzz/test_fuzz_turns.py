"""Fuzzing whole offline turns: conversations of one to three messages, each a plan, a follow-up or junk with
numbers past every limit in it.

Every turn ends in an answer or a failure said in the conversation's language; no exception escapes
:meth:`Conversation.send`, no event shows a raw exception ("ValidationError: 2 validation errors for ModelSpec") or
a number that is not finite ("infT"), and the conversation goes on after each.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.fuzz import SEEDS, check_turn, conversation, message

_MESSAGE = st.integers(min_value=0, max_value=2**32).map(lambda seed: message(random.Random(seed)))
_CONVERSATION = st.tuples(st.sampled_from(SEEDS), st.lists(_MESSAGE, min_size=1, max_size=2)).map(
    lambda parts: [parts[0], *parts[1]])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(turns=st.one_of(_CONVERSATION, st.lists(_MESSAGE, min_size=1, max_size=3)))
def test_every_turn_ends_in_an_answer_or_a_failure_in_words(turns: list[str]) -> None:
    conv = conversation()
    for text in turns:
        assert [str(finding) for finding in check_turn(conv, text)] == []
    events = list(conv.send(SEEDS[0]))  # the conversation still answers
    assert events[-1].kind == "final"
