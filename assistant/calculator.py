"""The calculator (no chat): form values → the planner's tools → the same report.

The form's values become the tools' own argument objects (``ModelSpec``, ``DataSpec``,
``HardwareSpec`` as dicts); quantities such as "28.9M" are read by
:func:`assistant.quantities.parse_number`. The tools run through :func:`tools.registry.run_tool`
(the ones the offline planner calls, in its order) and :func:`assistant.compose.compose_report`
writes the report, so the UI computes nothing. Bad values come back as one line each, naming the
field and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.compose import compose_report
from assistant.offline.planner import PLAN_TOOLS
from assistant.quantities import parse_number
from tools.registry import run_tool

FIELDS: tuple[str, ...] = (
    "model_source", "preset", "config_file", "vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
    "head_dim", "intermediate_size", "tied_embeddings", "total_params", "num_experts", "num_shared_experts",
    "expert_intermediate_size", "top_k", "first_k_dense",
    "data_source", "tokens", "samples", "mean_length", "length_unit", "tokens_per_char", "epochs", "seq_len",
    "gpu", "gpu_count", "mfu", "price", "currency",
)
"""The form's fields, in the order the calculator's inputs are wired (and its API takes them)."""

NUMBERS = ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size",
           "total_params", "num_experts", "num_shared_experts", "expert_intermediate_size", "top_k", "first_k_dense",
           "tokens", "samples", "mean_length", "tokens_per_char", "epochs", "seq_len", "gpu_count", "mfu", "price")
"""Fields typed as text and read as quantities ("28.9M", "148亿", "0.35"); blank means not given."""

DIMENSIONS = ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size")
MOE_FIELDS = ("num_experts", "num_shared_experts", "expert_intermediate_size", "top_k", "first_k_dense")


@dataclass
class CalcOutcome:
    report: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_numbers(values: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """``values`` with every quantity field read as a number (None when blank; a problem when unreadable).

    Whole numbers stay ints, so integer fields (layers, GPUs, …) validate as such.
    """
    read = dict(values)
    for name in NUMBERS:
        value = values.get(name)
        if _blank(value):
            read[name] = None
            continue
        try:
            number = value if isinstance(value, int | float) else parse_number(str(value))
        except ValueError as error:
            problems.append(f"{name}: {error}")
            read[name] = _UNREADABLE
            continue
        read[name] = int(number) if float(number).is_integer() and abs(number) < 2**53 else number
    return read


_UNREADABLE = object()  # a quantity that could not be read (already reported)


def _given(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: values[name] for name in names if not _blank(values.get(name)) and values[name] is not _UNREADABLE}


def _missing(values: dict[str, Any], name: str) -> bool:
    """Blank (not given); an unreadable value is not missing, it was already reported."""
    return values.get(name) is None


def _config(path: Any, problems: list[str]) -> dict[str, Any] | None:
    if _blank(path):
        problems.append("config_file: upload a HuggingFace config.json")
        return None
    try:
        loaded = json.loads(Path(str(path)).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(f"config_file: not a readable JSON file ({type(error).__name__})")
        return None
    if not isinstance(loaded, dict):
        problems.append("config_file: expected a JSON object")
        return None
    return loaded


def model_spec(values: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The ``model`` argument of the tools (a ModelSpec as a dict)."""
    source = values.get("model_source") or "preset"
    top_k = _given(values, ("top_k",))
    if source == "preset":
        if _blank(values.get("preset")):
            problems.append("preset: choose a preset")
            return None
        return {"preset": values["preset"], **top_k}
    if source == "config":
        config = _config(values.get("config_file"), problems)
        return {"hf_config": config, **top_k} if config is not None else None
    if source == "total":
        if _missing(values, "total_params"):
            problems.append("total_params: give the total number of parameters, e.g. 145M")
        if "total_params" not in _given(values, ("total_params",)):
            return None
        moe = _given(values, ("num_experts", "num_shared_experts", "top_k"))
        return {"total_params": values["total_params"], **moe}
    spec = {**_given(values, DIMENSIONS), **_given(values, MOE_FIELDS)}
    spec["tied_embeddings"] = bool(values.get("tied_embeddings"))
    return spec


