"""The ``predict_loss_curve`` tool: what a planned run will show under each scaling-law fit.

Every number comes from :func:`tools.calc.loss_curve.loss_curve`; this module resolves the specs,
calls it with N = the activated parameters and D = the training tokens, and packs the result.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.analysis import AssumptionOut, assumptions_out
from tools.calc.assumptions import assume
from tools.calc.fits import FITS
from tools.calc.loss_curve import DEFAULT_CHECKPOINT_FRACTIONS, MAX_CHECKPOINTS, loss_curve
from tools.lenient import Share
from tools.specs import DataSpec, ModelSpec, resolve_specs

_STRICT = ConfigDict(extra="forbid")
_DEFAULT = ", ".join(f"{share:.0%}" for share in DEFAULT_CHECKPOINT_FRACTIONS)


class LossCurveInput(BaseModel):
    model_config = _STRICT
    model: ModelSpec
    data: DataSpec
    fractions: list[Share] | None = Field(
        None, min_length=1, max_length=MAX_CHECKPOINTS,
        description="Checkpoints as shares of the planned tokens, each in (0, 1], e.g. [0.1, 0.3, 1]; "
                    f"leave out for the default {_DEFAULT}")


class LossCheckpointOut(BaseModel):
    fraction: float
    tokens: float
    loss_nats: float
    remaining_gain_nats: float  # loss here minus the loss at the end of the run


class DiminishingReturnsOut(BaseModel):
    tokens: float
    tokens_per_param: float
    plan_position: Literal["before", "after"]
    plan_over_point: float


class FitLossCurveOut(BaseModel):
    fit: str
    title: str
    formula: str
    loss_nats_at_end: float
    checkpoints: list[LossCheckpointOut]
    diminishing_returns: DiminishingReturnsOut
    compute_optimal_tokens: float


class LossCurveResult(BaseModel):
    """Each fit's predictions (nats per token, the fit's own data and tokenizer) for N activated params and D tokens."""

    active_params: float
    total_params: float
    is_moe: bool
    tokens: float
    fractions: list[float]
    fits: list[FitLossCurveOut]
    fits_without_loss_law: list[str]
    approximate: bool
    assumptions: list[AssumptionOut]


def predict_loss_curve(args: LossCurveInput) -> LossCurveResult:
    """Predicted loss per fit at checkpoints of the run, what the rest of it still buys, and where returns diminish."""
    resolved = resolve_specs(model=args.model, data=args.data)
    model, data = resolved.model, resolved.data
    curve = loss_curve(params=model.active_params, tokens=data.tokens, fractions=args.fractions)
    assumptions = [*model.assumptions, *data.assumptions, *curve.assumptions]
    if model.is_moe:
        assumptions.append(assume("fits_on_active"))
    return LossCurveResult(
        active_params=model.active_params, total_params=model.total_params, is_moe=model.is_moe, tokens=data.tokens,
        fractions=list(curve.fractions),
        fits=[FitLossCurveOut(title=FITS[c.fit].title, **asdict(c)) for c in curve.curves],
        fits_without_loss_law=list(curve.fits_without_loss_law), approximate=model.approximate,
        assumptions=assumptions_out(assumptions),
    )
