"""Fuzzing config.json: real configs with fields set to any JSON value, as files in any encoding and as objects an
LLM sends.

Through the command line (``--hf-config``), the calculator's upload and the tools, a config is counted or refused
by field: no traceback, no ``internal_error``, no raw exception name, and in Chinese for a Chinese interface.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.fuzz import bad_config, check_config_dict, check_config_file, real_configs

_REAL = real_configs()
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**25), max_value=10**25) | st.floats()
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=12,
)
_KEYS = sorted({key for config in _REAL.values() for key in config})


@st.composite
def configs(draw: st.DrawFn) -> dict:
    config = dict(_REAL[draw(st.sampled_from(sorted(_REAL)))])
    for key, value in draw(st.lists(st.tuples(st.sampled_from(_KEYS), _JSON), min_size=1, max_size=3)):
        config[key] = value
    return config


@settings(max_examples=300, deadline=None, derandomize=True)
@given(config=st.one_of(configs(), st.integers(0, 2**32).map(lambda seed: bad_config(random.Random(seed)))))
def test_a_config_object_is_counted_or_refused_by_field(config: dict) -> None:
    assert check_config_dict(json.dumps(config, default=str)[:200], config) == []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(config=configs(), encoding=st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "gbk")))
def test_a_config_file_in_any_encoding_is_counted_or_refused_by_field(config: dict, encoding: str) -> None:
    data = json.dumps(config, ensure_ascii=False).encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as folder:
        assert check_config_file(f"{encoding}: {json.dumps(config)[:120]}", data, Path(folder)) == []
