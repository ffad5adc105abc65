"""A conversation with the assistant, streamed as small events of our own (the UI never sees LangChain).

:class:`Conversation` keeps the full message list (tool results included, so a later concept
question can use the plan's numbers) and runs one agent turn per :meth:`Conversation.send`.
Nothing is lost on failure: the user's message stays in the history and the error becomes a
friendly message in the user's language; no stack trace and no API key ever reach an event.

In LLM mode a report is never lost: it is built from the conversation's current plan
(:class:`assistant.plan_state.CurrentPlan`), so a follow-up that re-runs one tool updates the whole
report; a turn that a limit stopped, or whose answer came back empty, is answered from the results
gathered, saying what is missing. While the model is silent the turn says it is waiting
(``progress`` events). Numbers in the model's answer that no tool result of the same quantity gives
are marked where they stand and listed (:mod:`assistant.trace`).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage

from assistant.agent import (
    CALLS_AS_TEXT,
    FALLBACK_MARK,
    RECURSION_LIMIT,
    STOP_MARK,
    FailureReason,
    build_agent,
    failure_reason,
)
from assistant.answer import plan_answer
from assistant.compose import compose_report
from assistant.offline.intent import asked
from assistant.offline.planner import (
    ReadingNotes,
    change_notes,
    message_text,
    pending_question,
    plans,
    reading_notes,
    split_turn,
)
from assistant.plan_state import PLAN_TOOLS, CurrentPlan, succeeded
from assistant.report import BudgetReport, PlanReport
from assistant.results import NOT_RUN, ToolResults, results_of
from assistant.settings import Settings
from assistant.trace import marked, untraced
from tools.error_text import block_text, failure_text, table_text

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 10.0
"""While the model is silent this long, the turn says it is still waiting ("waiting for the model (20 s)…")."""

EventKind = Literal["text", "tool_start", "tool_result", "notice", "flag", "final", "error", "progress"]
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
        the answer leaves the answer standing. The conversation so far is kept.
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

    def _language(self, text: str) -> str:
        """The language this turn answers in: the conversation's, as the reader tells it (never raises)."""
        try:
            return plans(split_turn([*self.messages, HumanMessage(content=text[:MAX_MESSAGE_CHARS])]))[1].language
        except Exception:  # noqa: BLE001 - a reader failure must not end the turn before it starts
            log.exception("could not tell the conversation's language")
            return "zh" if _CJK.search(text[:MAX_MESSAGE_CHARS]) else "en"

    def _turn(self, text: str, language: str, mode: Mode) -> Iterator[Event]:
        start = len(self.messages)
        self.messages.append(HumanMessage(content=text))
        new: list[BaseMessage] = []
        started: dict[str, float] = {}
        gate = _TextGate()
        budget_s = TURN_BUDGET_S[self.settings.mode]
        deadline = time.monotonic() + budget_s
        stream = None
        try:
            stream = self._stream_with_progress(lambda: self.agent.stream(
                {"messages": list(self.messages)}, config={"recursion_limit": RECURSION_LIMIT},
                stream_mode=["updates", "messages", "custom"],
            ))
            for mode_name, payload in stream:
                if time.monotonic() > deadline:
                    raise TurnBudgetExceeded(budget_s)
                if mode_name == "progress":
                    yield Event("progress", text=block_text("waiting", language=language, seconds=payload), mode=mode)
                elif mode_name == "custom" and isinstance(payload, dict) and payload.get("type") == "fallback":
                    mode = "fallback"
                    reason = FailureReason(payload["code"], payload.get("values") or {}).text(language)
                    yield Event("notice", text=block_text("fallback", language=language, reason=reason), mode=mode)
                elif mode_name == "messages":
                    chunk, meta = payload
                    if isinstance(chunk, AIMessageChunk) and isinstance(chunk.content, str) and chunk.content:
                        if meta.get("langgraph_node") == "model" and (piece := gate.feed(chunk.id, chunk.content)):
                            yield Event("text", text=piece, mode=mode)
                elif mode_name == "updates":
                    for message in _messages_of(payload):
                        new.append(message)
                        yield from self._tool_events(message, started, mode, language)
        except Exception as error:  # noqa: BLE001 - the turn fails, the conversation survives
            log.warning("turn failed: %s", self.settings.redact(f"{type(error).__name__}: {error}"))
            _close(stream)
            self.messages.extend(_answered(new))
            if isinstance(error, TurnBudgetExceeded):
                said = block_text("turn_budget", language=language, seconds=f"{error.seconds:g}")
            else:
                said = block_text("turn_failed", language=language, reason=failure_reason(error).text(language))
            report = self._turn_report(start, len(self.messages), language=language, request=text)
            if report is not None:
                self.last_report = report
            yield Event("error", text=said, ok=False, mode=mode, report=report)
            return
        self.messages.extend(new)
        final = next((m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), None)
        stop = final.response_metadata.get(STOP_MARK) if final is not None else None
        answer = message_text(final) if final is not None and not stop else ""
        offline = self._offline(self.messages[start:])
        report = self._turn_report(start, len(self.messages), language=language, request=text)
        if report is not None:
            self.last_report = report
        flags: tuple[str, ...] = ()
        if mode == "llm" and answer:
            found = untraced(answer, results=self._known_results(report), sources=(_users(self),))
            flags = tuple(dict.fromkeys(number.text for number in found))
            if flags:
                answer = marked(answer, found, mark=lambda number: block_text(
                    "untraced_mark", language=language, number=number))
                yield Event("flag", text=block_text("untraced", language=language, numbers=", ".join(flags)),
                            flags=flags, mode=mode)
        question = pending_question(self.messages[:start + 1]) if report is None and offline else None
        if not offline:
            answer = self._llm_answer(answer, stop=stop, report=report, language=language, request=text,
                                      ran=self.messages[start:])
        yield Event("final", text=answer, mode=mode, report=report, flags=flags, question=question)

    def _llm_answer(self, answer: str, *, stop: dict[str, Any] | None, report: PlanReport | BudgetReport | None,
                    language: str, request: str, ran: list[BaseMessage]) -> str:
        """The answer of a turn the LLM answered: what the tools understood first, then its own words; a stopped
        turn or an empty answer gets what the tools computed, in the user's language, and what is missing."""
        card = _card(report, request) if report is not None else ""
        if stop:
            return "\n\n".join(_stopped_lines(stop, report, card, language=language, ran=ran))
        if not answer.strip():
            return card or block_text("empty_answer", language=language)
        if report is not None and report.first_lines:
            return "\n\n".join([*report.first_lines, answer.strip()])
        return answer

    def _known_results(self, report: PlanReport | BudgetReport | None) -> list[dict[str, Any]]:
        """Every tool result of the conversation, and the current plan's (what the report shows)."""
        known = [m.artifact for m in self.messages if isinstance(m, ToolMessage) and isinstance(m.artifact, dict)
                 and NOT_RUN not in m.artifact]
        if report is not None:
            known += [result.model_dump(mode="json") for result in _report_results(report)]
        return known

    def _stream_with_progress(self, start: Callable[[], Iterable[tuple[str, Any]]]) -> Iterator[tuple[str, Any]]:
        """The agent's stream; in LLM mode, with ``("progress", seconds)`` while nothing arrives for
        :data:`PROGRESS_EVERY_S` (the stream runs in a worker thread so that the wait can be told)."""
        if self.settings.mode == "offline":
            yield from start()
            return
        items: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancelled = threading.Event()  # the caller stopped listening (a closed chat): stop the run too

        def pump() -> None:
            stream = iter(start())
            try:
                for item in stream:
                    if cancelled.is_set():
                        break
                    items.put(("item", item))
            except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                items.put(("error", error))
            else:
                items.put(("done", None))
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()

        threading.Thread(target=pump, name="agent-turn", daemon=True).start()
        since = time.monotonic()
        try:
            while True:
                try:
                    kind, value = items.get(timeout=PROGRESS_EVERY_S)
                except queue.Empty:
                    yield "progress", round(time.monotonic() - since)
                    continue
                if kind == "error":
                    raise value
                if kind == "done":
                    return
                since = time.monotonic()
                yield value
        finally:
            cancelled.set()

    def remember(self, role: Literal["user", "assistant"], text: str) -> None:
        """Add an earlier exchange as plain text (a chat restored from the browser, in LLM mode)."""
        self.messages.append(HumanMessage(content=text) if role == "user" else AIMessage(content=text))

    def report(self, language: str) -> PlanReport | BudgetReport | None:
        """The latest plan or budget report, composed again in ``language``."""
        for index in range(len(self.messages) - 1, -1, -1):
            if isinstance(self.messages[index], HumanMessage):
                end = next((i for i in range(index + 1, len(self.messages))
                            if isinstance(self.messages[i], HumanMessage)), len(self.messages))
                found = self._turn_report(index, end, language=language, request=message_text(self.messages[index]))
                if found is not None:
                    return found
        return None

    def _turn_report(self, start: int, end: int, *, language: str, request: str) -> PlanReport | BudgetReport | None:
        """The report of the turn ``messages[start:end]`` (``start`` is its user message), or None when the turn made
        none. The offline planner's turn is reported from its own results, with its reading notes; an LLM's turn
        from the conversation's current plan after it, so that re-running one tool updates everything."""
        turn = self.messages[start:end]
        if self._offline(turn):
            return _report(turn, language=language, request=request, changes=self._offline_changes(end),
                           notes=self._offline_notes(end))
        if not any(isinstance(m, ToolMessage) and m.name in PLAN_TOOLS and succeeded(m) for m in turn):
            return None
        return _compose(CurrentPlan.of(self.messages[:end]).results(), language=language, request=request)

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
            if NOT_RUN in result:  # never ran (a limit, a repeated call): said so, not a failure
                text = table_text("not_run", str(result[NOT_RUN]), language=language, **(result.get("values") or {}))
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
    return _compose(results_of(messages), language=language, request=request, changes=changes, notes=notes)


