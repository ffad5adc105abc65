"""Golden and property tests for tools.calc.fits.

Expected values are copied from the papers' tables (via shared/reference/literature.md) or
worked out by hand in the test; none comes from the code under test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.calc.errors import CalcInputError
from tools.calc.fits import FITS, get_fit

ALL_FITS = [
    "chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3",
    "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020", "deepseek-2024", "rule-20",
]
LOSS_FITS = ["chinchilla-approach3", "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020"]

# Hoffmann et al. 2022 Table 3 (Approach 1): params, FLOPs, tokens (literature.md §1d).
TABLE_3 = [
    (400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9),
    (67e9, 5.76e23, 1.5e12), (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12),
    (520e9, 3.43e25, 11.0e12), (1e12, 1.27e26, 21.2e12), (10e12, 1.30e28, 216.2e12),
]
# Hoffmann et al. 2022 Table A3, Approach 2 column.
TABLE_A3_APPROACH_2 = [
    (400e6, 1.84e19, 7.7e9), (1e9, 1.20e20, 20.0e9), (10e9, 1.32e22, 219.5e9),
    (67e9, 6.88e23, 1.7e12), (175e9, 4.54e24, 4.3e12), (280e9, 1.18e25, 7.1e12),
    (520e9, 4.19e25, 13.4e12), (1e12, 1.59e26, 26.5e12), (10e12, 1.75e28, 292.0e12),
]
# Hoffmann et al. 2022 Table A3, Approach 3 column: params, FLOPs. The 175B row prints
# "1.26e24", a typo for 6 × 175e9 × 12.0e12 = 1.26e25 (literature.md §1d); corrected here.
TABLE_A3_APPROACH_3 = [
    (400e6, 2.21e19), (1e9, 1.62e20), (10e9, 2.46e22), (67e9, 1.71e24), (175e9, 1.26e25),
    (280e9, 3.52e25), (520e9, 1.36e26), (1e12, 5.65e26), (10e12, 8.55e28),
]


def _tolerance(params: float) -> float:
    """3%, except the 67B row, which sits off both tables' curves (1.5T printed vs C/(6N) = 1.43T)."""
    return 0.07 if params == 67e9 else 0.03


def test_registry_has_exactly_the_named_fits():
    assert sorted(FITS) == sorted(ALL_FITS)
    for name in ALL_FITS:
        assert get_fit(name).name == name


@pytest.mark.parametrize(("params", "compute_flops", "tokens"), TABLE_3)
def test_approach1_reproduces_table_3(params, compute_flops, tokens):
    fit = get_fit("chinchilla-approach1")
    tol = _tolerance(params)
    from_compute = fit.optimal_for_compute(compute_flops=compute_flops)
    assert from_compute.params == pytest.approx(params, rel=tol)
    assert from_compute.tokens == pytest.approx(tokens, rel=tol)
    from_params = fit.optimal_for_params(params=params)
    assert from_params.compute_flops == pytest.approx(compute_flops, rel=tol)
    assert from_params.tokens == pytest.approx(tokens, rel=tol)


def test_approach1_fitted_exponent_stays_in_table_2_interval():
    # Table 2: a = 0.50, 10th-90th percentile (0.488, 0.502).
    assert 0.488 <= get_fit("chinchilla-approach1").params_law.exponent <= 0.502


@pytest.mark.parametrize(("params", "compute_flops", "tokens"), TABLE_A3_APPROACH_2)
def test_approach2_reproduces_table_a3(params, compute_flops, tokens):
    fit = get_fit("chinchilla-approach2")
    assert fit.params_law.exponent == 0.49  # Table 2, as printed
    tol = _tolerance(params)
    from_compute = fit.optimal_for_compute(compute_flops=compute_flops)
    assert from_compute.params == pytest.approx(params, rel=tol)
    assert from_compute.tokens == pytest.approx(tokens, rel=tol)
    from_params = fit.optimal_for_params(params=params)
    assert from_params.compute_flops == pytest.approx(compute_flops, rel=tol)
    assert from_params.tokens == pytest.approx(tokens, rel=tol)


@pytest.mark.parametrize(("params", "compute_flops"), TABLE_A3_APPROACH_3)
def test_approach3_closed_form_does_not_reproduce_table_a3(params, compute_flops):
    """Pins the known gap; the fits are NOT tuned to Table A3.

    Measured: the printed (rounded) constants land 18.5% (400M) to 30.3% (10T) below Table A3's
    N; the unrounded constants 1.0% (67B) to 7.3% (10T) below. Table A3 was evidently not
    produced from the printed Eq. (10) constants by Eq. (4).
    """
    rounded = get_fit("chinchilla-approach3").optimal_for_compute(compute_flops=compute_flops)
    unrounded = get_fit("chinchilla-approach3-unrounded").optimal_for_compute(compute_flops=compute_flops)
    assert 0.18 <= 1 - rounded.params / params <= 0.31
    assert 0.005 <= 1 - unrounded.params / params <= 0.08


