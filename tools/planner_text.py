"""The planner's sentences (``prompts/planner/{en,zh}.md``): advice, summaries and heuristic labels.

Values are set by name, as :mod:`tools.assumption_text` sets them (counts as 1.45B / 14.5亿, the rest as
written), plus the planner's own kinds: shares as percentages (signed for ``*_change``), learning rates
and ratios to three significant figures, FLOPs in scientific notation.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from string import Template
from typing import Any

from prompts import load
from tools.assumption_text import value_text
from tools.quantities import sci

_PERCENT = ("final_fraction", "overshoot", "share", "slowdown", "lifetime_saving")
_SIGNED_PERCENT = ("active_change", "tokens_change")
_SCIENTIFIC = ("row_flops", "compute_flops")
_THREE_DIGITS = ("peak_lr", "final_lr", "noise", "balance_loss", "bias_update", "constant", "train_ratio", "ratio",
                 "epochs", "optimum_epochs", "loss_increase", "low", "high", "beta1", "beta2", "weight_decay",
                 "grad_clip")


@cache
def _prompt(language: str):
    return load(f"planner/{'zh' if language == 'zh' else 'en'}")


def _value(name: str, value: Any, language: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value_text(name, value, language=language)
    if name in _SIGNED_PERCENT:
        return f"{value:+.0%}"
    if name in _PERCENT:
        return f"{value:.0%}"
    if name in _SCIENTIFIC:
        return sci(value)
    if name in _THREE_DIGITS:
        return f"{value:.3g}"
    return value_text(name, value, language=language)


def _render(template: str, values: Mapping[str, Any], language: str) -> str:
    return Template(template).substitute({name: _value(name, v, language) for name, v in values.items()})


def codes() -> frozenset[str]:
    """Every sentence code (the same set in both languages, a test checks)."""
    return frozenset(name for name in _prompt("en").blocks() if name not in ("heuristics", "status"))


def planner_text(code: str, values: Mapping[str, Any] | None = None, *, language: str) -> str:
    """The sentence ``code`` with ``values`` in ``language``."""
    template = _prompt(language).blocks().get(code)
    if template is None or code in ("heuristics", "status"):
        raise KeyError(f"no sentence {code!r} in prompts/planner/{language}.md")
    return _render(template, values or {}, language)


def heuristic_text(code: str, values: Mapping[str, Any] | None = None, *, language: str) -> str:
    """What heuristic ``code`` checks, with its range's ``values`` (low, high and the models at each end)."""
    return _render(_prompt(language).table("heuristics")[code], values or {}, language)


def status_text(status: str, *, language: str) -> str:
    """A status mark (sourced/derived/disputed/unverified, or P/S/D/U/tool) in words."""
    return _prompt(language).table("status")[status]
