"""Each fit is quoted only inside the span it was fitted on: the spans against the papers' own words, and the
in-range verdicts against hand calculations.

The spans, as the sources put them:
- Hoffmann 2022 abstract: "over 400 language models ranging from 70 million to over 16 billion parameters";
  §3.2 (Approach 2): "9 different training FLOP counts (ranging from 6 × 10^18 to 3 × 10^21 FLOPs)".
- Besiroglu 2024: the 245 points extracted from Hoffmann's Fig. 4 (epoch-research/analyzing-chinchilla,
  data/svg_extracted_data.csv): N from 57,334,197 to 16,183,346,311; D = C/(6N) from 245,105,958 to
  317,754,489,344 tokens.
- Kaplan 2020 §3: "Model size (ranging in size from 768 to 1.5 billion non-embedding parameters)"; "Dataset
  size (ranging from 22 million to 23 billion tokens)".
- DeepSeek LLM 2024 §3.2: "8 different compute budgets ranging from 1e17 to 3e20".
"""

from __future__ import annotations

import pytest

from tools.calc.alternatives import plan_alternatives
from tools.calc.fits import FITS
from tools.calc.scaling import compare_fits_at

KAPLAN_N_AT_1E21 = 4.68e9  # Hoffmann 2022 App. D.4: Kaplan's rule gives 4.68B parameters at 1e21 FLOPs


def kaplan_by_hand(compute: float) -> tuple[float, float]:
    """(N, D) of Kaplan 2020 Eq. 1.7, N ∝ C^0.73 anchored at 4.68B for 1e21 FLOPs, D = C/(6N)."""
    n = KAPLAN_N_AT_1E21 * (compute / 1e21) ** 0.73
    return n, compute / (6 * n)


# (fit, params_min, params_max, tokens_min, tokens_max, compute_min, compute_max), typed from the quotes above
SPANS = [
    ("chinchilla-approach1", 70e6, 16e9, None, None, None, None),
    ("chinchilla-approach2", None, None, None, None, 6e18, 3e21),
    ("chinchilla-approach3", 70e6, 16e9, None, None, None, None),
    ("chinchilla-approach3-unrounded", 70e6, 16e9, None, None, None, None),
    ("epoch-2024", 57.3e6, 16.2e9, 245e6, 318e9, None, None),
    ("kaplan-2020", 768, 1.5e9, 22e6, 23e9, None, None),
    ("deepseek-2024", None, None, None, None, 1e17, 3e20),
]


@pytest.mark.parametrize(("fit", "n_min", "n_max", "d_min", "d_max", "c_min", "c_max"), SPANS)
def test_each_fit_records_the_span_its_source_states(fit, n_min, n_max, d_min, d_max, c_min, c_max) -> None:
    span = FITS[fit].fitted_range
    assert (span.params_min, span.params_max, span.tokens_min, span.tokens_max,
            span.compute_min_flops, span.compute_max_flops) == (n_min, n_max, d_min, d_max, c_min, c_max)
    assert span.source  # each span names where it comes from


def test_the_twenty_x_rule_records_no_span() -> None:
    assert FITS["rule-20"].fitted_range is None
    assert FITS["rule-20"].optimal_for_compute(compute_flops=1e21).in_fitted_range is None


@pytest.mark.parametrize(("compute", "inside"), [(5.9e18, False), (6e18, True), (1e20, True), (3e21, True),
                                                 (3.1e21, False)])
def test_approach_2_is_inside_its_isoflop_budgets_only(compute: float, inside: bool) -> None:
    assert FITS["chinchilla-approach2"].optimal_for_compute(compute_flops=compute).in_fitted_range is inside


@pytest.mark.parametrize(("compute", "inside"), [(9e16, False), (1e17, True), (3e20, True), (3.1e20, False)])
def test_deepseek_is_inside_its_isoflop_budgets_only(compute: float, inside: bool) -> None:
    assert FITS["deepseek-2024"].optimal_for_compute(compute_flops=compute).in_fitted_range is inside


