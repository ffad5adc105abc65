"""Tokens from samples, and activated parameters estimated from a partial description."""

from __future__ import annotations

import pytest

from tools.calc.errors import CalcInputError
from tools.calc.moe_estimate import estimate_active_params
from tools.calc.tokens import tokens_from_samples


def test_worked_example_tokens() -> None:
    """28.9M samples × 512 = 14,796,800,000 tokens (≈14.8B), by hand."""
    count = tokens_from_samples(samples=28.9e6, mean_length=512)
    assert count.tokens == pytest.approx(14_796_800_000)


def test_characters_use_an_echoed_factor() -> None:
    default = tokens_from_samples(samples=1000, mean_length=500, length_unit="chars")
    assert default.tokens == 500_000 and default.tokens_per_char == 1.0
    assert "assumption" in default.assumption
    given = tokens_from_samples(samples=1000, mean_length=500, length_unit="chars", tokens_per_char=0.7, epochs=2)
    assert given.tokens == pytest.approx(1000 * 500 * 0.7 * 2)
    assert "0.7" in given.assumption


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"samples": 0}, "samples"),
        ({"mean_length": -3}, "mean_length"),
        ({"epochs": float("nan")}, "epochs"),
        ({"tokens_per_char": 0.5}, "tokens_per_char"),
        ({"length_unit": "words"}, "length_unit"),
    ],
)
def test_bad_token_inputs_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(CalcInputError) as excinfo:
        tokens_from_samples(**{"samples": 10, "mean_length": 10, **kwargs})
    assert excinfo.value.field == field


def test_estimate_from_closest_preset_for_the_worked_example() -> None:
    """145M, 1 shared + 4 routed, top-1: the closest preset is MiniMind2-MoE, whose experts hold
    (106,168,320 + 26,542,080) / 145,029,760 = 91.5% of its parameters (reference breakdown).
    Hand: 145e6 × (1 − 0.91506 + 0.91506 × 2/5) = 65.39M — the exact top-1 count is 65,403,520."""
    fraction = (106_168_320 + 26_542_080) / 145_029_760
    estimate = estimate_active_params(total_params=145e6, num_routed_experts=4, num_shared_experts=1, top_k=1)
    assert estimate.expert_fraction == pytest.approx(fraction)
    assert estimate.active_params == pytest.approx(145e6 * (1 - fraction + fraction * 2 / 5))
    assert estimate.active_params == pytest.approx(65_403_520, rel=0.01)
    assert estimate.approximate and "MiniMind2-MoE" in estimate.assumption


def test_estimate_with_an_explicit_ffn_share_lands_in_the_hand_range() -> None:
    """A hand estimate with 75% of parameters in experts: 145 × (0.25 + 0.75 × 2/5) = 79.75M."""
    estimate = estimate_active_params(
        total_params=145e6, num_routed_experts=4, num_shared_experts=1, top_k=1, expert_fraction=0.75
    )
    assert estimate.active_params == pytest.approx(79.75e6)
    assert 70e6 <= estimate.active_params <= 80e6


def test_estimate_rejects_top_k_above_experts() -> None:
    with pytest.raises(CalcInputError) as excinfo:
        estimate_active_params(total_params=1e9, num_routed_experts=4, top_k=8)
    assert excinfo.value.field == "top_k"
