"""Budget → compute: every form pinned with a hand calculation (peak from literature §8, MFU defaults §9b)."""

from __future__ import annotations

import pytest

from tools.calc.errors import CalcInputError
from tools.calc.plan_budget import plan_budget
from tools.calc.resolve_hardware import HardwareDescription

RTX_4090 = HardwareDescription(gpu="4090", gpu_count=8)
PEAK_4090 = 165.2e12  # literature §8: dense BF16 with FP32 accumulate (half the FP16-accumulate 330.3)


def test_gpus_times_days_hand_calculation_for_both_mfu_defaults() -> None:
    budget = plan_budget(hardware=RTX_4090, days=7)
    moe, dense = budget.compute_for(architecture="moe"), budget.compute_for(architecture="dense")
    assert moe.compute_flops == pytest.approx(8 * 165.2e12 * 0.35 * 7 * 86400, rel=1e-12)  # 2.7976e20
    assert dense.compute_flops == pytest.approx(8 * 165.2e12 * 0.40 * 7 * 86400, rel=1e-12)  # 3.1972e20
    assert (moe.mfu, moe.mfu_basis, dense.mfu, dense.mfu_basis) == (0.35, "default_moe", 0.40, "default_dense")
    assert moe.gpu_hours == dense.gpu_hours == 8 * 7 * 24
    codes = {a.code for a in budget.assumptions}
    assert {"mfu_default_moe", "mfu_default_dense", "gpu_peak", "budget_flops_formula"} <= codes  # both defaults said
    assert budget.primary.architecture == "moe" and budget.limited_by == "days"


def test_money_at_a_price_hand_calculation() -> None:
    hardware = HardwareDescription(gpu="4090", gpu_count=8, price_per_gpu_hour=2.0, currency="CNY")
    budget = plan_budget(hardware=hardware, budget=20_000, architectures=("moe",))
    # 20,000 CNY / 2 CNY per GPU-hour = 10,000 GPU-hours
    assert budget.primary.compute_flops == pytest.approx(10_000 * 3600 * PEAK_4090 * 0.35, rel=1e-12)
    assert budget.primary.wall_clock_days == pytest.approx(10_000 / 8 / 24)
    assert budget.primary.cost == pytest.approx(20_000) and budget.currency == "CNY"


def test_a_stated_mfu_is_used_for_both_kinds() -> None:
    hardware = HardwareDescription(gpu="h100", gpu_count=64, mfu=0.3)
    budget = plan_budget(hardware=hardware, days=30)
    assert {c.mfu for c in budget.computes} == {0.3} and {c.mfu_basis for c in budget.computes} == {"given"}
    assert budget.primary.compute_flops == pytest.approx(64 * 989.4e12 * 0.3 * 30 * 86400, rel=1e-12)  # H100 SXM §8


def test_flops_given_directly_and_days_on_stated_gpus() -> None:
    alone = plan_budget(hardware=None, compute_flops=3e20)
    assert [c.compute_flops for c in alone.computes] == [3e20, 3e20]
    assert alone.primary.mfu is None and alone.primary.wall_clock_days is None and alone.gpu is None
    with_gpus = plan_budget(hardware=RTX_4090, compute_flops=3e20)
    moe, dense = with_gpus.compute_for(architecture="moe"), with_gpus.compute_for(architecture="dense")
    assert moe.wall_clock_days == pytest.approx(3e20 / (8 * PEAK_4090 * 0.35) / 86400)
    assert dense.wall_clock_days == pytest.approx(3e20 / (8 * PEAK_4090 * 0.40) / 86400)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"hardware": RTX_4090, "days": 7, "compute_flops": 1e20}, "compute"),
    ({"hardware": RTX_4090}, "compute"),
    ({"hardware": None, "days": 7}, "gpu"),
    ({"hardware": RTX_4090, "budget": 1000}, "price_per_gpu_hour"),
    ({"hardware": None, "compute_flops": -1.0}, "compute_flops"),
    ({"hardware": RTX_4090, "days": 7, "architectures": ("moe", "moe")}, "architectures"),
])
def test_bad_budgets_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(CalcInputError) as error:
        plan_budget(**kwargs)
    assert error.value.field == field
