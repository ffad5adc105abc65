"""A conversation as data a browser can keep, and the conversation again from that data.

:func:`snapshot` keeps each turn's user message and each step the model took: its text and its tool calls with
their exact arguments (the plan itself: the model, the data and the GPUs as the tools received them, not the
words they were read from). :func:`rebuild` gives the message list back, each tool call answered again by the
same tool (the core is deterministic, so the results are the ones the conversation had, and nothing is kept
twice). No model is called: in LLM mode the restored conversation goes back to the model with its tool calls and
results, so a follow-up after a reload or a server restart continues the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.agent import FALLBACK_MARK
from assistant.offline.loop import run_call
from assistant.offline.planner import message_text

SAVED_TURNS = 200  # the oldest turns of a longer conversation are not kept
Turn = dict[str, Any]
"""``{"user": text, "steps": [{"text": text, "calls": [{"name", "args", "id"}], "fallback": bool}]}``"""


def snapshot(messages: list[BaseMessage]) -> list[Turn]:
    """The conversation's turns as JSON-ready data (tool results are left out: :func:`rebuild` remakes them)."""
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append({"user": message_text(message), "steps": []})
        elif isinstance(message, AIMessage) and turns:
            step: dict[str, Any] = {"text": message_text(message)}
            if message.tool_calls:
                step["calls"] = [{"name": call["name"], "args": call["args"], "id": call["id"]}
                                 for call in message.tool_calls]
            if message.response_metadata.get(FALLBACK_MARK):
                step["fallback"] = True
            turns[-1]["steps"].append(step)
    return turns[-SAVED_TURNS:]


def _call(call: Any) -> dict[str, Any] | None:
    if not isinstance(call, Mapping) or not isinstance(call.get("name"), str) or not isinstance(call.get("id"), str):
        return None
    args = call.get("args")
    return {"name": call["name"], "args": dict(args) if isinstance(args, Mapping) else {}, "id": call["id"],
            "type": "tool_call"}


def rebuild(turns: Any) -> list[BaseMessage]:
    """The message list of saved ``turns`` (what :func:`snapshot` gave); anything that is not a turn is skipped."""
    messages: list[BaseMessage] = []
    for turn in turns if isinstance(turns, list) else []:
        if not isinstance(turn, Mapping) or not isinstance(turn.get("user"), str):
            continue
        messages.append(HumanMessage(content=turn["user"]))
        steps = turn.get("steps")
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, Mapping):
                continue
            calls = [c for c in map(_call, step.get("calls") or []) if c is not None]
            metadata = {FALLBACK_MARK: True} if step.get("fallback") else {}
            messages.append(AIMessage(content=str(step.get("text") or ""), tool_calls=calls,
                                      response_metadata=metadata))
            messages.extend(run_call(call) for call in calls)
    return messages
