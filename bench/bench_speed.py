"""How quickly the offline assistant answers (printed, never asserted: wall-clock tests are flaky on shared machines).

* cold start: ``python -m assistant.cli report --offline "<the worked example>"`` in a fresh interpreter, the
  median wall time of several runs (goal < 1.5 s), and its CPU time (steadier on a shared machine). The runs
  use the bytecode cache an installed package has (``PYTHONDONTWRITEBYTECODE`` is dropped for them; a first
  run writes the cache). The split comes from a probe in the same kind of process: the
  interpreter alone (``python -c pass``), the imports (``assistant.cli`` and the modules ``report`` imports,
  timed with ``perf_counter``), and the run; then the heavy packages the run imported (none should be) and the
  five packages whose modules take longest to import (``-X importtime``, which adds its own overhead);
* in process: a warm ``Conversation(Settings(force_offline=True)).send`` of the worked example and of the
  follow-up "换成 16 张卡呢", median milliseconds per turn over many conversations (goal < 30 ms). The message
  reader's cache is emptied before each conversation, so each turn reads its own new message as a user's turn
  would (the follow-up finds the first message read, as it would in a real conversation).

No network: the offline model answers.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_speed.py [--runs 7] [--turns 50]``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MESSAGE = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，28.9M 条样本 × 512 字，8 张 4090"
FOLLOW_UP = "换成 16 张卡呢"
COLD_GOAL_S = 1.5
TURN_GOAL_MS = 30.0
HEAVY = ("langchain", "langgraph", "langsmith", "langchain_openai", "openai", "gradio")
COMMAND = ["-m", "assistant.cli", "report", "--offline", MESSAGE]
PROBE = (
    "import sys, time; t0 = time.perf_counter(); import io; from assistant.cli import main; "
    "import assistant.session, assistant.export; t1 = time.perf_counter(); "
    f"main({COMMAND[2:]!r}, stdout=io.StringIO()); t2 = time.perf_counter(); "
    f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})); "
    "print(t1 - t0, t2 - t1, ','.join(heavy) or 'none')"
)


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done


def _cpu_s() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _ratio(value: float, goal: float, unit: str) -> str:
    return f"goal < {goal:g} {unit}: {value / goal:.2f}× the goal" + (" ✓" if value < goal else " ✗")


def _slowest_packages(stderr: str, count: int = 5) -> str:
    """The packages whose modules' own import time (-X importtime's "self" column) adds up to most."""
    own: Counter[str] = Counter()
    for line in stderr.splitlines():  # "import time:  <self us> | <cumulative us> | <indent><module>"
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            own[fields[2].strip().split(".")[0]] += int(fields[0])
    return ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in own.most_common(count))


def cold_start(runs: int) -> None:
    _run(COMMAND)  # compile the bytecode once, as an installed package would have it
    totals, cpus, bares, probes = [], [], [], []
    for _ in range(runs):  # interleaved, so a busy moment on a shared machine touches all three alike
        cpu = _cpu_s()
        totals.append(_run(COMMAND)[0])
        cpus.append(_cpu_s() - cpu)
        bares.append(_run(["-c", "pass"])[0])
        wall, done = _run(["-c", PROBE])
        imports, work, heavy = done.stdout.split()
        probes.append((wall, float(imports), float(work), heavy))
    total, bare = statistics.median(totals), statistics.median(bares)
    wall, imports, work = (statistics.median(p[i] for p in probes) for i in range(3))
    slowest = _slowest_packages(_run(["-X", "importtime", *COMMAND])[1].stderr)
    print(f"cold start, `report --offline` in a new interpreter: median {total:.2f} s over {runs} runs "
          f"({_ratio(total, COLD_GOAL_S, 's')}); CPU {statistics.median(cpus):.2f} s")
    print(f"  the same in a probe, {wall:.2f} s: interpreter {bare:.2f} s, imports {imports:.2f} s "
          f"({imports / wall:.0%}), the turn and the report {work:.2f} s; heavy packages imported: {probes[-1][3]}")
    print(f"  slowest to import (-X importtime, own time): {slowest}")


def in_process(turns: int) -> None:
    from assistant.offline.parse import parse_message
    from assistant.session import Conversation
    from assistant.settings import Settings

    settings = Settings(force_offline=True)

    def conversation() -> tuple[float, float]:
        parse_message.cache_clear()
        chat = Conversation(settings)
        start = time.perf_counter()
        first = list(chat.send(MESSAGE))
        middle = time.perf_counter()
        second = list(chat.send(FOLLOW_UP))
        end = time.perf_counter()
        assert first[-1].report is not None and second[-1].report is not None, "no report: the bench is broken"
        return (middle - start) * 1000, (end - middle) * 1000

    for _ in range(3):
        conversation()
    times = [conversation() for _ in range(turns)]
    for label, index in (("first message", 0), ("follow-up", 1)):
        median = statistics.median(t[index] for t in times)
        print(f"in process, {label:<13}: median {median:5.1f} ms per turn over {turns} turns "
              f"(min {min(t[index] for t in times):.1f} ms; {_ratio(median, TURN_GOAL_MS, 'ms')})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes for the cold start")
    parser.add_argument("--turns", type=int, default=50, help="conversations for the in-process figures")
    args = parser.parse_args()
    cold_start(args.runs)
    in_process(args.turns)


if __name__ == "__main__":
    main()
