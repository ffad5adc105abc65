"""Tokens per parameter, data-matched and compute-matched model sizes, and fit disagreement.

Three questions a planner asks about a run of D tokens on N parameters:

* :func:`tokens_per_param`: how far from ~20 tokens/param (Hoffmann et al. 2022) is it, for
  total and for active parameters (MoE)?
* :func:`data_matched_params`: what model size matches this data? N = D/20.
* :func:`compute_matched_allocations` / :func:`compare_fits_at`: what model is
  compute-optimal for the same FLOPs, under each fit of :mod:`tools.calc.fits`, and how much
  do the fits disagree?
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tools.calc.errors import CalcInputError, require_number
from tools.calc.fits import FITS, Allocation, get_fit

CHINCHILLA_TOKENS_PER_PARAM = 20.0  # Hoffmann et al. 2022 Table 3: 20.0-21.6 tokens/param at every size
# Convention of THIS TOOL, not of any paper: a ratio within a factor 1.5 of the reference
# (1/1.5 <= ratio/reference <= 1.5) counts as near-optimal.
NEAR_OPTIMAL_BAND = 1.5

_MAX_COUNT = 1e24  # far above any real parameter or token count; catches unit slips

VerdictKind = Literal["under-trained", "near-optimal", "over-trained"]

FIT_DISAGREEMENT_EXPLANATION = (
    "The fits disagree mostly through their exponents. Under C = 6ND the closed form of a "
    "parametric law L = E + A/N^α + B/D^β gives D/N ∝ C^((α-β)/(α+β)), so tokens/param is "
    "constant only when α = β. Chinchilla's printed Approach 3 constants (α = 0.34, β = 0.28, "
    "Hoffmann 2022 App. D.2) make it grow with compute: 92.6 tokens/param (N = 32B) at the "
    "Gopher budget 5.76e23 FLOPs and ~150 at 1e26, against the ~20 of the paper's own "
    "Approaches 1 and 2 (Table 3, Table A3). The unrounded constants give 58.9 (N = 40B). "
    "Besiroglu et al. 2024 found the printed fit inconsistent with the paper's data "
    "(chi-squared p = 1.7e-49) and their refit (α = 0.3478, β = 0.3658) gives 18.4 "
    "tokens/param (N = 72B, D = 1.33T) at that budget, slowly falling with compute "
    "(literature.md §2). Kaplan 2020 (N ∝ C^0.73) puts far more of the budget into parameters, "
    "and DeepSeek 2024 measures model size in FLOPs per token, so its params are an "
    "approximate N-equivalent."
)


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """How a tokens-per-parameter ratio compares with the reference ratio."""

    kind: VerdictKind
    factor: float  # ratio / reference
    reference_tokens_per_param: float
    near_optimal_band: float


@dataclass(frozen=True, kw_only=True)
class TokensPerParam:
    """Tokens per total and per active parameter, each with its verdict (dense: total = active)."""

    tokens: float
    total_params: float
    active_params: float
    per_total_param: float
    per_active_param: float
    total_verdict: Verdict
    active_verdict: Verdict


@dataclass(frozen=True, kw_only=True)
class DataMatch:
    """The model size that a data budget would train compute-optimally (N = D/ratio)."""

    tokens: float
    tokens_per_param: float
    params: float
    compute_flops: float  # 6·N·D for that model and data (C = 6ND)
    source: str


@dataclass(frozen=True, kw_only=True)
class FitSpread:
    """The lowest and highest tokens-per-param among some fits' allocations, and which fits they were."""

    fits: tuple[str, ...]
    min_tokens_per_param: float
    min_fit: str
    max_tokens_per_param: float
    max_fit: str


@dataclass(frozen=True, kw_only=True)
class FitComparison:
    """Every fit's allocation at one budget and the spread of their tokens-per-param.

    ``in_range`` is the spread over the fits whose allocation lies inside the span they were fitted on,
    ``extrapolated`` over those outside it (:mod:`tools.calc.fit_ranges`); either is ``None`` when no fit
    is in it. The 20× rule records no fitted span and is in neither.
    """

    compute_flops: float
    allocations: tuple[Allocation, ...]
    min_tokens_per_param: float
    min_fit: str
    max_tokens_per_param: float
    max_fit: str
    spread: float  # max / min tokens-per-param
    explanation: str
    in_range: FitSpread | None
    extrapolated: FitSpread | None


