"""The agent loop on LangChain: ``create_agent`` with our tools and middleware.

* LLM mode: ``ChatOpenAI`` against any OpenAI-compatible endpoint (timeouts, bounded retries
  on 429/5xx by the openai SDK). If the endpoint fails (auth, network, limits, repeated
  malformed output), :class:`OfflineFallbackMiddleware` tells the user why and lets the
  offline model answer the same conversation, so the user still gets a report.
* Offline mode: the built-in :class:`OfflinePlannerModel` in the same graph (what
  :class:`assistant.offline.loop.OfflineAgent` runs without LangGraph, and is tested against).

Limits (:mod:`assistant.agent`): at most ``MODEL_CALL_LIMIT`` model calls and ``TOOL_CALL_LIMIT`` tool calls
per run, and ``RECURSION_LIMIT`` graph steps. Tool exceptions reach the model as tool messages.

Imported only when a graph is built: LangChain's agent machinery (LangGraph, LangSmith, the openai SDK) is
most of the start-up time of a process that answers offline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelCallLimitMiddleware,
    ModelRequest,
    ModelResponse,
    ToolCallLimitMiddleware,
    ToolErrorMiddleware,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.errors import GraphBubbleUp

from assistant.agent import (
    FALLBACK_MARK,
    MODEL_CALL_LIMIT,
    TOOL_CALL_LIMIT,
    MalformedOutputError,
    describe_failure,
    failure_reason,
    system_prompt,
    tool_error_text,
)
from assistant.lc_tools import langchain_tools
from assistant.offline.model import OfflinePlannerModel
from assistant.settings import Settings

log = logging.getLogger(__name__)


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured model: ChatOpenAI in LLM mode, the offline planner otherwise."""
    if settings.mode == "offline":
        return OfflinePlannerModel()
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.resolved_model, base_url=settings.resolved_base_url, api_key=settings.api_key or "not-needed",
        use_responses_api=False, timeout=settings.timeout_s, max_retries=settings.max_retries,
        streaming=True, stream_usage=True,
    )


class OfflineFallbackMiddleware(AgentMiddleware):
    """On a failed LLM call, report why (a ``fallback`` custom event) and answer with the offline model.

    Malformed tool-call JSON is retried once with a correcting note; a second malformed answer
    counts as a failure.
    """

    def __init__(self, *, settings: Settings, fallback: BaseChatModel | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.fallback = fallback or OfflinePlannerModel()

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse | AIMessage:
        if _fell_back(request.messages):  # the endpoint already failed in this turn: stay offline, tell once
            return _marked(handler(request.override(model=self.fallback)))
        try:
            response = handler(request)
            if _malformed(response):
                note = HumanMessage(content="Your last tool call had invalid JSON arguments. "
                                            "Call the tool again with one valid JSON object.")
                response = handler(request.override(messages=[*request.messages, note]))
                if _malformed(response):
                    raise MalformedOutputError("malformed tool calls twice")
            return response
        except GraphBubbleUp:
            raise
        except Exception as error:  # noqa: BLE001 - any endpoint failure falls back
            reason = failure_reason(error)
            log.warning("LLM call failed, answering offline: %s", describe_failure(error, self.settings))
            _emit({"type": "fallback", "code": reason.code, "values": dict(reason.values)})
            return _marked(handler(request.override(model=self.fallback)))


def _fell_back(messages: list[Any]) -> bool:
    """Whether the offline fallback already answered since the last user message."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return False
        if isinstance(message, AIMessage) and message.response_metadata.get(FALLBACK_MARK):
            return True
    return False


def _marked(response: Any) -> Any:
    for message in getattr(response, "result", None) or []:
        if isinstance(message, AIMessage):
            message.response_metadata[FALLBACK_MARK] = True
    return response


def _malformed(response: Any) -> bool:
    messages = getattr(response, "result", None) or []
    last = messages[-1] if messages else None
    return isinstance(last, AIMessage) and bool(last.invalid_tool_calls) and not last.tool_calls


def _emit(payload: dict[str, Any]) -> None:
    try:
        from langgraph.config import get_stream_writer

        get_stream_writer()(payload)
    except Exception:  # noqa: BLE001 - outside a streaming run there is nobody to tell
        pass


def _tool_error_text(error: Exception, request: Any) -> str:
    return tool_error_text(error, request.tool_call["name"])


def build_graph(settings: Settings, *, model: BaseChatModel | None = None) -> Any:
    """The compiled agent graph for ``settings`` (``model`` overrides the configured one, for tests)."""
    model = model or chat_model(settings)
    middleware: list[AgentMiddleware] = []
    if not isinstance(model, OfflinePlannerModel):
        middleware.append(OfflineFallbackMiddleware(settings=settings))
    middleware += [
        ModelCallLimitMiddleware(run_limit=MODEL_CALL_LIMIT, exit_behavior="end"),
        ToolCallLimitMiddleware(run_limit=TOOL_CALL_LIMIT, exit_behavior="end"),
        ToolErrorMiddleware(on_error=_tool_error_text),
    ]
    return create_agent(model, tools=list(langchain_tools()), system_prompt=system_prompt(settings),
                        middleware=middleware)
