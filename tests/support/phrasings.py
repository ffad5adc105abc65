"""The phrasing corpus (tests/fixtures/phrasings): loading it and comparing the reader's output with an entry.

Shared by the regression test (``tests/assistant/test_phrasings.py``) and the accuracy bench
(``bench/bench_parse.py``), so both judge an entry the same way.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from assistant.offline.parse import parse_message
from assistant.offline.request import ParsedRequest
from tools.calc.errors import CalcInputError
from tools.calc.hardware import find_gpu

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "phrasings"
NOT_FIELDS = ("language", "text", "prose", "concept", "stop_at_tokens", "unknown_numbers", "hf_config")
READ_FIELDS = tuple(f.name for f in fields(ParsedRequest) if f.name not in NOT_FIELDS)


def load(name: str) -> list[dict[str, Any]]:
    """The entries of ``tests/fixtures/phrasings/<name>.jsonl``."""
    lines = (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class Verdict:
    entry_id: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _gpu_key(name: Any) -> Any:
    try:
        return find_gpu(name).key
    except CalcInputError:
        return f"<unknown gpu {name!r}>"


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)
    return expected == got


def _number_form(text: str) -> str:
    return "".join(str(text).split()).lower()


def judge(entry: dict[str, Any], parsed: ParsedRequest | None = None) -> Verdict:
    """Every problem with the reading of one entry: a field wrong, missing or extra; a number not reported."""
    parsed = parsed or parse_message(entry["text"])
    problems = []
    if parsed.language != entry["language"]:
        problems.append(f"language: expected {entry['language']}, got {parsed.language}")
    expected = entry["expect"]
    for name in READ_FIELDS:
        got = getattr(parsed, name)
        if name == "gpu" and got is not None:
            got = _gpu_key(got)
        if name in expected:
            if got is None:
                problems.append(f"{name}: expected {expected[name]!r}, not read")
            elif not _same(expected[name], got):
                problems.append(f"{name}: expected {expected[name]!r}, got {got!r}")
        elif got is not None:
            problems.append(f"{name}: not stated, but read as {got!r}")
    unknown = [_number_form(u) for u in parsed.unknown_numbers]
    for item in entry.get("unknown", []):
        form = _number_form(item)
        match = next((u for u in unknown if form in u or u in form), None)
        if match is None:
            problems.append(f"unknown: {item!r} should be reported as not understood")
        else:
            unknown.remove(match)
    problems.extend(f"unknown: {u!r} reported as not understood, but the entry places it" for u in unknown)
    return Verdict(entry["id"], tuple(problems))
