"""The settings panel's "test connection" message, in the interface language."""

from __future__ import annotations

from assistant.connection import check_connection as check_endpoint
from assistant.settings import Settings
from ui.strings import CONNECTION_TEXT, pick_lang

_MODELS_SHOWN = 5


def check_connection(settings: Settings, lang: str) -> tuple[bool, str]:
    """(ok, message) for the endpoint in ``settings``; never raises, never shows the key."""
    language = pick_lang(lang)
    text = CONNECTION_TEXT[language]
    check = check_endpoint(settings)
    if check.offline:
        return False, text["offline"]
    if not check.ok:
        return False, settings.redact(text["failed"].format(url=check.url, reason=check.reason(language)))
    listed = text["listed" if check.model_listed else "unlisted"].format(model=check.model)
    shown = ", ".join(check.models[:_MODELS_SHOWN]) + (" …" if len(check.models) > _MODELS_SHOWN else "")
    return True, settings.redact(text["ok"].format(url=check.url, models=shown or "—", listed=listed))
