"""What a planned run will show: each fit's predicted loss along the run, and where its returns diminish.

For a run of ``tokens`` (D) on a model of ``params`` (N, the activated parameters for an MoE: the
fits were made on dense models and C = 6·N_active·D), under every fit of :mod:`tools.calc.fits`
that has a loss law:

* **checkpoints**: the predicted loss after a fraction of the tokens (10%, 30% and 100% by default,
  :data:`DEFAULT_CHECKPOINT_FRACTIONS`), and the **remaining gain**, that loss minus the loss at the
  end of the run: how much the rest of the tokens still buy, on the fit;
* **the point of diminishing returns** (:class:`DiminishingReturns`), defined below, as tokens and
  tokens per parameter, and whether the plan ends before or after it;
* the fit's **compute-optimal tokens** for this N (``ScalingFit.optimal_for_params``), for comparison.

Fits without a loss law are listed by name in ``fits_without_loss_law``, not skipped silently. Every
loss is the fit's prediction for the fit's own data and tokenizer, not a promise for this run: the
result says so with the ``loss_fit_prediction`` assumption code (the sentence is in prompts/).

**The point of diminishing returns** is the token count at which the fit's data term has fallen to
the size of its model term. For the Chinchilla form L(N, D) = E + A/N^α + B/D^β (Hoffmann 2022
Eq. 2) it is D* = (B·N^α/A)^(1/β), where B/D^β = A/N^α. Hoffmann §3.3 reads A/N^α as what a
perfectly trained model of N parameters still loses and B/D^β as what the finite run adds; past D*
most of the loss that is still reducible is the model's size, which more tokens cannot buy, and
each doubling of D takes off (1 − 2^−β) of a data term already below the model term. For Kaplan's
L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Kaplan 2020 Eq. 1.5) the two bracketed terms play these
roles: D* = D_c·(N/N_c)^(α_N/α_D), where L is 2^α_D ≈ 1.074 × the infinite-data loss L(N, ∞)
(Kaplan Eq. 4.2-4.3). The definition is this tool's convention on those decompositions. It was chosen
over:

* the compute-optimal point (Hoffmann Eq. 4: αA/N^α = βB/D^β, so D_opt = D*·(β/α)^(1/β)), which
  answers a different question (would the next FLOP buy more in a bigger model?) and is reported
  beside it as ``compute_optimal_tokens``; with α > β (Hoffmann's constants) D* comes after it
  (2.0 × D_opt for the printed ones), with α < β (Epoch 2024) just before it (0.87 ×);
* Kaplan's overfitting bound D ≳ 5e3·N^0.74 (Eq. 4.4: δL = L/L(N, ∞) − 1 below the ~2% run-to-run
  noise), a threshold relative to the absolute loss, which under the Chinchilla form includes E, the
  entropy of the fit's own data and tokenizer; D* compares two reducible terms of one fit, without E.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError, require_number
from tools.calc.fits import FITS, ScalingFit

# Convention of THIS TOOL, not of any paper: an early, a middle and the final checkpoint.
DEFAULT_CHECKPOINT_FRACTIONS: tuple[float, ...] = (0.1, 0.3, 1.0)
MAX_CHECKPOINTS = 20

PlanPosition = Literal["before", "after"]


@dataclass(frozen=True, kw_only=True)
class LossCheckpoint:
    """The predicted loss after ``fraction`` of the run's tokens, and what the rest of the run still buys."""

    fraction: float
    tokens: float
    loss_nats: float
    remaining_gain_nats: float  # loss here minus the loss at the end of the run (>= 0)


@dataclass(frozen=True, kw_only=True)
class DiminishingReturns:
    """Where the fit's data term has fallen to its model term (see module doc), and the plan beside it."""

    tokens: float
    tokens_per_param: float
    plan_position: PlanPosition  # "after" when the planned tokens reach or pass the point
    plan_over_point: float  # planned tokens / tokens at the point


