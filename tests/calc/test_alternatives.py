"""The four alternatives for the worked example, against hand calculations."""

from __future__ import annotations

import math

import pytest

from tools.calc.alternatives import LOSS_FITS, plan_alternatives

N_ACTIVE = 91_945_600  # MiniMind2-MoE active (models.json)
D = 28.9e6 * 512  # 14,796,800,000 tokens


def test_rows_follow_the_twenty_x_rule_by_hand() -> None:
    rows = {row.key: row for row in plan_alternatives(params=N_ACTIVE, tokens=D)}
    assert list(rows) == ["as_planned", "match_data", "stop_early", "compute_optimal"]
    assert rows["as_planned"].compute_flops == pytest.approx(6 * N_ACTIVE * D)
    assert rows["as_planned"].tokens_per_param == pytest.approx(160.93, rel=1e-3)  # 14.7968e9 / 91.9456e6
    assert rows["match_data"].params == pytest.approx(739.84e6)  # D / 20
    assert rows["stop_early"].tokens == pytest.approx(20 * N_ACTIVE)  # 1.839e9
    c = 6 * N_ACTIVE * D
    assert rows["compute_optimal"].params == pytest.approx(math.sqrt(c / 120))  # ≈ 260.8M
    assert rows["compute_optimal"].compute_flops == pytest.approx(c)
    assert rows["compute_optimal"].tokens_per_param == pytest.approx(20)


def test_loss_deltas_relative_to_the_plan() -> None:
    rows = {row.key: row for row in plan_alternatives(params=N_ACTIVE, tokens=D)}
    assert set(LOSS_FITS) >= {"chinchilla-approach3", "epoch-2024"}
    for fit in LOSS_FITS:
        assert rows["as_planned"].loss_delta[fit] == 0
        # more parameters on the same data lowers the loss; stopping early raises it
        assert rows["match_data"].loss_delta[fit] < 0
        assert rows["stop_early"].loss_delta[fit] > 0
    # Hoffmann rounded: E + A/N^α + B/D^β by hand for the plan
    expected = 1.69 + 406.4 / N_ACTIVE**0.34 + 410.7 / D**0.28
    assert rows["as_planned"].predicted_loss["chinchilla-approach3"] == pytest.approx(expected)
    # compute-optimal at equal FLOPs beats the over-trained plan under the Chinchilla-form fits
    assert rows["compute_optimal"].loss_delta["epoch-2024"] < 0
