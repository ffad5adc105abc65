"""Fixtures for the assistant tests: a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm_server import ScriptedLLMServer


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    """A started `ScriptedLLMServer` on a free port (the OS picks it); give it turns with ``llm_server.script([...])``.

    Point clients at ``llm_server.base_url`` (``http://127.0.0.1:<port>/v1``). Stopped, with its handler threads
    joined, after the test.
    """
    server = ScriptedLLMServer().start()
    try:
        yield server
    finally:
        server.stop()
