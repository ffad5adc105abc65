"""What one browser session keeps on the server (in a ``gr.State``): its settings, its
conversation, where each turn began, and the latest report with the files and figures made from it on demand.

The API key lives only here, inside :class:`assistant.settings.Settings` (excluded from its repr);
it is never sent to the browser, logged or written to an export.

The server's copy is a cache: the browser keeps the conversation as data (:mod:`assistant.saved`, in the
history's ``gr.BrowserState``), so a session released when its page closes, or lost in a server restart,
is rebuilt from the browser on its next message (:meth:`ChatSession.restore`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.report import BudgetReport, PlanReport
from assistant.saved import rebuild, snapshot
from assistant.session import Conversation, Mode
from assistant.settings import Settings
from assistant.tool_view import conversation_language
from ui.exports import ReportFiles
from ui.memory import give_back_freed_memory

ConversationFactory = Callable[[Settings], Conversation]


def default_factory(settings: Settings) -> Conversation:
    return Conversation(settings)


@dataclass
class ChatSession:
    """One browser session's assistant; turns are undone by cutting the conversation back."""

    settings: Settings
    factory: ConversationFactory = default_factory
    conversation: Conversation = field(init=False)
    turn_starts: list[int] = field(default_factory=list)
    files: ReportFiles = field(default_factory=ReportFiles)
    last_mode: Mode | None = None

    def __post_init__(self) -> None:
        self.conversation = self.factory(self.settings)

    @property
    def report(self) -> PlanReport | BudgetReport | None:
        return self.files.report

    @property
    def mode_label(self) -> str:
        """'offline', 'offline (fallback)' after a failed endpoint, or the model's name (the UI translates the first
        two: see ``ui.strings.mode_text``)."""
        if self.last_mode == "fallback":
            return "offline (fallback)"
        return self.mode_for(self.settings)

    @staticmethod
    def mode_for(settings: Settings) -> str:
        """'offline' or the configured model's name."""
        return "offline" if settings.mode == "offline" else settings.resolved_model

    @property
    def language(self) -> str:
        """The conversation's language (English before the first message)."""
        return conversation_language(self.conversation.messages) if self.turn_starts else "en"

    def set_report(self, report: PlanReport | BudgetReport | None) -> None:
        self.files.set(report)

    def begin_turn(self) -> None:
        self.turn_starts.append(len(self.conversation.messages))

    def drop_last_turn(self) -> None:
        """Forget the latest turn (undo/retry); the report falls back to the previous one."""
        if not self.turn_starts:
            return
        start = self.turn_starts.pop()
        del self.conversation.messages[start:]
        language = self.report.language if self.report is not None else "en"
        self.set_report(self.conversation.report(language) if self.turn_starts else None)

    def reset(self) -> None:
        """A fresh conversation with the same settings."""
        self.conversation = self.factory(self.settings)
        self.turn_starts.clear()
        self.last_mode = None
        self.set_report(None)

    def reconfigure(self, settings: Settings) -> None:
        """New settings; the conversation so far is kept."""
        messages = list(self.conversation.messages)
        self.settings = settings
        self.conversation = self.factory(settings)
        self.conversation.messages = messages
        self.last_mode = None

    def saved(self) -> list[dict[str, Any]]:
        """The conversation as the browser keeps it (:func:`assistant.saved.snapshot`)."""
        return snapshot(self.conversation.messages)

    def restore(self, turns: Any) -> bool:
        """The conversation of saved ``turns`` (from :meth:`saved`), its latest report composed again; whether
        there was one. No model is called and nothing is read again: the tool calls are the saved ones."""
        messages = rebuild(turns)
        if not messages:
            return False
        self.conversation.messages = messages
        self.turn_starts = [index for index, message in enumerate(messages) if message.type == "human"]
        self.set_report(self.conversation.report(self.language))
        return True

    def release(self) -> None:
        """Give the memory and the files back (the page closed; :meth:`reset` drops the report, its files and
        figures); the browser still has the conversation."""
        self.reset()


TRIM_DELAY_S = 2.0  # after the last session of a burst is released, the freed memory goes back to the system


class OpenSessions:
    """The sessions of open pages by gradio's session hash, so the page's ``unload`` can release its session at
    once (gradio keeps a closed page's ``gr.State`` for an hour), then forget the page's server-side state
    (``forget``, set by the app: gradio's own per-page copy of the interface, about 1.5 MB, which it would keep until
    10,000 pages had come after it) and give the freed memory back to the system. Nothing of the conversation is
    lost: the browser keeps it, and a page that comes back is rebuilt from it."""

    def __init__(self, forget: Callable[[str], None] | None = None) -> None:
        self._sessions: dict[str, ChatSession] = {}
        self._closed: set[str] = set()
        self._lock = threading.Lock()
        self._trim: threading.Timer | None = None
        self.forget = forget

    def __len__(self) -> int:
        return len(self._sessions)

    def keep(self, session_hash: str | None, session: ChatSession) -> None:
        if session_hash:
            with self._lock:
                self._sessions[session_hash] = session
                self._closed.discard(session_hash)

    def release(self, session_hash: str | None) -> None:
        """The page ``session_hash`` closed (any page: a form-only page has server state too)."""
        if not session_hash:
            return
        with self._lock:
            session = self._sessions.pop(session_hash, None)
            self._closed.add(session_hash)
        if session is not None:
            session.release()
        with self._lock:
            if self._trim is None:  # one pass after a burst of closing pages
                self._trim = threading.Timer(TRIM_DELAY_S, self._give_back)
                self._trim.daemon = True
                self._trim.start()

    def _give_back(self) -> None:
        """Forget the closed pages' server state (after the unload events have ended), then trim."""
        with self._lock:
            self._trim = None
            closed, self._closed = self._closed, set()
        if self.forget is not None:
            for session_hash in closed:
                self.forget(session_hash)
        give_back_freed_memory()


def with_key(settings: Settings, *, provider: str, base_url: str | None, model: str | None,
             api_key: str | None) -> Settings:
    """``settings`` with the panel's values; an empty key keeps the current one."""
    return replace(settings, provider=provider, base_url=base_url or None, model=model or None,
                   api_key=api_key or settings.api_key, force_offline=False)
