"""The offline planner's decisions: from a conversation to the next message.

Stateless by design: every decision is derived from the messages alone, so the planner also
answers correctly when it takes over a conversation an LLM started (fallback).

* last message from the user  → tool calls for the plan (one parallel round), a concept
  answer from the glossary, or one clear question when something essential is missing;
* tool results after the last user message → the report, written from templates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.answer import (
    budget_answer,
    compare_answer,
    compare_fits_answer,
    diff_line,
    loss_answer,
    memory_answer,
    no_plan_for_loss,
    no_plan_for_paper,
    no_such_candidate,
    paper_answer,
    plan_answer,
    worked_active_params,
)
from assistant.compose import compose_report
from assistant.offline.intent import Asked, asked
from assistant.offline.parse import parse_message
from assistant.offline.plan_calls import (
    data_spec,
    decide_plan,
    example_calls,
    known_facts,
    memory_calls,
    model_spec,
    variant_calls,
    with_loss_curve,
)
from assistant.offline.request import MODEL_FIELDS, ParsedRequest, Plan
from assistant.report import PlanReport, block, fit_allocation, ratio_text, verdict_text
from assistant.results import EXAMPLE_PREFIX, VARIANT_PREFIX, ToolResults, errors_text, results_of
from assistant.understood import RunReading, not_understood_line, not_used_line, stated_line, understood_line
from prompts import glossary
from tools.analysis import ParamsResult
from tools.planner import CandidateOut, RecommendResult
from tools.quantities import count_text, sci

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
    """The plan before the last user message and after it (user messages merged in order).

    "Use candidate 2" takes that row of the latest recommendation before the message as the plan's model and
    data (its config.json and its tokens), on the same GPUs; the budget it answered is then spent.
    """
    before, offered = Plan(), None
    for message in turn.history:
        if isinstance(message, HumanMessage):
            before = _merged(before, parse_message(message_text(message)), offered)
        elif isinstance(message, ToolMessage) and message.name == "recommend_configurations":
            offered = results_of([message]).recommend or offered
    after = _merged(before, parse_message(message_text(turn.user)), offered) if turn.user else before
    return before, after


def _merged(plan: Plan, request: ParsedRequest, offered: RecommendResult | None) -> Plan:
    merged = plan.merged(request)
    chosen = adopted_candidate(request, offered)
    if chosen is None:
        return merged
    # The row as it was checked: its sequence length and ZeRO stage come with it unless the user set their own.
    return replace(merged, **dict.fromkeys(MODEL_FIELDS - {"hf_config"}), hf_config=chosen.config,
                   tokens=chosen.tokens, samples=None, mean_length=None, length_unit=None, epochs=None, days=None,
                   gpu_hours=None, budget=None, compute_flops=None, inference_tokens=None,
                   seq_len=merged.seq_len or offered.seq_len,
                   zero_stage=merged.zero_stage if merged.zero_stage is not None else offered.zero_stage)


def _offered(turn: Turn) -> RecommendResult | None:
    return results_of(turn.history).recommend


def adopted_candidate(request: ParsedRequest, offered: RecommendResult | None) -> CandidateOut | None:
    """The row "use candidate N" names, when there is a recommendation with that many rows."""
    if request.candidate is None or offered is None or not 1 <= request.candidate <= len(offered.candidates):
        return None
    return offered.candidates[request.candidate - 1]


def plan_values(results: ToolResults, language: str) -> dict[str, str]:
    """The user's own numbers for glossary paragraphs, from earlier tool results."""
    values: dict[str, str] = {}
    chin = results.chinchilla
    if chin is not None:
        values.update(
            tokens=count_text(chin.tokens, language), active_params=count_text(chin.active_params, language),
            total_params=count_text(chin.total_params, language),
            ratio_active=ratio_text(chin.tokens_per_active_param), ratio_total=ratio_text(chin.tokens_per_total_param),
            verdict=verdict_text(chin.verdict_active, language), flops=sci(chin.compute_flops),
            data_matched_params=count_text(chin.data_matched_params, language),
            compute_optimal_params=count_text(fit_allocation(chin.compute_optimal, "rule-20").params, language),
        )
        if chin.verdict_active.kind == "over-trained":  # the over-training paragraph fits no other plan
            values["overtrained_verdict"] = values["verdict"]
    gpu = results.gpu_time
    if gpu is not None:
        values.update(gpu_hours=f"{gpu.gpu_hours:,.0f}", gpu=f"{gpu.gpu_count} × {gpu.gpu}", mfu=f"{gpu.mfu:.0%}")
    return values


WORKED_CONCEPTS = frozenset({"total-vs-active", "moe-routing"})
"""Concepts answered with the formula worked through an exact count: the user's MoE, or the worked example."""


