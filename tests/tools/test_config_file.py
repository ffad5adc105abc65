"""Reading a config.json someone gave: any encoding, bounded size, depth and numbers (tools/config_file.py).

Expected values are written by hand: the fixture's own hidden size, the line and column where JSON stops.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tools.calc.errors import CalcInputError
from tools.calc.model_description import ModelDescription
from tools.calc.resolve_model import resolve_model
from tools.config_file import MAX_CONFIG_BYTES, config_from_bytes, config_from_text, read_config_file

LLAMA = (FIXTURES / "hf-configs" / "Llama-3-8B.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-be", "gb18030", "latin-1"])
def test_a_config_in_any_encoding_reads_the_same(encoding: str) -> None:
    text = LLAMA.replace('"llama"', '"llama", "_name_or_path": "模型/中文路径"') if encoding not in (
        "latin-1",) else LLAMA
    config = config_from_bytes(text.encode(encoding))
    assert config["hidden_size"] == 4096 and config["model_type"] == "llama"


def test_a_utf8_bom_file_is_read_through_the_command_line_door(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + LLAMA.encode("utf-8"))
    assert read_config_file(path)["num_hidden_layers"] == 32


@pytest.mark.parametrize(("data", "code", "values"), [
    (b"", "config_not_json", {"line": 1, "column": 1}),
    (b'{"model_type": "llama",\n  "hidden_size": }', "config_not_json", {"line": 2, "column": 18}),
    (b"[1, 2]", "json_object", {}),
    (b'{"x": ' + b"[" * 100 + b"]" * 100 + b"}", "config_too_deep", {"maximum": 32}),
    (b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "config_too_deep", {"maximum": 32}),
    (b'{"num_hidden_layers": ' + b"9" * 5000 + b"}", "config_number_too_long", {"maximum": 30, "digits": 5000}),
    (b'{"hidden_size": NaN}', "config_not_finite", {"text": "NaN"}),
    (b'{"hidden_size": 1e999}', "config_not_finite", {"text": "1e999"}),
    (b'{"hidden_size": -Infinity}', "config_not_finite", {"text": "-Infinity"}),
])
def test_a_broken_config_is_refused_with_a_code(data: bytes, code: str, values: dict) -> None:
    with pytest.raises(CalcInputError) as caught:
        config_from_bytes(data)
    assert (caught.value.field, caught.value.code, dict(caught.value.values)) == ("config_file", code, values)


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b'{"model_type": "llama", "_name_or_path": "' + b"x" * 3_000_000 + b'"}')
    tracemalloc.start()
    try:
        with pytest.raises(CalcInputError) as caught:
            read_config_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code == "config_too_large"
    assert dict(caught.value.values) == {"maximum": "1.0 MB", "size": "3.0 MB"}
    assert MAX_CONFIG_BYTES < peak < 3 * MAX_CONFIG_BYTES  # read up to the limit, not the 3 MB


def test_a_config_with_30_million_layers_is_refused_before_any_layer_is_listed() -> None:
    config = {"model_type": "mixtral", "num_hidden_layers": 30_000_000, "hidden_size": 64, "vocab_size": 10,
              "num_attention_heads": 1, "intermediate_size": 8, "num_local_experts": 2, "num_experts_per_tok": 1}
    tracemalloc.start()
    try:
        with pytest.raises(CalcInputError) as caught:
            resolve_model(description=ModelDescription(hf_config=config_from_text(json.dumps(config))))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (caught.value.field, caught.value.value, caught.value.code) == ("num_hidden_layers", 30_000_000,
                                                                          "int_between")
    assert peak < 5_000_000  # a tuple of 3e7 layer indices alone is 240 MB


@pytest.mark.parametrize(("config", "field", "code"), [
    ({"model_type": ["llama"]}, "model_type", "text"),
    ({"model_type": "llama", "architectures": [{"a": 1}]}, "architectures", "list_of_names"),
    ({"architectures": "LlamaForCausalLM"}, "architectures", "list_of_names"),
])
def test_a_field_of_the_wrong_type_is_named(config: dict, field: str, code: str) -> None:
    with pytest.raises(CalcInputError) as caught:
        resolve_model(description=ModelDescription(hf_config=config))
    assert (caught.value.field, caught.value.code) == (field, code)
