"""Bad and heavy input: inputs tried and failures found per door, and the reader's time on long messages.

A failure is an exception that escapes a door, a raw exception or trace in what the user reads, a command-line
error that is not one line naming the flag, or a bad value a door accepted (see ``tests/support/fuzz.py``).
The command-line corpus is written by hand (``tests/fixtures/bad-inputs/cli.json``); the other inputs are
generated from a seed: real phrasings and configs with numbers at and past every limit spliced in.

    .venv/bin/python bench/bench_fuzz.py [--seed N] [--parser N] [--turns N] [--configs N] [--show N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fuzz import run_all  # noqa: E402

logging.disable(logging.WARNING)  # refusals are logged by design; the figures are what this prints


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


if __name__ == "__main__":
    main()
