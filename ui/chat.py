"""The chat tab's handlers: send (streamed), retry, undo, clear, restore from the browser, the light step after
each turn (the saved conversation, the mode, whether there are exports and plots), and the exports and plots
themselves, made only when asked for.

Every handler gets the session's :class:`ui.state.ChatSession` (created on first use, and rebuilt from the
conversation the browser keeps when the server has none: a restart, a released session) and never lets an
exception reach the page: a failure becomes a friendly message in the user's language.

The browser keeps ``{"v": 2, "messages": [...], "turns": [...], "pending": text}``: the text messages shown
(no tool calls), the conversation as data (:mod:`assistant.saved`: the exact tool calls of every turn) and a
message sent but not yet answered (it goes back into the textbox after a reload). An older browser's list of
messages is still read (replayed through the offline model).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.offline.parse import parse_message
from assistant.session import MAX_MESSAGE_CHARS
from assistant.settings import Settings
from ui.exports import export_kinds
from ui.render import REPORT_ICON, apply, as_message, message_text
from ui.report_view import after_turn_updates
from ui.state import ChatSession, ConversationFactory, OpenSessions
from ui.strings import FRIENDLY_ERROR, Lang, mode_text, pick_lang

log = logging.getLogger(__name__)

STREAM_INTERVAL_S = 0.05  # at most ~20 chat updates a second while an answer streams or tools run
SAVED_MESSAGES = 60  # how many text messages the browser shows again after a reload
SAVED_VERSION = 2

History = list[gr.ChatMessage]
Saved = dict[str, Any]


def language_of(text: str, fallback: str = "en") -> Lang:
    try:
        return pick_lang(parse_message(text[:MAX_MESSAGE_CHARS]).language)
    except Exception:  # noqa: BLE001 - the language only picks the error message's wording
        return pick_lang(fallback)


def saved_messages(history: list[Any]) -> list[dict[str, Any]]:
    """The text messages of a chat (no tool calls, no streaming state), as the browser keeps them; the full
    reports folded under answers are kept, folded."""
    kept: list[dict[str, Any]] = []
    for item in history or []:
        message = as_message(item)
        title = (message.metadata or {}).get("title") or ""
        if (title and not title.startswith(REPORT_ICON)) or message.role not in ("user", "assistant"):
            continue
        text = message_text(message.content)
        if text:
            kept.append({"role": message.role, "content": text,
                         **({"metadata": {"title": title, "status": "done"}} if title else {})})
    return kept[-SAVED_MESSAGES:]


def saved_state(history: list[Any], session: ChatSession, *, pending: str | None = None) -> Saved:
    """What the browser keeps for this chat (see the module doc)."""
    return {"v": SAVED_VERSION, "messages": saved_messages(history), "turns": session.saved(),
            **({"pending": pending} if pending else {})}


def _turns(saved: Any) -> list[Any]:
    return saved.get("turns") or [] if isinstance(saved, dict) else []


def last_user_index(history: History) -> int | None:
    for index in range(len(history) - 1, -1, -1):
        if history[index].role == "user":
            return index
    return None


def _session_hash(request: gr.Request | None) -> str | None:
    return getattr(request, "session_hash", None) if request is not None else None


@dataclass(frozen=True)
class ChatHandlers:
    factory: ConversationFactory
    defaults: Settings
    open_sessions: OpenSessions = field(default_factory=OpenSessions)

    def session(self, session: ChatSession | None, saved: Any = None, request: gr.Request | None = None
                ) -> ChatSession:
        """The page's session; a new one continues the conversation the browser kept, if any."""
        if not isinstance(session, ChatSession):
            session = ChatSession(self.defaults, self.factory)
        if not session.turn_starts and _turns(saved):
            try:
                session.restore(_turns(saved))
            except Exception:  # noqa: BLE001 - a conversation that cannot be rebuilt starts afresh
                log.warning("could not rebuild the saved conversation")
                session.reset()
        self.open_sessions.keep(_session_hash(request), session)
        return session

    def release(self, request: gr.Request) -> None:
        """The page closed: its session's memory and files go (the browser keeps the conversation)."""
        self.open_sessions.release(_session_hash(request))

    def take(self, text: str, history: list[Any] | None, session: ChatSession | None, saved: Any = None,
             request: gr.Request | None = None) -> tuple[History, Any, Any, ChatSession, Any]:
        """A sent message, at once: (chat with the message, emptied textbox, the message for :meth:`answer`,
        session, saved conversation). The browser keeps the message until it is answered, so a message sent while
        the server goes down is not lost."""
        session = self.session(session, saved, request)
        messages: History = [as_message(m) for m in history or []]
        text = (text or "").strip()
        if not text:
            return messages, gr.skip(), "", session, gr.skip()
        kept = saved_state(messages, session, pending=text)
        return [*messages, gr.ChatMessage(role="user", content=text)], "", text, session, kept

    def answer(self, text: str, history: list[Any] | None, session: ChatSession | None, saved: Any = None,
               lang: str | None = None, request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """Answer ``text``; yield (chat, session, saved conversation, view key) as the answer streams in, the last two
        with the answer (see :meth:`after_turn`). The message is added to the chat unless :meth:`take` already did
        (the chat then ends with it). Every update costs the server the whole chat again: a turn shorter than
        :data:`STREAM_INTERVAL_S` (offline, most are) is one update."""
        session = self.session(session, saved, request)
        messages: History = [as_message(m) for m in history or []]
        text = (text or "").strip()
        if not text:
            yield messages, session, gr.skip(), gr.skip()
            return
        if not (messages and messages[-1].role == "user" and message_text(messages[-1].content) == text):
            messages.append(gr.ChatMessage(role="user", content=text))
        stored = False  # the session object stays in its gr.State: set once, then skipped
        for shown, final in self._updates(text, messages, session):
            after = self.after_turn(session, shown, lang) if final else (gr.skip(), gr.skip())
            yield shown, gr.skip() if stored else session, *after
            stored = True

    def respond(self, text: str, history: list[Any] | None, session: ChatSession | None, saved: Any = None,
                request: gr.Request | None = None) -> Iterator[tuple[History, Any, ChatSession, Any]]:
        """Send ``text``; yield (chat, textbox, session, saved conversation) as the answer streams in (both steps,
        :meth:`take` then :meth:`answer`, in one)."""
        messages, box, text, session, kept = self.take(text, history, session, saved, request)
        yield messages, box, session, kept
        if text:
            for shown, _, kept, _ in self.answer(text, messages, session, None, None, request):
                yield shown, gr.skip(), session, kept

    def _updates(self, text: str, messages: History, session: ChatSession) -> Iterator[tuple[History, bool]]:
        """(chat, whether it is the end) for each update of a turn."""
        turn = self._turn(text, messages, session)
        while True:
            try:
                yield next(turn), False
            except StopIteration as done:
                yield done.value, True
                return

    def _turn(self, text: str, messages: History, session: ChatSession) -> Generator[History, None, History]:
        """The chat while the turn runs, at most every :data:`STREAM_INTERVAL_S` (the first update after that long:
        a quick turn shows none); returns the chat at the end."""
        started = last_yield = time.monotonic()
        language = None
        try:
            session.begin_turn()
            for event in session.conversation.send(text):
                language = language or session.language
                messages = apply(messages, event, language)
                session.last_mode = event.mode or session.last_mode
                if event.kind in ("final", "error") and event.report is not None:
                    session.set_report(event.report)
                now = time.monotonic()
                if now - max(last_yield, started) >= STREAM_INTERVAL_S:
                    last_yield = now
                    yield messages
        except Exception as error:  # noqa: BLE001 - the session stays usable; no trace reaches the page
            log.warning("chat turn failed: %s", session.settings.redact(f"{type(error).__name__}: {error}"))
            messages = [*messages, gr.ChatMessage(role="assistant", content=FRIENDLY_ERROR[language_of(text)])]
        return messages

    def retry(self, history: list[Any] | None, session: ChatSession | None, saved: Any = None,
              request: gr.Request | None = None) -> Iterator[tuple[History, Any, ChatSession, Any]]:
        """Answer the last user message again."""
        session = self.session(session, saved, request)
        messages: History = [as_message(m) for m in history or []]
        index = last_user_index(messages)
        if index is None:
            yield messages, gr.skip(), session, gr.skip()
            return
        text = message_text(messages[index].content)
        session.drop_last_turn()
        messages = messages[: index + 1]
        yield messages, gr.skip(), session, gr.skip()
        for shown, _ in self._updates(text, messages, session):
            yield shown, gr.skip(), session, gr.skip()

    def undo(self, history: list[Any] | None, session: ChatSession | None, saved: Any = None,
             request: gr.Request | None = None) -> tuple[History, Any, ChatSession]:
        """Remove the last turn; its message goes back into the textbox."""
        session = self.session(session, saved, request)
        messages: History = [as_message(m) for m in history or []]
        index = last_user_index(messages)
        if index is None:
            return messages, gr.skip(), session
        session.drop_last_turn()
        return messages[:index], message_text(messages[index].content), session

    def clear(self, session: ChatSession | None, request: gr.Request | None = None) -> tuple[History, ChatSession]:
        session = self.session(session, None, request)
        session.reset()
        return [], session

    def restore(self, saved: Any, session: ChatSession | None, request: gr.Request | None = None
                ) -> tuple[History, ChatSession, Any]:
        """The chat kept in this browser, with its context, and a message that was sent but not answered (back in
        the textbox). The conversation is rebuilt from its saved tool calls; an older browser's list of messages
        is replayed offline (in LLM mode its questions and answers go back in as text)."""
        if isinstance(saved, dict):
            session = self.session(session, saved, request)
            messages = [as_message(m) for m in saved_messages(saved.get("messages") or [])]
            pending = saved.get("pending")
            return messages, session, pending if isinstance(pending, str) and pending else gr.skip()
        session = self.session(session, None, request)
        messages = [as_message(m) for m in saved_messages(saved or [])]
        if messages and not session.turn_starts:
            self._replay(messages, session)
        return messages, session, gr.skip()

    def _replay(self, messages: History, session: ChatSession) -> None:
        if session.settings.mode != "offline":
            # LLM mode: the earlier questions and answers go back in as text (replaying would call the LLM again)
            for message in messages:
                if message.role == "user":
                    session.begin_turn()
                    session.conversation.remember("user", message_text(message.content))
                elif not (message.metadata or {}).get("title"):
                    session.conversation.remember("assistant", message_text(message.content))
            return
        try:
            for message in messages:
                if message.role == "user":
                    session.begin_turn()
                    for event in session.conversation.send(message_text(message.content)):
                        if event.kind == "final" and event.report is not None:
                            session.set_report(event.report)
        except Exception:  # noqa: BLE001 - a failed replay leaves a fresh conversation
            log.warning("could not replay the saved chat")
            session.reset()

    def after_turn(self, session: ChatSession | None, history: list[Any] | None, lang: str | None = None,
                   request: gr.Request | None = None) -> tuple[Saved, str]:
        """The saved conversation, and what the page around the chat should show, as a key: the exports there are,
        whether there is a report, the report's version while the plots are open, the mode. The page is updated
        (:meth:`show_view`) only when the key changes; nothing is written to disk here."""
        session = self.session(session, None, request)
        files = session.files
        key = "|".join((",".join(export_kinds(files.report)), str(files.report is not None),
                        str(files.version if files.plots_open else 0), mode_text(session.mode_label, pick_lang(lang))))
        return saved_state(history or [], session), key

    def show_view(self, session: ChatSession | None, lang: str | None = None, request: gr.Request | None = None
                  ) -> list[Any]:
        """The exports and plots around the chat (the plots only if the page shows them) and the mode indicator."""
        session = self.session(session, None, request)
        return [*after_turn_updates(session.files), gr.update(value=mode_text(session.mode_label, pick_lang(lang)))]
