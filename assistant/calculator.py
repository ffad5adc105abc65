"""The calculator (no chat): form values → the planner's tools → the same report.

The form's values become the tools' own argument objects (``ModelSpec``, ``DataSpec``,
``HardwareSpec`` as dicts), passed as typed: quantities such as "28.9M", "1.5万亿" or "35%" are read by
the tools with the same reader as the chat and the command line (:mod:`tools.lenient`). Nothing is
pre-filled or defaulted here: a blank field is not stated, and the core names every default it takes.
The tools run through :func:`tools.registry.run_tool` (the ones the offline planner calls, in its
order) and :func:`assistant.compose.compose_report` writes the report, so the UI computes nothing. Bad
values come back together, one line each in the interface's language, naming the field and what was
expected (:mod:`tools.error_text`: each problem is a code with values until it is said).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from assistant.compose import compose_report
from assistant.offline.plan_calls import with_default_currency
from assistant.offline.planner import PLAN_TOOLS
from assistant.report import PlanReport
from assistant.results import typed_results
from tools.calc.errors import CalcInputError
from tools.config_file import read_config_file
from tools.error_text import failure_text, problem_text
from tools.registry import run_tool

Problem = dict[str, Any]
"""One thing to fix, as the tools list them: ``{"field", "got", "code", "values"}``."""

FIELDS: tuple[str, ...] = (
    "model_source", "preset", "config_file", "vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
    "head_dim", "intermediate_size", "tied_embeddings", "total_params", "active_params", "model_kind", "num_experts",
    "num_shared_experts", "expert_intermediate_size", "granularity", "top_k", "first_k_dense",
    "data_source", "tokens", "samples", "mean_length", "length_unit", "tokens_per_char", "epochs", "seq_len",
    "gpu", "gpu_count", "mfu", "price", "currency",
)
"""The form's fields, in the order the calculator's inputs are wired (and its API takes them)."""

DIMENSIONS = ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size")
MOE_FIELDS = ("num_experts", "num_shared_experts", "expert_intermediate_size", "granularity", "top_k",
              "first_k_dense")


@dataclass
class CalcOutcome:
    report: PlanReport | None = None
    problems: list[str] = field(default_factory=list)  # one line each, in the interface's language


def _missing(field_name: str, code: str) -> Problem:
    return {"field": field_name, "got": None, "code": code}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def given_values(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The non-blank values among ``names``, as typed (text stripped): the tools read the quantities."""
    return {name: values[name].strip() if isinstance(values[name], str) else values[name]
            for name in names if not blank(values.get(name))}


def _config(path: Any, problems: list[Problem]) -> dict[str, Any] | None:
    """The uploaded config.json, read by the one config reader (any encoding; bounded in size, depth, numbers)."""
    if blank(path):
        problems.append(_missing("config_file", "config_missing"))
        return None
    try:
        return read_config_file(str(path))
    except CalcInputError as error:
        problems.append({"field": "config_file", "got": error.value, "code": error.code, "values": dict(error.values)})
        return None


