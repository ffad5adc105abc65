"""Learning rate and batch from DeepSeek LLM 2024 against the literature's values; advice data is complete."""

from __future__ import annotations

import pytest

from tools.calc.training_advice import deepseek_hyperparameters, plan_advice


@pytest.mark.parametrize(("compute", "lr", "batch"), [
    (1e20, 9.9e-4, 1.0e6),  # literature §4 "Evaluating the fits" [D]
    (1e24, 3.1e-4, 20.7e6),
])
def test_deepseek_fits_against_the_sheet(compute: float, lr: float, batch: float) -> None:
    result = deepseek_hyperparameters(compute_flops=compute, seq_len=4096)
    assert result.peak_lr == pytest.approx(lr, rel=0.01)  # the sheet prints 2 digits
    assert result.batch_tokens == pytest.approx(batch, rel=0.03)


def test_deepseek_7b_chosen_values_are_near_the_fit() -> None:
    """DeepSeek LLM Table 2 trained the 7B at LR 4.2e-4 with 2304 × 4096 ≈ 9.4M tokens; the sheet puts it at 8.4e22."""
    result = deepseek_hyperparameters(compute_flops=8.4e22, seq_len=4096)
    assert result.peak_lr == pytest.approx(4.2e-4, rel=0.02)
    assert result.batch_tokens == pytest.approx(2304 * 4096, rel=0.03)
    assert result.batch_sequences == pytest.approx(2304, rel=0.03)


def test_outside_the_fitted_budgets_is_called_an_extrapolation() -> None:
    inside = deepseek_hyperparameters(compute_flops=1e19, seq_len=2048)
    assert inside.within_fitted_range and inside.code == "hyperparameters"
    beyond = deepseek_hyperparameters(compute_flops=2.8e20, seq_len=2048)
    assert not beyond.within_validated_range and beyond.code == "hyperparameters_extrapolated"


def test_advice_is_sourced_or_marked() -> None:
    moe = plan_advice(compute_flops=2.8e20, seq_len=2048, active_params=1.45e9, is_moe=True)
    dense = plan_advice(compute_flops=2.8e20, seq_len=2048, active_params=1.45e9, is_moe=False)
    codes = {a.code for a in moe.items}
    assert {"adamw_betas", "schedule_wsd", "schedule_cosine", "moe_granularity", "moe_shared_experts",
            "moe_expert_lr_unverified", "moe_upcycling_noise_unverified", "lr_sqrt_batch_unverified"} <= codes
    assert not any(a.code.startswith("moe_") for a in dense.items)
    for item in moe.items:
        assert item.location
        assert item.citations or item.status in ("U", "tool")
        assert (item.status == "U") == item.code.endswith("_unverified")
    betas = next(a for a in moe.items if a.code == "adamw_betas").values
    assert (betas["beta1"], betas["beta2"], betas["weight_decay"]) == (0.9, 0.95, 0.1)  # DeepSeek LLM §2.3
    assert "moe_laws_disagree_far" in codes  # 1.45B is far below Clark's ~9e11 crossover
    large = plan_advice(compute_flops=1e25, seq_len=4096, active_params=2e11, is_moe=True)
    assert "moe_laws_disagree_matters" in {a.code for a in large.items}
    assert moe.schedule == "wsd"
