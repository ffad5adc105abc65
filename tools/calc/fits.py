"""Named scaling-law fits: compute-optimal model size and data, and predicted loss.

Every fit answers the same three questions (keyword-only, frozen results):

* :meth:`ScalingFit.optimal_for_compute`: the compute-optimal (params, tokens) for a budget;
* :meth:`ScalingFit.optimal_for_params`: the inverse, the budget and tokens for which a given
  model size is compute-optimal;
* :meth:`ScalingFit.predicted_loss`: the fit's loss L(N, D), where the paper has a loss law.

Compute convention: every fit uses C = 6·N·D (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022
§3), except ``deepseek-2024``, which uses C = M·D with M the non-embedding FLOPs per token
(DeepSeek LLM 2024 §3.2). Each constant carries its paper and table or equation beside it;
the reference sheet is ``shared/reference/literature.md`` §1–4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.calc.errors import CalcInputError, require_number
from tools.calc.fit_ranges import (
    DEEPSEEK_ISOFLOP,
    EPOCH_POINTS,
    HOFFMANN_ISOFLOP,
    HOFFMANN_MODELS,
    KAPLAN_RUNS,
    FittedRange,
)

_MAX_COMPUTE_FLOPS = 1e40  # ~1e15x the largest published run (Llama 3.1 405B, 3.8e25); catches unit slips
_MAX_PARAMS = 1e20  # ~1e8x the largest models; keeps the inverse power laws finite
_MAX_TOKENS = 1e24

SIX_ND = "C = 6·N·D (Kaplan 2020 §2.1; Hoffmann 2022 §3)"

LOSS_CAVEAT = (
    "Absolute loss depends on the fit's own training data and tokenizer (MassiveText and "
    "SentencePiece for Chinchilla/Epoch; WebText2 and the GPT-2 BPE for Kaplan), so it is not "
    "comparable with your runs or across fits: trust differences between (N, D) points under "
    "one fit, not absolute values."
)


@dataclass(frozen=True, kw_only=True)
class PowerLaw:
    """y = coefficient · x^exponent."""

    coefficient: float
    exponent: float

    def at(self, *, x: float) -> float:
        return self.coefficient * x**self.exponent

    def solve(self, *, y: float) -> float:
        """The x at which the law gives y."""
        return (y / self.coefficient) ** (1.0 / self.exponent)


@dataclass(frozen=True, kw_only=True)
class ClosedForm:
    """Hoffmann 2022 Eq. (4) under C = 6ND: N = G·(C/6)^a, D = (C/6)^b / G."""

    g: float
    a: float
    b: float

    def params_for_tokens(self, *, tokens: float) -> float:
        """The N whose compute-optimal D is ``tokens``: from D = (C/6)^b/G, C/6 = (G·D)^(1/b), so
        N = G·(G·D)^(a/b) (Hoffmann 2022 Eq. 4; ``D_to_N`` in huggingface/datablations' README)."""
        return self.g * (self.g * tokens) ** (self.a / self.b)


@dataclass(frozen=True, kw_only=True)
class ChinchillaLoss:
    """L(N, D) = E + A/N^α + B/D^β in nats per token (Hoffmann 2022 Eq. 2)."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def model_term(self, *, params: float) -> float:
        """A/N^α: what a perfectly trained model of N parameters still loses (Hoffmann 2022 §3.3)."""
        return self.A / params**self.alpha

    def data_term(self, *, tokens: float) -> float:
        """B/D^β: what stopping after D tokens adds, the model not trained to convergence (Hoffmann 2022 §3.3)."""
        return self.B / tokens**self.beta

    def loss(self, *, params: float, tokens: float) -> float:
        return self.E + self.model_term(params=params) + self.data_term(tokens=tokens)  # Hoffmann 2022 Eq. 2

    def balance_tokens(self, *, params: float) -> float:
        """The D at which the data term has fallen to the model term: B/D^β = A/N^α, D = (B/(A/N^α))^(1/β)."""
        return (self.B / self.model_term(params=params)) ** (1.0 / self.beta)

    def tokens_for_loss(self, *, params: float, loss: float) -> float:
        """The D at which N parameters reach ``loss``: Eq. 2 solved for D, D = (B/(L − E − A/N^α))^(1/β).

        Infinite when N alone cannot reach ``loss`` (L − E − A/N^α <= 0).
        """
        room = loss - self.E - self.model_term(params=params)
        return math.inf if room <= 0 else (self.B / room) ** (1.0 / self.beta)

    def closed_form(self) -> ClosedForm:
        """G = (αA/(βB))^(1/(α+β)), a = β/(α+β), b = α/(α+β) (Hoffmann 2022 Eq. 4)."""
        total = self.alpha + self.beta
        g = (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / total)
        return ClosedForm(g=g, a=self.beta / total, b=self.alpha / total)


@dataclass(frozen=True, kw_only=True)
class KaplanLoss:
    """L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D in nats per token (Kaplan 2020 Eq. 1.5).

    N is non-embedding parameters; D is tokens (GPT-2 BPE).
    """

    n_c: float
    d_c: float
    alpha_n: float
    alpha_d: float

    def model_term(self, *, params: float) -> float:
        """(N_c/N)^(α_N/α_D): the model-size term inside the bracket of Kaplan 2020 Eq. (1.5)."""
        return (self.n_c / params) ** (self.alpha_n / self.alpha_d)

    def data_term(self, *, tokens: float) -> float:
        """D_c/D: the data term inside the bracket of Kaplan 2020 Eq. (1.5)."""
        return self.d_c / tokens

    def loss(self, *, params: float, tokens: float) -> float:
        return (self.model_term(params=params) + self.data_term(tokens=tokens)) ** self.alpha_d  # Kaplan Eq. 1.5

    def balance_tokens(self, *, params: float) -> float:
        """The D at which the data term has fallen to the model term: D_c/D = (N_c/N)^(α_N/α_D)."""
        return self.d_c / self.model_term(params=params)


@dataclass(frozen=True, kw_only=True)
class Allocation:
    """A compute-optimal (params, tokens) pair under one fit.

    ``flops_per_token`` is 6·N for the C = 6ND fits and DeepSeek's M (FLOPs per token) for
    ``deepseek-2024``; either way compute_flops ≈ flops_per_token · tokens. ``in_fitted_range`` says
    whether the pair lies inside the span the fit was fitted on (:class:`FittedRange`); ``None`` when the
    fit records none (the 20× rule of thumb).
    """

    fit: str
    params: float
    tokens: float
    compute_flops: float
    tokens_per_param: float
    flops_per_token: float
    compute_rule: str
    approximate: bool
    in_fitted_range: bool | None
    notes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class LossPrediction:
    """The fit's predicted loss (nats per token) at (params, tokens), with its caveat."""

    fit: str
    params: float
    tokens: float
    loss_nats: float
    formula: str
    caveat: str


@dataclass(frozen=True, kw_only=True)
class ScalingFit:
    """One published compute-optimal scaling law.

    ``params_law`` gives N_opt(C) (for DeepSeek the N-equivalent M_opt/6). ``tokens_law`` is
    set only when the paper gives D_opt(C) separately (DeepSeek Eq. 4); otherwise
    D = C/(6N). ``fitted_range`` is the span of the runs behind the fit (``None`` for a rule of thumb).
    """

    name: str
    title: str
    citation: str
    source: str
    compute_rule: str
    params_law: PowerLaw
    tokens_law: PowerLaw | None = None
    loss_law: ChinchillaLoss | KaplanLoss | None = None
    loss_formula: str = ""
    approximate: bool = False
    fitted_range: FittedRange | None = None
    notes: tuple[str, ...] = ()

    def in_fitted_range(self, *, params: float, tokens: float, compute_flops: float) -> bool | None:
        """Whether (N, D, C) lies inside the fit's fitted range; ``None`` when the fit records none."""
        if self.fitted_range is None:
            return None
        return self.fitted_range.contains(params=params, tokens=tokens, compute_flops=compute_flops)

    def optimal_for_compute(self, *, compute_flops: float) -> Allocation:
        """Compute-optimal params and tokens for a training budget in FLOPs."""
        compute = require_number("compute_flops", compute_flops, maximum=_MAX_COMPUTE_FLOPS)
        return self._allocation(compute=compute, params=self.params_law.at(x=compute))

    def optimal_for_params(self, *, params: float) -> Allocation:
        """The budget (and tokens) at which a model of ``params`` is compute-optimal."""
        n = require_number("params", params, minimum=1.0, maximum=_MAX_PARAMS, allow_minimum=True)  # a count: ≥ 1
        return self._allocation(compute=self.params_law.solve(y=n), params=n)

    def predicted_loss(self, *, params: float, tokens: float) -> LossPrediction | None:
        """L(N, D) from the fit's loss law, or None when the fit has none."""
        n = require_number("params", params, maximum=_MAX_PARAMS)
        d = require_number("tokens", tokens, maximum=_MAX_TOKENS)
        if self.loss_law is None:
            return None
        return LossPrediction(
            fit=self.name, params=n, tokens=d, loss_nats=self.loss_law.loss(params=n, tokens=d),
            formula=self.loss_formula, caveat=LOSS_CAVEAT,
        )

    def _allocation(self, *, compute: float, params: float) -> Allocation:
        if self.tokens_law is None:
            tokens = compute / (6.0 * params)  # C = 6ND
        else:
            tokens = self.tokens_law.at(x=compute)
        return Allocation(
            fit=self.name, params=params, tokens=tokens, compute_flops=compute,
            tokens_per_param=tokens / params, flops_per_token=6.0 * params,
            compute_rule=self.compute_rule, approximate=self.approximate,
            in_fitted_range=self.in_fitted_range(params=params, tokens=tokens, compute_flops=compute),
            notes=self.notes,
        )


def closed_form_params_law(loss: ChinchillaLoss) -> PowerLaw:
    """N_opt = G·(C/6)^a = (G·6^-a)·C^a (Hoffmann 2022 Eq. 4)."""
    form = loss.closed_form()
    return PowerLaw(coefficient=form.g * 6.0 ** (-form.a), exponent=form.a)


def _log_least_squares(rows: tuple[tuple[float, float, float], ...], *, exponent: float | None) -> PowerLaw:
    """Least squares of ln N on ln C over (params, compute_flops, tokens) rows.

    With ``exponent`` given only ln G is fitted (the mean residual); otherwise both.
    """
    xs = [math.log(compute) for _, compute, _ in rows]
    ys = [math.log(params) for params, _, _ in rows]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    if exponent is None:
        covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
        exponent = covariance / sum((x - mean_x) ** 2 for x in xs)
    return PowerLaw(coefficient=math.exp(mean_y - exponent * mean_x), exponent=exponent)


# Hoffmann et al. 2022, Table 3 (Approach 1 projections), as printed: (params, FLOPs, tokens).
HOFFMANN_TABLE_3: tuple[tuple[float, float, float], ...] = (
    (400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9),
    (67e9, 5.76e23, 1.5e12), (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12),
    (520e9, 3.43e25, 11.0e12), (1e12, 1.27e26, 21.2e12), (10e12, 1.30e28, 216.2e12),
)
# Hoffmann et al. 2022, Table A3, Approach 2 column, as printed: (params, FLOPs, tokens).
HOFFMANN_TABLE_A3_APPROACH_2: tuple[tuple[float, float, float], ...] = (
    (400e6, 1.84e19, 7.7e9), (1e9, 1.20e20, 20.0e9), (10e9, 1.32e22, 219.5e9),
    (67e9, 6.88e23, 1.7e12), (175e9, 4.54e24, 4.3e12), (280e9, 1.18e25, 7.1e12),
    (520e9, 4.19e25, 13.4e12), (1e12, 1.59e26, 26.5e12), (10e12, 1.75e28, 292.0e12),
)

# Approach 1: exponent AND G fitted to Table 3 (a = 0.498, G = 0.0992). The printed a = 0.50
# (Table 2) with its best G misses Table 3 by up to 4.4% in compute-from-params (400M row).
_APPROACH_1_LAW = _log_least_squares(HOFFMANN_TABLE_3, exponent=None)
# Approach 2: printed a = 0.49 (Hoffmann 2022 Table 2); G fitted to Table A3 (G = 0.1444).
_APPROACH_2_LAW = _log_least_squares(HOFFMANN_TABLE_A3_APPROACH_2, exponent=0.49)

# Hoffmann 2022 App. D.2 Eq. (10), as printed (rounded).
HOFFMANN_ROUNDED = ChinchillaLoss(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
# Unrounded, from the TeX source: epoch-research/analyzing-chinchilla data_analysis.ipynb `true_params`.
HOFFMANN_UNROUNDED = ChinchillaLoss(
    E=math.exp(0.5267228), A=math.exp(6.0073404), B=math.exp(6.0179186),
    alpha=0.33917084, beta=0.2849083,
)
# Besiroglu et al. 2024 (arXiv 2404.10102) refit; data_analysis.ipynb "Parameter estimates" cell.
EPOCH_2024 = ChinchillaLoss(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658)
# Kaplan 2020 Table 2, the joint L(N, D) fit of Eq. (1.5).
KAPLAN_2020_LOSS = KaplanLoss(n_c=6.4e13, d_c=1.8e13, alpha_n=0.076, alpha_d=0.103)

_KAPLAN_EXPONENT = 0.73  # N_opt ∝ C^0.73: Kaplan 2020 Eq. (1.7)/(6.1); Hoffmann 2022 Table 2
_KAPLAN_ANCHOR_PARAMS = 4.68e9  # Kaplan's rule at 1e21 FLOPs, per Hoffmann 2022 App. D.4
_KAPLAN_ANCHOR_FLOPS = 1e21
_DEEPSEEK_M = PowerLaw(coefficient=0.1715, exponent=0.5243)  # M_opt (FLOPs/token): DeepSeek LLM 2024 Eq. (4)
_DEEPSEEK_D = PowerLaw(coefficient=5.8316, exponent=0.4757)  # D_opt (tokens): DeepSeek LLM 2024 Eq. (4)
RULE_OF_20_TOKENS_PER_PARAM = 20.0  # Hoffmann 2022 Table 3 rounds to ~20 tokens/param

_CHINCHILLA = "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models"
_SIX_ND_NOTE = "Compute is C = 6·N·D with N total parameters (embeddings included, Hoffmann App. F)."
_CLOSED_FORM = "Closed form of Hoffmann 2022 Eq. (4): N = G·(C/6)^a, D = (C/6)^b/G."
_CHINCHILLA_LOSS = "L = E + A/N^α + B/D^β (Hoffmann 2022 Eq. 2)"

FITS: dict[str, ScalingFit] = {
    fit.name: fit
    for fit in (
        ScalingFit(
            name="chinchilla-approach1", title="Chinchilla Approach 1 (minimum over training curves)",
            citation="hoffmann2022", source=f"{_CHINCHILLA}, Table 2 and Table 3",
            compute_rule=SIX_ND, params_law=_APPROACH_1_LAW, fitted_range=HOFFMANN_MODELS,
            notes=(
                _SIX_ND_NOTE,
                "The paper prints the exponent (a = 0.50, Table 2) but no coefficient; "
                "N = G·C^a is least-squares fitted in log space to Table 3's nine rows at import.",
                "The exponent is fitted too (a ≈ 0.498, inside Table 2's 10-90% range 0.488-0.502): "
                "a = 0.50 misses Table 3 by up to 4.4% in compute-from-params (400M row).",
                "Table 3's 67B row is off the curve (1.5T tokens printed; C/(6N) gives 1.43T).",
            ),
        ),
        ScalingFit(
            name="chinchilla-approach2", title="Chinchilla Approach 2 (IsoFLOP profiles)",
            citation="hoffmann2022", source=f"{_CHINCHILLA}, Table 2 and Table A3",
            compute_rule=SIX_ND, params_law=_APPROACH_2_LAW, fitted_range=HOFFMANN_ISOFLOP,
            notes=(
                _SIX_ND_NOTE,
                "Exponent a = 0.49 as printed in Table 2; the coefficient G (not printed) is the "
                "log-space least-squares fit to Table A3's Approach 2 column, computed at import.",
                "Table A3's 67B row is off the curve by ~3% in N (~6% in compute).",
            ),
        ),
        ScalingFit(
            name="chinchilla-approach3", title="Chinchilla Approach 3 (parametric loss), printed constants",
            citation="hoffmann2022", source=f"{_CHINCHILLA}, App. D.2 Eq. (10) and Eq. (4)",
            compute_rule=SIX_ND, params_law=closed_form_params_law(HOFFMANN_ROUNDED),
            loss_law=HOFFMANN_ROUNDED, loss_formula=_CHINCHILLA_LOSS, fitted_range=HOFFMANN_MODELS,
            notes=(
                _SIX_ND_NOTE, _CLOSED_FORM,
                "Rounded constants E=1.69, A=406.4, B=410.7, α=0.34, β=0.28 give N 18-30% below "
                "Table A3 and ~50 (1e21 FLOPs) to ~150 (1e26) tokens/param; not tuned to the table.",
                "Besiroglu et al. 2024 found these constants inconsistent with the paper's own data; "
                "see epoch-2024.",
            ),
        ),
        ScalingFit(
            name="chinchilla-approach3-unrounded", title="Chinchilla Approach 3, unrounded constants",
            citation="hoffmann2022",
            source=f"{_CHINCHILLA}, TeX source values via epoch-research/analyzing-chinchilla `true_params`",
            compute_rule=SIX_ND, params_law=closed_form_params_law(HOFFMANN_UNROUNDED),
            loss_law=HOFFMANN_UNROUNDED, loss_formula=_CHINCHILLA_LOSS, fitted_range=HOFFMANN_MODELS,
            notes=(
                _SIX_ND_NOTE, _CLOSED_FORM,
                "ln A=6.0073404, ln B=6.0179186, ln E=0.5267228, α=0.33917084, β=0.2849083; "
                "N lands 1-7% below Table A3; not tuned to the table.",
            ),
        ),
        ScalingFit(
            name="epoch-2024", title="Epoch AI replication of Chinchilla Approach 3",
            citation="besiroglu2024",
            source="Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt (arXiv 2404.10102)",
            compute_rule=SIX_ND, params_law=closed_form_params_law(EPOCH_2024),
            loss_law=EPOCH_2024, loss_formula=_CHINCHILLA_LOSS, fitted_range=EPOCH_POINTS,
            notes=(
                _SIX_ND_NOTE, _CLOSED_FORM,
                "Refit A=482.01, B=2085.43, E=1.8172, α=0.3478, β=0.3658 (5 outliers dropped, "
                "240 points); implies ~16-26 tokens/param, consistent with Approaches 1-2.",
            ),
        ),
        ScalingFit(
            name="kaplan-2020", title="Kaplan et al. 2020 compute-efficient allocation",
            citation="kaplan2020",
            source="Kaplan et al. 2020, Scaling Laws for Neural Language Models, Eq. (1.5), (1.7), Table 2",
            compute_rule=SIX_ND,
            params_law=PowerLaw(
                coefficient=_KAPLAN_ANCHOR_PARAMS / _KAPLAN_ANCHOR_FLOPS**_KAPLAN_EXPONENT,
                exponent=_KAPLAN_EXPONENT,
            ),
            loss_law=KAPLAN_2020_LOSS, fitted_range=KAPLAN_RUNS,
            loss_formula="L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Kaplan 2020 Eq. 1.5, Table 2 fit)",
            notes=(
                "N_opt ∝ C^0.73 (Eq. 1.7), anchored at 4.68B params for 1e21 FLOPs "
                "(Hoffmann 2022 App. D.4); tokens D = C/(6N).",
                "Kaplan's N is non-embedding parameters and its C excludes embedding FLOPs; "
                "the result is read here as if it were total N.",
                "Loss uses the joint fit of Table 2 (α_N=0.076, α_D=0.103, N_c=6.4e13, D_c=1.8e13); "
                "the separate Eq. 1.1/1.2 fits differ (N_c=8.8e13, α_D=0.095, D_c=5.4e13). "
                "Nats per token with the GPT-2 tokenizer.",
            ),
        ),
        ScalingFit(
            name="deepseek-2024", title="DeepSeek LLM compute-optimal model/data scaling",
            citation="deepseek2024", source="DeepSeek-AI 2024, DeepSeek LLM (arXiv 2401.02954), §3.2 Eq. (4)",
            compute_rule="C = M·D, M = non-embedding FLOPs per token (DeepSeek LLM 2024 §3.2)",
            params_law=PowerLaw(coefficient=_DEEPSEEK_M.coefficient / 6.0, exponent=_DEEPSEEK_M.exponent),
            tokens_law=_DEEPSEEK_D, approximate=True, fitted_range=DEEPSEEK_ISOFLOP,
            notes=(
                "M_opt = 0.1715·C^0.5243 FLOPs/token and D_opt = 5.8316·C^0.4757 tokens (Eq. 4).",
                "params is the N-equivalent M/6, not a parameter count. M = 72·L·d² + 12·L·d·seq "
                "includes attention FLOPs; M/6 ignores that term and the embeddings, so it "
                "overstates non-embedding N (6N/M = 0.43 at 8 layers, d=512; 0.92 at 95 layers, "
                "d=8192: DeepSeek LLM Table 3).",
                "flops_per_token is M; M_base·D_base = 1.0001, so C matches M·D to 0.01%.",
            ),
        ),
        ScalingFit(
            name="rule-20", title="Rule of thumb: 20 tokens per parameter",
            citation="hoffmann2022", source=f"{_CHINCHILLA}, Table 3 (~20 tokens/param)",
            compute_rule=SIX_ND,
            # D = 20N and C = 6ND = 120N², so N = sqrt(C/120).
            params_law=PowerLaw(coefficient=(6.0 * RULE_OF_20_TOKENS_PER_PARAM) ** -0.5, exponent=0.5),
            notes=(_SIX_ND_NOTE, "D = 20·N, so C = 120·N² and N = sqrt(C/120)."),
        ),
    )
}


def get_fit(name: str) -> ScalingFit:
    """The fit registered under ``name``; CalcInputError lists the valid names otherwise."""
    if not isinstance(name, str) or name not in FITS:
        raise CalcInputError(field="fit", value=name, expected="one of: " + ", ".join(FITS),
                             code="one_of", values={"choices": tuple(FITS)})
    return FITS[name]
