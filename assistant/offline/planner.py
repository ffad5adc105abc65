"""The offline planner's decisions: from a conversation to the next message.

Stateless by design: every decision is derived from the messages alone, so the planner also
answers correctly when it takes over a conversation an LLM started (fallback).

* last message from the user  → tool calls for the plan (one parallel round), a concept
  answer from the glossary, or one clear question when something essential is missing;
* tool results after the last user message → the report, written from templates.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.compose import compose_report
from assistant.offline.parse import parse_message
from assistant.offline.request import Plan
from assistant.quantities import human, sci
from assistant.report import block, count_text, ratio_text, verdict_text
from prompts import glossary
from tools.specs import ModelSpec, matching_preset

PLAN_TOOLS = ("count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time",
              "estimate_training_memory")


@dataclass(frozen=True)
class Turn:
    """The conversation split at the last user message."""

    history: list[BaseMessage]  # everything before the last user message
    user: HumanMessage | None
    after: list[BaseMessage]  # the model's tool calls and the tool results since then


def split_turn(messages: list[BaseMessage]) -> Turn:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return Turn(list(messages[:index]), messages[index], list(messages[index + 1:]))
    return Turn([], None, list(messages))


def message_text(message: BaseMessage) -> str:
    """A message's text, whether its content is a string or a list of content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def plans(turn: Turn) -> tuple[Plan, Plan]:
    """The plan before the last user message and after it (user messages merged in order)."""
    before = Plan()
    for message in turn.history:
        if isinstance(message, HumanMessage):
            before = before.merged(parse_message(message_text(message)))
    after = before.merged(parse_message(message_text(turn.user))) if turn.user else before
    return before, after


def artifacts_of(messages: list[BaseMessage]) -> dict[str, dict[str, Any]]:
    """The latest result of each tool among ``messages`` (artifact, or the JSON content)."""
    found: dict[str, dict[str, Any]] = {}
    for message in messages:
        if isinstance(message, ToolMessage) and message.name:
            result = message.artifact
            if result is None:
                try:
                    result = json.loads(message_text(message))
                except json.JSONDecodeError:
                    result = {"error": message_text(message)}
            found[message.name] = result
    return found


# --- from a plan to tool arguments --------------------------------------------------------------


def model_spec(plan: Plan) -> dict[str, Any] | None:
    if plan.preset:
        spec: dict[str, Any] = {"preset": plan.preset}
        if plan.top_k:
            spec["top_k"] = plan.top_k
        return spec
    if plan.hidden_size and plan.num_layers and plan.num_heads and plan.vocab_size:
        spec = {"hidden_size": plan.hidden_size, "num_layers": plan.num_layers, "num_heads": plan.num_heads,
                "vocab_size": plan.vocab_size}
        for key in ("num_kv_heads", "intermediate_size", "num_experts", "num_shared_experts", "top_k"):
            if getattr(plan, key):
                spec[key] = getattr(plan, key)
        if spec.get("num_experts") and not spec.get("top_k"):
            spec["top_k"] = 1
        return spec
    if plan.total_params:
        spec = {"total_params": plan.total_params}
        if plan.num_experts and not plan.dense:
            spec.update(num_experts=plan.num_experts, num_shared_experts=plan.num_shared_experts or 0,
                        top_k=plan.top_k or 1)
        return spec
    return None


def data_spec(plan: Plan) -> dict[str, Any] | None:
    spec: dict[str, Any]
    if plan.tokens:
        spec = {"tokens": plan.tokens}
    elif plan.samples and plan.mean_length:
        spec = {"samples": plan.samples, "mean_length": plan.mean_length,
                "length_unit": plan.length_unit or "tokens"}
    else:
        return None
    if plan.epochs and not plan.tokens:
        spec["epochs"] = plan.epochs
    if plan.seq_len:
        spec["seq_len"] = plan.seq_len
    return spec


def hardware_spec(plan: Plan) -> dict[str, Any] | None:
    if not plan.gpu:
        return None
    spec: dict[str, Any] = {"gpu": plan.gpu, "gpu_count": plan.gpu_count or 1}
    if plan.mfu:
        spec["mfu"] = plan.mfu
    if plan.price_per_gpu_hour is not None:
        spec["price_per_gpu_hour"] = plan.price_per_gpu_hour
        spec["currency"] = plan.currency or ("CNY" if plan.language == "zh" else "USD")
    return spec


def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def tool_calls_for(plan: Plan) -> list[dict[str, Any]]:
    model, data, hardware = model_spec(plan), data_spec(plan), hardware_spec(plan)
    if model is None or data is None:
        if hardware is not None and plan.days and model is None and data is None:
            return [_call("budget_to_model", {"hardware": hardware, "days": plan.days,
                                              "moe": bool(plan.num_experts)})]
        return []
    calls = [
        _call("count_parameters", {"model": model}),
        _call("estimate_training_flops", {"model": model, "data": data}),
        _call("chinchilla_analysis", {"model": model, "data": data, **({"hardware": hardware} if hardware else {})}),
    ]
    if hardware is not None:
        calls.append(_call("project_gpu_time", {"model": model, "data": data, "hardware": hardware}))
        if "total_params" not in model or matching_preset(ModelSpec(**model)) is not None:
            seq_len = data.get("seq_len") or int(data.get("mean_length") or 2048)
            calls.append(_call("estimate_training_memory", {"model": model, "hardware": hardware,
                                                            "seq_len": max(1, seq_len)}))
    return calls


