"""The whole plan: budget → targets → candidates, with hand-checked numbers and the issue's properties."""

from __future__ import annotations

import numpy as np
import pytest

from tools.calc.data_constrained import data_constrained_optimum
from tools.calc.errors import CalcInputError
from tools.calc.planner import PlanRequest, make_plan
from tools.calc.resolve_hardware import HardwareDescription

RTX_4090_X8 = HardwareDescription(gpu="4090", gpu_count=8)
# Besiroglu et al. 2024 refit (literature §2): A, B, E, α, β
EPOCH = (482.01, 2085.43, 1.8172, 0.3478, 0.3658)


def test_eight_4090s_for_a_week() -> None:
    plan = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7))
    moe_flops = 8 * 165.2e12 * 0.35 * 7 * 86400
    assert plan.budget.primary.compute_flops == pytest.approx(moe_flops, rel=1e-12)
    assert len(plan.comparison.allocations) == 8  # every fit's target is reported
    moe_target = plan.targets[0]
    assert moe_target.basis == "fit" and plan.fit.name == "epoch-2024"
    assert moe_target.active_params == pytest.approx(0.1196 * (moe_flops / 6) ** 0.5126, rel=5e-3)  # literature §2
    kinds = [c.candidate.architecture for c in plan.candidates]
    assert kinds.count("moe") == 5 and kinds.count("dense") == 3
    a, b, e, alpha, beta = EPOCH
    for item in plan.candidates:
        c = item.candidate
        compute = plan.budget.compute_for(architecture=c.architecture).compute_flops
        assert item.tokens == pytest.approx(compute / (6 * c.active_params), rel=1e-12)  # uses the whole budget
        assert item.training_days == pytest.approx(7.0, rel=1e-9)
        assert item.six_nd_flops == pytest.approx(compute, rel=1e-9)
        assert item.detailed_flops > item.six_nd_flops  # attention and logits on top of 6·N·D
        assert item.predicted_loss["epoch-2024"] == pytest.approx(
            e + a / c.active_params**alpha + b / item.tokens**beta, rel=1e-12)
        assert set(item.predicted_loss) == {"chinchilla-approach3", "chinchilla-approach3-unrounded", "epoch-2024",
                                            "kaplan-2020"}
        assert c.memory_bytes <= item.capacity_bytes
    codes = {a.code for a in plan.assumptions}
    assert {"mfu_default_moe", "mfu_default_dense", "plan_fit_default", "plan_vocab_default", "plan_zero_default",
            "seq_len_default", "tied_default", "memory_settings", "plan_ranking_weights"} <= codes


def test_a_larger_budget_never_recommends_fewer_activated_parameters() -> None:
    for fit in ("epoch-2024", "rule-20", "kaplan-2020"):
        previous = 0
        for compute in np.logspace(18, 23, 21):
            plan = make_plan(request=PlanRequest(compute_flops=float(compute), fit=fit, architectures=("moe",)))
            assert plan.targets[0].active_params > previous or previous == 0
            top = plan.candidates[0].candidate.active_params
            assert top >= previous
            previous = top
    previous = 0
    for days in range(1, 31):
        plan = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=days))
        top = plan.candidates[0].candidate.active_params
        assert plan.candidates[0].candidate.architecture == "moe" and top >= previous
        previous = top


def test_a_target_beyond_the_grid_gives_no_candidates_and_says_why() -> None:
    plan = make_plan(request=PlanRequest(compute_flops=1e24, fit="kaplan-2020", architectures=("moe",)))
    assert plan.targets[0].active_params > 5e11 and plan.candidates == ()
    assert plan.searches[0].on_target == 0


def test_zero_inference_tokens_leaves_the_target_where_the_fit_puts_it() -> None:
    plain = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7))
    aware = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7, inference_tokens=0.0))
    assert aware.targets[0].basis == "inference_aware"
    assert aware.targets[0].active_params == pytest.approx(plain.targets[0].active_params, rel=1e-9)
    heavy = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7, inference_tokens=1e12))
    assert heavy.targets[0].active_params < plain.targets[0].active_params
    assert heavy.inference.within_budget.training_flops == pytest.approx(heavy.budget.primary.compute_flops)
    with pytest.raises(CalcInputError) as error:
        make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7, inference_tokens=1e12, fit="rule-20"))
    assert error.value.field == "fit"


def test_scarce_unique_data_moves_the_target_to_the_data_constrained_optimum() -> None:
    plenty = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7, unique_tokens=1e12))
    assert plenty.targets[0].basis == "fit" and plenty.repetition.within_negligible_epochs
    assert "plan_repetition_negligible" in {a.code for a in plenty.assumptions}
    scarce = make_plan(request=PlanRequest(hardware=RTX_4090_X8, days=7, unique_tokens=5e9))
    assert scarce.repetition.epochs > 4
    params, tokens = data_constrained_optimum(compute_flops=scarce.budget.primary.compute_flops, unique_tokens=5e9)
    assert scarce.targets[0].basis == "data_constrained"
    assert scarce.targets[0].active_params == pytest.approx(params)
    assert scarce.targets[0].tokens == pytest.approx(tokens)
    assert all(c.epochs == pytest.approx(c.tokens / 5e9) for c in scarce.candidates)


def test_flops_without_gpus_give_no_days_and_say_memory_was_not_checked() -> None:
    plan = make_plan(request=PlanRequest(compute_flops=1e21))
    assert plan.memory is None and all(c.training_days is None for c in plan.candidates)
    assert "plan_memory_not_checked" in {a.code for a in plan.assumptions}
    assert all(c.candidate.memory_bytes is None for c in plan.candidates)
