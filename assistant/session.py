"""A conversation with the assistant, streamed as small events of our own (the UI never sees LangChain).

:class:`Conversation` keeps the full message list (tool results included, so a later concept
question can use the plan's numbers) and runs one agent turn per :meth:`Conversation.send`.
Nothing is lost on failure: the user's message stays in the history and the error becomes a
friendly message in the user's language; no stack trace and no API key ever reach an event.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage

from assistant.agent import FALLBACK_MARK, MODEL_CALL_LIMIT, RECURSION_LIMIT, FailureReason, build_agent, failure_reason
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
from tools.error_text import block_text, failure_text

log = logging.getLogger(__name__)

EventKind = Literal["text", "tool_start", "tool_result", "notice", "flag", "final", "error"]
Mode = Literal["offline", "fallback", "llm"]
"""Who answers: the built-in offline model, the offline model after the endpoint failed, or the LLM."""

MAX_MESSAGE_CHARS = 8_000
"""A longer message is refused, unread: twice a full config.json pasted with its question (a 5,000-character
config is long), and the reader takes about 0.1 s to read this many characters."""
TURN_BUDGET_S: dict[str, float] = {"offline": 10.0, "llm": 300.0}
"""A turn still running after this long is stopped at its next step. Offline, a turn takes milliseconds; with an
LLM, up to six model calls of up to a minute each (``SCALING_ASSISTANT_TIMEOUT``) and their retries."""
_CJK = re.compile(r"[\u4e00-\u9fff]")


class TurnBudgetExceeded(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"turn budget of {seconds:g} s exceeded")
        self.seconds = seconds


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
        """Run one turn; yield events as they happen; always end with ``final`` or ``error``.

        A message longer than :data:`MAX_MESSAGE_CHARS` is refused before it is read (and not kept); a turn that
        runs past its time budget (:data:`TURN_BUDGET_S`) is stopped at its next step; anything that fails after
        the answer (the report, the reading notes) leaves the answer standing. The conversation so far is kept.
        """
        start = len(self.messages)
        mode: Mode = "offline" if self.settings.mode == "offline" else "llm"
        language = self._language(text)  # the conversation's language, not this line's
        if len(text) > MAX_MESSAGE_CHARS:
            yield Event("error", text=block_text("message_too_long", language=language, length=f"{len(text):,}",
                                                 limit=f"{MAX_MESSAGE_CHARS:,}"), ok=False, mode=mode)
            return
        try:
            yield from self._turn(text, language, mode)
        except Exception as error:  # noqa: BLE001 - the agent is done; what follows its answer must not end the turn
            log.exception("could not finish the turn")
            answer = next((m for m in reversed(self.messages[start:]) if isinstance(m, AIMessage) and not m.tool_calls),
                          None)
            if answer is not None:
                yield Event("final", text=message_text(answer), mode=mode)
            else:
                reason = failure_reason(error).text(language)
                yield Event("error", text=block_text("turn_failed", language=language, reason=reason), ok=False,
                            mode=mode)

    def _turn(self, text: str, language: str, mode: Mode) -> Iterator[Event]:
        start = len(self.messages)
        self.messages.append(HumanMessage(content=text))
        new: list[BaseMessage] = []
        started: dict[str, float] = {}
        streamed_text: list[str] = []
        budget_s = TURN_BUDGET_S[self.settings.mode]
        deadline = time.monotonic() + budget_s
        stream = None
        try:
            stream = self.agent.stream(
                {"messages": list(self.messages)}, config={"recursion_limit": RECURSION_LIMIT},
                stream_mode=["updates", "messages", "custom"],
            )
            for mode_name, payload in stream:
                if time.monotonic() > deadline:
                    raise TurnBudgetExceeded(budget_s)
                if mode_name == "custom" and isinstance(payload, dict) and payload.get("type") == "fallback":
                    mode = "fallback"
                    reason = FailureReason(payload["code"], payload.get("values") or {}).text(language)
                    yield Event("notice", text=block_text("fallback", language=language, reason=reason), mode=mode)
                elif mode_name == "messages":
                    chunk, meta = payload
                    if isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str) and chunk.content:
                        if meta.get("langgraph_node") == "model":
                            streamed_text.append(chunk.content)
                            yield Event("text", text=chunk.content, mode=mode)
                elif mode_name == "updates":
                    for message in _messages_of(payload):
                        new.append(message)
                        yield from self._tool_events(message, started, mode, language)
        except TurnBudgetExceeded as error:
            log.warning("turn stopped after its budget of %.0f s", error.seconds)
            _close(stream)
            self.messages.extend(_answered(new))
            yield Event("error", text=block_text("turn_budget", language=language, seconds=f"{error.seconds:g}"),
                        ok=False, mode=mode)
            return
        except Exception as error:  # noqa: BLE001 - the turn fails, the conversation survives
            log.warning("turn failed: %s", self.settings.redact(f"{type(error).__name__}: {error}"))
            _close(stream)
            self.messages.extend(_answered(new))
            reason = failure_reason(error).text(language)
            yield Event("error", text=block_text("turn_failed", language=language, reason=reason), ok=False, mode=mode)
            return
        self.messages.extend(new)
        final = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        answer = message_text(final) if final else ""
        if answer.startswith("Model call limits exceeded"):  # ModelCallLimitMiddleware's own wording
            answer = block_text("call_limit", language=language, limit=MODEL_CALL_LIMIT)
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
                yield Event("flag", text=block_text("untraced", language=language, numbers=", ".join(flags)),
                            flags=flags, mode=mode)
        question = pending_question(self.messages[:start + 1]) if report is None and self._offline(
            self.messages[start:]) else None
        if report is not None and not self._offline(self.messages[start:]) and report.first_lines:
            # An LLM writes its own answer; what the tools understood opens it all the same.
            answer = "\n\n".join([*report.first_lines, answer.strip()]) if answer.strip() else answer
        yield Event("final", text=answer, mode=mode, report=report, flags=flags, question=question)

    def _language(self, text: str) -> str:
        """The language this turn answers in: the conversation's, as the reader tells it (never raises)."""
        try:
            return plans(split_turn([*self.messages, HumanMessage(content=text[:MAX_MESSAGE_CHARS])]))[1].language
        except Exception:  # noqa: BLE001 - a reader failure must not end the turn before it starts
            log.exception("could not tell the conversation's language")
            return "zh" if _CJK.search(text[:MAX_MESSAGE_CHARS]) else "en"

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

    def _tool_events(self, message: BaseMessage, started: dict[str, float], mode: Mode, language: str
                     ) -> Iterator[Event]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                started[call["id"]] = time.monotonic()
                yield Event("tool_start", tool=call["name"], call_id=call["id"], arguments=call["args"], mode=mode)
        elif isinstance(message, ToolMessage):
            result = message.artifact if isinstance(message.artifact, dict) else {"text": message_text(message)}
            ok = "error" not in result and message.status != "error"
            began = started.pop(message.tool_call_id, None)
            # A failure is said in the conversation's language; the result keeps the English the model reads.
            text = "" if ok else failure_text(result, language=language)
            yield Event("tool_result", tool=message.name, call_id=message.tool_call_id, result=result, ok=ok,
                        text=text, duration_s=(time.monotonic() - began) if began else None, mode=mode)


def _close(stream: Any) -> None:
    """Stop the agent's stream (a generator), so a stopped turn does no more work."""
    close = getattr(stream, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001 - closing is best effort
            log.debug("could not close the stream", exc_info=True)


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
