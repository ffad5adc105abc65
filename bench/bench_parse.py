"""The offline reader's accuracy on the phrasing corpus, and its speed.

Prints, for the dev part (the regression suite) and the held-out part (written apart from the rules):
entries read exactly, the share, and the most common kinds of miss; then messages read per second.

Blind measurements (each held-out set measured once, before any rule saw it; its misses then moved
to dev.jsonl and were fixed, which is why today's held-out figure is higher than these):

- 2026-12-01, held-out v1 (70 entries, 35 zh / 35 en): 54/70 = 77.1%
- 2026-12-01, held-out v2 (60 entries, 30 zh / 30 en, less obvious phrasings): 36/60 = 60.0%

    .venv/bin/python bench/bench_parse.py [--show] [--quick]   # --show lists every held-out miss;
                                                               # --quick times long messages up to 16K only
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
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
    long_messages(read, sizes=LONG_SIZES if "--quick" not in sys.argv else LONG_SIZES[:3])


# Long messages: the "4090 " repeated, a real phrasing repeated, and runs that backtracking patterns used to
# walk once per character (digits, letters, Chinese numerals). A linear reader keeps µs per character flat.
LONG_SIZES = (4_000, 8_000, 16_000, 40_000, 100_000)
LONG_TEXTS = {
    '"4090 "': "4090 ",
    "phrasing": "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090；",
    "digits": "1",
    "letters": "a",
    "numerals": "一",
    "spaces": " ",
}


def long_messages(read: Callable[[str], object], *, sizes: tuple[int, ...]) -> None:
    """The reader's time on long messages (best of 3), in ms and µs per character; the chat caps messages at 8,000
    characters (assistant.session.MAX_MESSAGE_CHARS), the command line reads whatever it is given."""
    print("long messages (ms, best of 3; µs/char in brackets):")
    print("  " + "chars".ljust(10) + "".join(f"{size:>16,}" for size in sizes))
    for name, unit in LONG_TEXTS.items():
        cells = []
        for size in sizes:
            text = (unit * (size // len(unit) + 1))[:size]
            best = min(_timed(read, text) for _ in range(3))
            cells.append(f"{best * 1e3:8.0f} ({best / size * 1e6:4.1f})")
        print("  " + name.ljust(10) + "".join(f"{cell:>16}" for cell in cells))


def _timed(read: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    read(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
