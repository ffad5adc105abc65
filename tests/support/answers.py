"""The tracing corpus (``tests/fixtures/answers/``): answers an LLM might write, in varied styles, with every number
labelled by hand as correct (``⟨…⟩``) or planted wrong (``⟦…⟧``), and the plans whose tool results they quote.

:func:`cases` turns it into texts to trace and the spans that must (planted) and must not (everything else) be
flagged: each answer as written, and, for each correct number, the answer with a slip planted in that number (its
mantissa times a factor far outside rounding, written in the same style). The tool results come from running the
plans' calls: the answers' numbers were written from the hand calculations in ``plans.json``, not from the tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tools.registry import run_tool

ANSWERS = Path(__file__).resolve().parents[1] / "fixtures" / "answers"
_SLOT = re.compile(r"⟨([^⟨⟩]*)⟩|⟦([^⟦⟧]*)⟧")
_MANTISSA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
SLIPS = (1.3, 0.7, 2.0, 0.5, 1.25, 0.8, 3.0, 0.4)
"""Factors a planted slip multiplies a number's mantissa by, in turn."""


@dataclass(frozen=True)
class Answer:
    id: str
    plan: str
    language: str
    style: str
    source: str  # with its labels


@dataclass(frozen=True)
class Case:
    """A text to trace: ``planted`` spans must be flagged, ``correct`` ones must not."""

    answer: Answer
    text: str
    planted: tuple[tuple[int, int], ...]
    correct: tuple[tuple[int, int], ...]
    slip: bool  # a slip planted by the bench (else the answer as written by hand)


def answers(name: str = "dev") -> list[Answer]:
    found = []
    for block in re.split(r"(?m)^=== ", (ANSWERS / f"{name}.txt").read_text(encoding="utf-8"))[1:]:
        head, _, body = block.partition("\n")
        ident, plan, language, style = (part.strip() for part in head.split("|"))
        found.append(Answer(ident, plan, language, style, body.strip()))
    return found


@cache
def plans() -> dict[str, Any]:
    return json.loads((ANSWERS / "plans.json").read_text(encoding="utf-8"))


@cache
def plan_results(plan: str) -> tuple[dict[str, Any], ...]:
    """The tool results of ``plan``'s calls (run here; the corpus's numbers do not come from them)."""
    results = []
    for name, arguments in plans()[plan]["calls"]:
        outcome = run_tool(name, arguments)
        assert outcome.ok, (plan, name, outcome.result)
        results.append(outcome.result)
    return tuple(results)


def user_text(answer: Answer) -> str:
    return plans()[answer.plan]["user"][answer.language]


def _render(source: str, slip_at: int | None = None, factor: float = 1.0) -> tuple[str, list, list]:
    """The text without labels, with the planted and correct spans; ``slip_at``: the correct slot to plant a slip in."""
    text, planted, correct = [], [], []
    last, position, slot = 0, 0, 0
    for match in _SLOT.finditer(source):
        text.append(source[last:match.start()])
        position += match.start() - last
        written = match.group(1) if match.group(1) is not None else match.group(2)
        is_correct = match.group(1) is not None
        if is_correct and slot == slip_at:
            written = slipped(written, factor)
            planted.append((position, position + len(written)))
        elif is_correct:
            correct.append((position, position + len(written)))
        else:
            planted.append((position, position + len(written)))
        slot += is_correct
        text.append(written)
        position += len(written)
        last = match.end()
    text.append(source[last:])
    return "".join(text), planted, correct


def slipped(written: str, factor: float) -> str:
    """``written`` with its (first) mantissa times ``factor``, in the same style (decimals, thousands separators)."""
    match = _MANTISSA.search(written)
    assert match, written
    raw = match.group(0)
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw.replace(",", "")) * factor
    if decimals == 0 and round(value) == round(float(raw.replace(",", ""))):
        value += 1
    text = f"{value:,.{decimals}f}" if "," in raw else f"{value:.{decimals}f}"
    return written[:match.start()] + text + written[match.end():]


def cases(name: str = "dev", *, slips: bool = True) -> Iterator[Case]:
    for answer in answers(name):
        text, planted, correct = _render(answer.source)
        yield Case(answer, text, tuple(planted), tuple(correct), slip=False)
        if not slips or planted:
            continue
        for index in range(len(correct)):
            text, planted_here, correct_here = _render(answer.source, index, SLIPS[index % len(SLIPS)])
            yield Case(answer, text, tuple(planted_here), tuple(correct_here), slip=True)


def covered(span: tuple[int, int], flags: list[tuple[int, int]]) -> bool:
    """Whether a flag overlaps ``span``."""
    return any(start < span[1] and span[0] < end for start, end in flags)
