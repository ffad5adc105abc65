"""The settings panel: provider presets, applying settings to the session, testing the endpoint.

The API key arrives only through the password box, goes into the session's ``Settings`` and the
box is emptied at once; no output of these handlers contains it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gradio as gr

from assistant.settings import PROVIDERS, Settings
from ui.chat import ChatHandlers
from ui.connection import check_connection
from ui.state import ChatSession, with_key
from ui.strings import mode_text, t

OFFLINE = "offline"


def provider_choices(lang: str = "en") -> list[tuple[str, str]]:
    """The provider presets, the built-in offline model first (its name in ``lang``)."""
    return [(t(lang, "provider_offline"), OFFLINE), *[(p.title, p.key) for p in PROVIDERS.values()]]


def initial_provider(settings: Settings) -> str:
    return OFFLINE if settings.mode == "offline" and not settings.api_key else settings.provider


def fill_preset(provider: str) -> tuple[Any, Any]:
    """The preset's base URL and model (empty for offline)."""
    preset = PROVIDERS.get(provider)
    if preset is None:
        return gr.update(value=""), gr.update(value="")
    return gr.update(value=preset.base_url), gr.update(value=preset.model)


def panel_settings(current: Settings, provider: str, base_url: str, model: str, api_key: str) -> Settings:
    """The settings the panel describes (an empty key keeps the session's key)."""
    if provider not in PROVIDERS:
        return replace(current, force_offline=True)
    return with_key(current, provider=provider, base_url=(base_url or "").strip(), model=(model or "").strip(),
                    api_key=(api_key or "").strip())


def key_note(settings: Settings, defaults: Settings, lang: str) -> str:
    if not settings.api_key or settings.mode == "offline":
        return ""
    return t(lang, "key_env" if settings.api_key == defaults.api_key else "key_set")


class SettingsHandlers:
    def __init__(self, chat: ChatHandlers) -> None:
        self.chat = chat

    def apply(self, provider: str, base_url: str, model: str, api_key: str, session: ChatSession | None,
              lang: str) -> tuple[ChatSession, Any, str, str]:
        """(session, emptied key box, mode, note) after applying the panel to the session."""
        session = self.chat.session(session)
        session.reconfigure(panel_settings(session.settings, provider, base_url, model, api_key))
        return session, gr.update(value=""), mode_text(session.mode_label, lang), key_note(
            session.settings, self.chat.defaults, lang)

    def test(self, provider: str, base_url: str, model: str, api_key: str, session: ChatSession | None,
             lang: str) -> str:
        """Whether the endpoint the panel describes answers ``GET /models`` (key never shown)."""
        session = self.chat.session(session)
        settings = panel_settings(session.settings, provider, base_url, model, api_key)
        return check_connection(settings, lang)[1]