def concept_answer(concept: str, turn: Turn, language: str, *, worked: ParamsResult | None = None,
                   own: bool = False) -> str:
    example = worked_active_params(worked, language, own=own) if worked is not None else None
    return glossary.render_entry(concept, lang=language, plan_values=plan_values(results_of(turn.history), language),
                                 worked=example)


def _own_moe(turn: Turn) -> ParamsResult | None:
    """The user's own MoE count from earlier in the conversation, when it can be worked through."""
    params = results_of(turn.history).params
    return params if params is not None and params.routed_experts_active and params.reading.is_moe else None


@dataclass(frozen=True)
class ReadingNotes:
    """What the offline reader could not place in the last message, and what the plan read but did not use."""

    not_understood: tuple[str, ...]
    not_used: dict[str, Any]


def reading_notes(turn: Turn, plan: Plan) -> ReadingNotes:
    request = parse_message(message_text(turn.user)) if turn.user else None
    return ReadingNotes(request.unknown_numbers if request else (), decide_plan(plan).not_used)


def final_answer(turn: Turn, plan_before: Plan, plan_after: Plan) -> str:
    """The answer once the tools have run: shaped by what was asked (:mod:`assistant.offline.intent`)."""
    language = plan_after.language
    ask = asked(message_text(turn.user)) if turn.user else Asked("plan")
    if any(isinstance(m, ToolMessage) and m.tool_call_id.startswith(EXAMPLE_PREFIX) for m in turn.after):
        text = message_text(turn.user)
        concept = glossary.match_concept(text) or "total-vs-active"
        answer = concept_answer(concept, turn, language, worked=results_of(turn.after, example=True).params,
                                own=model_spec(plan_after) is not None)
        unread = not_understood_line(parse_message(text).unknown_numbers, language=language)
        return answer + ("\n\n" + unread if unread else "")
    results = results_of(turn.after)
    if results.errors:
        return block(language, "tool_error", errors=errors_text(results.errors, language=language))
    if ask.intent == "compare" and ask.compared in ("top_k", "gpu_count") and any(map(_is_variant, turn.after)):
        return _compare_answer(turn, plan_after, ask)
    notes = reading_notes(turn, plan_after)
    if not results.has_plan and results.memory is not None:
        reading = RunReading(model=results.params.reading.model_dump() if results.params else None,
                             gpu=results.memory.gpu, gpu_count=results.memory.gpu_count)
        return memory_answer(results, understood_line(reading, language=language), language)
    report = compose_report(results, language=language, request=message_text(turn.user) if turn.user else "",
                            changes=change_notes(plan_before, plan_after) if turn.history else [],
                            not_understood=notes.not_understood, not_used=notes.not_used)
    if report.kind != "plan":
        return budget_answer(report)
    if ask.intent == "paper":
        return paper_answer(report, ask.stance)
    if ask.intent == "loss" and report.loss is not None:
        return loss_answer(report)
    if ask.intent == "compare" and ask.compared == "fits":
        return compare_fits_answer(report)
    previous = _previous_report(turn, language)
    diff = None
    if previous is not None and plan_after.changes_from(plan_before) and ask.intent == "plan":
        diff = diff_line(previous, report, change_label(plan_before, plan_after))
    return plan_answer(report, asked=ask, diff=diff)


def _is_variant(message: BaseMessage) -> bool:
    if isinstance(message, ToolMessage):
        return message.tool_call_id.startswith(VARIANT_PREFIX)
    return isinstance(message, AIMessage) and any(call["id"].startswith(VARIANT_PREFIX)
                                                  for call in message.tool_calls)


def _previous_report(turn: Turn, language: str) -> PlanReport | None:
    """The plan report of the conversation so far (before this turn), for a follow-up's diff."""
    earlier = results_of(turn.history)
    if not earlier.has_plan:
        return None
    report = compose_report(earlier, language=language, request="")
    return report if report.kind == "plan" else None


def _compare_answer(turn: Turn, plan: Plan, ask: Asked) -> str:
    variants = []
    for index in range(2):
        results = results_of(turn.after, variant=index)
        if results.errors or not results.has_plan:
            return block(plan.language, "tool_error", errors=errors_text(results.errors, language=plan.language))
        variants.append(compose_report(results, language=plan.language, request=""))
    context = {"gpu": plan.gpu} if ask.compared == "gpu_count" else {}
    labels = tuple(stated_line({ask.compared: value, **context}, language=plan.language) for value in ask.values)
    return compare_answer(variants[0], variants[1], labels)


