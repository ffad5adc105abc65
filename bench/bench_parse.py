"""The offline reader's accuracy on the phrasing corpus, and its speed.

Prints, for the dev part (the regression suite) and the held-out part (written apart from the rules):
entries read exactly, the share, and the most common kinds of miss; then messages read per second.

Blind measurements (each held-out set measured once, before any rule saw it; its misses then moved
to dev.jsonl and were fixed, which is why today's held-out figure is higher than these):

- 2026-12-01, held-out v1 (70 entries, 35 zh / 35 en): 54/70 = 77.1%
- 2026-12-01, held-out v2 (60 entries, 30 zh / 30 en, less obvious phrasings): 36/60 = 60.0%

    .venv/bin/python bench/bench_parse.py [--show]   # --show lists every held-out miss
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.offline.parse import parse_message  # noqa: E402
from tests.support.phrasings import judge, load  # noqa: E402


def report(name: str, show: bool) -> None:
    entries = load(name)
    verdicts = [judge(entry) for entry in entries]
    passed = sum(v.ok for v in verdicts)
    kinds = Counter(problem.split(":")[0] for v in verdicts for problem in v.problems)
    print(f"{name:8s} {passed:4d}/{len(entries):<4d} read exactly ({passed / len(entries):.1%});"
          f" misses by field: {dict(kinds.most_common(6)) or '-'}")
    if show:
        for entry, verdict in zip(entries, verdicts, strict=True):
            if not verdict.ok:
                print(f"  [{entry['id']}] {entry['text'][:120]}")
                for problem in verdict.problems:
                    print(f"      {problem}")


def main() -> None:
    show = "--show" in sys.argv
    for name in ("dev", "heldout"):
        report(name, show and name == "heldout")
    texts = [entry["text"] for entry in load("dev") + load("heldout")]
    read = parse_message.__wrapped__  # the reader itself, not its cache
    start = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for text in texts:
            read(text)
    elapsed = time.perf_counter() - start
    per_message_ms = elapsed / rounds / len(texts) * 1e3
    print(f"speed    {rounds * len(texts) / elapsed:,.0f} messages/s ({per_message_ms:.2f} ms each)")


if __name__ == "__main__":
    main()
