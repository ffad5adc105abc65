"""A failure in the user's language: an invalid field, a failed tool call, an endpoint that failed.

Failures travel as codes with values, never as sentences: the core's :class:`~tools.calc.errors.CalcInputError`
(``code``, ``values``), the quantity reader's :class:`~tools.quantities.QuantityError`, a pydantic validation
error read by :func:`pydantic_problem`, and the tool runner's own failures (``unknown_tool``, …). Their sentences
are the blocks of ``prompts/errors/{en,zh}.md``; the English ``expected`` text each error also carries is for
logs and for an LLM reading the tool result, not for the user.

A *problem* is one invalid field, as the tool result lists it: ``{"field", "got", "expected", "code",
"values"}``. Values are set the way the assumptions set theirs (:func:`tools.assumption_text.value_text`):
counts as 14.8B / 148亿, lists item by item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from string import Template
from typing import Any

from prompts import load
from tools.assumption_text import value_text

_FALLBACK_CODE = "invalid"
_SCIENTIFIC = re.compile(r"-?\d+(?:\.\d+)?e[-+]\d+")
_SHOWN_AS_SHARES = ("mfu", "expert_share")  # value_text shows these as percentages


@cache
def _blocks(language: str) -> dict[str, str]:
    return load(f"errors/{_lang(language)}").blocks()


@cache
def _table(language: str, block: str) -> dict[str, str]:
    return load(f"errors/{_lang(language)}").table(block)


def _lang(language: str) -> str:
    return "zh" if language == "zh" else "en"


def block_text(name: str, *, language: str, **values: Any) -> str:
    """A whole block of ``prompts/errors/{language}.md`` (``turn_failed``, ``fallback``, …) with its values."""
    return Template(_blocks(language)[name]).substitute(values)


def table_text(block: str, code: str, *, language: str, **values: Any) -> str:
    """One line of a table block of ``prompts/errors/{language}.md`` (``stopped``, ``not_run``, …) with its values."""
    return Template(_table(language, block)[code]).safe_substitute({k: str(v) for k, v in values.items()})


def codes() -> frozenset[str]:
    """Every code with a sentence of what was expected (the same set in both languages, a test checks)."""
    return frozenset(_table("en", "expected"))


def field_label(field: str | None, *, language: str) -> str:
    """The field as the user knows it: ``data.mean_length`` → "平均样本长度"; an unknown key (a config.json
    field) stays as written, in code style."""
    name = (field or "arguments").rsplit(".", 1)[-1]
    return _table(language, "fields").get(name) or f"`{name}`"


def _value(name: str, value: Any, language: str) -> str:
    if name == "choices":  # values to type, as written: `tokens`、`chars`
        items = value if isinstance(value, tuple | list) else (value,)
        return _blocks(language)["list_separator"].join(f"`{item}`" for item in items)
    if isinstance(value, bool):
        return _table(language, "words")["true" if value else "false"]
    if isinstance(value, tuple | list):
        return _blocks(language)["list_separator"].join(_value(name, item, language) for item in value)
    if isinstance(value, int | float) and (abs(value) >= _HUGE or name in _SHOWN_AS_SHARES and abs(value) >= 1e4):
        return power_of_ten(value)  # past any count or share a person means: 1e308, not its 309 digits or "inf%"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 and name not in _SHOWN_AS_SHARES \
            and not name.endswith(("_params", "tokens", "samples")):
        return f"{int(value)}"
    # a field named "tokens" is a count, as every "*_tokens" value is
    text = value_text("training_tokens" if name == "tokens" else name, value, language=_lang(language))
    return text.replace("e+", "e") if _SCIENTIFIC.fullmatch(text) else text  # 1e32, not 1e+32


def given_text(value: Any, *, language: str, field: str | None = None) -> str:
    """A value the user gave for ``field``, as a failure shows it: a count as a count ("400亿（40B）"), "—" for none."""
    return "—" if value is None else _value((field or "got").rsplit(".", 1)[-1], value, language)


_BOUNDS = ("minimum", "maximum")
_HUGE = 1e18


def power_of_ten(value: float) -> str:
    """A number too large to write out: 1e308, 1.5e19 (an integer past the largest float as its power of ten)."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    try:
        mantissa, _, exponent = f"{float(value):.3g}".partition("e")
        return f"{mantissa}e{int(exponent)}" if exponent else mantissa
    except OverflowError:
        return f"{'-' if value < 0 else ''}1e{math.floor(math.log10(abs(value)))}"


