"""The command line against the hand-written bad-input corpus (``tests/fixtures/bad-inputs/cli.json``).

Every flag that takes a number gets every value of the corpus (overflow, underflow, 5,000 digits, NaN, a decimal
comma, full-width and invisible characters, …) in a command that otherwise runs; every choice flag gets junk. A
value the flag's ``ok`` list does not name must be refused in one line naming the flag; no case may end in a
traceback, a raw exception name, or an echo of a 10,000-character value. The exit-0 cases are exactly the values
the corpus says the flag accepts, each a value a person could mean (see the corpus's README).
"""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.cli import build_parser
from tests.support.fuzz import CliCase, Tally, cli_cases, fuzz_cli, judge_cli, load_cli_corpus, run_cli


def _flags_of_parser() -> set[str]:
    parser = build_parser()
    found: set[str] = set()
    for action in parser._subparsers._group_actions[0].choices.values():  # noqa: SLF001 - argparse keeps them here
        for sub in action._actions:  # noqa: SLF001
            found.update(sub.option_strings)
    return found


def test_the_corpus_covers_every_number_flag_of_the_command_line() -> None:
    corpus = load_cli_corpus()
    in_corpus = {spec["flag"] for spec in corpus["flags"]} | {spec["flag"] for spec in corpus["choices"]}
    parser = build_parser()
    numeric = set()
    for action in parser._subparsers._group_actions[0].choices.values():  # noqa: SLF001
        for sub in action._actions:  # noqa: SLF001
            if sub.type is not None and sub.option_strings:
                numeric.update(sub.option_strings)
    assert numeric - in_corpus == set()
    assert in_corpus <= _flags_of_parser()
    values = set(corpus["values"])
    for spec in corpus["flags"]:
        named = set(corpus["kinds"][spec["kind"]]) | set(spec.get("also_ok", ())) | set(spec.get("not_ok", ()))
        assert named <= values, spec["flag"]


def test_every_case_is_refused_in_one_line_or_is_a_value_its_flag_accepts() -> None:
    cases = cli_cases(quick=True)  # bench/bench_fuzz.py runs every accepted value of `plan` too
    tally = Tally()
    fuzz_cli(cases, tally)
    assert tally.tried["cli"] == len(cases) > 2000
    assert [str(finding) for finding in tally.findings] == []
    passed = Counter(label.split("=", 1)[1] for label in tally.passed_bad.get("cli", []) if "=" in label)
    # The values that pass are the plain ones, never an overflow, a NaN or an underflow to zero.
    assert passed["eight"] > 20 and passed["thousand"] > 10
    assert not {"over", "nan", "inf", "under", "digits5000", "e308", "word", "empty", "decimal_comma"} & set(passed)


@pytest.mark.parametrize(("argv", "line"), [
    (("params", "--vocab", "6400", "--hidden", "640", "--layers", "1e400", "--heads", "8"),
     "error: params: --layers: got '1e400'; expected a finite number (\"1e400\" is not)"),
    (("params", "--vocab", "6400", "--hidden", "640", "--layers", "30M", "--heads", "8"),
     "error: params: --layers: got '30M'; expected an integer from 1 to 10000"),
    (("params", "--vocab", "6400", "--hidden", "640", "--layers", "8", "--heads", "8", "--experts", "4", "--top-k",
      "1", "--moe-every", "9"), "error: params: --moe-every: got '9'; expected an integer from 1 to 8"),
    (("memory", "--preset", "llama-3-8b", "--gpu", "4090", "--micro-batch", "0"),
     "error: memory: --micro-batch: got '0'; expected an integer from 1 to 1000000"),
    (("gpu-time", "--gpu", "4090", "--days", "1e-400"),
     "error: gpu-time: --days: got '1e-400'; expected a number that does not round to 0 (\"1e-400\" is too small to "
     "represent)"),
    (("gpu-time", "--gpu", "4090", "--flops", "1e20", "--currency", "dollars"),
     "error: gpu-time: --currency: got 'dollars'; expected a currency code such as USD or CNY"),
    (("optimal", "--params", "0.5"), "error: optimal: --params: got '0.5'; expected a number from 1 to 1e20"),
])
def test_a_refusal_names_the_flag_as_typed_and_the_range(argv: tuple[str, ...], line: str) -> None:
    status, stdout, stderr, error = run_cli(argv)
    assert (status, stdout, error) == (2, "", None)
    assert stderr == line + "\n"


def test_a_long_value_is_shortened_in_the_one_line() -> None:
    argv = ("params", "--preset", "x" * 10_000)
    status, _, stderr, _ = run_cli(argv)
    assert status == 2 and len(stderr) < 300
    assert "(10,000 characters)" in stderr
    assert judge_cli(CliCase(argv, "error", "--preset"), status, "", stderr, None) == []
