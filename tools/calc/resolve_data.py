"""The one resolver for the training data: tokens and sequence length from what the user stated.

Tokens are given directly, or as samples × mean length (× tokens per character for lengths in
characters). Epochs multiply either form: "100B tokens, 2 epochs" is read as a 100B-token dataset
seen twice (200B training tokens), and that reading is a headline assumption, so a user who meant
200B in all sees it at once. The sequence length is stated, or the mean sample length in tokens,
or a named default; both defaults move the detailed FLOP count and the memory estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError, raise_all, require_int, require_number
from tools.calc.tokens import DEFAULT_TOKENS_PER_CHAR, tokens_from_samples

DEFAULT_SEQ_LEN = 2048
"""Sequence length when neither it nor a per-sample length in tokens is stated: a named default, a
common pre-training context, not a measurement."""

LengthUnit = Literal["tokens", "chars"]


@dataclass(frozen=True, kw_only=True)
class DataDescription:
    """The data as stated. ``None`` = not stated."""

    tokens: float | None = None
    samples: float | None = None
    mean_length: float | None = None
    length_unit: LengthUnit | None = None
    tokens_per_char: float | None = None
    epochs: float | None = None
    seq_len: int | None = None


@dataclass(frozen=True, kw_only=True)
class ResolvedData:
    tokens: float
    seq_len: int
    epochs: float
    assumptions: tuple[Assumption, ...]


def resolve_data(*, description: DataDescription) -> ResolvedData:
    """Training tokens and sequence length; CalcInputError naming the field when they cannot be had."""
    d = description
    has_samples = d.samples is not None or d.mean_length is not None
    if d.tokens is not None and has_samples:
        raise CalcInputError(field="tokens", value=d.tokens, expected="tokens, or samples with a mean length, "
                             "not both", code="one_data_source")
    epochs = 1.0 if d.epochs is None else require_number("epochs", d.epochs, maximum=1e4)
    assumptions: list[Assumption] = []
    if d.tokens is not None:
        tokens = require_number("tokens", d.tokens, minimum=1.0, maximum=1e17, allow_minimum=True)  # a count: ≥ 1
        if d.tokens_per_char is not None:
            raise CalcInputError(field="tokens_per_char", value=d.tokens_per_char,
                                 expected="unset when the data is given in tokens", code="tokens_per_char_with_tokens")
        if d.epochs is not None and epochs != 1.0:
            assumptions.append(assume("tokens_times_epochs", headline=True, dataset_tokens=tokens, epochs=epochs,
                                      training_tokens=tokens * epochs))
            tokens *= epochs
        else:
            assumptions.append(assume("tokens_given"))
    else:
        missing = []  # every missing field at once
        if d.samples is None:
            missing.append(CalcInputError(field="samples", value=None, expected="the number of samples (or the "
                                          "training tokens) beside the mean length", code="samples_missing"))
        if d.mean_length is None:
            missing.append(CalcInputError(field="mean_length", value=None, expected="the mean sample length, in "
                                          "tokens or characters, beside the number of samples",
                                          code="mean_length_missing"))
        if d.length_unit is None:
            missing.append(CalcInputError(field="length_unit", value=None, expected="'tokens' or 'chars': whether "
                                          "the mean length counts tokens or characters", code="length_unit_missing"))
        raise_all(missing)
        count = tokens_from_samples(samples=d.samples, mean_length=d.mean_length, epochs=epochs,
                                    length_unit=d.length_unit, tokens_per_char=d.tokens_per_char)
        tokens = count.tokens
        assumptions.append(assume(f"tokens_from_sample_{d.length_unit}", samples=d.samples,
                                  mean_length=d.mean_length, epochs=epochs))
        if d.length_unit == "chars":
            if d.tokens_per_char is None:
                assumptions.append(assume("tokens_per_char_default", headline=True, factor=DEFAULT_TOKENS_PER_CHAR))
            else:
                assumptions.append(assume("tokens_per_char_given", factor=d.tokens_per_char))
    if d.seq_len is not None:
        seq_len = require_int("seq_len", d.seq_len, maximum=10_000_000)
    elif d.mean_length is not None:
        seq_len = max(1, round(d.mean_length * (count.tokens_per_char or 1.0)))
        assumptions.append(assume("seq_len_from_mean_length", headline=True, seq_len=seq_len))
    else:
        seq_len = DEFAULT_SEQ_LEN
        assumptions.append(assume("seq_len_default", headline=True, seq_len=DEFAULT_SEQ_LEN))
    return ResolvedData(tokens=tokens, seq_len=seq_len, epochs=epochs, assumptions=tuple(assumptions))
