"""Loss checkpoints and the point of diminishing returns (tools.calc.loss_curve).

Expected values are hand calculations with each fit's constants typed here from the papers
(literature.md §1a, §2, §3) or the sheet's own derived losses; none comes from the code under test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.calc.errors import CalcInputError
from tools.calc.loss_curve import loss_curve

# Hoffmann et al. 2022 App. D.2 Eq. (10), as printed: E, A, B, alpha, beta.
HOFFMANN_ROUNDED = (1.69, 406.4, 410.7, 0.34, 0.28)
# The unrounded values from the TeX source (literature.md §1a): ln E, ln A, ln B as printed there.
HOFFMANN_UNROUNDED = (math.exp(0.5267228), math.exp(6.0073404), math.exp(6.0179186), 0.33917084, 0.2849083)
# Besiroglu et al. 2024 refit (literature.md §2).
EPOCH = (1.8172, 482.01, 2085.43, 0.3478, 0.3658)
CHINCHILLA_FORM = {
    "chinchilla-approach3": HOFFMANN_ROUNDED,
    "chinchilla-approach3-unrounded": HOFFMANN_UNROUNDED,
    "epoch-2024": EPOCH,
}
# Kaplan et al. 2020 Table 2, the joint fit of Eq. (1.5): N_c, D_c, alpha_N, alpha_D.
KAPLAN = (6.4e13, 1.8e13, 0.076, 0.103)
LOSS_FITS = ["chinchilla-approach3", "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020"]
# Approaches 1 and 2 are read off training curves and IsoFLOP profiles, DeepSeek 2024 fits only the
# allocation, and the 20x rule is a ratio: none publishes a loss law.
NO_LOSS_LAW = {"chinchilla-approach1", "chinchilla-approach2", "deepseek-2024", "rule-20"}

LLAMA2_7B = 6_738_415_616  # HuggingFace count of meta-llama/Llama-2-7b-hf
LLAMA2_TOKENS = 2.0e12  # meta-llama/llama MODEL_CARD.md


def hand_loss(fit: str, n: float, d: float) -> float:
    """L(N, D) written out: Hoffmann Eq. (2) or Kaplan Eq. (1.5)."""
    if fit == "kaplan-2020":
        n_c, d_c, a_n, a_d = KAPLAN
        return ((n_c / n) ** (a_n / a_d) + d_c / d) ** a_d
    e, a, b, alpha, beta = CHINCHILLA_FORM[fit]
    return e + a / n**alpha + b / d**beta


def hand_point(fit: str, n: float) -> float:
    """Tokens where the data term equals the model term: (B·N^α/A)^(1/β), or D_c·(N/N_c)^(α_N/α_D)."""
    if fit == "kaplan-2020":
        n_c, d_c, a_n, a_d = KAPLAN
        return d_c * (n / n_c) ** (a_n / a_d)
    _, a, b, alpha, beta = CHINCHILLA_FORM[fit]
    return (b * n**alpha / a) ** (1 / beta)


def curves(result) -> dict:
    return {curve.fit: curve for curve in result.curves}


@pytest.mark.parametrize("fit", LOSS_FITS)
def test_checkpoint_losses_are_the_fits_law_at_10_30_100_percent(fit: str) -> None:
    result = loss_curve(params=LLAMA2_7B, tokens=LLAMA2_TOKENS)
    assert result.fractions == (0.1, 0.3, 1.0)
    curve = curves(result)[fit]
    assert [c.tokens for c in curve.checkpoints] == pytest.approx([2e11, 6e11, 2e12], rel=1e-12)
    end = hand_loss(fit, LLAMA2_7B, LLAMA2_TOKENS)
    assert curve.loss_nats_at_end == pytest.approx(end, rel=1e-12)
    for checkpoint, fraction in zip(curve.checkpoints, (0.1, 0.3, 1.0), strict=True):
        expected = hand_loss(fit, LLAMA2_7B, fraction * LLAMA2_TOKENS)
        assert checkpoint.fraction == fraction
        assert checkpoint.loss_nats == pytest.approx(expected, rel=1e-12)
        assert checkpoint.remaining_gain_nats == pytest.approx(expected - end, rel=1e-9, abs=1e-15)


def test_remaining_gain_of_a_chinchilla_form_fit_is_the_data_term_difference() -> None:
    # Hand: B·((0.1·D)^-β − D^-β) with the printed constants, for Llama 2 7B's 2T tokens.
    _, _, b, _, beta = HOFFMANN_ROUNDED
    gain = b * ((0.1 * LLAMA2_TOKENS) ** -beta - LLAMA2_TOKENS**-beta)
    curve = curves(loss_curve(params=LLAMA2_7B, tokens=LLAMA2_TOKENS))["chinchilla-approach3"]
    assert curve.checkpoints[0].remaining_gain_nats == pytest.approx(gain, rel=1e-9)
    assert gain == pytest.approx(0.1337, abs=5e-4)  # 410.7·(2e11^-0.28 − 2e12^-0.28), by hand


def test_chinchilla_end_loss_matches_the_sheet() -> None:
    # literature.md §2: loss at Chinchilla (70B, 1.4T) is 1.937 (printed constants) and 1.974 (Epoch refit).
    by_fit = curves(loss_curve(params=70e9, tokens=1.4e12))
    assert by_fit["chinchilla-approach3"].loss_nats_at_end == pytest.approx(1.937, abs=5e-4)
    assert by_fit["epoch-2024"].loss_nats_at_end == pytest.approx(1.974, abs=5e-4)


@pytest.mark.parametrize("fit", LOSS_FITS)
def test_diminishing_returns_point_is_where_the_data_term_meets_the_model_term(fit: str) -> None:
    n = 70e9
    point = curves(loss_curve(params=n, tokens=1.4e12))[fit].diminishing_returns
    expected = hand_point(fit, n)
    assert point.tokens == pytest.approx(expected, rel=1e-9)
    assert point.tokens_per_param == pytest.approx(expected / n, rel=1e-9)
    assert point.plan_over_point == pytest.approx(1.4e12 / expected, rel=1e-9)
    if fit != "kaplan-2020":
        _, a, b, alpha, beta = CHINCHILLA_FORM[fit]
        assert b / point.tokens**beta == pytest.approx(a / n**alpha, rel=1e-9)


def test_chinchilla_itself_is_before_the_point_under_the_printed_fit_and_after_under_epoch() -> None:
    # Hand, printed constants: A/N^α = 406.4/70e9^0.34 = 0.0835; D* = (410.7/0.0835)^(1/0.28) ≈ 1.53e13,
    # about 220 tokens/param, so 1.4T is before it. Epoch: 482.01/70e9^0.3478 = 0.0815 and
    # D* = (2085.43/0.0873)^(1/0.3658) ≈ 1.12e12 (16 tokens/param), so 1.4T is after it.
    by_fit = curves(loss_curve(params=70e9, tokens=1.4e12))
    printed, epoch = by_fit["chinchilla-approach3"].diminishing_returns, by_fit["epoch-2024"].diminishing_returns
    assert printed.tokens == pytest.approx(1.53e13, rel=0.01) and printed.plan_position == "before"
    assert epoch.tokens == pytest.approx(1.12e12, rel=0.01) and epoch.plan_position == "after"


def test_llama_3_8b_on_15t_tokens_is_past_the_point_under_every_fit() -> None:
    result = loss_curve(params=8_030_261_248, tokens=15e12)
    assert {curve.diminishing_returns.plan_position for curve in result.curves} == {"after"}


@pytest.mark.parametrize(("fit", "ratio"), [
    # D*/D_opt = (α/β)^(1/β), from αA/N^α = βB/D_opt^β (Hoffmann Eq. 4) and B/D*^β = A/N^α.
    ("chinchilla-approach3", (0.34 / 0.28) ** (1 / 0.28)),  # = 2.0005
    ("epoch-2024", (0.3478 / 0.3658) ** (1 / 0.3658)),  # = 0.8711
])
def test_point_over_compute_optimal_tokens_follows_the_exponents(fit: str, ratio: float) -> None:
    curve = curves(loss_curve(params=8e9, tokens=1e12))[fit]
    assert curve.diminishing_returns.tokens / curve.compute_optimal_tokens == pytest.approx(ratio, rel=1e-9)


def test_kaplan_loss_at_the_point_is_2_to_the_alpha_d_times_the_infinite_data_loss() -> None:
    # Kaplan Eq. (4.2)-(4.3): at D_c/D = (N_c/N)^(α_N/α_D), L = 2^α_D · (N_c/N)^α_N.
    n = 1e9
    n_c, d_c, a_n, a_d = KAPLAN
    point = d_c * (n / n_c) ** (a_n / a_d)
    at_point = curves(loss_curve(params=n, tokens=point))["kaplan-2020"]
    assert at_point.loss_nats_at_end == pytest.approx(2**a_d * (n_c / n) ** a_n, rel=1e-9)
    assert 2**a_d == pytest.approx(1.074, abs=5e-4)


def test_fits_without_a_loss_law_are_listed() -> None:
    result = loss_curve(params=1e9, tokens=20e9)
    assert [curve.fit for curve in result.curves] == LOSS_FITS
    assert set(result.fits_without_loss_law) == NO_LOSS_LAW


def test_assumptions_label_predictions_and_echo_the_default_checkpoints() -> None:
    default = loss_curve(params=1e9, tokens=20e9)
    codes = {a.code: a for a in default.assumptions}
    assert {"loss_fit_prediction", "diminishing_returns_definition", "loss_checkpoints_default"} == set(codes)
    assert codes["loss_checkpoints_default"].values["fractions"] == (0.1, 0.3, 1.0)
    chosen = loss_curve(params=1e9, tokens=20e9, fractions=[0.5, 1.0])
    assert "loss_checkpoints_default" not in {a.code for a in chosen.assumptions}


def test_given_fractions_are_sorted_and_deduplicated() -> None:
    result = loss_curve(params=1e9, tokens=20e9, fractions=[1.0, 0.25, 0.5, 0.25])
    assert result.fractions == (0.25, 0.5, 1.0)
    assert [c.tokens for c in result.curves[0].checkpoints] == pytest.approx([5e9, 10e9, 20e9])


@pytest.mark.parametrize("fractions", [[], [0.0], [1.5], [-0.1], [float("nan")], ["0.5"], [True], "0.5",
                                       [0.05] * 21])
def test_bad_fractions_name_the_field(fractions: object) -> None:
    with pytest.raises(CalcInputError) as info:
        loss_curve(params=1e9, tokens=20e9, fractions=fractions)  # type: ignore[arg-type]
    assert info.value.field == "fractions"


@pytest.mark.parametrize(("params", "tokens", "field"), [(0, 1e9, "params"), (1e9, -1, "tokens"),
                                                         (float("inf"), 1e9, "params")])
def test_bad_sizes_name_the_field(params: float, tokens: float, field: str) -> None:
    with pytest.raises(CalcInputError) as info:
        loss_curve(params=params, tokens=tokens)
    assert info.value.field == field


RUNS = st.tuples(st.floats(min_value=1e6, max_value=1e13), st.floats(min_value=1e8, max_value=1e15))
FRACTIONS = st.lists(st.floats(min_value=1e-3, max_value=1.0), min_size=1, max_size=8)


@given(run=RUNS, fractions=FRACTIONS)
def test_loss_falls_along_the_run_and_the_gains_shrink_to_zero(run: tuple[float, float], fractions: list[float]):
    params, tokens = run
    result = loss_curve(params=params, tokens=tokens, fractions=[*fractions, 1.0])
    for curve in result.curves:
        losses = [c.loss_nats for c in curve.checkpoints]
        gains = [c.remaining_gain_nats for c in curve.checkpoints]
        assert losses == sorted(losses, reverse=True)  # more tokens, lower loss
        assert all(g >= 0 for g in gains) and gains == sorted(gains, reverse=True)
        assert curve.checkpoints[-1].fraction == 1.0 and gains[-1] == 0.0


@given(run=RUNS, factor=st.floats(min_value=1.01, max_value=100.0))
def test_point_grows_with_the_model_and_the_position_follows_it(run: tuple[float, float], factor: float):
    params, tokens = run
    small, large = curves(loss_curve(params=params, tokens=tokens)), curves(loss_curve(params=params * factor,
                                                                                         tokens=tokens))
    for fit in LOSS_FITS:
        point = small[fit].diminishing_returns
        assert large[fit].diminishing_returns.tokens > point.tokens  # a bigger model is data-limited for longer
        assert point.plan_position == ("after" if tokens >= point.tokens else "before")
        assert point.tokens == pytest.approx(hand_point(fit, params), rel=1e-9)
