"""Inference-aware sizing (Sardana et al. 2024), checked with hand-written formulas and the literature's numbers.

At 0 inference tokens it must be the Chinchilla optimum: literature §1b gives the closed form of Hoffmann's printed
constants as N = 1.345·(C/6)^0.4516 [D], §2 the Epoch refit's as N = 0.1196·(C/6)^0.5126 and its point at the
Gopher budget (N = 72B, D = 1.33T) [D]. With inference tokens, the loss the model must reach is checked with
L = E + A/N^α + B/D^β written out here, and optimality by moving N along that iso-loss curve by hand.
"""

from __future__ import annotations

import pytest

from tools.calc.errors import CalcInputError
from tools.calc.fits import EPOCH_2024, HOFFMANN_ROUNDED, KAPLAN_2020_LOSS
from tools.calc.inference_aware import inference_aware_plan, inference_optimal_at_loss

# Hoffmann et al. 2022 App. D.2 Eq. (10), as printed (literature §1a), written out for the hand checks
E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28


def hand_loss(n: float, d: float) -> float:
    return E + A / n**ALPHA + B / d**BETA


def hand_tokens_at_loss(n: float, loss: float) -> float:
    return (B / (loss - E - A / n**ALPHA)) ** (1 / BETA)


@pytest.mark.parametrize("compute", [1e19, 2.8e20, 1e21, 5.76e23])
def test_zero_inference_tokens_is_the_chinchilla_optimum(compute: float) -> None:
    plan = inference_aware_plan(law=HOFFMANN_ROUNDED, compute_flops=compute, inference_tokens=0.0)
    by_hand = 1.345 * (compute / 6) ** 0.4516  # literature §1b [D]
    for params in (plan.chinchilla_params, plan.same_loss.params, plan.within_budget.params):
        assert params == pytest.approx(by_hand, rel=5e-3)  # the sheet rounds G and a to 4 digits
    assert plan.within_budget.training_flops == pytest.approx(compute, rel=1e-9)
    assert plan.within_budget.loss == plan.chinchilla_loss


def test_zero_inference_tokens_under_the_epoch_refit() -> None:
    plan = inference_aware_plan(law=EPOCH_2024, compute_flops=5.76e23, inference_tokens=0.0)
    assert plan.within_budget.params == pytest.approx(72e9, rel=0.01)  # literature §2: N = 72B, D = 1.33T
    assert plan.within_budget.training_tokens == pytest.approx(1.33e12, rel=0.01)
    assert plan.within_budget.params == pytest.approx(0.1196 * (5.76e23 / 6) ** 0.5126, rel=5e-3)


def test_with_inference_the_same_loss_is_reached_cheaper_over_the_life() -> None:
    compute, served = 1e21, 2e12
    plan = inference_aware_plan(law=HOFFMANN_ROUNDED, compute_flops=compute, inference_tokens=served)
    same = plan.same_loss
    assert hand_loss(same.params, same.training_tokens) == pytest.approx(plan.chinchilla_loss, rel=1e-12)
    assert same.params < plan.chinchilla_params and same.training_tokens > plan.chinchilla_tokens  # smaller, longer

    def lifetime(n: float) -> float:  # 6·N·D_tr + 2·N·D_inf on the iso-loss curve, by hand
        return 6 * n * hand_tokens_at_loss(n, plan.chinchilla_loss) + 2 * n * served

    assert same.lifetime_flops == pytest.approx(lifetime(same.params), rel=1e-9)
    for factor in (0.98, 1.02):  # Sardana's optimum: any other size on the iso-loss curve costs more
        assert lifetime(same.params * factor) > same.lifetime_flops
    chinchilla_lifetime = 6 * plan.chinchilla_params * plan.chinchilla_tokens + 2 * plan.chinchilla_params * served
    assert same.lifetime_flops < chinchilla_lifetime == pytest.approx(plan.chinchilla_lifetime_flops)


def test_within_the_budget_trains_for_exactly_the_budget_at_a_higher_loss() -> None:
    plan = inference_aware_plan(law=EPOCH_2024, compute_flops=2.8e20, inference_tokens=1e12)
    within = plan.within_budget
    assert within.training_flops == pytest.approx(2.8e20, rel=1e-9)
    assert within.loss > plan.chinchilla_loss
    assert within.params < plan.same_loss.params < plan.chinchilla_params
    assert within.lifetime_flops < plan.chinchilla_lifetime_flops


def test_more_inference_means_a_smaller_model_and_more_tokens() -> None:
    sizes = [inference_aware_plan(law=EPOCH_2024, compute_flops=1e21, inference_tokens=i).within_budget
             for i in (0.0, 1e10, 1e11, 1e12, 1e13)]
    assert all(a.params > b.params for a, b in zip(sizes, sizes[1:], strict=False))
    assert all(a.training_tokens < b.training_tokens for a, b in zip(sizes, sizes[1:], strict=False))


def test_only_a_chinchilla_form_law_is_accepted() -> None:
    with pytest.raises(CalcInputError) as error:
        inference_optimal_at_loss(law=KAPLAN_2020_LOSS, loss=2.5, inference_tokens=1e12)
    assert error.value.field == "fit"
