"""config.json files as they exist, for every supported family, against instantiated models.

The reference is tests/fixtures/instantiated_counts.json, written by
tests/reference_scripts/count_instantiated.py: transformers 5.23.0 models built on the meta device
and counted by walking their parameters. Small configs are made here with the same transformers
config classes (no torch needed), so the dictionaries read are the ones transformers writes; the
published files are the copies in tests/fixtures/hf-configs/ (SOURCES.md says where each came from).
"""

from __future__ import annotations

import json

import pytest
import transformers

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.params import count_parameters, terms_for_shape

REFERENCE = load_fixture("instantiated_counts.json")
MODELS = REFERENCE["models"]
BY_NAME = {m["name"]: m for m in MODELS}
CLASS_BUILT = [m for m in MODELS if m["kind"] == "class"]

# transformers 4.57.6: PretrainedConfig().to_dict() minus the keys every config sets itself. A config
# saved by 4.x with use_diff=False (and many hub files) carries these generation and task defaults.
LEGACY_4X_BASE = {
    "return_dict": True, "output_hidden_states": False, "torchscript": False, "dtype": None, "pruned_heads": {},
    "chunk_size_feed_forward": 0, "is_encoder_decoder": False, "is_decoder": False,
    "cross_attention_hidden_size": None, "add_cross_attention": False, "tie_encoder_decoder": False,
    "architectures": None, "finetuning_task": None, "id2label": {"0": "LABEL_0", "1": "LABEL_1"},
    "label2id": {"LABEL_0": 0, "LABEL_1": 1}, "task_specific_params": None, "problem_type": None,
    "tokenizer_class": None, "prefix": None, "sep_token_id": None, "decoder_start_token_id": None,
    "max_length": 20, "min_length": 0, "do_sample": False, "early_stopping": False, "num_beams": 1,
    "temperature": 1.0, "top_k": 50, "top_p": 1.0, "typical_p": 1.0, "repetition_penalty": 1.0,
    "length_penalty": 1.0, "no_repeat_ngram_size": 0, "encoder_no_repeat_ngram_size": 0, "bad_words_ids": None,
    "num_return_sequences": 1, "output_scores": False, "return_dict_in_generate": False,
    "forced_bos_token_id": None, "forced_eos_token_id": None, "remove_invalid_values": False,
    "exponential_decay_length_penalty": None, "suppress_tokens": None, "begin_suppress_tokens": None,
    "num_beam_groups": 1, "diversity_penalty": 0.0, "_name_or_path": "", "transformers_version": "4.57.6",
    "tf_legacy_loss": False, "use_bfloat16": False, "output_attentions": False,
}


def _config(model: dict) -> dict:
    """The config.json the reference model was built from: a published copy, or the class's to_dict()."""
    if model["kind"] == "published":
        return load_fixture(model["hf_config_file"])
    return getattr(transformers, model["config_class"])(**model["kwargs"]).to_dict()


_COMPARED = {  # our ParameterBreakdown attribute: the reference record's key
    "total": "total_params", "active": "active_params", "embedding": "embedding_params",
    "lm_head": "lm_head_params", "routed_experts": "routed_expert_params_total",
    "routed_experts_active": "routed_expert_params_active",
}


def _assert_matches(config: dict, model: dict) -> None:
    counts = count_parameters(shape_from_hf_config(config, name=model["name"]))
    ours = {key: getattr(counts, attribute) for attribute, key in _COMPARED.items()}
    assert ours == {key: model[key] for key in _COMPARED.values()}


def test_the_reference_was_made_with_the_pinned_versions() -> None:
    assert REFERENCE["transformers_version"] == "5.23.0" == transformers.__version__
    assert REFERENCE["torch_version"].startswith("2.13.0")
    assert REFERENCE["device"] == "meta"


@pytest.mark.parametrize("model", MODELS, ids=[m["name"] for m in MODELS])
def test_counts_match_the_instantiated_model_exactly(model: dict) -> None:
    _assert_matches(_config(model), model)


@pytest.mark.parametrize("model", MODELS, ids=[m["name"] for m in MODELS])
def test_moe_layers_are_the_instantiated_ones(model: dict) -> None:
    shape = shape_from_hf_config(_config(model))
    assert list(shape.moe.moe_layers if shape.moe else ()) == model["moe_layer_indices"]


@pytest.mark.parametrize("model", CLASS_BUILT, ids=[m["name"] for m in CLASS_BUILT])
def test_a_file_written_by_save_pretrained_reads_the_same(model: dict) -> None:
    """save_pretrained writes to_json_string(use_diff=True): only the keys that differ from PretrainedConfig."""
    config = getattr(transformers, model["config_class"])(**model["kwargs"])
    _assert_matches(json.loads(config.to_json_string()), model)


@pytest.mark.parametrize("model", CLASS_BUILT, ids=[m["name"] for m in CLASS_BUILT])
def test_transformers_4_generation_and_task_defaults_are_count_neutral(model: dict) -> None:
    config = {**LEGACY_4X_BASE, **_config(model)}
    config["transformers_version"] = "4.57.6"
    _assert_matches(config, model)


