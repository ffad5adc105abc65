"""Settings from the environment (and a ``.env`` file if present); the API key never leaks.

| variable | meaning | default |
|---|---|---|
| ``OPENAI_API_KEY`` | key for the OpenAI-compatible endpoint; without it the offline model answers | — |
| ``OPENAI_BASE_URL`` | endpoint base URL | the provider preset's, else OpenAI's |
| ``SCALING_ASSISTANT_MODEL`` | model name | the provider preset's |
| ``SCALING_ASSISTANT_PROVIDER`` | openai, deepseek, qwen, vllm, ollama | openai |
| ``SCALING_ASSISTANT_TIMEOUT`` | seconds per request | 60 |
| ``SCALING_ASSISTANT_MAX_RETRIES`` | retries on 429/5xx/timeouts (openai SDK) | 2 |
| ``SCALING_ASSISTANT_MODE`` | ``offline`` forces the offline model even with a key | auto |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Provider:
    key: str
    title: str
    base_url: str
    model: str
    needs_key: bool = True


PROVIDERS: dict[str, Provider] = {p.key: p for p in (
    Provider("openai", "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini"),
    Provider("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat"),
    Provider("qwen", "Qwen / DashScope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus"),
    Provider("vllm", "vLLM (local)", "http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct", needs_key=False),
    Provider("ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", "qwen2.5:7b", needs_key=False),
)}


@dataclass(frozen=True)
class Settings:
    """Where the LLM is; ``api_key`` is excluded from repr and never logged."""

    provider: str = "openai"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0
    max_retries: int = 2
    force_offline: bool = False

    @property
    def mode(self) -> str:
        """'llm' when an endpoint is usable, else 'offline' (the default without a key)."""
        if self.force_offline:
            return "offline"
        preset = PROVIDERS.get(self.provider)
        if self.api_key or (preset is not None and not preset.needs_key and self.base_url):
            return "llm"
        return "offline"

    @property
    def resolved_base_url(self) -> str:
        return self.base_url or PROVIDERS.get(self.provider, PROVIDERS["openai"]).base_url

    @property
    def resolved_model(self) -> str:
        return self.model or PROVIDERS.get(self.provider, PROVIDERS["openai"]).model

    @property
    def label(self) -> str:
        return "offline" if self.mode == "offline" else f"{self.resolved_model} @ {self.resolved_base_url}"

    def redact(self, text: str) -> str:
        """``text`` with the API key (and any bearer token) replaced by ***."""
        if self.api_key:
            text = text.replace(self.api_key, "***")
        return re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}", r"\1***", text)


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (optionally quoted, # comments); a missing file gives {}."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        values[key] = value.strip().strip("'\"")
    return values


def load_settings(env: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")) -> Settings:
    """Settings from ``env`` (default ``os.environ``), with ``.env`` filling what is unset."""
    merged = dict(read_dotenv(dotenv)) if dotenv is not None else {}
    merged.update(env if env is not None else os.environ)
    provider = merged.get("SCALING_ASSISTANT_PROVIDER", "openai").strip().lower() or "openai"
    if provider not in PROVIDERS:
        raise ValueError(f"SCALING_ASSISTANT_PROVIDER: got {provider!r}, expected one of {', '.join(PROVIDERS)}")
    try:
        timeout = float(merged.get("SCALING_ASSISTANT_TIMEOUT", "60"))
        retries = int(merged.get("SCALING_ASSISTANT_MAX_RETRIES", "2"))
    except ValueError as error:
        raise ValueError(f"SCALING_ASSISTANT_TIMEOUT / _MAX_RETRIES must be numbers ({error})") from None
    return Settings(
        provider=provider,
        base_url=merged.get("OPENAI_BASE_URL") or None,
        model=merged.get("SCALING_ASSISTANT_MODEL") or None,
        api_key=merged.get("OPENAI_API_KEY") or None,
        timeout_s=timeout,
        max_retries=retries,
        force_offline=merged.get("SCALING_ASSISTANT_MODE", "").strip().lower() == "offline",
    )
