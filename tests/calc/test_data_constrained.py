"""Repeated data (Muennighoff et al. 2023) against the authors' own implementation and a hand calculation.

Reference values: huggingface/datablations README, "Parametric Fit": its `scaling_law` prints 2.2256440889984477
and 2.2269634075087867 for the two models of the paper's Figure 1 (right), and its grid search moves 8.67B params on
178B tokens of 25B unique to "227B tokens, 9.1 epochs, 6.8B parameters".
"""

from __future__ import annotations

import math

import pytest

from tools.calc.data_constrained import (
    NEGLIGIBLE_EPOCHS,
    data_constrained_loss,
    data_constrained_optimum,
    effective_tokens,
    repetition_view,
)
from tools.calc.errors import CalcInputError


def test_loss_matches_the_authors_printed_values() -> None:
    assert data_constrained_loss(params=6.34e9, training_tokens=242e9, unique_tokens=25e9) == pytest.approx(
        2.2256440889984477, rel=1e-12)
    assert data_constrained_loss(params=8.67e9, training_tokens=178e9, unique_tokens=25e9) == pytest.approx(
        2.2269634075087867, rel=1e-12)


def test_optimum_matches_the_authors_grid_search() -> None:
    params, tokens = data_constrained_optimum(compute_flops=6 * 8.67e9 * 178e9, unique_tokens=25e9)
    assert params == pytest.approx(6.8e9, rel=0.01)  # README: 6.8B parameters (a 500-point grid)
    assert tokens == pytest.approx(227e9, rel=0.01)  # README: 227B tokens
    assert tokens / 25e9 == pytest.approx(9.1, abs=0.05)  # README: 9.1 epochs


def test_effective_tokens_by_hand() -> None:
    # 1B unique tokens seen 4 times: R_D = 3, D' = U·(1 + 15.387756·(1 − e^(−3/15.387756)))
    by_hand = 1e9 * (1 + 15.387756 * (1 - math.exp(-3 / 15.387756)))
    assert effective_tokens(unique_tokens=1e9, training_tokens=4e9) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(3.7257e9, rel=1e-4)  # 4 epochs are worth ~93% of 4B new tokens
    assert effective_tokens(unique_tokens=1e9, training_tokens=0.5e9) == 0.5e9  # no repetition, all new
    assert effective_tokens(unique_tokens=1e9, training_tokens=1e15) == pytest.approx(1e9 * (1 + 15.387756))  # limit


def test_repetition_view_flags_more_than_four_epochs() -> None:
    within = repetition_view(unique_tokens=10e9, training_tokens=30e9, compute_flops=2.8e20)
    assert within.epochs == pytest.approx(3.0) and within.within_negligible_epochs and NEGLIGIBLE_EPOCHS == 4.0
    beyond = repetition_view(unique_tokens=5e9, training_tokens=32e9, compute_flops=2.8e20)
    assert beyond.epochs == pytest.approx(6.4) and not beyond.within_negligible_epochs


def test_the_optimum_is_the_lowest_loss_at_equal_compute() -> None:
    """Against the loss pinned above: moving N by ±3% along C = 6ND only raises it."""
    compute, unique = 2.8e20, 5e9
    params, tokens = data_constrained_optimum(compute_flops=compute, unique_tokens=unique)
    assert 6 * params * tokens == pytest.approx(compute)
    best = data_constrained_loss(params=params, training_tokens=tokens, unique_tokens=unique)
    for factor in (0.97, 1.03):
        n = params * factor
        assert data_constrained_loss(params=n, training_tokens=compute / (6 * n), unique_tokens=unique) > best


def test_more_unique_tokens_than_training_tokens_is_refused_by_the_loss() -> None:
    with pytest.raises(CalcInputError) as error:
        data_constrained_loss(params=1e9, training_tokens=1e9, unique_tokens=2e9)
    assert error.value.field == "unique_tokens"