# --- the two configs ------------------------------------------------------------------------


def test_qwen3_moe_saved_by_current_transformers_names_experts_num_local_experts() -> None:
    config = transformers.Qwen3MoeConfig(num_hidden_layers=2, num_local_experts=8, num_experts_per_tok=2).to_dict()
    assert "num_local_experts" in config and "num_experts" not in config
    shape = shape_from_hf_config(config)
    assert shape.moe.num_experts == 8
    older = {**{k: v for k, v in config.items() if k != "num_local_experts"}, "num_experts": 8}  # transformers 4.x
    assert count_parameters(shape_from_hf_config(older)) == count_parameters(shape)


def test_deepseek_v2_with_mlp_bias_false_is_read() -> None:
    config = transformers.DeepseekV2Config(num_hidden_layers=2, num_experts_per_tok=2).to_dict()
    assert config["mlp_bias"] is False
    assert shape_from_hf_config(config).mlp_bias is False


# --- parts against the instantiated model's named parameters (hand-grouped) -------------------------


def test_gpt_oss_sinks_router_bias_and_expert_biases() -> None:
    model = BY_NAME["tiny-gpt-oss"]
    terms = terms_for_shape(shape_from_hf_config(_config(model)))
    by_name = model["by_name"]
    # hand count: 3 layers × 4 heads sinks; router bias 3 × 8; expert biases 3 × 8 × (2·48 + 64)
    assert by_name["model.layers.*.self_attn.sinks"] == terms.attention_sinks == 3 * 4
    assert by_name["model.layers.*.mlp.router.bias"] == terms.router_biases == 3 * 8
    expert_biases = by_name["model.layers.*.mlp.experts.gate_up_proj_bias"] + by_name[
        "model.layers.*.mlp.experts.down_proj_bias"]
    assert expert_biases == terms.routed_expert_biases == 3 * 8 * (2 * 48 + 64)


def test_ernie_score_correction_bias_is_a_parameter_and_deepseek_style_ones_are_buffers() -> None:
    ernie = BY_NAME["tiny-ernie4_5-moe"]
    terms = terms_for_shape(shape_from_hf_config(_config(ernie)))
    # MoE layers: i in [1, 4] with (i + 1) % 2 == 0 → 1 and 3; 8 experts each
    assert ernie["moe_layer_indices"] == [1, 3]
    assert ernie["by_name"]["model.layers.*.mlp.gate.moe_statics.e_score_correction_bias"] == terms.router_biases == 16
    for name in ("tiny-glm4-moe", "tiny-dots1", "tiny-deepseek-v3", "GLM-4.5", "dots.llm1"):
        buffers = BY_NAME[name]["buffers"]
        assert any(key.endswith("e_score_correction_bias") for key in buffers), name
        assert not any(key.endswith("e_score_correction_bias") for key in BY_NAME[name]["by_name"]), name


def test_llama4_dense_layers_use_intermediate_size_mlp() -> None:
    model = BY_NAME["tiny-llama4-interleaved"]  # 4 layers, interleave step 2 → MoE layers 1 and 3
    assert model["moe_layer_indices"] == [1, 3]
    counts = count_parameters(shape_from_hf_config(_config(model)))
    dense = sum(v for k, v in model["by_name"].items() if k.startswith("model.layers.*.feed_forward.")
                and ".experts." not in k and "shared_expert" not in k and "router" not in k)
    assert dense == counts.dense_mlp == 2 * 3 * 64 * 96  # 2 dense layers × gate/up/down × hidden × mlp width


def test_hunyuan_per_head_norms_and_shared_mlp() -> None:
    model = BY_NAME["tiny-hunyuan-v1-moe"]  # head_dim 24, 3 layers, intermediate 48
    by_name = model["by_name"]
    assert by_name["model.layers.*.self_attn.query_layernorm.weight"] == 3 * 24
    shared = sum(v for k, v in by_name.items() if ".mlp.shared_mlp." in k)
    assert shared == count_parameters(shape_from_hf_config(_config(model))).shared_experts == 3 * 3 * 64 * 48


def test_glm_attention_biases_are_on_q_k_v_only() -> None:
    model = BY_NAME["tiny-glm4-moe"]  # 4 heads, 2 kv heads, head_dim 24
    by_name = model["by_name"]
    assert "model.layers.*.self_attn.o_proj.bias" not in by_name
    biases = sum(v for k, v in by_name.items() if k.startswith("model.layers.*.self_attn.") and k.endswith(".bias"))
    assert biases == terms_for_shape(shape_from_hf_config(_config(model))).attention_biases == 4 * (96 + 2 * 48)


