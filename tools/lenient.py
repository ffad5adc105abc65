"""Argument types that accept what real models send: "145M", "28.9M", "35%", "1.5e12", "ZeRO-2", "Tokens".

Each is an ``Annotated`` pydantic type whose JSON schema stays the plain type (number, integer,
enum), so the schema the model reads does not grow; only validation is forgiving. Quantities are
read by :func:`tools.quantities.parse_number`, the same reader as the offline parser and the command
line, so "1,5T" is refused by all three alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from tools.quantities import clean_text, parse_fraction, parse_number


def _text_read_by(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A validator reading text with ``parse`` (its ValueError names the text) and passing numbers through."""
    def read(value: Any) -> Any:
        return parse(value) if isinstance(value, str) else value
    return read


_quantity = _text_read_by(parse_number)
_fraction = _text_read_by(parse_fraction)


def _count(value: Any) -> Any:
    number = _quantity(value)
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


class ChoiceError(ValueError):
    """Text that spells none of the choices. ``code`` and ``values`` say so for the templates of
    ``prompts/errors`` (``one_of``, with the choices), as the core's errors do."""

    def __init__(self, value: str, choices: tuple[Any, ...]) -> None:
        super().__init__(f"one of {', '.join(map(str, choices))}")
        self.code = "one_of"
        self.values = {"choices": choices}


def choice(aliases: dict[str, Any]) -> Callable[[Any], Any]:
    """A validator reading enum spellings case-insensitively, ignoring spaces, dashes and underscores; other
    text raises :class:`ChoiceError` naming the choices."""
    choices = tuple(dict.fromkeys(aliases.values()))

    def read(value: Any) -> Any:
        if isinstance(value, str):
            key = "".join(ch for ch in clean_text(value).lower() if ch not in " -_")
            if key not in aliases:
                raise ChoiceError(value, choices)
            return aliases[key]
        return value
    return read


Quantity = Annotated[float, BeforeValidator(_quantity)]
"""A count or amount: 145000000, "145M", "1.48万亿", "1.5e12"."""
Count = Annotated[int, BeforeValidator(_count)]
"""A whole number: 16, "16", 16.0, "2K"."""
Fraction = Annotated[float, BeforeValidator(_fraction)]
"""A share: 0.35 or "35%"."""
Share = Annotated[float, Field(gt=0, le=1), BeforeValidator(_fraction)]
"""A share in (0, 1] where no field can carry the bounds (a list item): 0.3 or "30%". The bounds come before
the reader so that they stay in the JSON schema."""
# Optional forms: the validator wraps the whole union, so a field's bounds stay in its JSON schema.
MaybeQuantity = Annotated[float | None, BeforeValidator(_quantity)]
MaybeCount = Annotated[int | None, BeforeValidator(_count)]
MaybeFraction = Annotated[float | None, BeforeValidator(_fraction)]
