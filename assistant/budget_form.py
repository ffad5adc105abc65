"""The "plan from budget" form (no chat): form values → ``recommend_configurations`` → the budget report.

Like :mod:`assistant.calculator`: the values go to the tool as typed ("7", "¥20k", "3e20", "35%", "2T"), read by
the tools' own reader; a blank field is not stated and the core names every default it takes. Bad values come back
together, one line each in the interface's language, naming the field and what was expected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from assistant.calculator import blank, given_values, hardware_spec, tool_problems
from assistant.compose import compose_report
from assistant.report import BudgetReport
from assistant.results import typed_results
from tools.error_text import problem_text
from tools.registry import run_tool

FIELDS: tuple[str, ...] = (
    "gpu", "gpu_count", "days", "gpu_hours", "budget", "price", "currency", "compute_flops", "mfu", "architectures",
    "fit", "unique_tokens", "inference_tokens", "vocab_size", "seq_len", "zero_stage",
)
"""The form's fields, in the order its inputs are wired (and its API takes them)."""

_AMOUNTS = ("days", "gpu_hours", "budget", "compute_flops")
_OPTIONS = ("fit", "unique_tokens", "inference_tokens", "vocab_size", "seq_len", "zero_stage")


@dataclass
class BudgetOutcome:
    report: BudgetReport | None = None
    problems: list[str] = field(default_factory=list)  # one line each, in the interface's language


def recommend_arguments(values: dict[str, Any], language: str = "en") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The tool's arguments from the form, and what is missing (a budget; the GPUs for a time or money budget); a
    price without a currency takes the interface language's (CNY in Chinese)."""
    missing: list[dict[str, Any]] = []
    amounts = given_values(values, _AMOUNTS)
    if not amounts:
        missing.append({"field": "budget", "got": None, "code": "one_plan_budget"})
    hardware = hardware_spec(values, missing, language)
    if hardware is None and set(amounts) - {"compute_flops"}:
        missing.append({"field": "gpu", "got": None, "code": "budget_needs_gpus"})
    args: dict[str, Any] = {**({"hardware": hardware} if hardware else {}), **amounts, **given_values(values, _OPTIONS)}
    if not blank(values.get("architectures")):
        args["architectures"] = values["architectures"]
    return args, missing


def plan_from_budget(values: dict[str, Any], *, language: str) -> BudgetOutcome:
    """Run ``recommend_configurations`` on the form's values and compose the report, or list what to fix."""
    args, missing = recommend_arguments(values, language)
    if missing:
        return BudgetOutcome(problems=[problem_text(problem, language=language) for problem in missing])
    outcome = run_tool("recommend_configurations", args)
    if not outcome.ok:
        return BudgetOutcome(problems=list(dict.fromkeys(tool_problems("recommend_configurations", outcome.result,
                                                                   language))))
    report = compose_report(typed_results({"recommend_configurations": outcome.result}),
                            language="zh" if language == "zh" else "en",
                            request="plan from budget: " + json.dumps(args, ensure_ascii=False))
    assert isinstance(report, BudgetReport)
    return BudgetOutcome(report=report)
