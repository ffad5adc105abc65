"""The offline planner's decisions: from a conversation to the next message.

Stateless by design: every decision is derived from the messages alone, so the planner also
answers correctly when it takes over a conversation an LLM started (fallback).

* last message from the user  → tool calls for the plan (one parallel round), a concept
  answer from the glossary, or one clear question when something essential is missing;
* tool results after the last user message → the report, written from templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.compose import compose_report
from assistant.offline.parse import parse_message
from assistant.offline.plan_calls import data_spec, decide_plan, known_facts, model_spec
from assistant.offline.request import Plan
from assistant.report import block, fit_allocation, ratio_text, verdict_text
from assistant.results import ToolResults, results_of
from assistant.understood import not_understood_line, not_used_line
from prompts import glossary
from tools.quantities import count_text, human, sci

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
    gpu = results.gpu_time
    if gpu is not None:
        values.update(gpu_hours=f"{gpu.gpu_hours:,.0f}", gpu=f"{gpu.gpu_count} × {gpu.gpu}", mfu=f"{gpu.mfu:.0%}")
    return values


def concept_answer(concept: str, turn: Turn, language: str) -> str:
    return glossary.render_entry(concept, lang=language, plan_values=plan_values(results_of(turn.history), language))


@dataclass(frozen=True)
class ReadingNotes:
    """What the offline reader could not place in the last message, and what the plan read but did not use."""

    not_understood: tuple[str, ...]
    not_used: dict[str, Any]


def reading_notes(turn: Turn, plan: Plan) -> ReadingNotes:
    request = parse_message(message_text(turn.user)) if turn.user else None
    return ReadingNotes(request.unknown_numbers if request else (), decide_plan(plan).not_used)


def final_answer(turn: Turn, plan_before: Plan, plan_after: Plan) -> str:
    results = results_of(turn.after)
    language = plan_after.language
    if results.errors:
        errors = [f"`{e.tool}`: {e.error}" + (f" ({e.hint})" if e.hint else "") for e in results.errors]
        return block(language, "tool_error", errors="; ".join(errors))
    notes = reading_notes(turn, plan_after)
    report = compose_report(results, language=language, request=message_text(turn.user) if turn.user else "",
                            changes=change_notes(plan_before, plan_after) if turn.history else [],
                            not_understood=notes.not_understood, not_used=notes.not_used)
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
    decision = decide_plan(after)
    changed = bool(after.changes_from(before))
    # A concept question gets the glossary; a message that also changes a runnable plan gets the report.
    if concept and not (decision.calls and changed):
        unread = not_understood_line(request.unknown_numbers, language=request.language)
        answer = concept_answer(concept, turn, request.language)
        return AIMessage(content=answer + ("\n\n" + unread if unread else ""))
    if decision.calls and not changed and not results_of(turn.history).empty:
        return AIMessage(content=block(after.language, "unchanged"))
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