def test_approach3_rounded_closed_form_constants():
    # literature.md §1b: G = 1.345, a = 0.4516, b = 0.5484 for the rounded constants.
    form = get_fit("chinchilla-approach3").loss_law.closed_form()
    assert form.g == pytest.approx(1.345, rel=1e-3)
    assert form.a == pytest.approx(0.4516, rel=1e-3)
    assert form.b == pytest.approx(0.5484, rel=1e-3)
    # Hand: a = 0.28 / 0.62, b = 0.34 / 0.62.
    assert form.a == pytest.approx(0.28 / 0.62, rel=1e-12)


# literature.md §2, derived table: tokens/param at C for each parametric fit.
TOKENS_PER_PARAM_TABLE = [
    # C,       epoch-2024, approach3 (rounded), approach3-unrounded
    (1e18, 25.7, 25.7, 18.6),
    (1e20, 22.9, 40.1, 27.8),
    (1e21, 21.6, 50.1, 33.9),
    (5.76e23, 18.4, 92.6, 58.9),
    (1e25, 17.1, 122.0, 75.5),
    (1e26, 16.1, 153.0, 92.3),
]


@pytest.mark.parametrize(("compute_flops", "epoch", "rounded", "unrounded"), TOKENS_PER_PARAM_TABLE)
def test_parametric_fits_tokens_per_param(compute_flops, epoch, rounded, unrounded):
    for name, expected in [
        ("epoch-2024", epoch),
        ("chinchilla-approach3", rounded),
        ("chinchilla-approach3-unrounded", unrounded),
    ]:
        allocation = get_fit(name).optimal_for_compute(compute_flops=compute_flops)
        assert allocation.tokens_per_param == pytest.approx(expected, rel=0.03), name


def test_parametric_fits_at_gopher_budget():
    # literature.md §2 at 5.76e23 FLOPs: rounded N = 32B, unrounded N = 40B, Epoch N = 72B, D = 1.33T.
    assert get_fit("chinchilla-approach3").optimal_for_compute(compute_flops=5.76e23).params == pytest.approx(
        32e9, rel=0.03
    )
    assert get_fit("chinchilla-approach3-unrounded").optimal_for_compute(
        compute_flops=5.76e23
    ).params == pytest.approx(40e9, rel=0.03)
    epoch = get_fit("epoch-2024").optimal_for_compute(compute_flops=5.76e23)
    assert epoch.params == pytest.approx(72e9, rel=0.03)
    assert epoch.tokens == pytest.approx(1.33e12, rel=0.03)


def test_loss_at_chinchilla():
    # literature.md §2: at (70B, 1.4T) Hoffmann rounded 1.937, Epoch refit 1.974.
    rounded = get_fit("chinchilla-approach3").predicted_loss(params=70e9, tokens=1.4e12)
    epoch = get_fit("epoch-2024").predicted_loss(params=70e9, tokens=1.4e12)
    assert rounded.loss_nats == pytest.approx(1.937, rel=0.005)
    assert epoch.loss_nats == pytest.approx(1.974, rel=0.005)
    assert "differences" in rounded.caveat


def test_kaplan_loss_by_hand():
    # Kaplan Eq. 1.5, Table 2: N = 1e9, D = 1e10 -> [(6.4e13/1e9)^(0.076/0.103) + 1.8e13/1e10]^0.103
    # = [64000^0.73786 + 1800]^0.103 = [3518.1 + 1800]^0.103 = 5318.1^0.103 = 2.4197.
    prediction = get_fit("kaplan-2020").predicted_loss(params=1e9, tokens=1e10)
    assert prediction.loss_nats == pytest.approx(2.4197, rel=1e-3)


@pytest.mark.parametrize("name", ["chinchilla-approach1", "chinchilla-approach2", "deepseek-2024", "rule-20"])
def test_fits_without_loss_law_return_none(name):
    assert get_fit(name).predicted_loss(params=1e9, tokens=2e10) is None


@pytest.mark.parametrize(
    ("compute_flops", "m_opt", "d_opt"), [(1e20, 5.3e9, 1.9e10), (1e24, 6.6e11, 1.5e12)]
)
def test_deepseek_eq4(compute_flops, m_opt, d_opt):
    # literature.md §4 [D] table: M_opt = 0.1715·C^0.5243, D_opt = 5.8316·C^0.4757.
    allocation = get_fit("deepseek-2024").optimal_for_compute(compute_flops=compute_flops)
    assert allocation.flops_per_token == pytest.approx(m_opt, rel=0.03)
    assert allocation.params == pytest.approx(m_opt / 6, rel=0.03)  # N-equivalent M/6
    assert allocation.tokens == pytest.approx(d_opt, rel=0.03)
    assert allocation.approximate is True
    assert any("M/6" in note for note in allocation.notes)


