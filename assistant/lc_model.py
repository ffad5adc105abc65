"""``ChatOpenAI`` as real providers need it: a deadline, DeepSeek's reasoning, and tool calls that were cut off.

:class:`ProviderChatModel` is ``ChatOpenAI`` (chat completions, streamed) with three additions, each set by the
provider preset (:data:`assistant.settings.PROVIDERS`):

* **A deadline per model call.** Every HTTP request of one model call (the openai SDK's retries included) must
  finish waiting by ``deadline_s`` after the call began: a request gets at most the time left, and at the deadline
  the call fails as a timeout, with no retry or back-off after it. A hung endpoint (``timeout_s`` without a byte)
  is retried while time is left; then the offline model answers.
* **Reasoning kept and sent back.** ``reasoning_content`` (DeepSeek's thinking mode, Qwen3's) is kept in the
  message's ``additional_kwargs``; with ``echo_reasoning`` it goes back with the message's tool calls, which
  DeepSeek requires in thinking mode (``langchain-deepseek`` 1.1.1 keeps it but does not send it back).
* **No guessed arguments.** Streamed tool-call arguments are completed by langchain-core's lenient partial-JSON
  parser, so a reply cut off inside the arguments (``finish_reason: "length"``) would run with the fields that
  arrived. Arguments that do not parse as sent, or a reply that stopped for length, turn every tool call of the
  reply into an invalid tool call (:data:`CUT_OFF` in its error), which is never run.

Imported only in LLM mode (it imports the openai SDK and langchain-openai).
"""

from __future__ import annotations

import contextvars
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

from assistant.settings import Settings

CUT_OFF = "cut off"
"""In an invalid tool call's error: the reply stopped inside the arguments (they were not run)."""

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("model_call_deadline", default=None)


_AT_DEADLINE_S = 0.05  # no request starts this close to the deadline


