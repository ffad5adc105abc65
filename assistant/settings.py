"""Settings from the environment (and a ``.env`` file if present); the API key never leaks.

| variable | meaning | default |
|---|---|---|
| ``OPENAI_API_KEY`` | key for the OpenAI-compatible endpoint; without it the offline model answers | — |
| ``OPENAI_BASE_URL`` | endpoint base URL | the provider preset's, else OpenAI's |
| ``SCALING_ASSISTANT_MODEL`` | model name | the provider preset's |
| ``SCALING_ASSISTANT_PROVIDER`` | openai, deepseek, qwen, vllm, ollama | openai |
| ``SCALING_ASSISTANT_TIMEOUT`` | seconds to wait for the endpoint's next byte (a hung request is cut) | 20 |
| ``SCALING_ASSISTANT_MAX_RETRIES`` | retries on 429/5xx/timeouts (openai SDK), within the deadline | 2 |
| ``SCALING_ASSISTANT_DEADLINE`` | seconds a model call may take (retries too) before the offline model answers | 40 |
| ``SCALING_ASSISTANT_CONTEXT_TOKENS`` | the most a request may carry (prompt, schemas, history), estimated | 16000 |
| ``SCALING_ASSISTANT_MODE`` | ``offline`` forces the offline model even with a key | auto |

Each provider preset (:data:`PROVIDERS`) carries what its endpoint needs on the wire, tested against the scripted
server in ``tests/assistant/test_providers.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Provider:
    """A provider preset: where it is, and what its endpoint needs on the wire.

    * ``parallel_tool_calls``: send ``parallel_tool_calls: true`` with the tools (the endpoint documents it), so a
      standard report takes one round of tool calls; None: leave it out (the endpoint does not document it).
    * ``echo_reasoning``: the model's ``reasoning_content`` goes back with its tool calls (DeepSeek's thinking mode
      answers 400 without it).
    * ``stream_usage``: ask for the token usage at the end of a stream (``stream_options.include_usage``).
    * ``tool_parser_hint``: a failure code (``prompts/errors``, block ``reasons``) saying how to make the server
      parse tool calls, for when the model's calls come back as ``<tool_call>`` text.
    """

    key: str
    title: str
    base_url: str
    model: str
    needs_key: bool = True
    parallel_tool_calls: bool | None = None
    echo_reasoning: bool = False
    stream_usage: bool = True
    tool_parser_hint: str = "tool_calls_as_text"


PROVIDERS: dict[str, Provider] = {p.key: p for p in (
    Provider("openai", "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", parallel_tool_calls=True),
    # DeepSeek's thinking mode wants reasoning_content back on tool turns; parallel_tool_calls is not documented.
    Provider("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "deepseek-chat", echo_reasoning=True),
    # DashScope documents parallel_tool_calls (off by default); its chunks carry content null and whole tool calls.
    Provider("qwen", "Qwen / DashScope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus",
             parallel_tool_calls=True),
    # vLLM parses tool calls only when started with --enable-auto-tool-choice and a --tool-call-parser.
    Provider("vllm", "vLLM (local)", "http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct", needs_key=False,
             parallel_tool_calls=True, tool_parser_hint="vllm_tool_parser"),
    # Ollama's OpenAI compatibility lists stream_options but not parallel_tool_calls.
    Provider("ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", "qwen2.5:7b", needs_key=False),
)}

DEFAULT_TIMEOUT_S = 20.0
"""Seconds without a byte from the endpoint before a request is given up (the openai SDK then retries)."""
DEFAULT_DEADLINE_S = 40.0
"""Seconds one model call may take in all, retries and their back-off included: a hung endpoint falls back to the
offline model within 45 s (the deadline plus the last back-off, at most a second)."""
DEFAULT_CONTEXT_TOKENS = 16_000
"""The most one request may carry, estimated at four characters a token: small local models (8k-32k context) fit."""


@dataclass(frozen=True)
class Settings:
    """Where the LLM is; ``api_key`` is excluded from repr and never logged."""

    provider: str = "openai"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = 2
    force_offline: bool = False
    deadline_s: float = DEFAULT_DEADLINE_S
    context_tokens: int = DEFAULT_CONTEXT_TOKENS

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
    def preset(self) -> Provider:
        """The provider preset (OpenAI's for an unknown key)."""
        return PROVIDERS.get(self.provider, PROVIDERS["openai"])

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
        timeout = float(merged.get("SCALING_ASSISTANT_TIMEOUT", DEFAULT_TIMEOUT_S))
        retries = int(merged.get("SCALING_ASSISTANT_MAX_RETRIES", "2"))
        deadline = float(merged.get("SCALING_ASSISTANT_DEADLINE", DEFAULT_DEADLINE_S))
        context = int(merged.get("SCALING_ASSISTANT_CONTEXT_TOKENS", DEFAULT_CONTEXT_TOKENS))
    except ValueError as error:
        raise ValueError(f"SCALING_ASSISTANT_TIMEOUT, _MAX_RETRIES, _DEADLINE and _CONTEXT_TOKENS must be numbers "
                         f"({error})") from None
    if min(timeout, deadline) <= 0 or retries < 0 or context < 1000:
        raise ValueError("SCALING_ASSISTANT_TIMEOUT and _DEADLINE must be above 0 seconds, _MAX_RETRIES at least 0 "
                         "and _CONTEXT_TOKENS at least 1000")
    return Settings(
        provider=provider,
        base_url=merged.get("OPENAI_BASE_URL") or None,
        model=merged.get("SCALING_ASSISTANT_MODEL") or None,
        api_key=merged.get("OPENAI_API_KEY") or None,
        timeout_s=timeout,
        max_retries=retries,
        deadline_s=deadline,
        context_tokens=context,
        force_offline=merged.get("SCALING_ASSISTANT_MODE", "").strip().lower() == "offline",
    )