def test_kaplan_anchor():
    # Hoffmann 2022 App. D.4: Kaplan's rule predicts 4.68B params at 1e21 FLOPs.
    allocation = get_fit("kaplan-2020").optimal_for_compute(compute_flops=1e21)
    assert allocation.params == pytest.approx(4.68e9, rel=1e-6)
    assert allocation.tokens == pytest.approx(1e21 / (6 * 4.68e9), rel=1e-6)  # 35.6B
    # 10x compute -> 10^0.73 = 5.37x params (Chinchilla §1 restates it as ~5.5x).
    tenfold = get_fit("kaplan-2020").optimal_for_compute(compute_flops=1e22)
    assert tenfold.params / allocation.params == pytest.approx(5.37, rel=1e-3)


def test_rule_20_by_hand():
    # C = 6 · 740e6 · 14.8e9 = 6.5712e19; N = sqrt(6.5712e19 / 120) = sqrt(5.476e17) = 7.4e8.
    allocation = get_fit("rule-20").optimal_for_compute(compute_flops=6.5712e19)
    assert allocation.params == pytest.approx(740e6, rel=1e-9)
    assert allocation.tokens == pytest.approx(14.8e9, rel=1e-9)
    assert allocation.tokens_per_param == pytest.approx(20.0, rel=1e-12)


COMPUTE = st.floats(min_value=15.0, max_value=30.0).map(lambda exponent: 10.0**exponent)


@settings(derandomize=True, max_examples=200)
@given(name=st.sampled_from(ALL_FITS), compute_flops=COMPUTE)
def test_allocation_spends_the_budget(name, compute_flops):
    allocation = get_fit(name).optimal_for_compute(compute_flops=compute_flops)
    if name == "deepseek-2024":
        # C = M·D; Eq. 4 has M_base·D_base = 0.1715·5.8316 = 1.0001.
        assert allocation.flops_per_token * allocation.tokens == pytest.approx(compute_flops, rel=1e-3)
    else:
        assert 6 * allocation.params * allocation.tokens == pytest.approx(compute_flops, rel=1e-9)


@settings(derandomize=True, max_examples=200)
@given(name=st.sampled_from(ALL_FITS), compute_flops=COMPUTE)
def test_optimal_for_params_inverts_optimal_for_compute(name, compute_flops):
    fit = get_fit(name)
    forward = fit.optimal_for_compute(compute_flops=compute_flops)
    inverse = fit.optimal_for_params(params=forward.params)
    assert inverse.compute_flops == pytest.approx(compute_flops, rel=1e-9)
    assert inverse.tokens == pytest.approx(forward.tokens, rel=1e-9)


@settings(derandomize=True, max_examples=200)
@given(name=st.sampled_from(ALL_FITS), compute_flops=COMPUTE, step=st.floats(min_value=1.01, max_value=1e3))
def test_params_and_tokens_grow_with_compute(name, compute_flops, step):
    fit = get_fit(name)
    small = fit.optimal_for_compute(compute_flops=compute_flops)
    large = fit.optimal_for_compute(compute_flops=compute_flops * step)
    assert large.params > small.params
    assert large.tokens > small.tokens


@settings(derandomize=True, max_examples=200)
@given(
    name=st.sampled_from(LOSS_FITS),
    params=st.floats(min_value=6.0, max_value=13.0).map(lambda e: 10.0**e),
    tokens=st.floats(min_value=8.0, max_value=15.0).map(lambda e: 10.0**e),
    step=st.floats(min_value=1.1, max_value=100.0),
)
def test_loss_falls_in_params_and_tokens(name, params, tokens, step):
    fit = get_fit(name)
    base = fit.predicted_loss(params=params, tokens=tokens).loss_nats
    assert fit.predicted_loss(params=params * step, tokens=tokens).loss_nats < base
    assert fit.predicted_loss(params=params, tokens=tokens * step).loss_nats < base


@pytest.mark.parametrize("bad", [0, 0.0, -1e21, math.nan, math.inf, "1e21", True, None])
@pytest.mark.parametrize("name", ALL_FITS)
def test_bad_compute_names_the_field(name, bad):
    with pytest.raises(CalcInputError) as error:
        get_fit(name).optimal_for_compute(compute_flops=bad)
    assert error.value.field == "compute_flops"


@pytest.mark.parametrize("bad", [0, -7e9, math.nan])
def test_bad_params_and_tokens_name_the_field(bad):
    fit = get_fit("epoch-2024")
    with pytest.raises(CalcInputError, match="params"):
        fit.optimal_for_params(params=bad)
    with pytest.raises(CalcInputError) as error:
        fit.predicted_loss(params=70e9, tokens=bad)
    assert error.value.field == "tokens"


def test_unknown_fit_lists_the_valid_names():
    with pytest.raises(CalcInputError) as error:
        get_fit("chinchilla")
    assert error.value.field == "fit"
    for name in ALL_FITS:
        assert name in str(error.value)


def test_keyword_only():
    with pytest.raises(TypeError):
        get_fit("rule-20").optimal_for_compute(1e21)
