"""Reading config.json files: every family reader, and clear errors for what it cannot read."""

from __future__ import annotations

import pytest

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.hf_config import minimind2_ffn_width, minimind3_ffn_width, shape_from_hf_config
from tools.calc.params import count_parameters

LLAMA = load_fixture("hf-configs/Llama-3-8B.json")


def test_minimind_ffn_widths_from_its_code() -> None:
    # model_minimind.py @ c090b69: 64 * ceil(int(640*8/3)/64) = 64 * ceil(1706/64) = 64 * 27 = 1728
    assert minimind2_ffn_width(640) == 1728
    assert minimind2_ffn_width(512) == 1408
    assert minimind2_ffn_width(768) == 2048
    # minimind-3 (reference note): 64 * ceil(768*pi/64) = 64 * 38 = 2432
    assert minimind3_ffn_width(768) == 2432


def test_model_type_can_come_from_architectures() -> None:
    config = {k: v for k, v in LLAMA.items() if k != "model_type"}
    assert count_parameters(shape_from_hf_config(config)).total == 8_030_261_248


def test_unknown_family_names_model_type() -> None:
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config({**LLAMA, "model_type": "mamba"})
    assert excinfo.value.field == "model_type"
    assert "llama" in excinfo.value.expected


def test_field_that_could_change_the_count_is_not_ignored() -> None:
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config({**LLAMA, "num_local_experts": 8})
    assert excinfo.value.field == "num_local_experts"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hidden_size": None}, "hidden_size"),
        ({"num_hidden_layers": "32"}, "num_hidden_layers"),
        ({"tie_word_embeddings": "yes"}, "tie_word_embeddings"),
        ({"num_key_value_heads": 5}, "num_key_value_heads"),
    ],
)
def test_missing_or_malformed_fields_are_named(change: dict, field: str) -> None:
    config = {**LLAMA, **change}
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field in (field, field.replace("num_key_value_heads", "num_kv_heads"))


def test_not_an_object() -> None:
    with pytest.raises(CalcInputError, match="JSON object"):
        shape_from_hf_config([1, 2])  # type: ignore[arg-type]


def test_deepseek_attention_bias_is_refused_not_guessed() -> None:
    config = {**load_fixture("hf-configs/tiny-deepseekv3.json"), "attention_bias": True}
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field == "attention_bias"


def test_qwen2_moe_sparse_step_and_mlp_only_layers() -> None:
    """decoder_sparse_step=2 makes layers 1 and 3 MoE; mlp_only_layers=[3] leaves only layer 1.

    Hand count of the dense FFN that replaces MoE: 3 layers × 3 × 256 × 512.
    """
    config = {**load_fixture("hf-configs/tiny-qwen2moe.json"), "decoder_sparse_step": 2, "mlp_only_layers": [3]}
    shape = shape_from_hf_config(config)
    assert shape.moe.moe_layers == (1,)
    assert count_parameters(shape).dense_mlp == 3 * 3 * 256 * 512


def test_mixed_minimind_generations_are_refused() -> None:
    config = {**load_fixture("hf-configs/minimind-3-moe.json"), "n_routed_experts": 4}
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field == "n_routed_experts"
