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

MODEL_CALL_LIMIT = 6
TOOL_CALL_LIMIT = 16
# A backstop only: one model round is ~5 graph steps (the call-limit hooks, the model, the tools), so the limit
# must stay well above 5 × MODEL_CALL_LIMIT for ModelCallLimitMiddleware to end a looping run cleanly.
RECURSION_LIMIT = 100
FALLBACK_MARK = "scaling_assistant_fallback"  # in response_metadata of messages the offline fallback wrote


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


def system_prompt(settings: Settings) -> str:
    """The system prompt every model call of the run starts with."""
    return _system_prompt("offline planner" if settings.mode == "offline" else "LLM")


@cache
def _system_prompt(mode: str) -> str:
    return load("system").render(context=f"Mode: {mode}.")


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
    if status is not None and status >= 500:
        return FailureReason("endpoint_http", {"status": status})
    if "Timeout" in name:
        return FailureReason("timeout")
    if "Connection" in name:
        return FailureReason("unreachable")
    if isinstance(error, MalformedOutputError):
        return FailureReason("malformed_tool_calls")
    if type(error).__module__.split(".")[0] in _CLIENT_MODULES:
        return FailureReason("model_call_failed")
    # Not the endpoint: a bug of ours, logged where it happened. Its class name means nothing to the user.
    return FailureReason("internal")


def describe_failure(error: BaseException, settings: Settings | None = None) -> str:
    """A short, key-free reason for a failed model call, in English (for logs)."""
    reason = failure_reason(error).text("en")
    return settings.redact(reason) if settings else reason


class MalformedOutputError(RuntimeError):
    """The LLM returned unparseable tool calls twice in a row."""