def classify_tokens_per_param(
    *, tokens_per_param: float, reference_tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM
) -> Verdict:
    """Under-trained, near-optimal or over-trained vs the reference ratio (band: NEAR_OPTIMAL_BAND)."""
    ratio = require_number("tokens_per_param", tokens_per_param, maximum=_MAX_COUNT)
    reference = require_number("reference_tokens_per_param", reference_tokens_per_param, maximum=_MAX_COUNT)
    factor = ratio / reference
    kind: VerdictKind
    if factor < 1.0 / NEAR_OPTIMAL_BAND:
        kind = "under-trained"
    elif factor > NEAR_OPTIMAL_BAND:
        kind = "over-trained"
    else:
        kind = "near-optimal"
    return Verdict(
        kind=kind, factor=factor, reference_tokens_per_param=reference, near_optimal_band=NEAR_OPTIMAL_BAND
    )


def tokens_per_param(
    *,
    tokens: float,
    total_params: float,
    active_params: float | None = None,
    reference_tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM,
) -> TokensPerParam:
    """D/N against total and against active parameters, each judged vs the reference.

    ``active_params=None`` means a dense model (active = total). For an MoE the active ratio
    is the one that tracks compute (C = 6·N_active·D); the total ratio tracks memory.
    """
    d = require_number("tokens", tokens, maximum=_MAX_COUNT)
    total = require_number("total_params", total_params, maximum=_MAX_COUNT)
    active = total if active_params is None else require_number("active_params", active_params, maximum=total)
    ref = require_number("reference_tokens_per_param", reference_tokens_per_param, maximum=_MAX_COUNT)
    return TokensPerParam(
        tokens=d, total_params=total, active_params=active,
        per_total_param=d / total, per_active_param=d / active,
        total_verdict=classify_tokens_per_param(tokens_per_param=d / total, reference_tokens_per_param=ref),
        active_verdict=classify_tokens_per_param(tokens_per_param=d / active, reference_tokens_per_param=ref),
    )


def data_matched_params(
    *, tokens: float, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM
) -> DataMatch:
    """What model size matches this data? N = D / tokens_per_param (Hoffmann 2022 Table 3: ~20)."""
    d = require_number("tokens", tokens, maximum=_MAX_COUNT)
    ratio = require_number("tokens_per_param", tokens_per_param, maximum=_MAX_COUNT)
    params = d / ratio
    return DataMatch(
        tokens=d, tokens_per_param=ratio, params=params, compute_flops=6.0 * params * d,
        source="Hoffmann et al. 2022 Table 3 (~20 tokens/param); C = 6ND",
    )


def compute_matched_allocations(
    *, compute_flops: float, fits: Sequence[str] | None = None
) -> tuple[Allocation, ...]:
    """What model is compute-optimal for the same FLOPs? One Allocation per fit.

    ``fits=None`` means every fit in :data:`tools.calc.fits.FITS`, in registry order.
    Under ``rule-20`` the answer is N = sqrt(C/120).
    """
    names = tuple(FITS) if fits is None else _fit_names(fits)
    return tuple(get_fit(name).optimal_for_compute(compute_flops=compute_flops) for name in names)


def compare_fits_at(*, compute_flops: float, fits: Sequence[str] | None = None) -> FitComparison:
    """The fits' allocations at one budget, and their min/max tokens-per-param with an explanation.

    The spread is given over every fit, over the fits read inside their fitted span and over those
    extrapolated beyond it.
    """
    allocations = compute_matched_allocations(compute_flops=compute_flops, fits=fits)
    every = _spread(allocations)
    return FitComparison(
        compute_flops=allocations[0].compute_flops, allocations=allocations,
        min_tokens_per_param=every.min_tokens_per_param, min_fit=every.min_fit,
        max_tokens_per_param=every.max_tokens_per_param, max_fit=every.max_fit,
        spread=every.max_tokens_per_param / every.min_tokens_per_param, explanation=FIT_DISAGREEMENT_EXPLANATION,
        in_range=fit_spread([a for a in allocations if a.in_fitted_range is True]),
        extrapolated=fit_spread([a for a in allocations if a.in_fitted_range is False]),
    )


def fit_spread(allocations: Sequence[Allocation]) -> FitSpread | None:
    """The lowest and highest tokens-per-param among ``allocations``; ``None`` for none."""
    return _spread(allocations) if allocations else None


def _spread(allocations: Sequence[Allocation]) -> FitSpread:
    low = min(allocations, key=lambda a: a.tokens_per_param)
    high = max(allocations, key=lambda a: a.tokens_per_param)
    return FitSpread(fits=tuple(a.fit for a in allocations), min_tokens_per_param=low.tokens_per_param,
                     min_fit=low.fit, max_tokens_per_param=high.tokens_per_param, max_fit=high.fit)


def _fit_names(fits: Sequence[str]) -> tuple[str, ...]:
    if isinstance(fits, str) or not isinstance(fits, Sequence) or len(fits) == 0:
        raise CalcInputError(
            field="fits", value=fits, expected="a non-empty list of fit names: " + ", ".join(FITS),
            code="fit_names", values={"choices": tuple(FITS)},
        )
    return tuple(get_fit(name).name for name in fits)
