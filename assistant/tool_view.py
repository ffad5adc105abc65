"""How a tool call reads in the chat: its name in the conversation's language, its arguments and a few of its
results as short quantities (145M, 5.81e18, 35%), and the title of the turn's group of calls ("5 tools · 0.06 s").

The words are in ``prompts/tool_calls/{en,zh}.md``; the numbers are the tools' own, formatted here with
:mod:`tools.quantities` (the UI shows these texts and formats nothing itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Template
from typing import Any

from langchain_core.messages import BaseMessage

from prompts import load
from tools.quantities import human, sci, sig

_PERCENT = frozenset({"mfu", "expert_fraction"})
_LARGE = 1e4  # from here on a count reads as 145M, 14.8B …
_SECONDS_DIGITS = 2

# The few fields of each tool's result worth a line in the chat (the full result is in the report and the exports).
SHOWN_RESULTS: dict[str, tuple[str, ...]] = {
    "count_parameters": ("total_params", "active_params"),
    "estimate_training_flops": ("tokens", "six_nd_flops"),
    "chinchilla_analysis": ("tokens_per_active_param",),
    "project_gpu_time": ("gpu_hours", "wall_clock_days"),
    "estimate_training_memory": ("total_gb", "capacity_gb", "fits"),
    "recommend_configurations": ("compute_flops", "candidates"),
}


def _lang(language: str) -> str:
    return "zh" if language == "zh" else "en"


def _table(language: str, block: str) -> dict[str, str]:
    return load(f"tool_calls/{_lang(language)}").table(block)


def _word(language: str, key: str, **values: object) -> str:
    return Template(_table(language, "words")[key]).substitute(values)


def tool_name(tool: str | None, language: str) -> str:
    """The tool's name for a reader ("Count parameters" / "统计参数量"); an unknown tool keeps its own name."""
    return _table(language, "names").get(tool or "", tool or "?")


def seconds_text(seconds: float | None, language: str) -> str:
    """A duration: "0.01 s" / "0.01 秒"; empty when unknown."""
    if seconds is None:
        return ""
    return _word(language, "seconds", seconds=sig(seconds, digits=_SECONDS_DIGITS))


def group_title(durations: Iterable[float | None], *, running: bool, language: str) -> str:
    """The title of a turn's tool calls: "🛠 5 tools · 0.06 s" when they are done (their durations summed),
    "🛠 5 tools …" while some still run."""
    durations = list(durations)
    count = len(durations)
    if running:
        return _word(language, "running_one" if count == 1 else "running", count=count)
    total = sum(seconds for seconds in durations if seconds is not None)
    return _word(language, "group_one" if count == 1 else "group", count=count,
                 seconds=sig(total, digits=_SECONDS_DIGITS))


def _value(key: str, value: Any, language: str) -> str:
    if isinstance(value, bool):
        return _word(language, "yes" if value else "no")
    if isinstance(value, int | float):
        if key.endswith("flops"):
            return sci(value)
        if key in _PERCENT:
            return f"{value:.0%}"
        return human(value) if abs(value) >= _LARGE else sig(value)
    if isinstance(value, Mapping):
        return str(value.get("model_type") or "…")
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item, language) for item in value)
    return _table(language, "values").get(str(value), str(value))


def _pairs(values: Mapping[str, Any], language: str) -> str:
    labels = _table(language, "fields")
    return " · ".join(f"{labels.get(key, key)} {_value(key, value, language)}"
                      for key, value in values.items() if value is not None)


def arguments_text(arguments: Mapping[str, Any] | None, language: str) -> str:
    """The call's arguments, one line per part: "**Model:** total parameters 145M · routed experts 4 · top-k 1"."""
    labels = _table(language, "fields")
    lines, loose = [], {}
    for key, value in (arguments or {}).items():
        if isinstance(value, Mapping) and key != "hf_config":
            if any(item is not None for item in value.values()):
                lines.append(_word(language, "part", label=labels.get(key, key), values=_pairs(value, language)))
        elif value is not None:
            loose[key] = value
    if loose:
        lines.append(_pairs(loose, language))
    return "\n\n".join(lines)


def result_text(tool: str | None, result: Mapping[str, Any] | None, language: str) -> str:
    """A few of the result's fields ("→ total parameters 145M · activated parameters 65.4M"); empty when the tool
    has none worth a line."""
    shown = {}
    for key in SHOWN_RESULTS.get(tool or "", ()):
        value = (result or {}).get(key)
        if isinstance(value, list):
            value = len(value)
        if value is not None:
            shown[key] = value
    return _word(language, "result", values=_pairs(shown, language)) if shown else ""


def failed_word(language: str) -> str:
    return _word(language, "failed")


def conversation_language(messages: list[BaseMessage]) -> str:
    """The language the conversation is answered in (it changes only when the user writes a sentence in the
    other one), as the session decides it."""
    from assistant.offline.planner import plans, split_turn

    return plans(split_turn(messages))[1].language
