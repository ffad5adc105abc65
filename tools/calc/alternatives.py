"""Four ways to spend a planned run, quantified side by side.

Given a plan of ``tokens`` on a model of ``params`` (the activated parameters for an MoE:
they set the compute, C = 6·N_active·D), the alternatives are:

1. ``as_planned``: the plan itself;
2. ``match_data``: keep the data, scale the model to it, N = D/20;
3. ``stop_early``: keep the model, stop at its compute-optimal token count, D = 20·N;
4. ``compute_optimal``: keep the FLOPs, take the compute-optimal model, N = √(C/120).

All three changes use the 20-tokens-per-parameter rule (Hoffmann et al. 2022 Table 3), so
the rows answer the questions a planner asks in the same terms; :mod:`tools.calc.scaling`
shows how each published fit would move them. Compute is 6·N·D for every row. Predicted
losses come from every fit that has a loss law, as differences from the plan (absolute
values are not comparable across data and tokenizers); ``loss_in_fitted_range`` says, per fit,
whether both the row and the plan lie inside the span the fit was fitted on
(:mod:`tools.calc.fit_ranges`), so a difference read outside it can be marked an extrapolation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from tools.calc.errors import require_number
from tools.calc.fits import FITS
from tools.calc.scaling import CHINCHILLA_TOKENS_PER_PARAM

AlternativeKey = Literal["as_planned", "match_data", "stop_early", "compute_optimal"]

LOSS_FITS = tuple(name for name, fit in FITS.items() if fit.loss_law is not None)


@dataclass(frozen=True, kw_only=True)
class Alternative:
    key: AlternativeKey
    params: float
    tokens: float
    compute_flops: float
    tokens_per_param: float
    predicted_loss: dict[str, float]
    loss_delta: dict[str, float]  # predicted loss minus the plan's, per fit
    loss_in_fitted_range: dict[str, bool]  # per fit: row and plan both inside the fit's fitted span


def _losses(params: float, tokens: float) -> dict[str, float]:
    return {name: FITS[name].predicted_loss(params=params, tokens=tokens).loss_nats for name in LOSS_FITS}


def _in_range(params: float, tokens: float, compute: float) -> dict[str, bool]:
    """Per loss fit, whether (N, D, C) lies inside its fitted span (a fit recording none counts as inside)."""
    return {name: FITS[name].in_fitted_range(params=params, tokens=tokens, compute_flops=compute) is not False
            for name in LOSS_FITS}


def plan_alternatives(*, params: float, tokens: float) -> tuple[Alternative, ...]:
    """The four rows (see module docstring), in the order above."""
    n = require_number("params", params, maximum=1e15)
    d = require_number("tokens", tokens, maximum=1e18)
    ratio = CHINCHILLA_TOKENS_PER_PARAM
    compute = 6.0 * n * d  # C = 6·N·D (Kaplan 2020 §2.1)
    rows: list[tuple[AlternativeKey, float, float]] = [
        ("as_planned", n, d),
        ("match_data", d / ratio, d),
        ("stop_early", n, ratio * n),
        ("compute_optimal", math.sqrt(compute / (6.0 * ratio)), math.sqrt(compute * ratio / 6.0)),
    ]
    planned, planned_in_range = _losses(n, d), _in_range(n, d, compute)
    result = []
    for key, rn, rd in rows:
        row_compute = 6.0 * rn * rd  # C = 6·N·D
        losses, in_range = _losses(rn, rd), _in_range(rn, rd, row_compute)
        result.append(Alternative(
            key=key, params=rn, tokens=rd, compute_flops=row_compute, tokens_per_param=rd / rn,
            predicted_loss=losses, loss_delta={name: losses[name] - planned[name] for name in losses},
            loss_in_fitted_range={name: in_range[name] and planned_in_range[name] for name in losses},
        ))
    return tuple(result)
