"""A conversation with the assistant, streamed as small events of our own (the UI never sees LangChain).

:class:`Conversation` keeps the full message list (tool results included, so a later concept
question can use the plan's numbers) and runs one agent turn per :meth:`Conversation.send`.
Nothing is lost on failure: the user's message stays in the history and the error becomes a
friendly message in the user's language; no stack trace and no API key ever reach an event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage

from assistant.agent import FALLBACK_MARK, MODEL_CALL_LIMIT, RECURSION_LIMIT, build_agent, describe_failure
from assistant.compose import compose_report
from assistant.offline.planner import (
    ReadingNotes,
    change_notes,
    message_text,
    pending_question,
    plans,
    reading_notes,
    split_turn,
)
from assistant.report import BudgetReport, PlanReport
from assistant.results import results_of
from assistant.settings import Settings
from assistant.trace import untraced_numbers

log = logging.getLogger(__name__)

EventKind = Literal["text", "tool_start", "tool_result", "notice", "flag", "final", "error"]
Mode = Literal["offline", "fallback", "llm"]
"""Who answers: the built-in offline model, the offline model after the endpoint failed, or the LLM."""


@dataclass(frozen=True)
class Event:
    """One thing the UI shows. ``text`` is always safe to display (no secrets, no traces)."""

    kind: EventKind
    text: str = ""
    tool: str | None = None
    call_id: str | None = None
    arguments: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    ok: bool = True
    duration_s: float | None = None
    mode: Mode = "offline"
    report: PlanReport | BudgetReport | None = None
    flags: tuple[str, ...] = ()
    question: dict[str, Any] | None = None  # a clarifying question as data (offline planner), for --format json


_ERROR_TEXT = {
    "zh": "抱歉，这次没有算完：{reason}。对话记录都还在，可以换个说法再试一次。",
    "en": "Sorry, this turn did not finish: {reason}. The conversation is kept; try again or rephrase.",
}
_FALLBACK_TEXT = {
    "zh": "⚠️ 语言模型接口不可用（{reason}），改由内置离线模型回答。",
    "en": "⚠️ The LLM endpoint failed ({reason}); the built-in offline model answers instead.",
}
_LIMIT_TEXT = {
    "zh": "这一轮的模型调用次数已达上限（{limit} 次），已停止以免空转。"
          "请把问题说得更具体一些，或直接给出模型、数据和硬件。",
    "en": "This turn reached its limit of {limit} model calls and was stopped so it cannot loop. "
          "Please be more specific, or state the model, the data and the hardware directly.",
}
# Chinese renderings of assistant.agent.describe_failure's reasons.
_REASONS_ZH = {
    "the API key was rejected": "API 密钥被拒绝",
    "access denied": "没有访问权限",
    "model or endpoint not found": "找不到该模型或接口",
    "rate limit or quota exceeded": "超出速率限制或额度",
    "the endpoint timed out": "接口超时",
    "the endpoint could not be reached": "无法连接到接口",
    "the model kept returning malformed tool calls": "模型反复返回格式错误的工具调用",
}
_FLAG_TEXT = {
    "zh": "⚠️ 以下数字无法在工具结果中找到对应，请谨慎对待：{numbers}",
    "en": "⚠️ These numbers match no tool result; treat them with care: {numbers}",
}


@dataclass
class Conversation:
    settings: Settings
    messages: list[BaseMessage] = field(default_factory=list)
    agent: Any = None
    last_report: PlanReport | BudgetReport | None = None

    def __post_init__(self) -> None:
        if self.agent is None:
            self.agent = build_agent(self.settings)

    @property
    def mode_label(self) -> str:
        return self.settings.label

    def send(self, text: str) -> Iterator[Event]:
        """Run one turn; yield events as they happen; always end with ``final`` or ``error``."""
        start = len(self.messages)
        self.messages.append(HumanMessage(content=text))
        language = plans(split_turn(self.messages))[1].language  # the conversation's language, not this line's
        mode: Mode = "offline" if self.settings.mode == "offline" else "llm"
        new: list[BaseMessage] = []
        started: dict[str, float] = {}
        streamed_text: list[str] = []
        try:
            stream = self.agent.stream(
                {"messages": list(self.messages)}, config={"recursion_limit": RECURSION_LIMIT},
                stream_mode=["updates", "messages", "custom"],
            )
            for mode_name, payload in stream:
                if mode_name == "custom" and isinstance(payload, dict) and payload.get("type") == "fallback":
                    mode = "fallback"
                    reason = _reason(payload["reason"], language)
                    yield Event("notice", text=_FALLBACK_TEXT[language].format(reason=reason), mode=mode)
                elif mode_name == "messages":
                    chunk, meta = payload
                    if isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str) and chunk.content:
                        if meta.get("langgraph_node") == "model":
                            streamed_text.append(chunk.content)
                            yield Event("text", text=chunk.content, mode=mode)
                elif mode_name == "updates":
                    for message in _messages_of(payload):
                        new.append(message)
                        yield from self._tool_events(message, started, mode)
        except Exception as error:  # noqa: BLE001 - the turn fails, the conversation survives
            log.warning("turn failed: %s", self.settings.redact(f"{type(error).__name__}: {error}"))
            self.messages.extend(_answered(new))
            reason = _reason(describe_failure(error, self.settings), language)
            yield Event("error", text=_ERROR_TEXT[language].format(reason=reason),
                        ok=False, mode=mode)
            return
        self.messages.extend(new)
        final = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        answer = message_text(final) if final else ""
        if answer.startswith("Model call limits exceeded"):  # ModelCallLimitMiddleware's own wording
            answer = _LIMIT_TEXT[language].format(limit=MODEL_CALL_LIMIT)
        report = _report(self.messages[start:], language=language, request=text,
                         changes=self._offline_changes(len(self.messages)),
                         notes=self._offline_notes(len(self.messages)))
        if report is not None:
            self.last_report = report
        flags: tuple[str, ...] = ()
        if mode == "llm" and answer:
            known = [m.artifact for m in self.messages if isinstance(m, ToolMessage) and isinstance(m.artifact, dict)]
            flags = tuple(untraced_numbers(answer, results=known, user_text=_users(self)))
            if flags:
                yield Event("flag", text=_FLAG_TEXT[language].format(numbers=", ".join(flags)), flags=flags, mode=mode)
        question = pending_question(self.messages[:start + 1]) if report is None and self._offline(
            self.messages[start:]) else None
        if report is not None and not self._offline(self.messages[start:]) and report.first_lines:
            # An LLM writes its own answer; what the tools understood opens it all the same.
            answer = "\n\n".join([*report.first_lines, answer.strip()]) if answer.strip() else answer
        yield Event("final", text=answer, mode=mode, report=report, flags=flags, question=question)

    def remember(self, role: Literal["user", "assistant"], text: str) -> None:
        """Add an earlier exchange as plain text (a chat restored from the browser, in LLM mode)."""
        self.messages.append(HumanMessage(content=text) if role == "user" else AIMessage(content=text))

    def report(self, language: str) -> PlanReport | BudgetReport | None:
        """The latest plan or budget report, composed again in ``language``."""
        for index in range(len(self.messages) - 1, -1, -1):
            if isinstance(self.messages[index], HumanMessage):
                end = next((i for i in range(index + 1, len(self.messages))
                            if isinstance(self.messages[i], HumanMessage)), len(self.messages))
                found = _report(self.messages[index:], language=language, request=message_text(self.messages[index]),
                                changes=self._offline_changes(end), notes=self._offline_notes(end))
                if found is not None:
                    return found
        return None

    def _offline(self, turn_messages: list[BaseMessage]) -> bool:
        """Whether the offline planner answered (offline mode, or the fallback in this turn)."""
        return self.settings.mode == "offline" or any(
            isinstance(m, AIMessage) and m.response_metadata.get(FALLBACK_MARK) for m in turn_messages)

    def _offline_changes(self, end: int) -> list[str]:
        """What changed since the previous plan, as the offline planner's answer says it, for the turn ending at
        ``end`` (so the report matches that answer); none for an LLM's answer, whose tool arguments, not the
        planner's reading of the messages, decide what changed."""
        turn = split_turn(self.messages[:end])
        return change_notes(*plans(turn)) if self._offline(turn.after) and turn.history else []

    def _offline_notes(self, end: int) -> ReadingNotes | None:
        """Numbers the offline reader could not place and fields it did not use, for the turn ending at ``end``
        (the offline planner's reading; an LLM reads the message itself, so there are none to report)."""
        turn = split_turn(self.messages[:end])
        return reading_notes(turn, plans(turn)[1]) if self._offline(turn.after) else None

    def _tool_events(self, message: BaseMessage, started: dict[str, float], mode: Mode) -> Iterator[Event]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                started[call["id"]] = time.monotonic()
                yield Event("tool_start", tool=call["name"], call_id=call["id"], arguments=call["args"], mode=mode)
        elif isinstance(message, ToolMessage):
            result = message.artifact if isinstance(message.artifact, dict) else {"text": message_text(message)}
            ok = "error" not in result and message.status != "error"
            began = started.pop(message.tool_call_id, None)
            yield Event("tool_result", tool=message.name, call_id=message.tool_call_id, result=result, ok=ok,
                        duration_s=(time.monotonic() - began) if began else None, mode=mode)