@dataclass(frozen=True, kw_only=True)
class FitLossCurve:
    """One fit's predictions for the run."""

    fit: str
    formula: str
    loss_nats_at_end: float
    checkpoints: tuple[LossCheckpoint, ...]
    diminishing_returns: DiminishingReturns
    compute_optimal_tokens: float  # the fit's D for which N is compute-optimal (ScalingFit.optimal_for_params)


@dataclass(frozen=True, kw_only=True)
class LossCurve:
    """Every loss fit's predictions for a run of ``tokens`` on ``params``, and the fits that have no loss law."""

    params: float
    tokens: float
    fractions: tuple[float, ...]
    curves: tuple[FitLossCurve, ...]
    fits_without_loss_law: tuple[str, ...]
    assumptions: tuple[Assumption, ...]


def _fractions(fractions: Sequence[float] | None) -> tuple[float, ...]:
    """The checkpoint fractions, each in (0, 1], ascending and without repeats."""
    expected = f"a list of 1 to {MAX_CHECKPOINTS} shares of the planned tokens, each > 0 and <= 1"
    if fractions is None:
        return DEFAULT_CHECKPOINT_FRACTIONS
    if isinstance(fractions, str) or not isinstance(fractions, Sequence) or not 1 <= len(fractions) <= MAX_CHECKPOINTS:
        raise CalcInputError(field="fractions", value=fractions, expected=expected,
                             code="checkpoint_fractions", values={"maximum": MAX_CHECKPOINTS})
    for value in fractions:
        try:
            require_number("fractions", value, maximum=1.0)
        except CalcInputError:
            raise CalcInputError(field="fractions", value=value, expected=expected,
                                 code="checkpoint_fractions", values={"maximum": MAX_CHECKPOINTS}) from None
    return tuple(sorted({float(value) for value in fractions}))


def _fit_curve(fit: ScalingFit, *, params: float, tokens: float, fractions: tuple[float, ...]) -> FitLossCurve:
    end = fit.predicted_loss(params=params, tokens=tokens).loss_nats
    checkpoints = []
    for fraction in fractions:
        loss = fit.predicted_loss(params=params, tokens=fraction * tokens).loss_nats
        checkpoints.append(LossCheckpoint(fraction=fraction, tokens=fraction * tokens, loss_nats=loss,
                                          remaining_gain_nats=loss - end))
    point = fit.loss_law.balance_tokens(params=params)  # data term = model term (module doc)
    return FitLossCurve(
        fit=fit.name, formula=fit.loss_formula, loss_nats_at_end=end, checkpoints=tuple(checkpoints),
        diminishing_returns=DiminishingReturns(
            tokens=point, tokens_per_param=point / params, plan_position="after" if tokens >= point else "before",
            plan_over_point=tokens / point,
        ),
        compute_optimal_tokens=fit.optimal_for_params(params=params).tokens,
    )


def loss_curve(*, params: float, tokens: float, fractions: Sequence[float] | None = None) -> LossCurve:
    """Each loss fit's predicted loss at the checkpoints of a run, the remaining gains, and the point of
    diminishing returns (module doc); ``fractions=None`` means :data:`DEFAULT_CHECKPOINT_FRACTIONS`.

    ``params`` is N in the fits' sense (the activated parameters for an MoE), ``tokens`` the run's D.
    """
    shares = _fractions(fractions)
    n = require_number("params", params)
    d = require_number("tokens", tokens)
    with_law = [fit for fit in FITS.values() if fit.loss_law is not None]
    curves = tuple(_fit_curve(fit, params=n, tokens=d, fractions=shares) for fit in with_law)
    assumptions = [assume("loss_fit_prediction"), assume("diminishing_returns_definition")]
    if fractions is None:
        assumptions.append(assume("loss_checkpoints_default", fractions=DEFAULT_CHECKPOINT_FRACTIONS))
    return LossCurve(
        params=n, tokens=d, fractions=shares, curves=curves,
        fits_without_loss_law=tuple(name for name, fit in FITS.items() if fit.loss_law is None),
        assumptions=tuple(assumptions),
    )
