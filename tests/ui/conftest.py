"""The real app, launched once per module on a free 127.0.0.1 port; each test gets its own gradio_client session."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from assistant.settings import Settings
from tests.llm_server import ScriptedLLMServer
from ui.app import build_app, launch_options


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    demo = build_app(settings=Settings(force_offline=True))
    _, url, _ = demo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture
def client(app_url: str) -> Callable[[], Client]:
    """A new browser-like session on the app (state is per client)."""
    return lambda: Client(app_url, verbose=False)


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    server = ScriptedLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


def value_of(output: Any) -> Any:
    """An output as the client returns it: a plain value, or the value of a ``gr.update``."""
    if isinstance(output, dict) and output.get("__type__") == "update":
        return output.get("value")
    return output


def read_files(outputs: list[Any]) -> dict[str, str]:
    """name → text of every file among ``outputs`` (download-button values are local paths after download)."""
    found = {}
    for output in outputs:
        value = value_of(output)
        if isinstance(value, str) and "\n" not in value and len(value) < 1024 and Path(value).is_file():
            found[Path(value).name] = Path(value).read_text(encoding="utf-8")
    return found
