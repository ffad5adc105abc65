"""One agent loop for both modes, and what every run of it shares: the limits, the system prompt, the failure reasons.

:func:`build_agent` gives the loop a :class:`~assistant.session.Conversation` streams a turn through:

* LLM mode: LangChain's ``create_agent`` over ``ChatOpenAI``, with the offline model as the fallback
  (:mod:`assistant.lc_agent`);
* offline mode: the built-in planner's turn, run by :class:`assistant.offline.loop.OfflineAgent` without
  LangGraph. It takes the same steps the LangChain graph takes with the planner as its model (one model call,
  at most one parallel round of tool calls, one model call that answers) and streams the same messages, so the
  conversation, its events and the UI are the same either way (``tests/assistant/test_offline_loop.py`` holds
  the two to the same events); it only skips LangGraph's threads and checkpoints, and the 0.6 s of imports
  LangChain's agent machinery costs a process that answers offline.

This module imports no LangChain: :mod:`assistant.lc_agent` is imported when a graph is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings
from prompts import load
from tools.error_text import reason_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MODEL_CALL_LIMIT = 12
"""Model calls per turn: a model that calls one tool per round (two lookups, five plan tools, the answer) and
corrects two calls still finishes."""
TOOL_CALL_LIMIT = 16
"""Plan-tool calls per turn (lookups apart)."""
LOOKUP_LIMIT = 6
"""Lookups per turn, counted apart so that looking names up does not starve the plan."""
LOOKUP_TOOLS = frozenset({"list_presets", "describe_gpu", "explain_concept"})
# A backstop only: one model round is ~4 graph steps (the call-budget hooks, the model, the tools), so the limit
# must stay well above 4 × MODEL_CALL_LIMIT for CallBudgetMiddleware to end a looping run cleanly.
RECURSION_LIMIT = 100
FALLBACK_MARK = "scaling_assistant_fallback"  # in response_metadata of messages the offline fallback wrote
STOP_MARK = "scaling_assistant_stop"  # in response_metadata of the message that ends a stopped turn: code, values
CALLS_AS_TEXT = ("<tool_call>", "<|tool_call|>", "[TOOL_CALLS]", "<|python_tag|>", "<function=")
"""How chat templates write tool calls when the server does not parse them (Hermes/Qwen, Mistral, Llama 3.1)."""


def build_agent(settings: Settings, *, model: BaseChatModel | None = None) -> Any:
    """The agent loop for ``settings``: the offline planner's own loop offline, else the LangChain graph.

    ``model`` overrides the configured model and always gives the LangChain graph (tests run the offline
    planner's model through it to hold :class:`~assistant.offline.loop.OfflineAgent` to the same events).
    """
    if model is None and settings.mode == "offline":
        from assistant.offline.loop import OfflineAgent

        return OfflineAgent(settings)
    from assistant.lc_agent import build_graph

    return build_graph(settings, model=model)


def system_prompt(settings: Settings, *, plan: str = "") -> str:
    """The system prompt every model call of the run starts with; ``plan`` is the conversation's current plan as
    JSON (:meth:`assistant.plan_state.CurrentPlan.context`), last, as per-conversation context goes."""
    return _system_prompt("offline planner" if settings.mode == "offline" else "LLM", plan)


@cache
def _system_prompt(mode: str, plan: str = "") -> str:
    context = f"Mode: {mode}."
    if plan:
        context += ("\nCurrent plan: the arguments of the latest successful calls. Start follow-ups from them and "
                    f"change only what the user changes.\n{plan}")
    return load("system").render(arguments=arguments_text(), context=context)


@cache
def arguments_text() -> str:
    """The shared argument objects as the system prompt lists them, from the tools' input models."""
    from tools.registry import shared_definitions

    lines = []
    for name, fields in shared_definitions().items():
        lines.append(f"`{name}`:")
        lines += [f"- {f.name} ({f.type}{', required' if f.required else ''}): {f.description}".rstrip(": ")
                  for f in fields]
    return "\n".join(lines)


def tool_error_text(error: Exception, tool: str) -> str:
    """What the model reads when a tool raised (``ToolErrorMiddleware``'s ``on_error``): no message, no trace."""
    return (f'{{"error": "{type(error).__name__} in {tool}", "code": "internal_error", '
            f'"hint": "check the arguments"}}')


@dataclass(frozen=True)
class FailureReason:
    """Why a model call failed, as a code with values (its sentence: ``prompts/errors``, block ``reasons``)."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str) -> str:
        return reason_text(self.code, language=language, **self.values)


_CLIENT_MODULES = frozenset({"openai", "httpx", "httpcore", "langchain_openai", "langchain_core"})


def failure_reason(error: BaseException) -> FailureReason:
    """The reason for a failed model call: an HTTP status, a timeout, no connection, malformed output, …"""
    name = type(error).__name__
    status = getattr(error, "status_code", None)
    by_status = {401: "api_key_rejected", 403: "access_denied", 404: "not_found", 429: "rate_limited"}
    if status in by_status:
        return FailureReason(by_status[status])
    if status == 400:
        return FailureReason("bad_request")
    if status is not None and status >= 500:
        return FailureReason("endpoint_http", {"status": status})
    if "Timeout" in name:
        return FailureReason("timeout")
    if "Connection" in name:
        return FailureReason("unreachable")
    if isinstance(error, MalformedOutputError):
        return FailureReason("truncated_tool_calls" if error.kind == "cut_off" else "malformed_tool_calls")
    if isinstance(error, ToolCallsAsTextError):
        return FailureReason(error.code)
    if type(error).__module__.split(".")[0] in _CLIENT_MODULES:
        return FailureReason("model_call_failed")
    # Not the endpoint: a bug of ours, logged where it happened. Its class name means nothing to the user.
    return FailureReason("internal")


def describe_failure(error: BaseException, settings: Settings | None = None) -> str:
    """A short, key-free reason for a failed model call, in English (for logs)."""
    reason = failure_reason(error).text("en")
    return settings.redact(reason) if settings else reason


class MalformedOutputError(RuntimeError):
    """The LLM returned tool calls that cannot be run twice in a row: ``kind`` "malformed" (arguments that are not
    JSON) or "cut_off" (a reply that stopped inside the arguments)."""

    def __init__(self, kind: str = "malformed") -> None:
        super().__init__(f"{kind} tool calls twice")
        self.kind = kind


class ToolCallsAsTextError(RuntimeError):
    """The LLM wrote its tool calls as text (a server without a tool-call parser); ``code`` says how to fix it."""

    def __init__(self, code: str) -> None:
        super().__init__("tool calls written as text")
        self.code = code