# --- answers without tools ------------------------------------------------------------------------


def _facts(plan: Plan) -> str:
    facts = []
    if plan.preset:
        facts.append(plan.preset)
    if plan.total_params:
        facts.append(f"{human(plan.total_params)} params")
    if plan.num_experts:
        facts.append(f"{plan.num_shared_experts or 0}+{plan.num_experts} experts, top-{plan.top_k or '?'}")
    if plan.tokens:
        facts.append(f"{human(plan.tokens)} tokens")
    if plan.gpu:
        facts.append(f"{plan.gpu_count or 1} × {plan.gpu}")
    if plan.days:
        facts.append(f"{plan.days:g} days")
    return ", ".join(facts)


def question_for(plan: Plan) -> str:
    language = plan.language
    facts = _facts(plan)
    known = block(language, "known", facts=facts) if facts else ""
    if model_spec(plan) is None and (data_spec(plan) is not None or plan.gpu or plan.total_params):
        return block(language, "ask_model", known=known)
    if model_spec(plan) is not None:
        return block(language, "ask_data", known=known)
    return block(language, "help")


def plan_values(artifacts: dict[str, dict[str, Any]], language: str) -> dict[str, str]:
    """The user's own numbers for glossary paragraphs, from earlier tool results."""
    values: dict[str, str] = {}
    chin = artifacts.get("chinchilla_analysis")
    if chin and "error" not in chin:
        rule20 = next((a for a in chin["compute_optimal"] if a["fit"] == "rule-20"), None)
        values.update(
            tokens=count_text(chin["tokens"], language), active_params=count_text(chin["active_params"], language),
            total_params=count_text(chin["total_params"], language),
            ratio_active=ratio_text(chin["tokens_per_active_param"]),
            ratio_total=ratio_text(chin["tokens_per_total_param"]),
            verdict=verdict_text(chin["verdict_active"], language), flops=sci(chin["compute_flops"]),
            data_matched_params=count_text(chin["data_matched_params"], language),
        )
        if rule20:
            values["compute_optimal_params"] = count_text(rule20["params"], language)
    gpu = artifacts.get("project_gpu_time")
    if gpu and "error" not in gpu:
        values.update(gpu_hours=f"{gpu['gpu_hours']:,.0f}", gpu=f"{gpu['gpu_count']} × {gpu['gpu']}",
                      mfu=f"{gpu['mfu']:.0%}")
    return values


def concept_answer(concept: str, turn: Turn, language: str) -> str:
    return glossary.render_entry(concept, lang=language, plan_values=plan_values(artifacts_of(turn.history), language))


def final_answer(turn: Turn, plan_before: Plan, plan_after: Plan) -> str:
    results = artifacts_of(turn.after)
    language = plan_after.language
    errors = [f"`{name}`: {r['error']}" + (f" ({r['hint']})" if r.get("hint") else "")
              for name, r in results.items() if "error" in r]
    if errors:
        return block(language, "tool_error", errors="; ".join(errors))
    report = compose_report(results, language=language, request=message_text(turn.user) if turn.user else "",
                            changes=change_notes(plan_before, plan_after) if turn.history else [])
    return report.markdown


def change_notes(before: Plan, after: Plan) -> list[str]:
    if model_spec(before) is None or data_spec(before) is None:
        return []  # no earlier plan to compare with
    notes = []
    for name, (old, new) in after.changes_from(before).items():
        if new is None:
            continue  # a field cleared because another replaced it (tokens replace samples × length)
        old_text = "—" if old is None else human(old) if isinstance(old, float) else str(old)
        new_text = human(new) if isinstance(new, float) else str(new)
        notes.append(f"{name}: {old_text} → {new_text}")
    return notes


def decide(messages: list[BaseMessage]) -> AIMessage:
    """The planner's next message for this conversation."""
    turn = split_turn(messages)
    before, after = plans(turn)
    if turn.user is None:
        return AIMessage(content=block(after.language, "help"))
    if any(isinstance(m, ToolMessage) for m in turn.after):
        return AIMessage(content=final_answer(turn, before, after))
    request = parse_message(message_text(turn.user))
    concept = glossary.match_concept(message_text(turn.user))
    calls = tool_calls_for(after)
    changed = bool(after.changes_from(before))
    # A concept question gets the glossary; a message that also changes a runnable plan gets the report.
    if concept and not (calls and changed):
        return AIMessage(content=concept_answer(concept, turn, request.language))
    if calls and not changed and artifacts_of(turn.history):
        return AIMessage(content=block(after.language, "unchanged", facts=_facts(after)))
    if calls:
        return AIMessage(content="", tool_calls=calls)
    text = question_for(after)
    if request.unknown_numbers:
        text += "\n\n" + block(after.language, "unread", numbers=", ".join(request.unknown_numbers))
    return AIMessage(content=text)
