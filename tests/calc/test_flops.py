"""Training FLOPs against measured forward+backward passes (tests/fixtures/flops.json).

The measurements are torch.utils.flop_counter counts around real forward and backward passes.
Some runs used kernels the counter cannot see (SDPA / flash attention / grouped_mm experts):
their records say so with a non-zero ``residual_vs_exact`` and are checked apart.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tools.calc.errors import CalcInputError
from tools.calc.flops import flops_per_token, six_nd_flops, training_flops
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.presets import find_preset

MODELS = {m["name"]: m for m in load_fixture("models.json")}
MEASURED = load_fixture("flops.json")
VISIBLE = [r for r in MEASURED if r["residual_vs_exact"] == 0]
HIDDEN_KERNELS = [r for r in MEASURED if r["residual_vs_exact"] != 0]


def _shape_for(record: dict):
    name = record["name"].split(" [")[0]
    return shape_from_hf_config(load_fixture(MODELS[name]["hf_config_file"]), name=name)


@pytest.mark.parametrize("record", VISIBLE, ids=[f"{r['name']} S={r['seq']}" for r in VISIBLE])
def test_detailed_count_reproduces_measured_training_flops(record: dict) -> None:
    flops = training_flops(_shape_for(record), tokens=record["tokens"], seq_len=record["seq"], attention="full")
    assert flops.detailed_flops == pytest.approx(record["total_flops"], rel=0.01)
    assert flops.flops_per_token.forward_flops == pytest.approx(record["forward_flops_per_token"], rel=0.01)


@pytest.mark.parametrize("record", HIDDEN_KERNELS, ids=[r["name"] for r in HIDDEN_KERNELS])
def test_fused_kernels_hide_flops_from_the_counter(record: dict) -> None:
    """SDPA/flash/grouped_mm runs measure less than the real work: our count is above them."""
    flops = training_flops(_shape_for(record), tokens=record["tokens"], seq_len=record["seq"])
    assert flops.detailed_flops > record["total_flops"]


def test_at_least_the_full_size_models_are_checked() -> None:
    checked = {r["name"].split(" [")[0] for r in VISIBLE}
    assert {"DeepSeek-V3", "Mixtral-8x7B-v0.1", "Qwen1.5-MoE-A2.7B", "Llama-3-8B", "MiniMind2-MoE"} <= checked


def test_causal_convention_matches_megatron_formula_for_llama3_8b() -> None:
    """literature.md §7a, Megatron-LM num_floating_point_operations, per token at S = 2048.

    token-linear: 6·[h·d_ff·3·L + L·(h·(q+k+v) + q·h) + h·V]
    attention core: 6·S·(q/2·2)·L (causal halving, QKᵀ and PV doubling)
    """
    h, d_ff, layers, vocab, seq = 4096, 14336, 32, 128256, 2048
    q, kv = 32 * 128, 8 * 128
    token_linear = 6 * (h * d_ff * 3 * layers + layers * (h * (q + kv + kv) + q * h) + h * vocab)
    core = 6 * seq * (q / 2 * 2) * layers
    ours = flops_per_token(find_preset("llama-3-8b").shape, seq_len=seq, attention="causal")
    assert ours.training_flops == pytest.approx(token_linear + core, rel=1e-9)


def test_six_nd_uses_active_parameters_hand_value() -> None:
    """MiniMind2-MoE top-2: 6 × 91,945,600 × 14.7968e9 tokens (28.9M samples × 512)."""
    shape = find_preset("minimind2-moe").shape
    flops = training_flops(shape, tokens=28.9e6 * 512, seq_len=512)
    assert flops.six_nd_flops == pytest.approx(6 * 91_945_600 * 14.7968e9, rel=1e-9)
    assert flops.active_params == 91_945_600


def test_full_recompute_adds_one_forward() -> None:
    shape = find_preset("llama-3-8b").shape
    plain = flops_per_token(shape, seq_len=4096)
    full = flops_per_token(shape, seq_len=4096, recompute="full")
    selective = flops_per_token(shape, seq_len=4096, recompute="selective")
    assert full.training_flops == pytest.approx(4 * plain.forward_flops)
    assert plain.training_flops == pytest.approx(3 * plain.forward_flops)
    assert plain.training_flops < selective.training_flops < full.training_flops


def test_mtp_flops_only_when_asked() -> None:
    shape = find_preset("deepseek-v3").shape
    without = flops_per_token(shape, seq_len=4096)
    with_mtp = flops_per_token(shape, seq_len=4096, include_mtp=True)
    assert without.forward_by_component["mtp"] == 0
    assert with_mtp.forward_flops > without.forward_flops


@given(st.floats(min_value=1e3, max_value=1e13), st.floats(min_value=1.5, max_value=100))
def test_flops_are_linear_in_tokens(tokens: float, factor: float) -> None:
    shape = find_preset("minimind2-moe").shape
    one = training_flops(shape, tokens=tokens, seq_len=512)
    more = training_flops(shape, tokens=tokens * factor, seq_len=512)
    assert more.detailed_flops == pytest.approx(one.detailed_flops * factor, rel=1e-9)
    assert more.six_nd_flops == pytest.approx(one.six_nd_flops * factor, rel=1e-9)


@given(st.integers(1, 8))
def test_more_routed_experts_per_token_cost_more(top_k_extra: int) -> None:
    shape = find_preset("deepseek-v3").shape
    moe = dataclasses.replace(shape.moe, top_k=top_k_extra)
    base = flops_per_token(dataclasses.replace(shape, moe=moe), seq_len=1024).forward_flops
    assert flops_per_token(shape, seq_len=1024, top_k=top_k_extra + 1).forward_flops > base


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"seq_len": 0}, "seq_len"), ({"attention": "sparse"}, "attention"), ({"recompute": "some"}, "recompute")],
)
def test_bad_flop_arguments_name_the_field(kwargs: dict, field: str) -> None:
    args = {"seq_len": 512, **kwargs}
    with pytest.raises(CalcInputError) as excinfo:
        flops_per_token(find_preset("minimind2").shape, **args)
    assert excinfo.value.field == field


def test_six_nd_rejects_nonsense() -> None:
    with pytest.raises(CalcInputError, match="tokens"):
        six_nd_flops(params=1e9, tokens=-1)


# --- the 2025 MoE families: sinks and biases are parameters, not matmul FLOPs --------------------------

INSTANTIATED = {m["name"]: m for m in load_fixture("instantiated_counts.json")["models"]}


def test_gpt_oss_flops_leave_out_sinks_and_biases() -> None:
    """tiny-gpt-oss: 3 layers, hidden 64, 4 heads × 24, 2 kv heads, 8 experts of 48, top-2, vocab 1000.

    Hand count per token (forward, 2 FLOPs per multiply-accumulate, no bias or sink terms):
    projections 3 · 2 · (64·96 + 2·64·48 + 96·64); router 3 · 2 · 64·8; experts 3 · 2 · 2 · 3·64·48.
    """
    import transformers

    model = INSTANTIATED["tiny-gpt-oss"]
    shape = shape_from_hf_config(getattr(transformers, model["config_class"])(**model["kwargs"]).to_dict())
    parts = flops_per_token(shape, seq_len=16).forward_by_component
    assert parts["attention_projections"] == 3 * 2 * (64 * 96 + 2 * 64 * 48 + 96 * 64)
    assert parts["router"] == 3 * 2 * 64 * 8
    assert parts["routed_experts"] == 3 * 2 * 2 * 3 * 64 * 48
    assert parts["logits"] == 2 * 1000 * 64


@pytest.mark.parametrize("key", ["glm-4.5", "gpt-oss-120b", "llama-4-maverick", "ernie-4.5-300b-a47b",
                                 "hunyuan-a13b", "dots.llm1"])
def test_new_presets_have_a_detailed_count_near_six_nd(key: str) -> None:
    """At a short sequence the attention core is small, so detailed ≈ 6·N_active within the embedding share."""
    flops = training_flops(find_preset(key).shape, tokens=1e9, seq_len=512)
    assert 0.85 < flops.detailed_over_six_nd < 1.15
    assert flops.flops_per_token.forward_by_component["mtp"] == 0.0