class DeadlineTransport(httpx.HTTPTransport):
    """An HTTP transport that cuts every request's timeouts to the time left before the model call's deadline.

    When a request times out with less than half a wait left before the deadline, or would start after it, it raises
    the openai SDK's own ``APITimeoutError``, which the SDK passes on without retrying (and without sleeping first),
    so the call fails at the deadline, not a back-off or two later.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _DEADLINE.get()
        if deadline is None:
            return super().handle_request(request)
        left = deadline - time.monotonic()
        if left <= _AT_DEADLINE_S:
            raise _deadline_passed(request)
        timeouts = dict(request.extensions.get("timeout") or {})
        wait = timeouts.get("read") or left
        request.extensions["timeout"] = {name: left if timeouts.get(name) is None else min(timeouts[name], left)
                                         for name in ("connect", "read", "write", "pool")}
        try:
            return super().handle_request(request)
        except httpx.TimeoutException:
            if deadline - time.monotonic() < wait / 2:  # no time left for a retry worth making: stop at once
                raise _deadline_passed(request) from None
            raise


def _deadline_passed(request: httpx.Request) -> Exception:
    from openai import APITimeoutError

    return APITimeoutError(request=request)  # type: ignore[arg-type]  # the SDK takes the legacy httpx client too


class ProviderChatModel(ChatOpenAI):
    """``ChatOpenAI`` with a per-call deadline, reasoning kept (and echoed), and cut-off tool calls refused."""

    deadline_s: float = 40.0
    echo_reasoning: bool = False

    # -- a deadline per model call ------------------------------------------------------------------------------

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        token = _DEADLINE.set(time.monotonic() + self.deadline_s)
        try:
            yield from _checked(super()._stream(*args, **kwargs))
        finally:
            try:
                _DEADLINE.reset(token)
            except ValueError:  # closed from another context: that context never saw the value
                pass

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        token = _DEADLINE.set(time.monotonic() + self.deadline_s)
        try:
            result = super()._generate(*args, **kwargs)
        finally:
            _DEADLINE.reset(token)
        for generation in result.generations:
            if isinstance(generation.message, AIMessage):
                generation.message = refuse_cut_calls(generation.message)
        return result

    # -- reasoning -----------------------------------------------------------------------------------------------

    def _convert_chunk_to_generation_chunk(self, chunk: dict, default_chunk_class: type,
                                           base_generation_info: dict | None) -> ChatGenerationChunk | None:
        generation = super()._convert_chunk_to_generation_chunk(chunk, default_chunk_class, base_generation_info)
        choices = chunk.get("choices") or []
        if generation is not None and choices and isinstance(generation.message, AIMessageChunk):
            delta = choices[0].get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                generation.message.additional_kwargs["reasoning_content"] = reasoning
        return generation

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        choices = getattr(response, "choices", None) or (response.get("choices") if isinstance(response, dict)
                                                         else None)
        if choices:
            message = choices[0].message if not isinstance(choices[0], dict) else choices[0].get("message", {})
            extra = message if isinstance(message, dict) else (getattr(message, "model_extra", None) or {})
            reasoning = extra.get("reasoning_content") or extra.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                result.generations[0].message.additional_kwargs["reasoning_content"] = reasoning
        return result

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self.echo_reasoning:
            messages: list[BaseMessage] = self._convert_input(input_).to_messages()
            for message, sent in zip(messages, payload.get("messages") or [], strict=False):
                if isinstance(message, AIMessage) and sent.get("role") == "assistant" and sent.get("tool_calls"):
                    sent["reasoning_content"] = str(message.additional_kwargs.get("reasoning_content") or "")
        return payload


def _checked(chunks: Iterator[ChatGenerationChunk]) -> Iterator[ChatGenerationChunk]:
    """The stream as it came, then (when a tool call's arguments do not parse as sent) a last empty chunk saying
    which; :func:`refuse_cut_calls` reads it from the merged message."""
    arguments: dict[Any, str] = {}
    for chunk in chunks:
        message = chunk.message
        if isinstance(message, AIMessageChunk):
            for position, part in enumerate(message.tool_call_chunks):
                key = part.get("index") if part.get("index") is not None else f"whole-{len(arguments)}-{position}"
                arguments[key] = arguments.get(key, "") + (part.get("args") or "")
        yield chunk
    unparsed = [key for key, text in arguments.items() if not _parses(text)]
    if unparsed:
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata={"unparsed_tool_calls": True}))


def _parses(text: str) -> bool:
    try:
        json.loads(text or "{}")
    except ValueError:
        return False
    return True


def refuse_cut_calls(message: AIMessage) -> AIMessage:
    """``message`` with every tool call made invalid when the reply stopped for length or an argument string did
    not parse as sent (a partial-JSON parser completed it): such calls are never run."""
    metadata = message.response_metadata or {}
    cut = metadata.get("finish_reason") == "length" or bool(metadata.get("unparsed_tool_calls"))
    if not cut or not message.tool_calls:
        return message
    invalid = [{"type": "invalid_tool_call", "name": call["name"], "args": json.dumps(call["args"]),
                "id": call["id"], "error": f"arguments {CUT_OFF} (finish_reason {metadata.get('finish_reason')})"}
               for call in message.tool_calls]
    return message.model_copy(update={"tool_calls": [], "invalid_tool_calls": [*message.invalid_tool_calls,
                                                                               *invalid]})


def provider_chat_model(settings: Settings) -> ProviderChatModel:
    """The LLM for ``settings``: its preset's wire settings, the timeouts and the deadline."""
    preset = settings.preset
    client = httpx.Client(transport=DeadlineTransport(), timeout=settings.timeout_s)
    return ProviderChatModel(
        model=settings.resolved_model, base_url=settings.resolved_base_url, api_key=settings.api_key or "not-needed",
        use_responses_api=False, timeout=settings.timeout_s, max_retries=settings.max_retries, streaming=True,
        stream_usage=preset.stream_usage, http_client=client, deadline_s=settings.deadline_s,
        echo_reasoning=preset.echo_reasoning,
    )
