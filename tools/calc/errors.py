"""The one error type of the calculation core.

Every input check in :mod:`tools.calc` raises :class:`CalcInputError`, which names the
field, the value it got and what was expected, so callers (CLI, tools, UI) can show one
clear line without a traceback. What was expected is said twice: in English (``expected``,
for logs, the command line and an LLM reading the tool result) and as a code with values
(``code``, ``values``) whose sentence, in English or Chinese, is a template of
``prompts/errors/{en,zh}.md`` (rendered by :mod:`tools.error_text`): the core writes no
sentence for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class CalcInputError(ValueError):
    """A calculation was given an input it cannot use.

    Attributes:
        field: the argument or config key at fault (e.g. ``"hidden_size"``).
        value: the offending value, as given.
        expected: what would have been accepted, in English (e.g. ``"an integer >= 1"``).
        code: the same as a template key (e.g. ``"int_at_least"``), with ``values`` (``{"minimum": 1}``).
        why: optional extra context, in English.
    """

    def __init__(self, *, field: str, value: object, expected: str, code: str,
                 values: Mapping[str, Any] | None = None, why: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.code = code
        self.values: Mapping[str, Any] = MappingProxyType(dict(values or {}))
        self.why = why
        message = f"{field}: got {value!r}, expected {expected}"
        if why:
            message += f" ({why})"
        super().__init__(message)


class CalcInputErrorGroup(CalcInputError):
    """Several inputs wrong at once (``errors``), said together so that one correction fixes them all.

    It is a :class:`CalcInputError` for callers that show one: the first error's field, value and code, and every
    error's message.
    """

    def __init__(self, errors: list[CalcInputError]) -> None:
        first = errors[0]
        super().__init__(field=first.field, value=first.value, expected=first.expected, code=first.code,
                         values=first.values, why=first.why)
        self.errors = tuple(errors)
        self.args = ("; ".join(str(error) for error in errors),)


def raise_all(errors: list[CalcInputError]) -> None:
    """Raise the one error, or all of them as a :class:`CalcInputErrorGroup`; nothing when there is none."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CalcInputErrorGroup(errors)


def require_int(field: str, value: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` if it is an int within [minimum, maximum], else raise CalcInputError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
            maximum is not None and value > maximum):
        raise CalcInputError(field=field, value=value, expected=_range_text("an integer", minimum, maximum),
                             code="int_at_least" if maximum is None else "int_between",
                             values={"minimum": minimum} if maximum is None else {"minimum": minimum,
                                                                                  "maximum": maximum})
    return value


def require_number(
    field: str,
    value: object,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
    allow_minimum: bool = False,
) -> float:
    """Return ``float(value)`` if it is a finite number > minimum (or >= with allow_minimum).

    An integer past the largest float (``10**400``) is refused as out of range, not raised as OverflowError.
    """
    number = _as_float(value)
    too_small = number < minimum if allow_minimum else number <= minimum
    too_large = maximum is not None and number > maximum
    if number != number or too_small or too_large or number in (float("inf"), float("-inf")):
        code = ("number_at_least" if allow_minimum else "number_above") + ("" if maximum is None else "_at_most")
        raise CalcInputError(field=field, value=value, expected=_number_text(minimum, maximum, allow_minimum),
                             code=code, values={"minimum": minimum} if maximum is None else {"minimum": minimum,
                                                                                             "maximum": maximum})
    return number


def _as_float(value: object) -> float:
    """``value`` as a float: NaN for what is not a number, ±inf for an integer too large for a float."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return float("nan")
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _range_text(kind: str, minimum: int, maximum: int | None) -> str:
    if maximum is None:
        return f"{kind} >= {minimum}"
    return f"{kind} between {minimum} and {maximum}"


def _number_text(minimum: float, maximum: float | None, allow_minimum: bool) -> str:
    low = f">= {minimum:g}" if allow_minimum else f"> {minimum:g}"
    if maximum is None:
        return f"a finite number {low}"
    return f"a finite number {low} and <= {maximum:g}"
