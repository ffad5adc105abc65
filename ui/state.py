"""What one browser session keeps on the server (in a ``gr.State``): its settings, its
conversation, where each turn began, the latest report and the files exported from it.

The API key lives only here, inside :class:`assistant.settings.Settings` (excluded from its repr);
it is never sent to the browser, logged or written to an export.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.report import BudgetReport, PlanReport
from assistant.session import Conversation, Mode
from assistant.settings import Settings

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
    report: PlanReport | BudgetReport | None = None
    report_version: int = 0
    exported_version: int | None = None
    export_dir: str | None = None
    last_mode: Mode | None = None

    def __post_init__(self) -> None:
        self.conversation = self.factory(self.settings)

    @property
    def mode_label(self) -> str:
        """'offline', 'offline (fallback)' after a failed endpoint, or the model's name."""
        if self.last_mode == "fallback":
            return "offline (fallback)"
        return self.mode_for(self.settings)

    @staticmethod
    def mode_for(settings: Settings) -> str:
        """'offline' or the configured model's name."""
        return "offline" if settings.mode == "offline" else settings.resolved_model

    def set_report(self, report: PlanReport | BudgetReport | None) -> None:
        self.report = report
        self.report_version += 1

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

    def forget_exports(self) -> None:
        """Delete the files of the previous report (the browser already has its own copies)."""
        if self.export_dir:
            shutil.rmtree(self.export_dir, ignore_errors=True)
        self.export_dir = None
        self.exported_version = None


def with_key(settings: Settings, *, provider: str, base_url: str | None, model: str | None,
             api_key: str | None) -> Settings:
    """``settings`` with the panel's values; an empty key keeps the current one."""
    return replace(settings, provider=provider, base_url=base_url or None, model=model or None,
                   api_key=api_key or settings.api_key, force_offline=False)