def test_deepseek_v2_mlp_bias_is_on_dense_and_fused_shared_experts_only() -> None:
    model = BY_NAME["tiny-deepseek-v2-mlp-bias"]  # 1 dense layer (96), 2 MoE layers, 2 shared of 32 fused as 64
    terms = terms_for_shape(shape_from_hf_config(_config(model)))
    assert terms.dense_mlp_biases == 1 * (2 * 96 + 64)
    assert terms.shared_expert_biases == 2 * (2 * 64 + 64)
    assert terms.routed_expert_biases == 0
    assert not any("experts.gate_up_proj_bias" in k for k in model["by_name"])


# --- fields that change the count: counted above, or refused by name -----------------------------------

LLAMA = transformers.LlamaConfig(num_hidden_layers=2, hidden_size=64, num_attention_heads=4, vocab_size=100).to_dict()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({**LLAMA, "pruned_heads": {"0": [1]}}, "pruned_heads"),
        ({**LLAMA, "layer_types": ["full_attention", "linear_attention"]}, "layer_types"),
        ({**LLAMA, "torchscript": True}, "torchscript"),
        ({**LLAMA, "add_cross_attention": True}, "add_cross_attention"),
        ({**LLAMA, "model_type": "mistral", "attention_bias": True}, "attention_bias"),
        ({**LLAMA, "model_type": "qwen2", "qkv_bias": False}, "qkv_bias"),
        ({**transformers.DeepseekV3Config(num_hidden_layers=4).to_dict(), "mlp_bias": True}, "mlp_bias"),
        ({**transformers.DeepseekV3Config(num_hidden_layers=4).to_dict(), "moe_layer_freq": 2}, "moe_layer_freq"),
        ({**transformers.Ernie4_5_MoeConfig(num_hidden_layers=2).to_dict(), "use_bias": True}, "use_bias"),
        ({**load_fixture("hf-configs/Hunyuan-A13B.json"), "moe_topk": [8] * 31 + [4]}, "moe_topk"),
        ({**load_fixture("hf-configs/Hunyuan-A13B.json"), "moe_intermediate_size": 2048}, "moe_intermediate_size"),
        ({**load_fixture("hf-configs/Hunyuan-A13B.json"), "use_cla": True}, "use_cla"),
        ({**load_fixture("hf-configs/gpt-oss-20b.json"), "experts_per_token": 2}, "experts_per_token"),
        ({**load_fixture("hf-configs/GLM-4.5.json"), "num_local_experts": 128}, "num_local_experts"),
        ({**transformers.OlmoeConfig(num_hidden_layers=2).to_dict(), "head_dim": 64}, "head_dim"),
    ],
)
def test_count_changing_fields_that_are_not_modelled_are_refused_by_name(config: dict, field: str) -> None:
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field == field


def test_moe_layer_freq_refusal_explains_the_two_implementations() -> None:
    config = {**load_fixture("hf-configs/tiny-deepseekv3.json"), "moe_layer_freq": 2}
    with pytest.raises(CalcInputError, match="modeling_deepseek.py") as excinfo:
        shape_from_hf_config(config)
    assert "transformers" in excinfo.value.why


def test_the_multimodal_llama4_config_points_to_its_text_config() -> None:
    config = {"model_type": "llama4", "text_config": load_fixture("hf-configs/Llama-4-Scout-17B-16E.text_config.json")}
    with pytest.raises(CalcInputError, match="text_config") as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field == "model_type"
    assert count_parameters(shape_from_hf_config(config["text_config"])).total == BY_NAME[
        "Llama-4-Scout-17B-16E"]["total_params"]


def test_equal_per_layer_lists_read_as_one_value() -> None:
    """Hunyuan-A13B lists moe_topk for each of its 32 layers; all 8 → top-8, as a scalar 8 reads."""
    listed = load_fixture("hf-configs/Hunyuan-A13B.json")
    scalar = {**listed, "moe_topk": 8, "num_shared_expert": 1, "moe_intermediate_size": 3072}
    assert count_parameters(shape_from_hf_config(listed)) == count_parameters(shape_from_hf_config(scalar))
    assert shape_from_hf_config(listed).moe.top_k == 8


def test_hunyuan_needs_a_head_width() -> None:
    config = {k: v for k, v in load_fixture("hf-configs/Hunyuan-A13B.json").items() if k != "attention_head_dim"}
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config(config)
    assert excinfo.value.field == "head_dim"


@pytest.mark.parametrize("model", CLASS_BUILT, ids=[m["name"] for m in CLASS_BUILT])
def test_every_reader_refuses_a_field_it_does_not_know(model: dict) -> None:
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config({**_config(model), "num_extra_experts": 4})
    assert excinfo.value.field == "num_extra_experts"


@pytest.mark.parametrize(
    "name", ["tiny-qwen3-moe", "tiny-glm4-moe", "tiny-gpt-oss", "tiny-dots1", "tiny-mixtral-head-dim"]
)
def test_mlp_bias_on_a_family_without_mlp_biases_is_not_ignored(name: str) -> None:
    with pytest.raises(CalcInputError) as excinfo:
        shape_from_hf_config({**_config(BY_NAME[name]), "mlp_bias": True})
    assert excinfo.value.field == "mlp_bias"
