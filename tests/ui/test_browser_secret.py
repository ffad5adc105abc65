"""The browser-storage secret survives a restart (same file) and stays private to the user."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ui import browser_secret as module


def test_the_secret_is_made_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    module.browser_secret.cache_clear()
    first = module.browser_secret()
    module.browser_secret.cache_clear()  # a new process reads the same file
    assert module.browser_secret() == first and len(first) >= 32
    path = tmp_path / "scaling-assistant" / "browser-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    module.browser_secret.cache_clear()


def test_an_unwritable_place_falls_back_to_a_process_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    module.browser_secret.cache_clear()
    assert len(module.browser_secret()) >= 32
    module.browser_secret.cache_clear()
