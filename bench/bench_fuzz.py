"""Bad and heavy input: inputs tried and failures found per door, and the reader's time on long messages.

A failure is an exception that escapes a door, a raw exception or trace in what the user reads, a command-line
error that is not one line naming the flag, or a bad value a door accepted (see ``tests/support/fuzz.py``).
The command-line corpus is written by hand (``tests/fixtures/bad-inputs/cli.json``); the other inputs are
generated from a seed: real phrasings and configs with numbers at and past every limit spliced in.

    .venv/bin/python bench/bench_fuzz.py [--seed N] [--parser N] [--turns N] [--configs N] [--show N]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fuzz import run_all  # noqa: E402

logging.disable(logging.CRITICAL)  # refusals and the bugs found are logged; the figures are what this prints


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--parser", type=int, default=5000)
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--configs", type=int, default=300)
    parser.add_argument("--forms", type=int, default=500, help="calculator forms")
    parser.add_argument("--show", type=int, default=5, help="findings to list per door and kind")
    args = parser.parse_args()
    start = time.perf_counter()
    marks = [start]

    def progress(door: str) -> None:
        marks.append(time.perf_counter())
        print(f"  {door} done in {marks[-1] - marks[-2]:.1f} s", flush=True)

    tally = run_all(seed=args.seed, parser=args.parser, turns=args.turns, configs=args.configs, forms=args.forms,
                    progress=progress)
    print(f"\nfuzz (seed {args.seed}), {time.perf_counter() - start:.0f} s in all")
    for door in ("cli", "parser", "turn", "config", "calculator"):
        found = [f for f in tally.findings if f.door == door]
        inputs = {f.input for f in found}
        kinds = Counter(f.kind for f in found)
        print(f"{door:7s} {tally.tried.get(door, 0):6d} inputs, {len(inputs):4d} failing"
              f" {dict(kinds.most_common()) or ''}")
        shown: Counter[str] = Counter()
        for finding in found:
            if shown[finding.kind] < args.show:
                shown[finding.kind] += 1
                print(f"    {finding}")
    passed = tally.passed_bad.get("cli", [])
    print(f"cli: {len(passed)} cases of the corpus exit 0, each a value its flag accepts (the corpus's `ok` lists)")
    print("slowest input per door:")
    for door, (seconds, shown) in tally.slowest.items():
        print(f"  {door:10s} {seconds * 1e3:8.0f} ms  {shown[:90]!r}")
    heavy()


HEAVY_UNITS = {'"4090 "': "4090 ", "phrasing": "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，8 张 4090；",
               "digits": "1", "letters": "a", "numerals": "一", "brackets": "["}
LAYERS_30M = {"model_type": "mixtral", "num_hidden_layers": 30_000_000, "hidden_size": 64, "vocab_size": 10,
              "num_attention_heads": 1, "intermediate_size": 8, "num_local_experts": 2, "num_experts_per_tok": 1}


def heavy() -> None:
    """Heavy input, each through a whole door: the longest message a turn reads (the 8,000-character cap) and one
    past it, and the 229-byte config.json that claims 30 million layers."""
    from assistant.calculator import calculate
    from assistant.session import MAX_MESSAGE_CHARS
    from tests.support.fuzz import conversation, run_cli

    print(f"heavy input (a whole offline turn; messages are capped at {MAX_MESSAGE_CHARS:,} characters):")
    for name, unit in HEAVY_UNITS.items():
        cells = []
        for size in (MAX_MESSAGE_CHARS, 100_000):
            text = (unit * (size // len(unit) + 1))[:size]
            start = time.perf_counter()
            events = list(conversation().send(text))
            cells.append(f"{size:>7,} chars {(time.perf_counter() - start) * 1e3:6.0f} ms ({events[-1].kind})")
        print(f"  {name:10s} " + "   ".join(cells))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_text(json.dumps(LAYERS_30M), encoding="utf-8")
        tracemalloc.start()
        start = time.perf_counter()
        status, _, stderr, _ = run_cli(("params", "--hf-config", str(path)))
        cli_s = time.perf_counter() - start
        calculate({"model_source": "config", "config_file": str(path), "data_source": "tokens", "tokens": "1B"},
                  language="en")
        both_s = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"config.json with 30M layers ({path.stat().st_size if path.exists() else len(json.dumps(LAYERS_30M))} "
          f"bytes): command line {cli_s * 1e3:.0f} ms (exit {status}), + calculator {(both_s - cli_s) * 1e3:.0f} ms, "
          f"peak {peak / 1e6:.1f} MB; {stderr.strip()[:110]}")


if __name__ == "__main__":
    main()