def _compose(results: ToolResults, *, language: str, request: str, changes: list[str] | None = None,
             notes: ReadingNotes | None = None) -> PlanReport | BudgetReport | None:
    if results.has_plan or results.recommend is not None:
        try:
            return compose_report(results, language=language, request=request, changes=changes,
                                  not_understood=notes.not_understood if notes else (),
                                  not_used=notes.not_used if notes else None)
        except Exception:  # noqa: BLE001 - a report is a bonus in LLM mode; the answer still stands
            log.exception("could not compose the report")
    return None


def _report_results(report: PlanReport | BudgetReport) -> list[Any]:
    if isinstance(report, BudgetReport):
        return [report.recommend]
    return [r for r in (report.params, report.flops, report.chinchilla, report.gpu, report.memory, report.loss)
            if r is not None]


def _card(report: PlanReport | BudgetReport, request: str) -> str:
    """What the tools computed, as the offline answer shows it: what was understood, then the card."""
    return plan_answer(report, asked=asked(request)) if isinstance(report, PlanReport) else report.markdown


_MISSING_NAMED = PLAN_TOOLS[:4]  # a report without one of these says so; memory and the rest are asked for


def _stopped_lines(stop: dict[str, Any], report: PlanReport | BudgetReport | None, card: str, *, language: str,
                   ran: list[BaseMessage]) -> list[str]:
    lines = [table_text("stopped", str(stop.get("code")), language=language, **(stop.get("values") or {}))]
    done = {m.name for m in ran if isinstance(m, ToolMessage) and succeeded(m)}
    if isinstance(report, PlanReport):
        done |= {name for name, result in zip(_MISSING_NAMED, (report.params, report.flops, report.chinchilla,
                                                                report.gpu), strict=True) if result is not None}
    missing = [name for name in _MISSING_NAMED if name not in done]
    if report is None and not done:
        return [*lines, block_text("stopped_nothing", language=language)]
    if missing and not isinstance(report, BudgetReport):
        names = block_text("list_separator", language=language).join(
            table_text("missing_tools", name, language=language) for name in missing)
        lines.append(block_text("not_computed", language=language, tools=names))
    if card:
        lines += [block_text("stopped_computed", language=language), card]
    return lines


class _TextGate:
    """Streamed answer text, held back from where it may be a tool call written as text (:data:`CALLS_AS_TEXT`):
    such a reply falls back to the offline model, and its tool-call text is never shown."""

    def __init__(self) -> None:
        self.message_id: str | None = None
        self.text = ""
        self.sent = 0

    def feed(self, message_id: str | None, piece: str) -> str:
        if message_id != self.message_id:
            self.message_id, self.text, self.sent = message_id, "", 0
        self.text += piece
        end = _shown_until(self.text)
        shown = self.text[self.sent:end] if end > self.sent else ""
        self.sent = max(self.sent, end)
        return shown


def _shown_until(text: str) -> int:
    """Where text stops being safe to show: at a tool-call mark, or at a tail that may begin one."""
    found = [index for mark in CALLS_AS_TEXT if (index := text.find(mark)) >= 0]
    if found:
        return min(found)
    for length in range(min(len(text), max(map(len, CALLS_AS_TEXT)) - 1), 0, -1):
        if any(mark.startswith(text[-length:]) for mark in CALLS_AS_TEXT):
            return len(text) - length
    return len(text)