def change_label(before: Plan, after: Plan) -> str:
    """What a follow-up changed, as the "so far" line says it: "16 × 4090", "MFU 20%", "top-2"."""
    changed = {name: new for name, (old, new) in after.changes_from(before).items() if new is not None}
    if "gpu_count" in changed and after.gpu:
        changed["gpu"] = after.gpu
    return stated_line(changed, language=after.language) or ", ".join(changed)


def change_notes(before: Plan, after: Plan) -> list[str]:
    """Each change since the earlier plan, as "old → new" in the words of the "so far" line."""
    if model_spec(before) is None or data_spec(before) is None:
        return []  # no earlier plan to compare with
    notes = []
    for name, (old, new) in after.changes_from(before).items():
        if new is None:
            continue  # a field cleared because another replaced it (tokens replace samples × length)
        context = {"gpu": after.gpu} if name == "gpu_count" else {}
        old_text = stated_line({name: old, **context}, language=after.language) if old is not None else "—"
        new_text = stated_line({name: new, **context}, language=after.language)
        notes.append(f"{old_text or old} → {new_text or new}")
    return notes


def decide(messages: list[BaseMessage]) -> AIMessage:
    """The planner's next message for this conversation."""
    turn = split_turn(messages)
    before, after = plans(turn)
    if turn.user is None:
        return AIMessage(content=block(after.language, "help"))
    if any(isinstance(m, ToolMessage) for m in turn.after):
        return AIMessage(content=final_answer(turn, before, after))
    text = message_text(turn.user)
    request = parse_message(text)
    ask = asked(text)
    concept = glossary.match_concept(text)
    decision = decide_plan(after)
    changed = bool(after.changes_from(before))
    history = results_of(turn.history)
    if ask.intent == "compare" and ask.compared in ("top_k", "gpu_count"):
        calls = variant_calls(after, ask.compared, ask.values)
        if calls:
            return AIMessage(content="", tool_calls=calls)
    if ask.intent in ("paper", "compare") and not changed and history.has_plan:
        report = compose_report(history, language=after.language, request=text)
        if report.kind == "plan":
            return AIMessage(content=paper_answer(report, ask.stance) if ask.intent == "paper"
                             else compare_fits_answer(report))
    if ask.intent == "paper" and not decision.calls:
        return AIMessage(content=no_plan_for_paper(after.language))
    if request.candidate is not None and adopted_candidate(request, _offered(turn)) is None:
        return AIMessage(content=no_such_candidate(request.candidate, _offered(turn), after.language))
    if ask.intent == "loss":
        if decision.calls and decision.calls[0]["name"] != "recommend_configurations":
            return AIMessage(content="", tool_calls=with_loss_curve(decision.calls))
        if model_spec(after) is None and data_spec(after) is None:
            return AIMessage(content=no_plan_for_loss(after.language))
    if ask.intent == "figure" and ask.figure == "memory" and not decision.calls:
        calls = memory_calls(after)
        if calls:
            return AIMessage(content="", tool_calls=calls)
    # A concept question gets the glossary; a message that also changes a runnable plan gets the report.
    if concept and not (decision.calls and changed):
        unread = not_understood_line(request.unknown_numbers, language=request.language)
        own = _own_moe(turn) if concept in WORKED_CONCEPTS else None
        if concept in WORKED_CONCEPTS and own is None:
            return AIMessage(content="", tool_calls=example_calls(model_spec(after)))
        answer = concept_answer(concept, turn, request.language, worked=own, own=True)
        return AIMessage(content=answer + ("\n\n" + unread if unread else ""))
    if decision.calls and not changed and not history.empty and ask.intent == "plan":
        # "如果换成 1e400 张卡呢?": nothing changed because the number could not be read; say which one
        unread = not_understood_line(request.unknown_numbers, language=after.language)
        return AIMessage(content="\n\n".join(line for line in (unread, block(after.language, "unchanged")) if line))
    if decision.calls:
        return AIMessage(content="", tool_calls=decision.calls)
    lines = [decision.question or block(after.language, "help"),
             not_understood_line(request.unknown_numbers, language=after.language),
             not_used_line(decision.not_used, language=after.language)]
    return AIMessage(content="\n\n".join(line for line in lines if line))


def pending_question(messages: list[BaseMessage]) -> dict[str, Any] | None:
    """The question the planner asks for this conversation, as data: what it asks, what is known, what is missing.

    None when the planner would call tools instead (the CLI prints it as JSON under ``--format json``).
    """
    turn = split_turn(messages)
    _, after = plans(turn)
    decision = decide_plan(after)
    if decision.calls or turn.user is None:
        return None
    request = parse_message(message_text(turn.user))

    return {"kind": "question", "language": after.language, "question": decision.question,
            "understood": known_facts(after), "missing": list(decision.missing),
            "not_understood": list(request.unknown_numbers), "not_used": decision.not_used}
