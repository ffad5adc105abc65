"""From the conversation's plan to the tools' arguments, or to the one question that unblocks it.

Every field the user stated goes into the tools' arguments as stated; nothing is defaulted here (the
core's resolvers name every default). Before calling the tools, the plan is checked with the same
resolvers the tools use, so a plan they would refuse ("145M MoE, 8 experts", no top-k and no preset to
take it from) becomes one precise question instead of a failed calculation. Fields the calls do not use
(a time budget beside a full plan, an MFU without a GPU) are returned, so the answer can say so.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from pydantic import ValidationError

from assistant.offline.request import Plan
from assistant.report import block
from assistant.results import EXAMPLE_PREFIX, VARIANT_PREFIX
from assistant.understood import stated_line
from tools.calc.errors import CalcInputError
from tools.calc.presets import find_preset
from tools.error_text import expected_text, field_label, given_text, pydantic_problem
from tools.quantities import human
from tools.specs import CalcInputErrors, DataSpec, HardwareSpec, ModelSpec, resolve_specs

MODEL_KEYS = ("preset", "hf_config", "vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads",
              "head_dim", "intermediate_size", "tied_embeddings", "num_experts", "num_shared_experts", "top_k",
              "expert_intermediate_size", "first_k_dense", "granularity", "total_params", "active_params", "dense")
DATA_KEYS = ("tokens", "samples", "mean_length", "length_unit", "epochs", "seq_len")
HARDWARE_KEYS = ("gpu", "gpu_count", "mfu", "price_per_gpu_hour", "currency")
MEMORY_KEYS = ("zero_stage",)
BUDGET_KEYS = ("days", "gpu_hours", "budget", "compute_flops")
_MODEL_SOURCES = ("preset", "hf_config", "hidden_size", "vocab_size", "num_layers", "num_heads", "total_params",
                  "active_params")


def _stated(plan: Plan, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: getattr(plan, key) for key in keys if getattr(plan, key) is not None}


def model_spec(plan: Plan) -> dict[str, Any] | None:
    """Every model field the user stated, as the tools' ``model`` argument (None without a model source)."""
    spec = _stated(plan, MODEL_KEYS)
    return spec if any(key in spec for key in _MODEL_SOURCES) else None


def data_spec(plan: Plan) -> dict[str, Any] | None:
    """Every data field the user stated, as the tools' ``data`` argument (None without a data size)."""
    spec = _stated(plan, DATA_KEYS)
    return spec if {"tokens", "samples", "mean_length"} & set(spec) else None


# A price stated without a currency is, for a Chinese conversation or interface, in yuan (the tools name the
# default they take); nothing else changes with the language.
LANGUAGE_CURRENCY = {"zh": "CNY"}


def with_default_currency(hardware: dict[str, Any] | None, language: str) -> dict[str, Any] | None:
    """``hardware`` with the language's default currency, when a price without a currency needs one."""
    if not hardware or hardware.get("currency") or language not in LANGUAGE_CURRENCY:
        return hardware
    return {**hardware, "default_currency": LANGUAGE_CURRENCY[language]}


def hardware_spec(plan: Plan) -> dict[str, Any] | None:
    if not plan.gpu:
        return None
    hardware = _stated(plan, HARDWARE_KEYS)
    priced = plan.price_per_gpu_hour is not None or plan.budget is not None
    return with_default_currency(hardware, plan.language) if priced else hardware


def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


@dataclass(frozen=True)
class Decision:
    """Tool calls for the plan, or one question (with what is missing); and the fields read but not used.

    Every field of the plan is accounted for: ``used`` by the calls, shown in the question's "so far"
    line (``shown``), or in ``not_used`` with the reason the answer gives.
    """

    calls: list[dict[str, Any]]
    question: str | None
    missing: tuple[str, ...]
    not_used: dict[str, Any]
    used: frozenset[str] = frozenset()
    shown: frozenset[str] = frozenset()


