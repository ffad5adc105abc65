"""The chat tab's handlers: send (streamed), retry, undo, clear, restore from the browser, and
the step after each turn that refreshes the exports, the plots and the saved history.

Every handler gets the session's :class:`ui.state.ChatSession` (created on first use) and never
lets an exception reach the page: a failure becomes a friendly message in the user's language.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.offline.parse import parse_message
from assistant.session import MAX_MESSAGE_CHARS
from assistant.settings import Settings
from ui.render import REPORT_ICON, apply, as_message, message_text
from ui.report_view import report_updates, skip_updates
from ui.state import ChatSession, ConversationFactory
from ui.strings import FRIENDLY_ERROR, Lang, pick_lang

log = logging.getLogger(__name__)

STREAM_INTERVAL_S = 0.05  # at most ~20 chat updates a second while an answer streams
SAVED_MESSAGES = 60  # how many text messages the browser keeps

History = list[gr.ChatMessage]


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


def last_user_index(history: History) -> int | None:
    for index in range(len(history) - 1, -1, -1):
        if history[index].role == "user":
            return index
    return None


@dataclass(frozen=True)
class ChatHandlers:
    factory: ConversationFactory
    defaults: Settings

    def session(self, session: ChatSession | None) -> ChatSession:
        return session if isinstance(session, ChatSession) else ChatSession(self.defaults, self.factory)

    def respond(self, text: str, history: list[Any] | None, session: ChatSession | None
                ) -> Iterator[tuple[History, Any, ChatSession]]:
        """Send ``text``; yield (chat, textbox, session) as the answer streams in."""
        session = self.session(session)
        messages: History = [as_message(m) for m in history or []]
        text = (text or "").strip()
        if not text:
            yield messages, gr.skip(), session
            return
        messages.append(gr.ChatMessage(role="user", content=text))
        yield messages, "", session
        yield from self._turn(text, messages, session)

    def _turn(self, text: str, messages: History, session: ChatSession) -> Iterator[tuple[History, Any, ChatSession]]:
        last_yield = time.monotonic()
        try:
            session.begin_turn()
            for event in session.conversation.send(text):
                messages = apply(messages, event)
                session.last_mode = event.mode or session.last_mode
                if event.kind in ("final", "error") and event.report is not None:
                    session.set_report(event.report)
                now = time.monotonic()
                if event.kind != "text" or now - last_yield >= STREAM_INTERVAL_S:
                    last_yield = now
                    yield messages, gr.skip(), session
        except Exception as error:  # noqa: BLE001 - the session stays usable; no trace reaches the page
            log.warning("chat turn failed: %s", session.settings.redact(f"{type(error).__name__}: {error}"))
            messages = [*messages, gr.ChatMessage(role="assistant", content=FRIENDLY_ERROR[language_of(text)])]
        yield messages, gr.skip(), session

    def retry(self, history: list[Any] | None, session: ChatSession | None
              ) -> Iterator[tuple[History, Any, ChatSession]]:
        """Answer the last user message again."""
        session = self.session(session)
        messages: History = [as_message(m) for m in history or []]
        index = last_user_index(messages)
        if index is None:
            yield messages, gr.skip(), session
            return
        text = message_text(messages[index].content)
        session.drop_last_turn()
        messages = messages[: index + 1]
        yield messages, gr.skip(), session
        yield from self._turn(text, messages, session)

    def undo(self, history: list[Any] | None, session: ChatSession | None) -> tuple[History, Any, ChatSession]:
        """Remove the last turn; its message goes back into the textbox."""
        session = self.session(session)
        messages: History = [as_message(m) for m in history or []]
        index = last_user_index(messages)
        if index is None:
            return messages, gr.skip(), session
        session.drop_last_turn()
        return messages[:index], message_text(messages[index].content), session

    def clear(self, session: ChatSession | None) -> tuple[History, ChatSession]:
        session = self.session(session)
        session.reset()
        return [], session

    def restore(self, saved: list[dict[str, Any]] | None, session: ChatSession | None) -> tuple[History, ChatSession]:
        """The chat kept in this browser, with its context: offline, the user messages are replayed (so the
        tool results are there again); in LLM mode, the questions and answers go back in as text."""
        session = self.session(session)
        messages = [as_message(m) for m in saved_messages(saved or [])]
        if messages and not session.turn_starts and session.settings.mode != "offline":
            # LLM mode: the earlier questions and answers go back in as text (replaying would call the LLM again)
            for message in messages:
                if message.role == "user":
                    session.begin_turn()
                    session.conversation.remember("user", message_text(message.content))
                elif not (message.metadata or {}).get("title"):
                    session.conversation.remember("assistant", message_text(message.content))
        elif messages and not session.turn_starts:
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
        return messages, session

    def after_turn(self, session: ChatSession | None, history: list[Any] | None) -> list[Any]:
        """Exports and plots for the session's latest report (rebuilt only when it changed), the saved
        history and the mode indicator."""
        session = self.session(session)
        saved = saved_messages(history or [])
        mode = gr.update(value=session.mode_label)
        if session.exported_version == session.report_version:
            return [*skip_updates(), saved, mode]
        session.forget_exports()
        try:
            updates, folder = report_updates(session.report)
        except Exception:  # noqa: BLE001 - no exports this time; the chat is unaffected
            log.exception("could not show the report's exports")
            updates, folder = report_updates(None)
        session.export_dir = folder
        session.exported_version = session.report_version
        return [*updates, saved, mode]