def model_spec(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    """The ``model`` argument of the tools (a ModelSpec as a dict): exactly what the form states.

    The source picks the architecture (a preset, a config.json, the dimensions, or sizes only); stated sizes,
    the expert layout and dense/MoE go with any source, as they do from the chat and the command line.
    """
    source = values.get("model_source") or "preset"
    stated = {**given_values(values, ("total_params", "active_params")), **given_values(values, MOE_FIELDS),
              **{"dense": {"dense": True}, "moe": {"dense": False}}.get(values.get("model_kind") or "", {})}
    if source == "preset":
        if blank(values.get("preset")):
            problems.append(_missing("preset", "preset_missing"))
            return None
        return {"preset": values["preset"], **stated}
    if source == "config":
        config = _config(values.get("config_file"), problems)
        return {"hf_config": config, **stated} if config is not None else None
    if source == "total":
        return stated  # the resolver says what is missing (the total, the routing, …)
    spec = {**given_values(values, DIMENSIONS), **stated}
    tied = values.get("tied_embeddings")
    if tied in (True, False, "tied", "untied"):
        spec["tied_embeddings"] = tied in (True, "tied")
    return spec


def data_spec(values: dict[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    """The ``data`` argument of the tools (a DataSpec as a dict)."""
    spec: dict[str, Any] = given_values(values, ("seq_len", "epochs"))
    if (values.get("data_source") or "samples") == "tokens":
        if blank(values.get("tokens")):
            problems.append(_missing("tokens", "tokens_missing"))
            return None
        return {"tokens": values["tokens"], **spec}
    needed = [name for name in ("samples", "mean_length", "length_unit") if blank(values.get(name))]
    problems.extend(_missing(name, f"{name}_missing") for name in needed)
    if needed:
        return None
    return {**given_values(values, ("samples", "mean_length", "length_unit", "tokens_per_char")), **spec}


def hardware_spec(values: dict[str, Any], problems: list[Problem], language: str = "en") -> dict[str, Any] | None:
    """The ``hardware`` argument of the tools, or None when no GPU is chosen; a price without a currency takes the
    interface language's (CNY in Chinese, named in the report's defaults)."""
    if blank(values.get("gpu")):
        return None
    spec: dict[str, Any] = {"gpu": values["gpu"], **given_values(values, ("gpu_count", "mfu", "currency"))}
    if not blank(values.get("price")):
        spec["price_per_gpu_hour"] = given_values(values, ("price",))["price"]
        return with_default_currency(spec, language)
    return spec


def tool_problems(name: str, result: dict[str, Any], language: str) -> list[str]:
    """One line per invalid field of a failed tool call, in ``language``."""
    if result.get("errors"):
        return [problem_text(problem, language=language) for problem in result["errors"]]
    return [failure_text(result, language=language, tool=name)]


def _request_text(model: dict[str, Any], data: dict[str, Any], hardware: dict[str, Any] | None) -> str:
    shown = {k: ("config.json" if k == "hf_config" else v) for k, v in model.items()}
    return "calculator: " + json.dumps({"model": shown, "data": data, "hardware": hardware}, ensure_ascii=False)


def calculate(values: dict[str, Any], *, language: str) -> CalcOutcome:
    """Run the planner's tools on the form's values and compose the report, or list what to fix."""
    missing: list[Problem] = []
    model = model_spec(values, missing)
    data = data_spec(values, missing)
    hardware = hardware_spec(values, missing, language)
    if missing or model is None or data is None:
        return CalcOutcome(problems=[problem_text(problem, language=language) for problem in missing])
    problems: list[str] = []
    calls: dict[str, dict[str, Any]] = {
        "count_parameters": {"model": model},
        "estimate_training_flops": {"model": model, "data": data},
        "chinchilla_analysis": {"model": model, "data": data, **({"hardware": hardware} if hardware else {})},
    }
    if hardware is not None:
        calls["project_gpu_time"] = {"model": model, "data": data, "hardware": hardware}
    artifacts: dict[str, dict[str, Any]] = {}
    for name in PLAN_TOOLS:
        if name not in calls:
            continue
        outcome = run_tool(name, calls[name])
        if not outcome.ok:
            problems.extend(tool_problems(name, outcome.result, language))
            continue
        artifacts[name] = outcome.result
    flops = artifacts.get("estimate_training_flops")
    params = artifacts.get("count_parameters")
    if hardware is not None and flops is not None and params is not None and not params["approximate"]:
        # the memory estimate uses the sequence length the FLOPs tool settled on
        outcome = run_tool("estimate_training_memory", {"model": model, "hardware": hardware,
                                                        "seq_len": flops["seq_len"]})
        if outcome.ok:
            artifacts["estimate_training_memory"] = outcome.result
        else:
            problems.extend(tool_problems("estimate_training_memory", outcome.result, language))
    if problems:
        return CalcOutcome(problems=list(dict.fromkeys(problems)))
    report = compose_report(typed_results(artifacts), language="zh" if language == "zh" else "en",
                            request=_request_text(model, data, hardware))
    return CalcOutcome(report=report)


def catalogue() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(preset choices, GPU choices) for the form, from the lookup tools: (label, key) pairs."""
    listing = run_tool("list_presets", {}).result
    presets = [(f"{p['name']} ({p['key']})", p["key"]) for p in listing.get("presets", [])]
    gpus = [("—", "")]
    for key in listing.get("gpus", []):
        info = run_tool("describe_gpu", {"gpu": key}).result
        gpus.append((f"{info.get('name', key)} ({key})", key))
    return presets, gpus
