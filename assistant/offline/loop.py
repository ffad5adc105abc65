"""The offline planner's turn without LangGraph: the steps ``create_agent`` takes with the planner as its model.

With :class:`~assistant.offline.model.OfflinePlannerModel` as its model, the LangChain agent
(:mod:`assistant.lc_agent`) runs a turn of one shape, because the planner is deterministic and answers tool
results with text: one model call that answers or makes one parallel round of tool calls, the tools, and one
model call that answers. :class:`OfflineAgent` takes those steps in the caller's thread and streams what the
graph streams and :class:`~assistant.session.Conversation` reads:

* ``("messages", (chunk, {"langgraph_node": "model"}))`` for each piece of the answer as the model streams it;
* ``("updates", {"model": {"messages": [message]}})`` for the model's message, its tool-call arguments
  through JSON as the streamed call delivers them;
* ``("updates", {"tools": {"messages": [result]}})`` for each tool's ``ToolMessage``, in the order of the calls
  (the graph runs them in parallel threads, so any order is one it gives too).

A tool that raises becomes the error ``ToolMessage`` the graph's ``ToolErrorMiddleware`` makes. A turn of
another shape (more tool calls than ``TOOL_CALL_LIMIT``, a tool the agent does not have) is handed to the
LangChain graph before anything is streamed. ``tests/assistant/test_offline_loop.py`` runs the phrasing corpus
and follow-ups through both and compares the events and the conversation they leave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage, ToolMessage

from assistant.agent import TOOL_CALL_LIMIT, system_prompt, tool_error_text
from assistant.lc_tools import tool_runners
from assistant.offline.planner import decide
from assistant.settings import Settings

PIECE_CHARS = 48  # the answer streams in pieces of this many characters (Chinese too)
_MODEL = {"langgraph_node": "model"}


class OfflineAgent:
    """The offline planner's agent loop, streamed like ``create_agent``'s compiled graph (see the module doc)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stream(self, state: dict[str, Any], config: dict[str, Any] | None = None,
               stream_mode: Sequence[str] = ("updates", "messages")) -> Iterator[tuple[str, Any]]:
        """One turn over ``state["messages"]``, as ``graph.stream(state, config, stream_mode=[...])`` yields it."""
        messages: list[BaseMessage] = [SystemMessage(content=system_prompt(self.settings)), *state["messages"]]
        first = streamed(decide(messages))
        if len(first.tool_calls) > TOOL_CALL_LIMIT or any(c["name"] not in tool_runners() for c in first.tool_calls):
            from assistant.lc_agent import build_graph

            yield from build_graph(self.settings).stream(state, config, stream_mode=list(stream_mode))
            return
        yield from _model_step(first)
        if not first.tool_calls:
            return
        results = []
        for call in first.tool_calls:
            results.append(run_call(call))
            yield "updates", {"tools": {"messages": [results[-1]]}}
        answer = streamed(decide([*messages, first, *results]))
        if answer.tool_calls:
            raise RuntimeError("the offline planner answered tool results with more tool calls")
        yield from _model_step(answer)


def streamed(message: AIMessage) -> AIMessage:
    """The planner's message as a streamed model call delivers it: tool-call arguments through JSON."""
    if message.tool_calls:
        return AIMessage(content="", tool_calls=[
            {"name": call["name"], "args": json.loads(tool_arguments(call)), "id": call["id"], "type": "tool_call"}
            for call in message.tool_calls])
    return AIMessage(content=str(message.content))


def tool_arguments(call: dict[str, Any]) -> str:
    """A tool call's arguments as the model streams them (JSON)."""
    return json.dumps(call["args"], ensure_ascii=False)


def pieces(text: str, size: int = PIECE_CHARS) -> Iterator[str]:
    """Split text into pieces of ``size`` characters (works for Chinese too) so streaming streams."""
    for start in range(0, len(text), size):
        yield text[start:start + size]


def _model_step(message: AIMessage) -> Iterator[tuple[str, Any]]:
    if not message.tool_calls:
        for piece in pieces(str(message.content)):
            yield "messages", (AIMessageChunk(content=piece), _MODEL)
    yield "updates", {"model": {"messages": [message]}}


def run_call(call: dict[str, Any]) -> ToolMessage:
    """The ``ToolMessage`` of one tool call, as the graph's tool node makes it (a failure included)."""
    try:
        content, artifact = tool_runners()[call["name"]](**call["args"])
    except Exception as error:  # noqa: BLE001 - as ToolErrorMiddleware turns it into a message for the model
        return ToolMessage(content=tool_error_text(error, call["name"]), tool_call_id=call["id"], name=call["name"],
                           status="error")
    return ToolMessage(content=content, artifact=artifact, tool_call_id=call["id"], name=call["name"])