def _reason(reason: str, language: str) -> str:
    """A failure reason in the user's language (HTTP statuses and exception names stay as they are)."""
    if language != "zh":
        return reason
    if reason.startswith("the endpoint failed (HTTP"):
        return "接口出错（HTTP " + reason.split("HTTP ")[1].rstrip(")") + "）"
    if reason.startswith("the model call failed"):
        return "模型调用失败" + reason.removeprefix("the model call failed")
    return _REASONS_ZH.get(reason, reason)


def _messages_of(update: Any) -> list[BaseMessage]:
    found: list[BaseMessage] = []
    if isinstance(update, dict):
        for value in update.values():
            if isinstance(value, dict) and isinstance(value.get("messages"), list):
                found.extend(m for m in value["messages"] if isinstance(m, BaseMessage))
    return found


def _answered(messages: list[BaseMessage]) -> list[BaseMessage]:
    """``messages`` without tool calls left unanswered by a failed run, nor results whose call was dropped.

    OpenAI-compatible endpoints reject a history with a tool message that follows no matching tool call (or a
    tool call with no result), so a half-finished round is dropped whole; complete rounds keep their results.
    """
    results = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    kept: list[BaseMessage] = []
    calls: set[str] = set()
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            if all(call["id"] in results for call in message.tool_calls):
                kept.append(message)
                calls.update(call["id"] for call in message.tool_calls)
        elif not isinstance(message, ToolMessage) or message.tool_call_id in calls:
            kept.append(message)
    return kept


def _users(conversation: Conversation) -> str:
    return "\n".join(message_text(m) for m in conversation.messages if isinstance(m, HumanMessage))


def _report(messages: list[BaseMessage], *, language: str, request: str, changes: list[str] | None = None,
            notes: ReadingNotes | None = None) -> PlanReport | BudgetReport | None:
    """The report the tool results among ``messages`` make, or None when they make none."""
    results = results_of(messages)
    if results.has_plan or results.budget is not None:
        try:
            return compose_report(results, language=language, request=request, changes=changes,
                                  not_understood=notes.not_understood if notes else (),
                                  not_used=notes.not_used if notes else None)
        except Exception:  # noqa: BLE001 - a report is a bonus in LLM mode; the answer still stands
            log.exception("could not compose the report")
    return None
