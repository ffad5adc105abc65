"""A stable secret for the chat history kept in the browser.

``gr.BrowserState`` encrypts what it stores with a secret; gradio's default is new at every
start, so a saved chat would be unreadable after the server restarts. This keeps one secret per
user in ``$XDG_CONFIG_HOME/scaling-assistant/browser-secret`` (mode 0600), made on first use.
If that file cannot be written, the secret lasts as long as the process, as gradio's does.
"""

from __future__ import annotations

import logging
import os
import secrets
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)


def secret_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "scaling-assistant" / "browser-secret"


@cache
def browser_secret() -> str:
    path = secret_path()
    try:
        if path.is_file():
            value = path.read_text(encoding="utf-8").strip()
            if len(value) >= 32:
                return value
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        return value
    except OSError as error:
        log.warning("could not keep a browser-storage secret at %s (%s): saved chats last until restart",
                    path, error.strerror or error)
        return secrets.token_urlsafe(32)
