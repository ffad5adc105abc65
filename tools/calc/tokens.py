"""Training tokens from a dataset description: samples × mean length × epochs.

When the length is measured in characters (common for Chinese corpora: "512 字"), the
tokens depend on the tokenizer, so the conversion factor is an explicit, echoed argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tools.calc.errors import CalcInputError, require_number

LengthUnit = Literal["tokens", "chars"]

DEFAULT_TOKENS_PER_CHAR = 1.0
"""Used only when a length is given in characters and no factor is supplied: one token per
character. This is a stated assumption, not a measurement: the real ratio depends on the
tokenizer and the language (a small-vocabulary Chinese tokenizer such as MiniMind's 6,400
tokens is near one character per token; large BPE vocabularies pack more characters)."""


@dataclass(frozen=True, kw_only=True)
class TokenCount:
    tokens: float
    samples: float
    mean_length: float
    length_unit: LengthUnit
    epochs: float
    tokens_per_char: float | None
    assumption: str


def tokens_from_samples(
    *,
    samples: float,
    mean_length: float,
    epochs: float = 1.0,
    length_unit: LengthUnit = "tokens",
    tokens_per_char: float | None = None,
) -> TokenCount:
    """tokens = samples × mean length (× tokens per character) × epochs."""
    require_number("samples", samples, minimum=1.0, maximum=1e15, allow_minimum=True)  # a count: ≥ 1
    require_number("mean_length", mean_length, maximum=1e8)
    require_number("epochs", epochs, maximum=1e4)
    if length_unit not in ("tokens", "chars"):
        raise CalcInputError(field="length_unit", value=length_unit, expected="'tokens' or 'chars'",
                             code="one_of", values={"choices": ("tokens", "chars")})
    if length_unit == "tokens":
        if tokens_per_char is not None:
            raise CalcInputError(
                field="tokens_per_char", value=tokens_per_char,
                expected="unset when the length is already in tokens",
                code="tokens_per_char_with_tokens",
            )
        factor = 1.0
        assumption = "lengths are in tokens"
    else:
        given = tokens_per_char is not None
        factor = require_number("tokens_per_char", tokens_per_char if given else DEFAULT_TOKENS_PER_CHAR,
                                maximum=10.0)
        assumption = (
            f"lengths are in characters; {factor:g} token(s) per character "
            + ("(given)" if given else "(default assumption: depends on the tokenizer)")
        )
    return TokenCount(
        tokens=samples * mean_length * factor * epochs,
        samples=float(samples), mean_length=float(mean_length), length_unit=length_unit,
        epochs=float(epochs), tokens_per_char=factor if length_unit == "chars" else None,
        assumption=assumption,
    )
