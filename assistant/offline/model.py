"""The built-in offline model: a LangChain chat model whose "thinking" is the deterministic planner.

It is offered to ``create_agent`` like any other chat model, so the agent loop, the events and
the UI are the same in both modes: it answers in the LLM graph when the endpoint fails. Offline,
:class:`~assistant.offline.loop.OfflineAgent` takes the same steps without LangGraph, held to this
model in the graph by ``tests/assistant/test_offline_loop.py``. It supports ``bind_tools`` (the
planner knows the tools by name) and streaming (text arrives in pieces, tool calls in one chunk).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable

from assistant.offline.loop import pieces, tool_arguments
from assistant.offline.planner import decide

OFFLINE_MODEL_NAME = "offline-planner"


class OfflinePlannerModel(BaseChatModel):
    """Deterministic planner as a chat model (no network, no randomness)."""

    model_name: str = OFFLINE_MODEL_NAME

    @property
    def _llm_type(self) -> str:
        return "scaling-assistant-offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable:  # noqa: ARG002
        """The planner calls the project's tools by name, so binding changes nothing."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = decide(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message: AIMessage = decide(messages)
        if message.tool_calls:
            chunk = AIMessageChunk(content="", tool_call_chunks=[
                {"name": call["name"], "args": tool_arguments(call), "id": call["id"], "index": i,
                 "type": "tool_call_chunk"}
                for i, call in enumerate(message.tool_calls)
            ])
            yield ChatGenerationChunk(message=chunk)
            return
        for piece in pieces(str(message.content)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