@pytest.mark.parametrize(("params", "inside"), [(69e6, False), (70e6, True), (16e9, True), (16.1e9, False)])
def test_approach_1_is_inside_its_model_sizes_only(params: float, inside: bool) -> None:
    assert FITS["chinchilla-approach1"].optimal_for_params(params=params).in_fitted_range is inside


def test_epoch_span_bounds_tokens_too() -> None:
    span = FITS["epoch-2024"].fitted_range
    assert span.contains(params=1e9, tokens=300e9, compute_flops=1.8e21)
    assert not span.contains(params=1e9, tokens=400e9, compute_flops=2.4e21)  # D above the 318B of the points
    assert not span.contains(params=50e6, tokens=1e9, compute_flops=3e17)  # N below the 57.3M of the points


def test_kaplan_at_1e20_is_inside_and_at_deepseek_v3_scale_is_not() -> None:
    """1e20: N = 4.68e9 × 0.1^0.73 = 871.5M ≤ 1.5B, D = 19.1B ≤ 23B. 3.33e24: N = 1.75T, 0.18 tokens/param."""
    n, d = kaplan_by_hand(1e20)
    assert (n, d) == (pytest.approx(871.5e6, rel=1e-3), pytest.approx(19.12e9, rel=1e-3))
    assert FITS["kaplan-2020"].optimal_for_compute(compute_flops=1e20).in_fitted_range is True
    n, d = kaplan_by_hand(3.33e24)
    assert d / n == pytest.approx(0.18, abs=0.005)
    assert FITS["kaplan-2020"].optimal_for_compute(compute_flops=3.33e24).in_fitted_range is False


def test_the_worked_example_leaves_out_approach_2_only() -> None:
    """MiniMind2-MoE at top-1: C = 6 × 65,403,520 × 14,796,800,000 = 5.806e18, just below Approach 2's 6e18.

    Every other fit's optimum (N ≈ 110-225M) lies inside its span; the highest ratio is Kaplan's, by hand.
    """
    compute = 6 * 65_403_520 * 14_796_800_000
    assert compute == pytest.approx(5.8065e18, rel=1e-4)
    comparison = compare_fits_at(compute_flops=compute)
    assert comparison.extrapolated.fits == ("chinchilla-approach2",)
    assert set(comparison.in_range.fits) == set(FITS) - {"chinchilla-approach2", "rule-20"}
    n, d = kaplan_by_hand(compute)
    assert comparison.in_range.max_fit == "kaplan-2020"
    assert comparison.in_range.max_tokens_per_param == pytest.approx(d / n)  # 81.3
    assert round(d / n, 1) == 81.3


def test_at_deepseek_v3_scale_every_fit_is_extrapolated() -> None:
    """6 × 37.6B × 14.8T ≈ 3.3e24 FLOPs: beyond every fit's span; Kaplan's 0.18 tokens/param is the low end."""
    comparison = compare_fits_at(compute_flops=3.33e24)
    assert comparison.in_range is None
    assert set(comparison.extrapolated.fits) == set(FITS) - {"rule-20"}
    n, d = kaplan_by_hand(3.33e24)
    assert (comparison.extrapolated.min_fit, comparison.extrapolated.min_tokens_per_param) == (
        "kaplan-2020", pytest.approx(d / n))


def test_loss_differences_are_marked_when_the_plan_or_the_row_leaves_the_span() -> None:
    """Epoch's points span N 57.3M-16.2B and D 245M-318B; Kaplan's 768-1.5B and 22M-23B."""
    inside = {row.key: row.loss_in_fitted_range for row in plan_alternatives(params=65_403_520, tokens=14.7968e9)}
    # plan (65.4M, 14.8B), data-matched (740M, 14.8B), stopped (65.4M, 1.31B), optimal (220M, 4.4B): all inside
    assert all(flags["epoch-2024"] and flags["kaplan-2020"] for flags in inside.values())
    beyond = {row.key: row.loss_in_fitted_range for row in plan_alternatives(params=37.6e9, tokens=14.8e12)}
    # the plan itself (37.6B > 16.2B; 14.8T > 318B) is outside, so every difference from it is an extrapolation
    assert not any(flags["epoch-2024"] for flags in beyond.values())