def decide_plan(plan: Plan) -> Decision:
    """Tool calls for a runnable plan (checked with the core's resolvers first), or the one question to ask."""
    model, data, hardware = model_spec(plan), data_spec(plan), hardware_spec(plan)
    budget = _stated(plan, BUDGET_KEYS)
    money = "budget" in budget and plan.price_per_gpu_hour
    affordable = "compute_flops" in budget or (hardware is not None and ({"days", "gpu_hours"} & set(budget) or money))
    if model is None and affordable:
        return _recommendation(plan, hardware=hardware, budget=budget)
    if model is None:
        return _asking(plan, "model")
    if data is None:
        return _asking(plan, "data")
    try:
        resolved = resolve_specs(model=ModelSpec(**model), data=DataSpec(**data),
                                 hardware=HardwareSpec(**hardware) if hardware else None)
    except CalcInputErrors as errors:
        where, error = errors.errors[0]
        return _asking(plan, error.field, missing=f"{where}.{error.field}", error=error)
    except ValidationError as error:
        item = error.errors()[0]
        field = str(item["loc"][-1]) if item.get("loc") else "model"
        code, values = pydantic_problem(item)
        return _asking(plan, field, value=item.get("input"),
                       expected=expected_text(code, values, language=plan.language))
    calls = [
        _call("count_parameters", {"model": model}),
        _call("estimate_training_flops", {"model": model, "data": data}),
        _call("chinchilla_analysis", {"model": model, "data": data, **({"hardware": hardware} if hardware else {})}),
    ]
    if hardware is not None:
        calls.append(_call("project_gpu_time", {"model": model, "data": data, "hardware": hardware}))
        if resolved.model.shape is not None:
            calls.append(_call("estimate_training_memory", {"model": model, "hardware": hardware,
                                                            "seq_len": resolved.data.seq_len,
                                                            **_stated(plan, MEMORY_KEYS)}))
    not_used = _unused(plan)
    not_used.update({name: getattr(plan, name) for name in resolved.model.unused if getattr(plan, name, None)
                     is not None})
    used = {*model, *data, *(hardware or {}), *(_stated(plan, MEMORY_KEYS) if hardware else {})} - set(not_used)
    return Decision(calls, None, (), not_used, used=frozenset(used))


_PLANNER_SETTINGS = ("vocab_size", "tied_embeddings", "seq_len", "zero_stage")


def _recommendation(plan: Plan, *, hardware: dict[str, Any] | None, budget: dict[str, Any]) -> Decision:
    """A budget without a model: what to train (``recommend_configurations``). Tokens stated beside a budget are
    the data available (unique tokens). MoE is searched unless the user wants a dense model; dense rows are searched
    beside it for comparison."""
    architectures = "dense" if plan.dense else "both"  # an MoE question still sees the best dense row beside it
    args: dict[str, Any] = {**({"hardware": hardware} if hardware else {}), **budget, "architectures": architectures}
    if plan.tokens is not None:
        args["unique_tokens"] = plan.tokens
    if plan.inference_tokens is not None:
        args["inference_tokens"] = plan.inference_tokens
    args.update(_stated(plan, _PLANNER_SETTINGS))
    used = {*(hardware or {}), *budget, *({"dense", "num_experts"} & _given(plan)),
            *(["tokens"] if plan.tokens is not None else []), *_stated(plan, ("inference_tokens", *_PLANNER_SETTINGS))}
    not_used = _unused(plan, budget_used=True)
    # What to train is asked without a model: any other model or data detail given waits for the planner.
    not_used.update({name: getattr(plan, name) for name in _given(plan) - used - {"currency"}
                     if name in (*MODEL_KEYS, *DATA_KEYS)})
    return Decision([_call("recommend_configurations", args)], None, (), not_used, used=frozenset(used))


def _given(plan: Plan) -> set[str]:
    return {f.name for f in fields(plan) if f.name != "language" and getattr(plan, f.name) is not None}


def _asking(plan: Plan, about: str, *, missing: str | None = None, error: CalcInputError | None = None,
            value: Any = None, expected: str = "") -> Decision:
    """A question about ``about``; every stated field is in its "so far" line (or not used, with why)."""
    question = _question(plan, about, error=error, value=value, expected=expected)
    not_used = _unused(plan)
    return Decision([], question, (missing or about,), not_used, shown=frozenset(_given(plan) - set(not_used)))


def _unused(plan: Plan, *, budget_used: bool = False) -> dict[str, Any]:
    """Plan fields the calls will not use: a time/money budget beside a plan, hardware knobs without a GPU, …"""
    unused: dict[str, Any] = {}
    if not budget_used:
        unused.update(_stated(plan, (*BUDGET_KEYS, "inference_tokens")))
    if not plan.gpu:
        unused.update(_stated(plan, ("mfu", "price_per_gpu_hour", "gpu_count", "zero_stage")))
    if plan.currency and plan.price_per_gpu_hour is None and plan.budget is None:
        unused["currency"] = plan.currency
    if plan.length_unit and plan.mean_length is None:
        unused["length_unit"] = plan.length_unit
    return unused


