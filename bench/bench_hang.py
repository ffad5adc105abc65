"""How long a hung endpoint keeps the user waiting, with the default settings (printed, not asserted; ~45 s).

The scripted server accepts every request and never answers. With the defaults (20 s without a byte, 2 retries, a
40 s deadline per model call) the turn must fall back to the offline model within 45 s (it used to take ~3 min:
3 × 60 s), saying it is waiting on the way. Prints when each progress line and the fallback came, and the round trips.

Run: ``.venv/bin/python bench/bench_hang.py``.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.session import Conversation  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from tests.llm_server import Delay, Reply, ScriptedLLMServer  # noqa: E402

MESSAGE = "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8 × RTX 4090: give me the scaling report"


def main() -> None:
    logging.disable(logging.WARNING)
    with ScriptedLLMServer([Delay(600, Reply("too late"))], repeat_last=True) as server:
        settings = load_settings({"OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": server.base_url}, dotenv=None)
        print(f"defaults: {settings.timeout_s:.0f} s without a byte, {settings.max_retries} retries, "
              f"{settings.deadline_s:.0f} s deadline per model call")
        start = time.monotonic()
        for event in Conversation(settings).send(MESSAGE):
            if event.kind in ("progress", "notice", "final"):
                print(f"{time.monotonic() - start:6.1f} s  {event.kind:<8} {event.text.splitlines()[0][:70]}")
        print(f"round trips {server.round_trips}; goal: the fallback within 45 s")


if __name__ == "__main__":
    main()
