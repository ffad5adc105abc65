"""Settings for a conversation with the scripted OpenAI-compatible server (``tests/llm_server.py``)."""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings
from tests.llm_server import ScriptedLLMServer


def llm_settings(server: ScriptedLLMServer, *, api_key: str, **overrides: Any) -> Settings:
    """LLM-mode settings pointing at ``server`` (short timeouts, one retry), with ``overrides``."""
    values: dict[str, Any] = dict(api_key=api_key, base_url=server.base_url, model="scripted-model", timeout_s=2,
                                  max_retries=1)
    values.update(overrides)
    return Settings(**values)