def expected_text(code: str, values: Mapping[str, Any] | None = None, *, language: str,
                  field: str | None = None) -> str:
    """What was expected, for ``code`` with ``values`` ("不小于 1 的整数"); an unknown code reads as "a valid value".

    Bounds are shown the way the ``field`` they bound is (an MFU's maximum of 1 as 100%).
    """
    table = _table(language, "expected")
    template = table.get(code) or table[_FALLBACK_CODE]
    bounded = (field or "").rsplit(".", 1)[-1]
    shown = {name: _value(bounded if name in _BOUNDS and bounded else name, value, language)
             for name, value in dict(values or {}).items()}
    return Template(template).safe_substitute(shown)


def problem_text(problem: Mapping[str, Any], *, language: str) -> str:
    """One invalid field: "MFU：给出的是 1.5，需要大于 0 且不超过 1 的数"."""
    got = problem.get("got")
    expected = expected_text(str(problem.get("code") or _FALLBACK_CODE), problem.get("values"), language=language,
                             field=problem.get("field"))
    field = field_label(problem.get("field"), language=language)
    if got is None:
        return block_text("problem_missing", language=language, field=field, expected=expected)
    return block_text("problem", language=language, field=field,
                      value=given_text(got, language=language, field=problem.get("field")), expected=expected)


def failure_text(result: Mapping[str, Any], *, language: str, tool: str | None = None) -> str:
    """A failed tool call's error payload in ``language``: every invalid field it lists, or its one failure.

    With ``tool``, the line names the tool as the user knows it ("显存估算：…").
    """
    problems = result.get("errors")
    if isinstance(problems, Sequence) and problems and not isinstance(problems, str):
        text = _blocks(language)["problem_separator"].join(problem_text(p, language=language) for p in problems)
    else:
        failures = _table(language, "failures")
        template = failures.get(str(result.get("code"))) or failures["internal_error"]
        text = Template(template).safe_substitute({k: str(v) for k, v in dict(result.get("values") or {}).items()})
    if tool is None:
        return text
    label = _table(language, "tools").get(tool) or f"`{tool}`"
    return block_text("tool_failed", language=language, tool=label, problems=text)


def reason_text(code: str, *, language: str, **values: Any) -> str:
    """Why a model call failed ("接口超时"), from its code (see :func:`assistant.agent.failure_reason`)."""
    reasons = _table(language, "reasons")
    return Template(reasons.get(code) or reasons["model_call_failed"]).safe_substitute(
        {name: str(value) for name, value in values.items()})


# --- reading pydantic's errors as codes -------------------------------------------------------------------

_PYDANTIC_CODES = {
    "greater_than": ("number_above", {"minimum": "gt"}),
    "greater_than_equal": ("number_at_least", {"minimum": "ge"}),
    "less_than": ("number_below", {"maximum": "lt"}),
    "less_than_equal": ("number_at_most", {"maximum": "le"}),
    "int_type": ("integer", {}), "int_parsing": ("integer", {}), "int_from_float": ("integer", {}),
    "float_type": ("number", {}), "float_parsing": ("number", {}),
    "bool_type": ("boolean", {}), "bool_parsing": ("boolean", {}),
    "string_type": ("text", {}),
    "dict_type": ("json_object", {}), "model_type": ("json_object", {}), "model_attributes_type": ("json_object", {}),
    "list_type": ("list", {}), "tuple_type": ("list", {}),
    "extra_forbidden": ("unknown_field", {}),
    "missing": ("missing_field", {}),
}


def pydantic_problem(item: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(code, values)`` for one item of ``ValidationError.errors()``.

    A value error raised by our own validators (a :class:`~tools.calc.errors.CalcInputError`, a
    :class:`~tools.quantities.QuantityError`, a :class:`~tools.lenient.ChoiceError` naming the choices) keeps its
    own code; pydantic's own errors are read from their type and context, never from their English message.
    """
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    error = ctx.get("error")
    if kind == "value_error" and getattr(error, "code", None):
        return str(error.code), dict(getattr(error, "values", {}) or {})
    code, wanted = _PYDANTIC_CODES.get(kind, (_FALLBACK_CODE, {}))
    return code, {name: ctx[key] for name, key in wanted.items() if key in ctx}
