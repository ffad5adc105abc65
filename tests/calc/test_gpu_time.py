"""GPU-time projection against published GPU-hours (literature.md §9a) and hand calculations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.calc.errors import CalcInputError
from tools.calc.gpu_time import (
    DEFAULT_MFU_DENSE,
    DEFAULT_MFU_MOE,
    compute_budget,
    default_mfu,
    project_gpu_time,
)
from tools.calc.hardware import find_gpu

A100 = find_gpu("a100-80gb")
H800 = find_gpu("h800")
RTX4090 = find_gpu("rtx-4090")


def _llama2_params(*, hidden: int, ffn: int, layers: int, kv_width: int, vocab: int = 32000) -> int:
    """Llama 2 parameter count from its config.json (untied embeddings, RMSNorm, SwiGLU, no biases)."""
    attention = 2 * hidden * hidden + 2 * hidden * kv_width  # q, o full width; k, v at GQA width
    per_layer = attention + 3 * hidden * ffn + 2 * hidden  # SwiGLU + two RMSNorms
    return layers * per_layer + 2 * vocab * hidden + hidden  # embed + lm_head + final norm


# meta-llama/Llama-2-{7b,13b,70b}-hf config.json: (hidden, intermediate, layers, kv heads × 128).
LLAMA2_7B = _llama2_params(hidden=4096, ffn=11008, layers=32, kv_width=4096)
LLAMA2_13B = _llama2_params(hidden=5120, ffn=13824, layers=40, kv_width=5120)
LLAMA2_70B = _llama2_params(hidden=8192, ffn=28672, layers=80, kv_width=8 * 128)
LLAMA2_TOKENS = 2.0e12  # model card: 2.0T tokens


def test_llama2_parameter_counts_written_out() -> None:
    # The widely quoted HuggingFace counts of the released checkpoints.
    assert LLAMA2_7B == 6_738_415_616
    assert LLAMA2_13B == 13_015_864_320
    assert LLAMA2_70B == 68_976_648_192


# Projection at the named default MFU vs published GPU-hours (literature §9a, meta-llama/llama
# MODEL_CARD.md [P]; DeepSeek-V3 report Table 1 [S]). Tolerance: 10%. Measured deviations:
#   Llama 2 7B   6·6.738e9·2.0e12 on A100-80GB at 0.40: 179,979 GPU-h vs 184,320   (-2.4%)
#   Llama 2 13B  6·13.016e9·2.0e12 at 0.40:             347,647 GPU-h vs 368,640   (-5.7%)
#   Llama 2 70B  6·68.977e9·2.0e12 at 0.40:           1,842,325 GPU-h vs 1,720,320 (+7.1%)
#   DeepSeek-V3  6·37e9·14.8e12 on H800 at 0.35:      2,636,622 GPU-h vs 2,664,000 (-1.0%)
PUBLISHED = [
    ("llama2-7b", 6 * LLAMA2_7B * LLAMA2_TOKENS, A100, False, 184_320),
    ("llama2-13b", 6 * LLAMA2_13B * LLAMA2_TOKENS, A100, False, 368_640),
    ("llama2-70b", 6 * LLAMA2_70B * LLAMA2_TOKENS, A100, False, 1_720_320),
    ("deepseek-v3", 6 * 37e9 * 14.8e12, H800, True, 2_664_000),  # 37B active, 14.8T tokens, pre-training
]


@pytest.mark.parametrize(("run", "flops", "gpu", "is_moe", "published_gpu_hours"), PUBLISHED,
                         ids=[p[0] for p in PUBLISHED])
def test_default_mfu_reproduces_published_gpu_hours(
    run: str, flops: float, gpu, is_moe: bool, published_gpu_hours: int
) -> None:
    choice = default_mfu(is_moe=is_moe)
    projection = project_gpu_time(training_flops=flops, gpu=gpu, gpu_count=2048, mfu=choice.mfu)
    assert projection.gpu_hours == pytest.approx(published_gpu_hours, rel=0.10)


def test_default_mfu_values_and_sources() -> None:
    dense, moe = default_mfu(is_moe=False), default_mfu(is_moe=True)
    assert (dense.mfu, moe.mfu) == (0.40, 0.35) == (DEFAULT_MFU_DENSE, DEFAULT_MFU_MOE)
    assert "Llama 2" in dense.source and "Megatron" in dense.source
    assert "DeepSeek-V3" in moe.source and "all-to-all" in moe.source
    with pytest.raises(CalcInputError) as info:
        default_mfu(is_moe="yes")  # type: ignore[arg-type]
    assert info.value.field == "is_moe"


def test_hand_calculation_8x4090() -> None:
    # 1e21 FLOPs on 8 × RTX 4090 (165.2 TFLOPS dense BF16, FP32 acc) at MFU 0.4:
    gpu_seconds = 1e21 / (165.2e12 * 0.4)  # = 15,133,171.9 s
    gpu_hours = gpu_seconds / 3600  # = 4,203.66 GPU-h
    projection = project_gpu_time(
        training_flops=1e21, gpu=RTX4090, gpu_count=8, mfu=0.4, price_per_gpu_hour=0.5, currency="USD",
        pue=1.2,
    )
    assert projection.gpu_hours == pytest.approx(gpu_hours, rel=1e-12)
    assert projection.gpu_hours == pytest.approx(4203.66, abs=0.01)
    assert projection.wall_clock_hours == pytest.approx(gpu_hours / 8, rel=1e-12)
    assert projection.wall_clock_days == pytest.approx(gpu_hours / 8 / 24, rel=1e-12)
    assert projection.cost == pytest.approx(0.5 * gpu_hours, rel=1e-12)  # ≈ 2,101.83 USD
    assert projection.currency == "USD"
    assert projection.energy_kwh == pytest.approx(gpu_hours * 450 * 1.2 / 1000, rel=1e-12)  # ≈ 2,270 kWh
    assert projection.effective_tflops_per_gpu == pytest.approx(66.08, rel=1e-12)
    echoed = (projection.mfu, projection.gpu_count, projection.pue, projection.gpu.key)
    assert echoed == (0.4, 8, 1.2, "rtx-4090")
    assert any("PaLM" in note for note in projection.notes)
    assert any("[U]" in note and "energy" in note for note in projection.notes)


def test_no_price_no_cost_and_no_power_no_energy() -> None:
    projection = project_gpu_time(training_flops=1e22, gpu=find_gpu("gb200"), gpu_count=72, mfu=0.4)
    assert projection.cost is None and projection.price_per_gpu_hour is None
    assert projection.energy_kwh is None
    assert projection.pue == 1.0


def test_deepseek_v3_cost_from_budget() -> None:
    # DeepSeek-V3: total 2,788K H800 GPU-h = $5.576M at $2/GPU-h (literature §9a).
    budget = compute_budget(gpu=H800, gpu_count=2048, mfu=0.35, budget=5.576e6, price_per_gpu_hour=2.0)
    assert budget.gpu_hours == pytest.approx(2_788_000, rel=1e-12)
    assert budget.cost == pytest.approx(5.576e6, rel=1e-12)
    assert budget.limited_by == "budget"
    assert budget.training_flops == pytest.approx(2_788_000 * 3600 * 989e12 * 0.35, rel=1e-12)


def test_deepseek_v3_days_per_trillion_tokens() -> None:
    # "180K H800 GPU-hours per trillion tokens: 3.7 days on 2,048 H800" (literature §9a).
    budget = compute_budget(gpu=H800, gpu_count=2048, mfu=DEFAULT_MFU_MOE, days=3.7)
    assert budget.gpu_hours == pytest.approx(3.7 * 24 * 2048, rel=1e-12)  # 181,862 GPU-h
    tokens = budget.training_flops / (6 * 37e9)
    assert tokens == pytest.approx(1e12, rel=0.05)  # measured: 1.021e12 (+2.1%)


def test_inverse_round_trip() -> None:
    for kwargs in ({"days": 10.0}, {"gpu_hours": 12_345.0}, {"budget": 1000.0, "price_per_gpu_hour": 0.7}):
        budget = compute_budget(gpu=RTX4090, gpu_count=8, mfu=0.3, **kwargs)
        back = project_gpu_time(training_flops=budget.training_flops, gpu=RTX4090, gpu_count=8, mfu=0.3)
        assert back.gpu_hours == pytest.approx(budget.gpu_hours, rel=1e-12)
        assert back.wall_clock_days == pytest.approx(budget.wall_clock_days, rel=1e-12)
    assert compute_budget(gpu=RTX4090, gpu_count=8, mfu=0.3, days=10.0).wall_clock_days == pytest.approx(10.0)


@settings(derandomize=True, max_examples=200)
@given(
    flops=st.floats(min_value=1e15, max_value=1e27),
    count=st.integers(min_value=1, max_value=15_000),  # × scale stays <= 1e6
    mfu=st.floats(min_value=0.01, max_value=1.0),
    scale=st.integers(min_value=2, max_value=64),
)
def test_time_inverse_in_count_and_mfu_linear_in_flops(
    flops: float, count: int, mfu: float, scale: int
) -> None:
    base = project_gpu_time(training_flops=flops, gpu=A100, gpu_count=count, mfu=mfu)
    assert base.wall_clock_hours * count * mfu == pytest.approx(flops / (312e12 * 3600), rel=1e-9)
    more_gpus = project_gpu_time(training_flops=flops, gpu=A100, gpu_count=count * scale, mfu=mfu)
    assert more_gpus.wall_clock_hours == pytest.approx(base.wall_clock_hours / scale, rel=1e-9)
    assert more_gpus.gpu_hours == pytest.approx(base.gpu_hours, rel=1e-9)
    slower = project_gpu_time(training_flops=flops, gpu=A100, gpu_count=count, mfu=mfu / scale)
    assert slower.gpu_hours == pytest.approx(base.gpu_hours * scale, rel=1e-9)
    bigger = project_gpu_time(training_flops=flops * scale, gpu=A100, gpu_count=count, mfu=mfu)
    assert bigger.gpu_hours == pytest.approx(base.gpu_hours * scale, rel=1e-9)


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("mfu", {"mfu": 0.0}), ("mfu", {"mfu": 1.01}), ("mfu", {"mfu": -0.2}), ("mfu", {"mfu": math.nan}),
        ("mfu", {"mfu": True}), ("gpu_count", {"gpu_count": 0}), ("gpu_count", {"gpu_count": 1_000_001}),
        ("gpu_count", {"gpu_count": 2.5}), ("training_flops", {"training_flops": 0.0}),
        ("training_flops", {"training_flops": 1e33}), ("training_flops", {"training_flops": -1e20}),
        ("training_flops", {"training_flops": math.inf}), ("training_flops", {"training_flops": "1e21"}),
        ("price_per_gpu_hour", {"price_per_gpu_hour": -1.0}), ("pue", {"pue": 0.9}),
        ("currency", {"currency": ""}), ("gpu", {"gpu": "4090"}),
    ],
)
def test_bad_input_names_the_field(field: str, overrides: dict) -> None:
    kwargs = {"training_flops": 1e21, "gpu": RTX4090, "gpu_count": 8, "mfu": 0.4, **overrides}
    with pytest.raises(CalcInputError) as info:
        project_gpu_time(**kwargs)
    assert info.value.field == field


def test_zero_price_is_allowed_for_time_but_not_for_a_budget() -> None:
    assert project_gpu_time(training_flops=1e21, gpu=RTX4090, gpu_count=1, mfu=0.4,
                            price_per_gpu_hour=0.0).cost == 0.0
    with pytest.raises(CalcInputError) as info:
        compute_budget(gpu=RTX4090, gpu_count=1, mfu=0.4, budget=100.0, price_per_gpu_hour=0.0)
    assert info.value.field == "price_per_gpu_hour"
    with pytest.raises(CalcInputError) as info:
        compute_budget(gpu=RTX4090, gpu_count=1, mfu=0.4, budget=100.0)
    assert info.value.field == "price_per_gpu_hour"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("days", {}),
        ("gpu_hours", {"days": 1.0, "gpu_hours": 10.0}),
        ("days", {"days": 0.0}),
        ("gpu_hours", {"gpu_hours": -5.0}),
        ("budget", {"budget": -1.0, "price_per_gpu_hour": 1.0}),
        ("mfu", {"days": 1.0, "mfu": 2.0}),
    ],
)
def test_budget_bad_input_names_the_field(field: str, kwargs: dict) -> None:
    with pytest.raises(CalcInputError) as info:
        compute_budget(**{"gpu": RTX4090, "gpu_count": 1, "mfu": 0.4, **kwargs})
    assert info.value.field == field