def data_spec(values: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The ``data`` argument of the tools (a DataSpec as a dict)."""
    spec: dict[str, Any] = _given(values, ("seq_len",))
    if (values.get("data_source") or "samples") == "tokens":
        if _missing(values, "tokens"):
            problems.append("tokens: give the number of training tokens, e.g. 14.8B")
        if "tokens" not in _given(values, ("tokens",)):
            return None
        return {"tokens": values["tokens"], **spec}
    if _missing(values, "samples"):
        problems.append("samples: give the number of samples, e.g. 28.9M")
    if _missing(values, "mean_length"):
        problems.append("mean_length: give the mean sample length")
    given = _given(values, ("samples", "mean_length", "tokens_per_char", "epochs"))
    if "samples" not in given or "mean_length" not in given:
        return None
    spec.update(length_unit=values.get("length_unit") or "tokens", **given)
    return spec


def hardware_spec(values: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The ``hardware`` argument of the tools, or None when no GPU is chosen."""
    if _blank(values.get("gpu")):
        return None
    spec: dict[str, Any] = {"gpu": values["gpu"], **_given(values, ("gpu_count", "mfu"))}
    if "price" in _given(values, ("price",)):
        spec["price_per_gpu_hour"] = values["price"]
        spec["currency"] = (values.get("currency") or "USD").strip()
    return spec


def _problem(name: str, result: dict[str, Any]) -> str:
    hint = f" ({result['hint']})" if result.get("hint") else ""
    return f"{result.get('error') or f'{name} failed'}{hint}"


def _request_text(model: dict[str, Any], data: dict[str, Any], hardware: dict[str, Any] | None) -> str:
    shown = {k: ("config.json" if k == "hf_config" else v) for k, v in model.items()}
    return "calculator: " + json.dumps({"model": shown, "data": data, "hardware": hardware}, ensure_ascii=False)


def calculate(values: dict[str, Any], *, language: str) -> CalcOutcome:
    """Run the planner's tools on the form's values and compose the report, or list what to fix."""
    problems: list[str] = []
    values = read_numbers(values, problems)
    model = model_spec(values, problems)
    data = data_spec(values, problems)
    hardware = hardware_spec(values, problems)
    if problems or model is None or data is None:
        return CalcOutcome(problems=problems)
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
            problems.append(_problem(name, outcome.result))
            continue
        artifacts[name] = outcome.result
    flops = artifacts.get("estimate_training_flops")
    if hardware is not None and "total_params" not in model and flops is not None:
        # the memory estimate uses the sequence length the FLOPs tool settled on
        outcome = run_tool("estimate_training_memory", {"model": model, "hardware": hardware,
                                                        "seq_len": flops["seq_len"]})
        if outcome.ok:
            artifacts["estimate_training_memory"] = outcome.result
        else:
            problems.append(_problem("estimate_training_memory", outcome.result))
    if problems:
        return CalcOutcome(problems=list(dict.fromkeys(problems)))
    report = compose_report(artifacts, language="zh" if language == "zh" else "en",
                            request=_request_text(model, data, hardware))
    return CalcOutcome(report=report.model_dump(mode="json"))


def catalogue() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(preset choices, GPU choices) for the form, from the lookup tools: (label, key) pairs."""
    listing = run_tool("list_presets", {}).result
    presets = [(f"{p['name']} ({p['key']})", p["key"]) for p in listing.get("presets", [])]
    gpus = [("—", "")]
    for key in listing.get("gpus", []):
        info = run_tool("describe_gpu", {"gpu": key}).result
        gpus.append((f"{info.get('name', key)} ({key})", key))
    return presets, gpus
