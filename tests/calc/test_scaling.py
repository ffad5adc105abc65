"""Tests for tools.calc.scaling; expected values are worked out by hand in each test."""

from __future__ import annotations

import math

import pytest

from tools.calc.errors import CalcInputError
from tools.calc.scaling import (
    CHINCHILLA_TOKENS_PER_PARAM,
    NEAR_OPTIMAL_BAND,
    classify_tokens_per_param,
    compare_fits_at,
    compute_matched_allocations,
    data_matched_params,
    tokens_per_param,
)

ALL_FITS = [
    "chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3",
    "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020", "deepseek-2024", "rule-20",
]


def test_reference_constants():
    assert CHINCHILLA_TOKENS_PER_PARAM == 20
    assert NEAR_OPTIMAL_BAND == 1.5


def test_data_matched_params_worked_example():
    # 14.8e9 tokens / 20 tokens per param = 740e6 params; C = 6 · 740e6 · 14.8e9 = 6.5712e19.
    match = data_matched_params(tokens=14.8e9)
    assert match.params == pytest.approx(740e6, rel=1e-12)
    assert match.compute_flops == pytest.approx(6.5712e19, rel=1e-12)
    assert match.tokens_per_param == 20


def test_data_matched_params_custom_ratio():
    # 2e12 tokens at 100 tokens/param -> 2e10 params.
    assert data_matched_params(tokens=2e12, tokens_per_param=100).params == pytest.approx(2e10, rel=1e-12)


def test_tokens_per_param_worked_example_dense():
    # 14.8e9 / 91.9e6 = 161.04 tokens/param; factor 161.04 / 20 = 8.05 -> over-trained.
    result = tokens_per_param(tokens=14.8e9, total_params=91.9e6, active_params=91.9e6)
    assert result.per_active_param == pytest.approx(161.04, rel=1e-4)
    assert result.per_total_param == pytest.approx(161.04, rel=1e-4)
    assert result.active_verdict.kind == "over-trained"
    assert result.active_verdict.factor == pytest.approx(8.052, rel=1e-3)
    assert result.active_verdict.reference_tokens_per_param == 20


def test_tokens_per_param_moe_total_and_active_differ():
    # Hypothetical MoE: 740M total, 91.9M active, 14.8e9 tokens.
    # Total: 14.8e9 / 740e6 = 20.0 (factor 1.0, near-optimal); active: 161.04 (over-trained).
    result = tokens_per_param(tokens=14.8e9, total_params=740e6, active_params=91.9e6)
    assert result.per_total_param == pytest.approx(20.0, rel=1e-12)
    assert result.total_verdict.kind == "near-optimal"
    assert result.total_verdict.factor == pytest.approx(1.0, rel=1e-12)
    assert result.per_active_param == pytest.approx(161.04, rel=1e-4)
    assert result.active_verdict.kind == "over-trained"


def test_tokens_per_param_dense_default_echoes_active():
    result = tokens_per_param(tokens=1.4e12, total_params=70e9)  # Chinchilla: 1.4e12 / 70e9 = 20
    assert result.active_params == 70e9
    assert result.per_active_param == pytest.approx(20.0, rel=1e-12)
    assert result.active_verdict.kind == "near-optimal"


@pytest.mark.parametrize(
    ("ratio", "kind"),
    [
        (13.0, "under-trained"),  # factor 0.65 < 1/1.5 = 0.667
        (13.4, "near-optimal"),  # factor 0.67
        (20.0, "near-optimal"),
        (30.0, "near-optimal"),  # factor 1.5, the band edge is inclusive
        (31.0, "over-trained"),  # factor 1.55
        (1.07, "under-trained"),  # Gopher: 300e9 / 280e9 = 1.07 tokens/param (Hoffmann 2022 Table 1)
    ],
)
def test_verdict_band(ratio, kind):
    assert classify_tokens_per_param(tokens_per_param=ratio).kind == kind


def test_active_cannot_exceed_total():
    with pytest.raises(CalcInputError) as error:
        tokens_per_param(tokens=1e12, total_params=1e9, active_params=2e9)
    assert error.value.field == "active_params"


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_bad_tokens_name_the_field(bad):
    with pytest.raises(CalcInputError) as error:
        tokens_per_param(tokens=bad, total_params=1e9)
    assert error.value.field == "tokens"
    with pytest.raises(CalcInputError) as error:
        data_matched_params(tokens=bad)
    assert error.value.field == "tokens"


def test_compute_matched_allocations_all_fits():
    # Same budget as the worked example: C = 6 · 740e6 · 14.8e9 = 6.5712e19.
    allocations = compute_matched_allocations(compute_flops=6.5712e19)
    assert [a.fit for a in allocations] == ALL_FITS
    rule_20 = next(a for a in allocations if a.fit == "rule-20")
    # sqrt(6.5712e19 / 120) = sqrt(5.476e17) = 7.4e8.
    assert rule_20.params == pytest.approx(740e6, rel=1e-9)


def test_compute_matched_allocations_subset_and_unknown():
    allocations = compute_matched_allocations(compute_flops=1e21, fits=["kaplan-2020"])
    assert len(allocations) == 1
    assert allocations[0].params == pytest.approx(4.68e9, rel=1e-6)  # Hoffmann 2022 App. D.4
    with pytest.raises(CalcInputError) as error:
        compute_matched_allocations(compute_flops=1e21, fits=["kaplan"])
    assert "rule-20" in str(error.value)
    with pytest.raises(CalcInputError):
        compute_matched_allocations(compute_flops=1e21, fits="rule-20")
    with pytest.raises(CalcInputError):
        compute_matched_allocations(compute_flops=1e21, fits=[])


@pytest.mark.parametrize("bad", [0, -5.0, math.nan])
def test_compute_matched_bad_compute(bad):
    with pytest.raises(CalcInputError) as error:
        compute_matched_allocations(compute_flops=bad)
    assert error.value.field == "compute_flops"


def test_compare_fits_at_gopher_budget():
    comparison = compare_fits_at(compute_flops=5.76e23)
    # Max: Chinchilla's printed Approach 3 constants, 92.6 tokens/param (literature.md §2).
    assert comparison.max_fit == "chinchilla-approach3"
    assert comparison.max_tokens_per_param == pytest.approx(92.6, rel=0.03)
    # Min: Kaplan. By hand: N = 4.68e9 · (5.76e23 / 1e21)^0.73 = 4.68e9 · 576^0.73 = 4.68e9 · 103.5
    # = 4.84e11; D = 5.76e23 / (6 · 4.84e11) = 1.98e11; D/N = 0.409.
    assert comparison.min_fit == "kaplan-2020"
    assert comparison.min_tokens_per_param == pytest.approx(0.409, rel=0.01)
    assert comparison.spread == pytest.approx(92.6 / 0.409, rel=0.04)
    assert "92.6" in comparison.explanation
    assert "20" in comparison.explanation
    assert len(comparison.allocations) == len(ALL_FITS)


def test_compare_chinchilla_family_only():
    # Among Approaches 1-3 and the Epoch refit at 5.76e23: Epoch is lowest (18.4, literature §2).
    comparison = compare_fits_at(
        compute_flops=5.76e23,
        fits=["chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3", "epoch-2024"],
    )
    assert comparison.min_fit == "epoch-2024"
    assert comparison.min_tokens_per_param == pytest.approx(18.4, rel=0.03)
    assert comparison.max_fit == "chinchilla-approach3"
