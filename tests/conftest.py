"""Shared test setup: fixtures path, a derandomised Hypothesis profile, and no outbound network."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from hypothesis import settings

FIXTURES = Path(__file__).parent / "fixtures"

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def load_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


_real_connect = socket.socket.connect


def _loopback_only(self, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"tests may not open outbound connections (tried {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _private_config_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files the app keeps per user (the browser-storage secret) go to a temporary folder, not ~/.config."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


# --- offline reports shared by the plot and export tests (composed once per session) ---------------

PLAN_ZH = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
PLAN_EN = "DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour"
BUDGET = "I have 8 GPUs (4090) for 7 days, what should I train?"
PLAN_DENSE = "MiniMind2, 28.9M samples x 512 tokens, 8 RTX 4090"


def offline_report(text: str):
    """The structured report the offline assistant gives for ``text``."""
    from assistant.session import Conversation
    from assistant.settings import Settings

    conversation = Conversation(Settings(force_offline=True))
    finals = [event for event in conversation.send(text) if event.kind == "final"]
    assert finals and finals[0].report is not None
    return finals[0].report


@pytest.fixture(scope="session")
def plan_zh():
    return offline_report(PLAN_ZH)


@pytest.fixture(scope="session")
def plan_en():
    return offline_report(PLAN_EN)


@pytest.fixture(scope="session")
def plan_dense():
    return offline_report(PLAN_DENSE)


@pytest.fixture(scope="session")
def budget():
    return offline_report(BUDGET)
