"""Repeated data: Muennighoff et al. 2023, "Scaling Data-Constrained Language Models" (arXiv 2305.16264).

With U unique tokens seen for D training tokens, the repetitions are R_D = D/U − 1 and the data is
worth the *effective* tokens (Muennighoff 2023 §3, effective data D′)::

    D′ = U + U·R_D*·(1 − exp(−R_D/R_D*))        R_D* = 15.387756 (their fit)

so the first few repetitions are worth almost as much as new tokens and the value of more decays
to zero (D′ → U·(1 + R_D*)). The paper's headline: "training with up to 4 epochs of repeated data
yields negligible changes to loss compared to having unique data" (abstract).

The full law adds effective parameters N′ (excess parameters for the data also decay, R_N* =
5.309743) to a Chinchilla-form loss fitted on C4 with the GPT-2 tokenizer::

    L(N, D, U) = E + A/N′^α + B/D′^β

Constants and the reference implementation: huggingface/datablations README, "Parametric Fit"
(``a, b, e, alpha, beta, rd_star, rn_star``, log-space a, b, e). Its printed checks (2.22564 and
2.22696 for the two models of the paper's Figure 1, right) are the tests' reference values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.calc.errors import CalcInputError, require_number
from tools.calc.fits import ChinchillaLoss, closed_form_params_law

# huggingface/datablations README "Parametric Fit": a, b, e are ln A, ln B, ln E; α = β (tied in their fit).
MUENNIGHOFF_2023 = ChinchillaLoss(
    E=math.exp(0.6254804), A=math.exp(6.255414), B=math.exp(7.3049974), alpha=0.3526596, beta=0.3526596,
)
REPEATED_DATA_DECAY = 15.387756  # R_D*: Muennighoff 2023 fit (datablations README `rd_star`)
EXCESS_PARAMS_DECAY = 5.309743  # R_N*: Muennighoff 2023 fit (datablations README `rn_star`)
NEGLIGIBLE_EPOCHS = 4.0  # "up to 4 epochs of repeated data yields negligible changes to loss" (abstract)

SOURCE = "Muennighoff et al. 2023, Scaling Data-Constrained Language Models (arXiv 2305.16264), §3"
_MAX_TOKENS = 1e18


def effective_tokens(*, unique_tokens: float, training_tokens: float,
                     decay: float = REPEATED_DATA_DECAY) -> float:
    """D′ = U + U·R*·(1 − e^(−R_D/R*)), R_D = max(D/U − 1, 0) (Muennighoff 2023 §3, effective data)."""
    unique = require_number("unique_tokens", unique_tokens, maximum=_MAX_TOKENS)
    tokens = require_number("training_tokens", training_tokens, maximum=_MAX_TOKENS)
    repetitions = max(tokens / unique - 1.0, 0.0)
    if tokens < unique:
        return tokens  # fewer tokens than the data holds: all new
    return unique + unique * decay * (1.0 - math.exp(-repetitions / decay))


def data_constrained_loss(*, params: float, training_tokens: float, unique_tokens: float) -> float:
    """L(N, D, U) of Muennighoff 2023 with their constants (as the datablations README computes it).

    Excess parameters: U_N = min(N, N_opt(U)), the compute-optimal size for U tokens under the same law
    (Hoffmann 2022 Eq. 4 closed form), R_N = N/U_N − 1, N′ = U_N + U_N·R_N*·(1 − e^(−R_N/R_N*)).
    """
    n = require_number("params", params, maximum=1e20)
    d = require_number("training_tokens", training_tokens, maximum=_MAX_TOKENS)
    u = require_number("unique_tokens", unique_tokens, maximum=_MAX_TOKENS)
    if u > d:
        raise CalcInputError(field="unique_tokens", value=unique_tokens,
                             expected=f"at most the training tokens ({d:g})",
                             code="unique_at_most_tokens", values={"tokens": d})
    law = MUENNIGHOFF_2023
    unique_params = min(n, law.closed_form().params_for_tokens(tokens=u))  # datablations `D_to_N(U)`
    effective_params = effective_tokens(unique_tokens=unique_params, training_tokens=n, decay=EXCESS_PARAMS_DECAY)
    effective_data = effective_tokens(unique_tokens=u, training_tokens=d)
    return law.E + law.A / effective_params**law.alpha + law.B / effective_data**law.beta  # Muennighoff 2023 §3


@dataclass(frozen=True, kw_only=True)
class RepetitionView:
    """What repeating U unique tokens to D training tokens costs, and the data-constrained optimum.

    ``optimum_*`` is the (N, D) that minimises Muennighoff's L(N, D, U) at the same compute C = 6·N·D;
    ``free_optimum_*`` the same law's optimum with unlimited unique data (its closed form), so their
    ratio shows how far the data limit moves the plan under one law.
    """

    unique_tokens: float
    training_tokens: float
    epochs: float
    effective_tokens: float
    within_negligible_epochs: bool
    compute_flops: float
    optimum_params: float
    optimum_tokens: float
    optimum_epochs: float
    free_optimum_params: float
    free_optimum_tokens: float
    source: str


def data_constrained_optimum(*, compute_flops: float, unique_tokens: float) -> tuple[float, float]:
    """(N, D) minimising Muennighoff's L(N, C/(6N), U): a golden-section search on ln N.

    The datablations README finds the same optimum with a grid over N·D = const (its example, 8.67B
    params on 178B tokens of 25B unique, moves to ~6.8B params, ~227B tokens, 9.1 epochs).
    """
    compute = require_number("compute_flops", compute_flops, maximum=1e40)
    unique = require_number("unique_tokens", unique_tokens, maximum=_MAX_TOKENS)
    free = closed_form_params_law(MUENNIGHOFF_2023).at(x=compute)  # Hoffmann 2022 Eq. 4 for this law

    def loss_at(log_n: float) -> float:
        n = math.exp(log_n)
        d = compute / (6.0 * n)
        return data_constrained_loss(params=n, training_tokens=d, unique_tokens=min(unique, d))  # README: U ≤ D

    low, high = math.log(free) - math.log(1e3), math.log(free) + math.log(1e3)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = loss_at(a), loss_at(b)
    for _ in range(200):  # the bracket shrinks by 0.618 each step: far below float resolution
        if fa < fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = loss_at(a)
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = loss_at(b)
    params = math.exp((low + high) / 2.0)
    return params, compute / (6.0 * params)


def repetition_view(*, unique_tokens: float, training_tokens: float, compute_flops: float) -> RepetitionView:
    """Epochs, effective tokens and the data-constrained optimum for a plan of ``training_tokens``."""
    unique = require_number("unique_tokens", unique_tokens, maximum=_MAX_TOKENS)
    tokens = require_number("training_tokens", training_tokens, maximum=_MAX_TOKENS)
    params, optimum_tokens = data_constrained_optimum(compute_flops=compute_flops, unique_tokens=unique)
    free_params = closed_form_params_law(MUENNIGHOFF_2023).at(x=compute_flops)
    epochs = tokens / unique
    return RepetitionView(
        unique_tokens=unique, training_tokens=tokens, epochs=epochs,
        effective_tokens=effective_tokens(unique_tokens=unique, training_tokens=tokens),
        within_negligible_epochs=epochs <= NEGLIGIBLE_EPOCHS, compute_flops=compute_flops,
        optimum_params=params, optimum_tokens=optimum_tokens, optimum_epochs=optimum_tokens / unique,
        free_optimum_params=free_params, free_optimum_tokens=compute_flops / (6.0 * free_params), source=SOURCE,
    )
