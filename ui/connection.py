"""The settings panel's "test connection": ``GET {base_url}/models`` through the openai SDK.

The answer names the endpoint and, on failure, a key-free reason (``describe_failure`` plus
``Settings.redact``); the key itself is only sent in the request's Authorization header.
"""

from __future__ import annotations

from assistant.agent import describe_failure
from assistant.settings import Settings
from ui.strings import CONNECTION_TEXT, pick_lang

_TIMEOUT_S = 15.0
_MODELS_SHOWN = 5


def check_connection(settings: Settings, lang: str) -> tuple[bool, str]:
    """(ok, message) for the endpoint in ``settings``; never raises, never shows the key."""
    text = CONNECTION_TEXT[pick_lang(lang)]
    url = settings.resolved_base_url
    if settings.mode == "offline":
        return False, text["offline"]
    from openai import OpenAI  # imported here: the app starts without touching the SDK

    client = OpenAI(base_url=url, api_key=settings.api_key or "not-needed",
                    timeout=min(settings.timeout_s, _TIMEOUT_S), max_retries=0)
    try:
        models = [model.id for model in client.models.list()]
    except Exception as error:  # noqa: BLE001 - any failure is a message, not a trace
        return False, settings.redact(text["failed"].format(url=url, reason=describe_failure(error, settings)))
    finally:
        client.close()
    wanted = settings.resolved_model
    listed = text["listed" if wanted in models else "unlisted"].format(model=wanted)
    shown = ", ".join(models[:_MODELS_SHOWN]) + (" …" if len(models) > _MODELS_SHOWN else "")
    return True, settings.redact(text["ok"].format(url=url, models=shown or "—", listed=listed))
