"""Test an OpenAI-compatible endpoint: ``GET {base_url}/models`` through the openai SDK.

The openai SDK stays inside ``assistant/``; the UI only formats the :class:`ConnectionCheck`.
The key is only sent in the request's Authorization header; the reason on failure is key-free: a code
with values (:class:`assistant.agent.FailureReason`) the UI says in its language.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.agent import FailureReason, failure_reason
from assistant.settings import Settings

_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    offline: bool
    url: str
    model: str
    models: tuple[str, ...] = ()
    failure: FailureReason | None = None

    def reason(self, language: str) -> str:
        """Why the check failed, in ``language`` ("" when it did not fail)."""
        return self.failure.text(language) if self.failure else ""

    @property
    def model_listed(self) -> bool:
        return self.model in self.models


def check_connection(settings: Settings) -> ConnectionCheck:
    """Never raises and never carries the key."""
    url, model = settings.resolved_base_url, settings.resolved_model
    if settings.mode == "offline":
        return ConnectionCheck(ok=False, offline=True, url=url, model=model)
    from openai import OpenAI  # imported here: the app starts without touching the SDK

    client = OpenAI(base_url=url, api_key=settings.api_key or "not-needed",
                    timeout=min(settings.timeout_s, _TIMEOUT_S), max_retries=0)
    try:
        models = tuple(item.id for item in client.models.list())
    except Exception as error:  # noqa: BLE001 - any failure is a reason, not a trace
        return ConnectionCheck(ok=False, offline=False, url=url, model=model, failure=failure_reason(error))
    finally:
        client.close()
    return ConnectionCheck(ok=True, offline=False, url=url, model=model, models=models)
