"""The sentence of an :class:`~tools.calc.assumptions.Assumption`, in English or Chinese.

Sentences are the blocks of ``prompts/assumptions/{en,zh}.md``, one per code. Values are set by
their names, the same way in both languages: counts (``*_params``, ``*_tokens``, ``samples``) as
14.8B / 148亿 (an exact integer count with its digits), shares (``mfu``, ``expert_share``, each of
``fractions``) as percentages, enumerated values (``recompute``) from the file's ``values`` block, a
list item by item ("10%, 30%" / "10%、30%"), fits (``fit``, ``*_fit``) and ``architecture`` by name
(:mod:`tools.names`), the rest as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from string import Template
from typing import Any

from prompts import load
from tools.calc.assumptions import Assumption
from tools.names import architecture_name, fit_name
from tools.quantities import count_text, human_zh

_COUNTS = ("samples",)
_SHARES = ("mfu", "expert_share", "tolerance")
_PERCENT_LISTS = ("fractions",)


@cache
def _blocks(language: str) -> dict[str, str]:
    return load(f"assumptions/{'zh' if language == 'zh' else 'en'}").blocks()


@cache
def _values(language: str) -> dict[str, str]:
    return load(f"assumptions/{'zh' if language == 'zh' else 'en'}").table("values")


_NOT_CODES = frozenset({"values", "suggestion", "suggestion_changes"})


def codes() -> frozenset[str]:
    """Every assumption code with a sentence (the same set in both languages, a test checks)."""
    return frozenset(name for name in _blocks("en") if name not in _NOT_CODES)


@cache
def _changes(language: str) -> dict[str, str]:
    return load(f"assumptions/{'zh' if language == 'zh' else 'en'}").table("suggestion_changes")


def suggestion_text(suggestion: Any, *, language: str) -> str:
    """A memory suggestion (:class:`tools.calc.memory.MemorySuggestion` or its tool form) as one phrase."""
    parts = _changes(language)
    changes = []
    if getattr(suggestion, "gpu_count", None) is not None:
        changes.append(Template(parts["gpu_count"]).substitute(value=suggestion.gpu_count))
    if getattr(suggestion, "zero_stage", None) is not None:
        changes.append(Template(parts["zero_stage"]).substitute(value=suggestion.zero_stage))
    if getattr(suggestion, "recompute", None) is not None:
        changes.append(parts[f"recompute.{suggestion.recompute}"])
    if getattr(suggestion, "flash_attention", None):
        changes.append(parts["flash_attention"])
    if getattr(suggestion, "micro_batch", None) is not None:
        changes.append(Template(parts["micro_batch"]).substitute(value=suggestion.micro_batch))
    separator = parts["separator"] + (" " if language == "en" else "")
    return Template(_blocks(language)["suggestion"]).substitute(
        changes=separator.join(changes), total=f"{suggestion.total_bytes / 1e9:.1f}",
        capacity=f"{suggestion.capacity_bytes / 1e9:.1f}")


def value_text(name: str, value: Any, *, language: str) -> str:
    """One value as the sentences show it (see module doc)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, tuple | list):
        return ("、" if language == "zh" else ", ").join(value_text(name, item, language=language) for item in value)
    if isinstance(value, int | float) and name in _PERCENT_LISTS:
        return f"{value * 100:g}%"
    if isinstance(value, int | float) and (name.endswith(("_params", "_tokens")) or name in _COUNTS):
        return exact_count_text(value, language=language) if isinstance(value, int) else count_text(value, language)
    if isinstance(value, int | float) and name in _SHARES:
        return f"{value:.0%}" if name == "mfu" else f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and (name == "fit" or name.endswith("_fit")):
        return fit_name(value, language)
    if isinstance(value, str) and name == "architecture":
        return architecture_name(value, language)
    if isinstance(value, str):
        return _values(language).get(f"{name}.{value}", value)
    return str(value)


def exact_count_text(value: int, *, language: str) -> str:
    """An exact count with its digits: '145M (145,029,760)' / '1.45亿（145,029,760）'."""
    if value < 10_000:
        return str(value)
    if language == "zh":
        return f"{human_zh(value)}（{value:,}）"
    return f"{count_text(value, language)} ({value:,})"


def assumption_text(assumption: Assumption | Mapping[str, Any], *, language: str) -> str:
    """The sentence for ``assumption`` (an Assumption, or its ``as_dict()`` form) in ``language``."""
    code = assumption.code if isinstance(assumption, Assumption) else assumption["code"]
    values = assumption.values if isinstance(assumption, Assumption) else assumption.get("values", {})
    template = _blocks(language).get(code)
    if template is None:
        raise KeyError(f"no sentence for assumption code {code!r} in prompts/assumptions/{language}.md")
    return Template(template).substitute({name: value_text(name, v, language=language) for name, v in values.items()})
