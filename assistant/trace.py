"""Traceability: every number in an LLM's answer must match a tool result (or the user's own words).

Numbers are read with their units (``14.8B``, ``148 亿``, ``35%``, ``8.16e18``, ``1,344``), and a
mention matches a known value when they agree to the precision the mention was written with
(or within 1%), so rounding and unit changes are allowed. Unmatched numbers are returned so the
answer can flag them visibly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tools.quantities import SUFFIXES

_MENTION = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"\s*(?P<suffix>万亿|[千万亿]|[KkMBGT](?![a-zA-Z])|%|×10\^\d+)?"
)
_ALWAYS_ALLOWED = {6.0, 20.0, 120.0, 100.0}  # the 6ND factor, the 20× rule, √(C/120), percent base
_SMALL = 10  # small integers (counts, section numbers, top-k) are not checked


@dataclass(frozen=True)
class Mention:
    text: str
    value: float
    relative_precision: float


def mentions(text: str) -> list[Mention]:
    """Numbers written in ``text`` with their unit multipliers applied."""
    found = []
    for match in _MENTION.finditer(text):
        raw = match.group("num").replace(",", "")
        suffix = match.group("suffix") or ""
        try:
            value = float(raw)
        except ValueError:
            continue
        if suffix == "%":
            multiplier = 0.01
        elif suffix.startswith("×10^"):
            multiplier = 10.0 ** int(suffix[4:])
        else:
            multiplier = SUFFIXES.get(suffix.lower(), 1.0)
        mantissa = raw.split("e")[0].split("E")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        magnitude = abs(float(mantissa)) or 1.0
        precision = 0.5 * 10 ** (-decimals) / magnitude  # half a unit in the last written digit
        found.append(Mention(match.group(0).strip(), value * multiplier, precision))
    return found


def known_values(results: Iterable[Any]) -> list[float]:
    """Every number inside the tool results (recursively)."""
    values: list[float] = []

    def walk(item: Any) -> None:
        if isinstance(item, bool):
            return
        if isinstance(item, int | float):
            if math.isfinite(item):
                values.append(float(item))
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list | tuple):
            for value in item:
                walk(value)
        elif isinstance(item, str):
            values.extend(m.value for m in mentions(item))

    for result in results:
        walk(result)
    return values


def _derived(values: list[float]) -> list[float]:
    """Unit changes a writer may make: hours↔days, fractions↔percent."""
    extra = []
    for value in values:
        extra += [value / 24.0, value * 24.0, value * 100.0, value / 100.0]
    return values + extra


def _matches(mention: Mention, candidates: list[float]) -> bool:
    tolerance = max(mention.relative_precision, 0.01)
    return any(math.isclose(mention.value, c, rel_tol=tolerance, abs_tol=1e-12) for c in candidates)


def untraced_numbers(answer: str, *, results: Iterable[Any], user_text: str = "") -> list[str]:
    """The numbers in ``answer`` that match no tool result and nothing the user wrote."""
    candidates = _derived(known_values(results)) + [m.value for m in mentions(user_text)]
    flagged = []
    for mention in mentions(answer):
        if mention.value in _ALWAYS_ALLOWED or (mention.value.is_integer() and abs(mention.value) <= _SMALL):
            continue
        if 1900 <= mention.value <= 2100 and mention.value.is_integer():
            continue  # years in citations
        if not _matches(mention, candidates):
            flagged.append(mention.text)
    return list(dict.fromkeys(flagged))
