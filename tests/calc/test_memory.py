"""Training memory against the ZeRO paper, Korthikanti et al. 2022 and hand calculations (literature §10)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.calc.errors import CalcInputError
from tools.calc.hardware import find_gpu
from tools.calc.memory import (
    DEFAULT_OVERHEAD_BYTES,
    OPTIMIZER_STATES,
    bytes_to_gb,
    bytes_to_gib,
    estimate_activation_memory,
    estimate_training_memory,
    model_state_bytes,
)

A100 = find_gpu("a100-80gb")
RTX4090 = find_gpu("rtx-4090")


def test_optimizer_table_bytes_per_param() -> None:
    # literature §10 / §7d: 16 (ZeRO §3), 18 (fp32 grads, cookbook default); cookbook comments:
    # SGD 4 + 4 = 8 and 8-bit Adam 2 + 2 + 2 = 6 optimizer bytes on top of 2 + 2.
    expected = {"adamw_mixed": 16, "adamw_mixed_fp32_grads": 18, "adamw_fp32": 16,
                "adamw_8bit_mixed": 10, "sgd_momentum_mixed": 12, "muon_mixed": 12}
    assert {name: s.total_bytes_per_param for name, s in OPTIMIZER_STATES.items()} == expected
    assert OPTIMIZER_STATES["adamw_mixed"].optimizer_bytes == 12  # K = 12 in the ZeRO paper


# ZeRO paper worked example (literature §10): Ψ = 7.5B, N_d = 64, GB = 1e9 bytes.
#   stage 0: 16 × 7.5      = 120 GB
#   stage 1: 4 × 7.5 + 12 × 7.5 / 64 = 30 + 1.40625 = 31.40625 GB  (paper: 31.4)
#   stage 2: 2 × 7.5 + 14 × 7.5 / 64 = 15 + 1.640625 = 16.640625 GB (paper: 16.6)
#   stage 3: 16 × 7.5 / 64 = 1.875 GB                                (paper: 1.9)
@pytest.mark.parametrize(("stage", "exact_gb", "paper_gb"),
                         [(0, 120.0, 120.0), (1, 31.40625, 31.4), (2, 16.640625, 16.6), (3, 1.875, 1.9)])
def test_zero_paper_worked_example(stage: int, exact_gb: float, paper_gb: float) -> None:
    states = model_state_bytes(total_params=7_500_000_000, optimizer="adamw_mixed", zero_stage=stage,
                               data_parallel=64)
    assert bytes_to_gb(states.total_bytes) == pytest.approx(exact_gb, rel=1e-12)
    assert bytes_to_gb(states.total_bytes) == pytest.approx(paper_gb, abs=0.05)  # paper rounds to 0.1 GB
    assert states.total_bytes == states.weights_bytes + states.grads_bytes + states.optimizer_bytes


def test_zero_stages_with_fp32_grads() -> None:
    # 18 B/param recipe (2 + 4 + 12), Ψ = 1e9, N_d = 8: stage 2 keeps 2Ψ and shards (4 + 12)Ψ.
    states = model_state_bytes(total_params=10**9, optimizer="adamw_mixed_fp32_grads", zero_stage=2,
                               data_parallel=8)
    assert (states.weights_bytes, states.grads_bytes, states.optimizer_bytes) == (2e9, 0.5e9, 1.5e9)


S, A, H = 2048, 96, 12288  # GPT-3 175B: sequence, heads, hidden (Korthikanti §5)


def test_korthikanti_gpt3_ratio() -> None:
    assert 5 * A * S / H == 80  # literature §10: 5as/h = 80 for GPT-3
    sbh = S * 1 * H
    kwargs = {"seq_len": S, "micro_batch": 1, "hidden": H, "num_layers": 96, "num_heads": A}
    none = estimate_activation_memory(**kwargs, recompute="none", flash_attention=False)
    selective = estimate_activation_memory(**kwargs, recompute="selective", flash_attention=False)
    full = estimate_activation_memory(**kwargs, recompute="full", flash_attention=False)
    assert none.per_layer_bytes == sbh * (34 + 80)
    assert none.attention_scores_bytes_per_layer == 5 * A * S * S  # 5as²b, b = 1
    assert selective.per_layer_bytes == 34 * sbh
    assert full.per_layer_bytes == 2 * sbh
    assert none.total_bytes == 96 * sbh * 114
    # "~70% of activation memory saved" by selective recompute (Korthikanti §5): 80/114 = 70.2%.
    assert 1 - selective.total_bytes / none.total_bytes == pytest.approx(0.70, abs=0.01)


def test_flash_attention_drops_the_score_term() -> None:
    flash = estimate_activation_memory(seq_len=S, micro_batch=2, hidden=H, num_layers=1, num_heads=A,
                                       recompute="none", flash_attention=True)
    assert flash.per_layer_bytes == 34 * S * 2 * H
    assert flash.attention_scores_bytes_per_layer == 0
    assert any("FlashAttention" in note for note in flash.notes)
    assert any("4h GeLU" in note and "approximate" in note for note in flash.notes)


def test_fp32_activations_follow_the_cookbook_generalisation() -> None:
    # cookbook: s·b·h·[(16B + 2) + (2B + 1)·a·s/h]; B = 4 gives 66 + 9as/h = 66 + 144 at GPT-3 shape.
    fp32 = estimate_activation_memory(seq_len=S, micro_batch=1, hidden=H, num_layers=1, num_heads=A,
                                      recompute="none", flash_attention=False, bytes_per_value=4)
    assert fp32.per_layer_bytes == S * H * (66 + 144)


def test_moe_mlp_scaling() -> None:
    h, s = 1024, 512
    sbh = s * h
    common = {"seq_len": s, "micro_batch": 1, "hidden": h, "num_layers": 1, "num_heads": 8,
              "recompute": "selective", "flash_attention": False}
    # top-1 to one 4h-wide expert is the dense layer.
    dense = estimate_activation_memory(**common)
    assert estimate_activation_memory(**common, moe_top_k=1, moe_ffn_hidden=4 * h).per_layer_bytes == \
        dense.per_layer_bytes == 34 * sbh
    # top-2 to 4h-wide experts: MLP = 2 inputs × 2sbh + 2 experts × 16sbh + mask sbh = 37sbh; other 15sbh.
    assert estimate_activation_memory(**common, moe_top_k=2, moe_ffn_hidden=4 * h).per_layer_bytes == 52 * sbh
    with pytest.raises(CalcInputError) as info:
        estimate_activation_memory(**common, moe_top_k=2)
    assert info.value.field == "moe_ffn_hidden"


MODEL_7B = {"total_params": 7_000_000_000, "seq_len": 4096, "hidden": 4096, "num_layers": 32, "num_heads": 32}


def test_hand_calculation_7b_on_8_a100() -> None:
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=A100, gpu_count=8, zero_stage=3, optimizer="adamw_mixed", micro_batch=1,
        recompute="selective", flash_attention=True, overhead_bytes=0,
    )
    activations = 34 * 4096 * 1 * 4096 * 32  # 34·s·b·h·L = 18,253,611,008 bytes
    assert estimate.weights_bytes == 2 * 7e9 / 8
    assert estimate.grads_bytes == 2 * 7e9 / 8
    assert estimate.optimizer_bytes == 12 * 7e9 / 8
    assert estimate.activations_bytes == activations
    assert estimate.total_bytes == pytest.approx(14e9 + activations, rel=1e-12)  # 32.25 GB
    assert estimate.capacity_bytes == 80e9
    assert estimate.fits and estimate.suggestions == ()
    assert estimate.headroom_bytes == pytest.approx(80e9 - 14e9 - activations, rel=1e-12)


def test_suggests_every_zero_stage_that_fits() -> None:
    # Stage 0: 112 GB + 18.25 GB > 80 GB. Stage 1: 28 + 10.5 + 18.25 = 56.75 GB; stage 2:
    # 14 + 12.25 + 18.25 = 44.5 GB; stage 3: 14 + 18.25 = 32.25 GB. Full recompute alone:
    # 112 + 1.07 GB, no. The fewest GPUs with ZeRO-3 is 2 (< 8), so no count suggestion.
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=A100, gpu_count=8, zero_stage=0, optimizer="adamw_mixed", micro_batch=1,
        recompute="selective", flash_attention=True, overhead_bytes=0,
    )
    assert not estimate.fits
    assert [s.zero_stage for s in estimate.suggestions] == [1, 2, 3]
    assert all(s.gpu_count is None and s.recompute is None for s in estimate.suggestions)
    assert estimate.suggestions[0].total_bytes == pytest.approx(56.75e9, rel=1e-3)  # 28 + 10.5 + 18.25 GB
    assert estimate.suggestions[0].capacity_bytes == 80e9


def test_suggests_the_fewest_gpus_with_zero3() -> None:
    # 7B on one 4090, full recompute + FlashAttention: activations 2·s·h·L = 1,073,741,824 bytes.
    # ZeRO-3 over N: 112e9 / N + 1.07e9 <= 24e9  ->  N >= 4.885  ->  5 GPUs
    # (4 GPUs: 28.0 + 1.07 = 29.07 GB, no; 5 GPUs: 22.4 + 1.07 = 23.47 GB, yes).
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=RTX4090, gpu_count=1, zero_stage=0, optimizer="adamw_mixed", micro_batch=1,
        recompute="full", flash_attention=True, overhead_bytes=0,
    )
    assert not estimate.fits
    (suggestion,) = estimate.suggestions
    assert (suggestion.gpu_count, suggestion.zero_stage) == (5, 3)
    assert suggestion.total_bytes == pytest.approx(112e9 / 5 + 1_073_741_824, rel=1e-9)  # 23.47 GB of 24


def test_falls_back_to_a_combination_when_no_single_change_fits() -> None:
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=RTX4090, gpu_count=8, zero_stage=0, optimizer="adamw_mixed", micro_batch=4,
        recompute="none", flash_attention=False, overhead_bytes=DEFAULT_OVERHEAD_BYTES,
    )
    assert not estimate.fits
    assert estimate.suggestions and all(s.recompute == "full" for s in estimate.suggestions)
    _assert_suggestions_fit(estimate.suggestions)


def test_nothing_fits_gives_no_suggestions() -> None:
    # Overhead alone exceeds the card: no change can help, so nothing is suggested.
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=RTX4090, gpu_count=8, zero_stage=3, optimizer="adamw_mixed", micro_batch=1,
        recompute="full", flash_attention=True, overhead_bytes=30 * 2**30,
    )
    assert not estimate.fits and estimate.suggestions == ()
    assert estimate.headroom_bytes < 0


def test_no_gpu_count_suggestion_beyond_the_limit() -> None:
    # 1,000 bytes of room per GPU would need ~1e8 GPUs: more than the 1e6 limit, so no suggestion.
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=RTX4090, gpu_count=1, zero_stage=0, optimizer="adamw_mixed", micro_batch=1,
        recompute="full", flash_attention=True, overhead_bytes=24_000_000_000 - 1_073_741_824 - 1_000,
    )
    assert not estimate.fits and estimate.suggestions == ()


def test_default_overhead_is_echoed() -> None:
    assert DEFAULT_OVERHEAD_BYTES == 5 * 2**30  # cookbook: "~5GiB ... with Megatron-DeepSpeed"
    estimate = estimate_training_memory(
        **MODEL_7B, gpu=A100, gpu_count=8, zero_stage=3, optimizer="adamw_mixed", micro_batch=1,
        recompute="selective", flash_attention=True,
    )
    assert estimate.overhead_bytes == DEFAULT_OVERHEAD_BYTES
    assert any("cookbook" in note for note in estimate.notes)
    assert bytes_to_gib(estimate.overhead_bytes) == 5.0


def _assert_suggestions_fit(suggestions: tuple) -> None:
    for suggestion in suggestions:
        assert suggestion.total_bytes <= suggestion.capacity_bytes


def _total(**overrides) -> float:
    kwargs = {**MODEL_7B, "gpu": A100, "gpu_count": 8, "zero_stage": 0, "optimizer": "adamw_mixed",
              "micro_batch": 1, "recompute": "none", "flash_attention": False, "overhead_bytes": 0,
              **overrides}
    return estimate_training_memory(**kwargs).total_bytes


configs = st.fixed_dictionaries({
    "total_params": st.integers(min_value=10**6, max_value=10**12),
    "seq_len": st.integers(min_value=1, max_value=32_768),
    "micro_batch": st.integers(min_value=1, max_value=64),
    "hidden": st.integers(min_value=64, max_value=16_384),
    "num_layers": st.integers(min_value=1, max_value=128),
    "num_heads": st.integers(min_value=1, max_value=128),
    "flash_attention": st.booleans(),
    "optimizer": st.sampled_from(sorted(OPTIMIZER_STATES)),
    "gpu_count": st.integers(min_value=1, max_value=4096),
})


@settings(derandomize=True, max_examples=200)
@given(config=configs, recompute=st.sampled_from(["none", "selective", "full"]))
def test_memory_non_increasing_with_zero_stage(config: dict, recompute: str) -> None:
    totals = [_total(**config, zero_stage=stage, recompute=recompute) for stage in range(4)]
    assert all(later <= earlier for earlier, later in zip(totals, totals[1:], strict=False))


@settings(derandomize=True, max_examples=200)
@given(config=configs, stage=st.integers(min_value=1, max_value=3),
       extra=st.integers(min_value=1, max_value=512))
def test_memory_non_increasing_with_gpu_count(config: dict, stage: int, extra: int) -> None:
    fewer = _total(**config, zero_stage=stage)
    more = _total(**{**config, "gpu_count": config["gpu_count"] + extra}, zero_stage=stage)
    assert more <= fewer


@settings(derandomize=True, max_examples=200)
@given(config=configs, stage=st.integers(min_value=0, max_value=3))
def test_recompute_full_le_selective_le_none(config: dict, stage: int) -> None:
    full, selective, none = (_total(**config, zero_stage=stage, recompute=mode)
                             for mode in ("full", "selective", "none"))
    assert full <= selective <= none


@settings(derandomize=True, max_examples=200)
@given(config=configs, stage=st.integers(min_value=0, max_value=3),
       recompute=st.sampled_from(["none", "selective", "full"]), overhead=st.integers(0, 10 * 2**30))
def test_total_is_sum_of_parts_and_suggestions_fit(
    config: dict, stage: int, recompute: str, overhead: int
) -> None:
    gpu = RTX4090
    estimate = estimate_training_memory(**config, gpu=gpu, zero_stage=stage, recompute=recompute,
                                        overhead_bytes=overhead)
    parts = (estimate.weights_bytes + estimate.grads_bytes + estimate.optimizer_bytes
             + estimate.activations_bytes + estimate.overhead_bytes)
    assert estimate.total_bytes == pytest.approx(parts, rel=1e-12)
    assert estimate.fits == (estimate.total_bytes <= 24e9)
    if estimate.fits:
        assert estimate.suggestions == ()
    _assert_suggestions_fit(estimate.suggestions)


BAD = [
    ("zero_stage", {"zero_stage": 4}), ("zero_stage", {"zero_stage": -1}),
    ("optimizer", {"optimizer": "adam"}),
    ("recompute", {"recompute": "partial"}), ("flash_attention", {"flash_attention": "yes"}),
    ("gpu_count", {"gpu_count": 0}), ("gpu_count", {"gpu_count": 1_000_001}),
    ("total_params", {"total_params": 0}),
    ("total_params", {"total_params": 7.0e9}), ("seq_len", {"seq_len": 0}),
    ("micro_batch", {"micro_batch": 0}),
    ("hidden", {"hidden": -4}), ("num_layers", {"num_layers": 0}), ("num_heads", {"num_heads": 0}),
    ("overhead_bytes", {"overhead_bytes": -1}), ("moe_ffn_hidden", {"moe_top_k": 2}),
    ("moe_top_k", {"moe_top_k": 0, "moe_ffn_hidden": 1024}), ("gpu", {"gpu": "4090"}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_names_the_field(field: str, overrides: dict) -> None:
    kwargs = {**MODEL_7B, "gpu": A100, "gpu_count": 8, "zero_stage": 0, "optimizer": "adamw_mixed",
              "micro_batch": 1, "recompute": "none", "flash_attention": False, **overrides}
    with pytest.raises(CalcInputError) as info:
        estimate_training_memory(**kwargs)
    assert info.value.field == field


def test_model_state_bad_data_parallel() -> None:
    with pytest.raises(CalcInputError) as info:
        model_state_bytes(total_params=10**9, optimizer="adamw_mixed", zero_stage=1, data_parallel=0)
    assert info.value.field == "data_parallel"


@pytest.mark.parametrize("key", ["glm-4.5-air", "gpt-oss-20b", "llama-4-scout", "ernie-4.5-21b-a3b",
                                 "hunyuan-a13b", "dots.llm1"])
def test_memory_runs_on_the_new_moe_presets(key: str) -> None:
    """Model states follow the exact total (2 + 2 + 12 bytes per parameter, ZeRO paper §3) for every new shape."""
    from tools.calc.params import count_parameters
    from tools.calc.presets import find_preset

    shape = find_preset(key).shape
    total = count_parameters(shape).total
    estimate = estimate_training_memory(
        total_params=total, gpu=find_gpu("H100 SXM"), gpu_count=64, zero_stage=0, optimizer="adamw_mixed",
        seq_len=4096, micro_batch=1, hidden=shape.hidden_size, num_layers=shape.num_layers,
        num_heads=shape.num_heads, recompute="full", flash_attention=True, moe_top_k=shape.moe.top_k,
        moe_ffn_hidden=shape.moe.expert_intermediate_size,
    )
    assert estimate.weights_bytes + estimate.grads_bytes + estimate.optimizer_bytes == 16 * total
    assert estimate.activations_bytes > 0