# --- the question ---------------------------------------------------------------------------------------

_DIMENSIONS = {"hidden_size": "hidden", "vocab_size": "vocab", "num_layers": "layers", "num_heads": "heads"}


def known_facts(plan: Plan) -> str:
    """What the user has said so far, as one line ("" when nothing)."""
    preset_name = None
    if plan.preset:
        try:
            preset_name = find_preset(plan.preset).display_name
        except CalcInputError:
            preset_name = plan.preset
    return stated_line(asdict(plan), language=plan.language, preset_name=preset_name)


def _question(plan: Plan, about: str, *, error: CalcInputError | None = None, value: Any = None,
              expected: str = "") -> str:
    """The one question that unblocks the plan, in the plan's language, with what is known so far."""
    language = plan.language
    facts = known_facts(plan)
    known = "\n\n" + block(language, "known", facts=facts) if facts else ""
    if about == "model":
        if plan.gpu is None and data_spec(plan) is None and not plan.total_params:
            return block(language, "help")
        return block(language, "ask_model", known=known)
    simple = {"data": "ask_data", "top_k": "ask_top_k", "total_params": "ask_total", "num_experts": "ask_experts",
              "samples": "ask_samples"}
    if about in simple:
        return block(language, simple[about], known=known)
    if about == "length_unit":
        return block(language, "ask_length_unit", length=f"{plan.mean_length:g}", known=known)
    if about == "mean_length":
        return block(language, "ask_mean_length", samples=human(plan.samples or 0), known=known)
    if about in _DIMENSIONS:
        missing = ", ".join(name for key, name in _DIMENSIONS.items() if getattr(plan, key) is None)
        return block(language, "ask_dimensions", missing=missing, known=known)
    if error is not None:
        value, expected = error.value, expected_text(error.code, error.values, language=language, field=error.field)
    return block(language, "ask_field", field=field_label(about, language=language),
                 value=given_text(value, language=language, field=about), expected=expected, known=known)


# --- variants and memory-only questions ----------------------------------------------------------------

def variant_calls(plan: Plan, field: str, values: tuple[int, int]) -> list[dict[str, Any]] | None:
    """The plan's tool calls once per value of ``field`` (top_k or gpu_count), ids marking the variant."""
    calls: list[dict[str, Any]] = []
    for index, value in enumerate(values):
        variant = replace(plan, **{field: value})
        decision = decide_plan(variant)
        if not decision.calls or any(call["name"] == "recommend_configurations" for call in decision.calls):
            return None
        for call in decision.calls:
            calls.append({**call, "id": f"{VARIANT_PREFIX}{index}_{uuid.uuid4().hex[:10]}"})
    return calls


def memory_calls(plan: Plan) -> list[dict[str, Any]] | None:
    """A memory question needs no data size: the model and the hardware (and the stated settings) only."""
    model, hardware = model_spec(plan), hardware_spec(plan)
    if model is None or hardware is None:
        return None
    try:
        resolved = resolve_specs(model=ModelSpec(**model), hardware=HardwareSpec(**hardware))
    except (CalcInputErrors, ValidationError):
        return None
    if resolved.model.shape is None:
        return None
    settings = {key: value for key, value in (("seq_len", plan.seq_len), ("zero_stage", plan.zero_stage)) if value}
    return [_call("count_parameters", {"model": model}),
            _call("estimate_training_memory", {"model": model, "hardware": hardware, **settings})]


def with_loss_curve(decision_calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A plan's calls and ``predict_loss_curve`` for the same model and data (a loss-curve question)."""
    plan_call = next((call for call in decision_calls if call["name"] == "estimate_training_flops"), None)
    if plan_call is None:
        return decision_calls
    args = plan_call["args"]
    return [*decision_calls, _call("predict_loss_curve", {"model": args["model"], "data": args["data"]})]


WORKED_EXAMPLE_PRESET = "MiniMind2-MoE"
"""The MoE a concept question is worked through when the user has none of their own: the small MoE our users
train on a few GPUs (DEVELOPERS.md)."""


def example_calls(model: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Count the model to work a concept through (the user's, else :data:`WORKED_EXAMPLE_PRESET`) exactly, under
    an id that keeps it out of the user's plan."""
    return [{**_call("count_parameters", {"model": model or {"preset": WORKED_EXAMPLE_PRESET}}),
             "id": f"{EXAMPLE_PREFIX}_{uuid.uuid4().hex[:10]}"}]
