"""Fuzzing the command line: any flags of a subcommand, with any text as their values.

Whatever is typed, ``scaling-assistant`` answers or refuses in one line beginning ``error:`` that names a flag (or
the command); nothing ends in a traceback, a raw exception name or an echo longer than a line. Bounded in time
(derandomised, a fixed number of examples) so it runs in CI.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fuzz import BAD_NUMBERS, MAX_ERROR_CHARS, RAW_EXCEPTION, load_cli_corpus, run_cli

_CORPUS = load_cli_corpus()
_BASES = {spec["flag"]: _CORPUS["bases"][spec["base"]] for spec in _CORPUS["flags"] + _CORPUS["choices"]}
_FLAGS = sorted(_BASES)
_VALUES = st.one_of(
    st.sampled_from(BAD_NUMBERS),
    st.text(max_size=40),
    st.from_regex(r"[-+]?\d{0,25}(\.\d{0,5})?([eE][-+]?\d{1,4})?[KMBTkmbt%万亿]?", fullmatch=True),
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(choices=st.lists(st.tuples(st.sampled_from(_FLAGS), _VALUES), min_size=1, max_size=3))
def test_any_flag_values_are_answered_or_refused_in_one_line(choices: list[tuple[str, str]]) -> None:
    argv = list(_BASES[choices[0][0]])
    for flag, value in choices:
        argv.append(f"{flag}={value}")
    status, stdout, stderr, error = run_cli(argv)
    assert error is None, f"{type(error).__name__}: {error}"
    assert status in (0, 2)
    assert not RAW_EXCEPTION.search(stdout + stderr)
    if status == 2:
        assert stderr.startswith("error: ") and stderr.count("\n") == 1
        assert len(stderr) <= MAX_ERROR_CHARS and "internal error" not in stderr
        assert "--" in stderr or argv[0] in stderr
