"""Parameter counts against real implementations (tests/fixtures/models.json).

The reference counts come from instantiating HuggingFace transformers 5.23.0 and MiniMind
models and walking their parameters; nothing in the fixture was produced by this project.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.params import count_parameters, parameter_terms, terms_for_shape
from tools.calc.shapes import ModelShape, MoeShape, moe_layer_indices

REFERENCE = load_fixture("models.json")
IDS = [m["name"] for m in REFERENCE]


def _shape(model: dict) -> ModelShape:
    return shape_from_hf_config(load_fixture(model["hf_config_file"]), name=model["name"])


@pytest.mark.parametrize("model", REFERENCE, ids=IDS)
def test_totals_and_active_match_the_implementation_exactly(model: dict) -> None:
    counts = count_parameters(_shape(model))
    assert counts.total == model["total_params"]
    assert counts.active == model["active_params"]
    assert counts.active_excl_input_embedding == model["active_params_excl_input_embedding"]
    assert counts.active_excl_embedding_and_lm_head == model["active_params_excl_embedding_and_lm_head"]
    assert counts.non_embedding == model["total_params_excl_embedding_and_lm_head"]
    assert counts.embedding == model["embedding_params"]
    assert counts.routed_experts == model["routed_expert_params_total"]
    assert counts.routed_experts_active == model["routed_expert_params_active"]


@pytest.mark.parametrize("model", REFERENCE, ids=IDS)
def test_named_breakdown_matches_the_implementation(model: dict) -> None:
    parts = count_parameters(_shape(model)).parts
    for name, expected in model["breakdown"].items():
        assert parts[name] == expected, name
    # parts the reference does not list are zero (e.g. no lm_head when tied)
    for name, value in parts.items():
        if name not in model["breakdown"]:
            assert value == 0, name


def test_deepseek_v3_mtp_module_counted_apart() -> None:
    model = next(m for m in REFERENCE if m["name"] == "DeepSeek-V3")
    mtp = model["mtp_module"]
    counts = count_parameters(_shape(model))
    assert counts.total == mtp["main_total_params"]
    assert counts.mtp == mtp["mtp_unique_params"]
    assert counts.mtp_active == mtp["mtp_unique_active_params"]
    assert counts.total_with_mtp == mtp["main_plus_mtp_unique"]
    # active MTP including the (shared) output head, as DeepSeek's README_WEIGHTS counts it
    assert counts.mtp_active + counts.lm_head == mtp["mtp_active_params_incl_output_head"]


def test_minimind2_moe_routed_top1_hand_count() -> None:
    """The worked example: a user who routes MiniMind2-MoE top-1 instead of the preset's top-2.

    Hand count: 91,945,600 active at top-2 (reference), minus one routed expert per layer,
    8 layers × 3 × 640 × 1728 = 26,542,080 → 65,403,520.
    """
    model = next(m for m in REFERENCE if m["name"] == "MiniMind2-MoE")
    shape = _shape(model)
    assert count_parameters(shape).active == 91_945_600
    assert count_parameters(shape, top_k=1).active == 91_945_600 - 8 * 3 * 640 * 1728 == 65_403_520


def test_top_k_override_is_validated() -> None:
    shape = _shape(next(m for m in REFERENCE if m["name"] == "MiniMind2-MoE"))
    with pytest.raises(CalcInputError, match="top_k"):
        count_parameters(shape, top_k=5)


def test_qwen3_attention_width_is_heads_times_head_dim() -> None:
    """Qwen3 trap: head_dim 128 with hidden 2048 and 32 heads gives q width 4096, not 2048.

    Hand count per layer: q 2048·4096 + k,v 2·2048·512 + o 4096·2048 = 18,874,368.
    """
    shape = ModelShape(vocab_size=1000, hidden_size=2048, num_layers=1, num_heads=32, num_kv_heads=4,
                       head_dim=128, intermediate_size=8, qk_norm="per_head")
    counts = count_parameters(shape)
    assert counts.attention == 2048 * 4096 + 2 * 2048 * 512 + 4096 * 2048 == 18_874_368
    assert counts.attention_norm == 2 * 128


def test_layernorm_and_learned_positions_hand_count() -> None:
    """GPT-2 small (124M): LayerNorm with bias, learned positions, plain GeLU MLP, all biases, tied.

    Published count (nanoGPT model.py get_num_params with non_embedding=False): 124,439,808.
    """
    gpt2 = ModelShape(
        vocab_size=50257, hidden_size=768, num_layers=12, num_heads=12, intermediate_size=3072,
        gated_mlp=False, mlp_bias=True, attention_bias=True, attention_output_bias=True,
        norm="layernorm", tied_embeddings=True, max_position_embeddings=1024,
    )
    assert count_parameters(gpt2).total == 124_439_808


def test_mla_without_q_lora_hand_count() -> None:
    """DeepSeek-V2-Lite attention has no q LoRA: q_proj 2048·16·192, kv_a 2048·576, kv_b 512·16·256,
    o 16·128·2048, kv_a_layernorm 512."""
    from tools.calc.presets import find_preset

    shape = find_preset("deepseek-v2-lite").shape
    per_layer = 2048 * 16 * 192 + 2048 * 576 + 512 * 16 * 256 + 16 * 128 * 2048
    counts = count_parameters(shape)
    assert counts.attention == 27 * per_layer
    assert counts.attention_norm == 27 * 512


# --- properties -------------------------------------------------------------------------

dims = st.integers(min_value=1, max_value=64)


@st.composite
def shapes(draw: st.DrawFn) -> ModelShape:
    heads = draw(st.integers(1, 8))
    kv = draw(st.sampled_from([d for d in range(1, heads + 1) if heads % d == 0]))
    layers = draw(st.integers(1, 6))
    moe = None
    if draw(st.booleans()):
        experts = draw(st.integers(1, 8))
        moe = MoeShape(
            num_experts=experts, expert_intermediate_size=draw(dims), top_k=draw(st.integers(1, experts)),
            num_shared_experts=draw(st.integers(0, 2)), shared_expert_intermediate_size=draw(dims),
            moe_layers=moe_layer_indices(num_layers=layers, first_k_dense=draw(st.integers(0, layers))),
        )
    return ModelShape(
        vocab_size=draw(st.integers(1, 500)), hidden_size=draw(dims), num_layers=layers, num_heads=heads,
        num_kv_heads=kv, head_dim=draw(dims), intermediate_size=draw(dims), gated_mlp=draw(st.booleans()),
        attention_bias=draw(st.booleans()), qk_norm=draw(st.sampled_from(["none", "per_head", "full_width"])),
        norm=draw(st.sampled_from(["rmsnorm", "layernorm"])), tied_embeddings=draw(st.booleans()), moe=moe,
    )


@given(shapes())
def test_total_is_the_sum_of_the_breakdown_and_active_never_exceeds_it(shape: ModelShape) -> None:
    counts = count_parameters(shape)
    assert counts.total == sum(counts.parts.values())
    assert 0 < counts.active <= counts.total
    assert counts.non_embedding < counts.total


@given(shapes())
def test_tied_never_exceeds_untied(shape: ModelShape) -> None:
    tied = count_parameters(dataclasses.replace(shape, tied_embeddings=True)).total
    untied = count_parameters(dataclasses.replace(shape, tied_embeddings=False)).total
    assert untied - tied == shape.vocab_size * shape.hidden_size


@given(shapes())
def test_kv_heads_equal_to_heads_is_mha(shape: ModelShape) -> None:
    mha = dataclasses.replace(shape, num_kv_heads=None)
    gqa_full = dataclasses.replace(shape, num_kv_heads=shape.num_heads)
    assert count_parameters(mha) == count_parameters(gqa_full)


@given(shapes())
def test_parameters_grow_with_layers_and_width(shape: ModelShape) -> None:
    base = count_parameters(shape).total
    deeper = dataclasses.replace(shape, num_layers=shape.num_layers + 1)
    wider = dataclasses.replace(shape, hidden_size=shape.hidden_size + 1)
    assert count_parameters(deeper).total > base
    assert count_parameters(wider).total > base


@pytest.mark.parametrize("model", REFERENCE, ids=IDS)
def test_array_evaluation_uses_the_same_formulas(model: dict) -> None:
    """parameter_terms over numpy arrays gives, element by element, the scalar counts."""
    shape = _shape(model)
    scalar = terms_for_shape(shape)
    hidden = np.array([shape.hidden_size, shape.hidden_size * 2], dtype=np.int64)
    moe = shape.moe
    arrays = parameter_terms(
        vocab_size=shape.vocab_size, hidden_size=hidden, num_layers=shape.num_layers,
        num_heads=shape.num_heads, num_kv_heads=shape.num_kv_heads, head_dim=shape.head_dim,
        intermediate_size=shape.intermediate_size, num_moe_layers=shape.num_moe_layers,
        num_experts=moe.num_experts if moe else 0,
        expert_intermediate_size=moe.expert_intermediate_size if moe else 0, top_k=moe.top_k if moe else 0,
        num_shared_experts=moe.num_shared_experts if moe else 0,
        shared_expert_intermediate_size=moe.shared_expert_intermediate_size if moe else 0,
        num_mtp_modules=shape.num_mtp_modules, attention_bias=shape.attention_bias,
        attention_output_bias=shape.attention_output_bias, qk_norm=shape.qk_norm,
        shared_expert_gate=bool(moe and moe.shared_expert_gate), tied_embeddings=shape.tied_embeddings,
        mla=shape.mla,
    )
    for field in dataclasses.fields(scalar):
        value = np.broadcast_to(getattr(arrays, field.name), hidden.shape)[0]
        assert int(value) == getattr(scalar, field.name), field.name


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": -5}, "hidden_size"),
        ({"num_layers": 2.5}, "num_layers"),
        ({"num_kv_heads": 3}, "num_kv_heads"),
        ({"num_heads": 7, "hidden_size": 64}, "head_dim"),
        ({"norm": "batchnorm"}, "norm"),
        ({"intermediate_size": 0}, "intermediate_size"),
    ],
)
def test_bad_shapes_name_the_field(kwargs: dict, field: str) -> None:
    base = {"vocab_size": 100, "hidden_size": 64, "num_layers": 2, "num_heads": 4, "intermediate_size": 128}
    with pytest.raises(CalcInputError) as excinfo:
        ModelShape(**{**base, **kwargs})
    assert excinfo.value.field == field


def test_terms_total_and_active_agree_with_the_breakdown_for_every_preset() -> None:
    """``ParameterTerms.total``/``.active`` (the planner's array form) sum the same terms as the breakdown."""
    from tools.calc.presets import list_presets

    for preset in list_presets():
        terms, counts = terms_for_shape(preset.shape), count_parameters(preset.shape)
        assert (terms.total, terms.active) == (counts.total, counts.active), preset.key
