"""Inference-aware sizing: Sardana, Portes, Doubov, Frankle 2024, "Beyond Chinchilla-Optimal" (arXiv 2401.00448).

Training costs 6·N FLOPs per token and serving costs 2·N per token (literature §6a). For a model that
will serve D_inf tokens over its life, Sardana et al. choose N and D_tr to

    minimise 6·N·D_tr + 2·N·D_inf   subject to   L(N, D_tr) = ℓ

with L a Chinchilla-form loss law (Hoffmann 2022 Eq. 2). On the constraint D_tr(N) =
(B/(ℓ − E − A/N^α))^(1/β) (:meth:`ChinchillaLoss.tokens_for_loss`); writing x = A/N^α and
r = ℓ − E − x (= B/D_tr^β), the derivative of the objective in N is

    g(N) = 6·D_tr·(1 − α·x/(β·r)) + 2·D_inf

(our derivation, shown so it can be checked). At D_inf = 0 its root is α·A/N^α = β·B/D^β, the
first-order condition of the Chinchilla optimum (Hoffmann 2022 Eq. 4), so the answer reduces to the
compute-optimal model; for D_inf > 0, g(N_chinchilla) = 2·D_inf > 0 and the root moves to a smaller N
trained on more tokens. The root is found by bisection on ln N.

Two questions are answered:

* :func:`inference_optimal_at_loss`: Sardana's own, the cheapest (N, D_tr) over the model's life
  for the loss of the compute-optimal model (it needs more *training* compute than the budget);
* :func:`inference_aware_plan`: the same trade-off within the training budget: the loss level whose
  inference-optimal model costs exactly C to train (a slightly higher loss than the compute-optimal
  one, for a smaller model that is cheaper to serve). This is the one the planner searches around.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.calc.errors import CalcInputError, require_number
from tools.calc.fits import ChinchillaLoss, closed_form_params_law

SOURCE = "Sardana et al. 2024, Beyond Chinchilla-Optimal (arXiv 2401.00448), §2; literature §6a"
TRAIN_FLOPS_PER_PARAM_TOKEN = 6.0  # forward + backward (Kaplan 2020 §2.1)
INFERENCE_FLOPS_PER_PARAM_TOKEN = 2.0  # forward only (Sardana 2024 §2; literature §6a)
_MAX_TOKENS = 1e20
_ITERATIONS = 200  # bisection halvings on ln N: far below float resolution


@dataclass(frozen=True, kw_only=True)
class InferenceOptimum:
    """The (N, D_tr) that reaches ``loss`` at the lowest training + inference FLOPs."""

    loss: float
    inference_tokens: float
    params: float
    training_tokens: float
    training_flops: float
    inference_flops: float

    @property
    def lifetime_flops(self) -> float:
        return self.training_flops + self.inference_flops


@dataclass(frozen=True, kw_only=True)
class InferenceAwarePlan:
    """The compute-optimal model for budget C, and how far lifetime inference moves it.

    ``same_loss`` is Sardana's optimum at the compute-optimal model's loss (more training compute than
    C); ``within_budget`` the inference-optimal model whose training costs exactly C (a higher loss).
    ``*_lifetime_flops`` are training + inference FLOPs at ``inference_tokens``.
    """

    compute_flops: float
    inference_tokens: float
    chinchilla_params: float
    chinchilla_tokens: float
    chinchilla_loss: float
    chinchilla_lifetime_flops: float
    same_loss: InferenceOptimum
    within_budget: InferenceOptimum
    source: str


def _lifetime(law: ChinchillaLoss, loss: float, inference_tokens: float, params: float) -> InferenceOptimum:
    tokens = law.tokens_for_loss(params=params, loss=loss)
    return InferenceOptimum(
        loss=loss, inference_tokens=inference_tokens, params=params, training_tokens=tokens,
        training_flops=TRAIN_FLOPS_PER_PARAM_TOKEN * params * tokens,  # 6·N·D_tr
        inference_flops=INFERENCE_FLOPS_PER_PARAM_TOKEN * params * inference_tokens,  # 2·N·D_inf
    )


def inference_optimal_at_loss(*, law: ChinchillaLoss, loss: float, inference_tokens: float) -> InferenceOptimum:
    """Sardana 2024: minimise 6·N·D_tr + 2·N·D_inf subject to L(N, D_tr) = ``loss`` (see module doc)."""
    if not isinstance(law, ChinchillaLoss):
        raise CalcInputError(field="fit", value=type(law).__name__,
                             expected="a fit with a Chinchilla-form loss law (Sardana et al. use Hoffmann's)",
                             code="fit_needs_loss_law")
    target = require_number("loss", loss, minimum=law.E)
    served = require_number("inference_tokens", inference_tokens, maximum=_MAX_TOKENS, allow_minimum=True)
    # Smallest N that can reach the loss at all (r = 0), and the Chinchilla point for this loss, where g = 2·D_inf.
    smallest = (law.A / (target - law.E)) ** (1.0 / law.alpha)
    low, high = math.log(smallest), _chinchilla_log_params_at_loss(law, target)
    if served == 0.0:
        return _lifetime(law, target, served, math.exp(high))
    for _ in range(_ITERATIONS):
        middle = (low + high) / 2.0
        if _slope(law, target, served, math.exp(middle)) > 0.0:
            high = middle
        else:
            low = middle
    return _lifetime(law, target, served, math.exp((low + high) / 2.0))


def _slope(law: ChinchillaLoss, loss: float, served: float, params: float) -> float:
    """g(N) = 6·D_tr·(1 − α·x/(β·r)) + 2·D_inf, x = A/N^α, r = ℓ − E − x (module doc)."""
    x = law.model_term(params=params)
    r = loss - law.E - x
    if r <= 0.0:
        return -math.inf
    tokens = law.tokens_for_loss(params=params, loss=loss)
    return TRAIN_FLOPS_PER_PARAM_TOKEN * tokens * (1.0 - law.alpha * x / (law.beta * r)) \
        + INFERENCE_FLOPS_PER_PARAM_TOKEN * served


def _chinchilla_log_params_at_loss(law: ChinchillaLoss, loss: float) -> float:
    """ln N of the compute-optimal model whose loss is ``loss``: on α·A/N^α = β·B/D^β (the condition
    behind Hoffmann 2022 Eq. 4) the loss is E + (1 + α/β)·A/N^α, so A/N^α = (ℓ − E)·β/(α + β)."""
    model_term = (loss - law.E) * law.beta / (law.alpha + law.beta)
    return math.log((law.A / model_term) ** (1.0 / law.alpha))


def inference_aware_plan(*, law: ChinchillaLoss, compute_flops: float, inference_tokens: float) -> InferenceAwarePlan:
    """The compute-optimal model for C, Sardana's optimum at its loss, and the one that fits C.

    ``within_budget`` solves 6·N(ℓ)·D_tr(ℓ) = C for the loss ℓ, with (N, D_tr)(ℓ) the inference optimum
    at ℓ (bisection on ℓ: training compute falls as the loss allowed rises). At D_inf = 0 all three
    coincide with the closed form of Hoffmann 2022 Eq. 4.
    """
    compute = require_number("compute_flops", compute_flops, maximum=1e40)
    served = require_number("inference_tokens", inference_tokens, maximum=_MAX_TOKENS, allow_minimum=True)
    params = closed_form_params_law(law).at(x=compute)  # Hoffmann 2022 Eq. 4
    tokens = compute / (TRAIN_FLOPS_PER_PARAM_TOKEN * params)
    loss = law.loss(params=params, tokens=tokens)
    same = inference_optimal_at_loss(law=law, loss=loss, inference_tokens=served)
    if served == 0.0:
        within = same
    else:
        low, high = loss, loss + 1.0
        while inference_optimal_at_loss(law=law, loss=high, inference_tokens=served).training_flops > compute:
            high += high - law.E  # widen until the inference optimum costs less than C to train
        for _ in range(_ITERATIONS):
            middle = (low + high) / 2.0
            if inference_optimal_at_loss(law=law, loss=middle, inference_tokens=served).training_flops > compute:
                low = middle
            else:
                high = middle
            if high - low <= 1e-13 * high:
                break
        within = inference_optimal_at_loss(law=law, loss=(low + high) / 2.0, inference_tokens=served)
    return InferenceAwarePlan(
        compute_flops=compute, inference_tokens=served, chinchilla_params=params, chinchilla_tokens=tokens,
        chinchilla_loss=loss,
        chinchilla_lifetime_flops=compute + INFERENCE_FLOPS_PER_PARAM_TOKEN * params * served,
        same_loss=same, within_budget=within, source=SOURCE,
    )
