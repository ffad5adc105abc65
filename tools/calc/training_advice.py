"""Advice that goes with a plan: learning rate and batch, optimizer, schedule, MoE practice, disagreements.

Everything here is typed data with its source; the sentences are templates in
``prompts/planner/{en,zh}.md`` keyed by :attr:`Advice.code`. ``status`` uses the literature sheet's
marks: ``P`` checked against a primary copy, ``S`` secondary copies, ``D`` derived, ``U`` no source
found (a claim to flag, not a fact); ``tool`` marks a choice of this tool, with its reasoning.

Learning rate and batch size come from DeepSeek LLM 2024 §3.1 Eq. (1), fitted on budgets 1e17-2e19
FLOPs (validated at 1e20; literature §4 [S])::

    η_opt = 0.3118 · C^(−0.1250)        B_opt = 0.2920 · C^(0.3271) tokens

with DeepSeek's C = M·D (non-embedding FLOPs per token, attention included, × tokens); the plan's
C = 6·N·D counts embeddings and leaves out attention, so the values are approximate, and outside the
fitted range they are extrapolations (said so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from tools.calc.errors import require_int, require_number
from tools.calc.fits import PowerLaw
from tools.calc.heuristics import krajewski_granularity

Status = Literal["P", "S", "D", "U", "tool"]

DEEPSEEK_LR = PowerLaw(coefficient=0.3118, exponent=-0.1250)  # η_opt: DeepSeek LLM 2024 §3.1 Eq. (1) [S]
DEEPSEEK_BATCH_TOKENS = PowerLaw(coefficient=0.2920, exponent=0.3271)  # B_opt: DeepSeek LLM 2024 §3.1 Eq. (1) [S]
DEEPSEEK_FIT_RANGE_FLOPS = (1e17, 2e19)  # the budgets fitted (literature §4)
DEEPSEEK_VALIDATED_FLOPS = 1e20  # "validated at 1e20" (literature §4)
CLARK_CROSSOVER_PARAMS = 9e11  # Clark 2022: routing stops helping near ~900B dense params (literature §5a [S])
MATTERS_WITHIN_FACTOR = 10.0  # this tool's convention: the MoE-law disagreement matters within 10× of it


@dataclass(frozen=True, kw_only=True)
class Advice:
    """One piece of advice: a sentence code, its values, how it is backed, and where from."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    status: Status
    citations: tuple[str, ...]  # keys of prompts/references.bib
    location: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))


@dataclass(frozen=True, kw_only=True)
class Hyperparameters:
    """DeepSeek LLM 2024's compute-optimal peak learning rate and batch size for a budget.

    ``code`` is ``hyperparameters``, or ``hyperparameters_extrapolated`` outside the validated budgets."""

    code: str
    compute_flops: float
    peak_lr: float
    batch_tokens: float
    batch_sequences: int
    seq_len: int
    within_fitted_range: bool
    within_validated_range: bool
    status: Status
    citations: tuple[str, ...]
    location: str


@dataclass(frozen=True, kw_only=True)
class PlanAdvice:
    hyperparameters: Hyperparameters
    schedule: Literal["wsd", "cosine"]
    items: tuple[Advice, ...]


def deepseek_hyperparameters(*, compute_flops: float, seq_len: int) -> Hyperparameters:
    """η_opt and B_opt of DeepSeek LLM 2024 Eq. (1) at ``compute_flops``; B also in sequences of ``seq_len``."""
    compute = require_number("compute_flops", compute_flops, maximum=1e40)
    length = require_int("seq_len", seq_len, maximum=10_000_000)
    batch = DEEPSEEK_BATCH_TOKENS.at(x=compute)
    low, high = DEEPSEEK_FIT_RANGE_FLOPS
    validated = low <= compute <= DEEPSEEK_VALIDATED_FLOPS
    return Hyperparameters(
        code="hyperparameters" if validated else "hyperparameters_extrapolated", compute_flops=compute,
        peak_lr=DEEPSEEK_LR.at(x=compute), batch_tokens=batch,
        batch_sequences=max(1, round(batch / length)), seq_len=length,
        within_fitted_range=low <= compute <= high, within_validated_range=validated,
        status="S", citations=("deepseek2024",),
        location="DeepSeek LLM 2024 §3.1 Eq. (1); fitted on 1e17-2e19 FLOPs, validated at 1e20 (literature §4 [S])",
    )


_OPTIMIZER = Advice(
    code="adamw_betas", values={"beta1": 0.9, "beta2": 0.95, "weight_decay": 0.1, "grad_clip": 1.0}, status="S",
    citations=("deepseek2024", "deepseekv3"),
    location="DeepSeek LLM 2024 §2.3 and DeepSeek-V3 §4.2 (grad clip 1.0) (literature §4, §11 [S])",
)
_COSINE = Advice(
    code="schedule_cosine", values={"final_fraction": 0.1, "overshoot": 0.25}, status="P", citations=("hoffmann2022",),
    location="Hoffmann 2022 App. D.1: cosine to 10% of the peak over exactly the training length; a cycle "
             "overshooting the run by more than 25% hurts (literature §1f [P])",
)
_WSD = Advice(
    code="schedule_wsd", values={"decay_tokens": 20e9, "stable_tokens": 1e12}, status="P", citations=("hu2024",),
    location="MiniCPM (Hu et al. 2024) §4.5, §6.2: warmup, constant, then a short exponential decay "
             "(20B tokens after a ~1T stable stage); decay can start from any stable checkpoint (literature §6c [P])",
)
_DEEPSEEK_V3_SCHEDULE = Advice(
    code="schedule_deepseek_v3", values={"peak_lr": 2.2e-4, "final_lr": 2.2e-5, "warmup_steps": 2000}, status="S",
    citations=("deepseekv3",),
    location="DeepSeek-V3 §4.2: warmup over 2K steps, constant to 10T tokens, cosine to 2.2e-5 over 4.3T "
             "(literature §11 [S])",
)
_SCHEDULE_CHOICE = Advice(
    code="schedule_choice", status="tool", citations=("hu2024", "hoffmann2022"),
    location="this tool's reasoning from the two sources above",
)
_LR_SQRT_BATCH = Advice(
    code="lr_sqrt_batch_unverified", values={"constant": 8.75e-6}, status="U", citations=(),
    location="literature, 'Numbers not confirmed' 1: no source found for the constant; the √B rule itself is "
             "old (Krizhevsky 2014)",
)


def _moe_items(*, compute_flops: float, active_params: float) -> tuple[Advice, ...]:
    granularity, row_flops = krajewski_granularity(compute_flops=compute_flops)
    matters = active_params * MATTERS_WITHIN_FACTOR >= CLARK_CROSSOVER_PARAMS
    return (
        Advice(code="moe_granularity", values={"granularity": granularity, "row_flops": row_flops,
                                                "wall_clock_granularity": 8}, status="P",
               citations=("krajewski2024",),
               location="Krajewski 2024 Table 2 (nearest budget row), §takeaways: G = 1 suboptimal; on A100 wall "
                        "clock G = 8 beat G = 16 at small scale (Fig. 5b) (literature §5b [P])"),
        Advice(code="moe_granularity_leverage", values={"low": 8, "high": 12}, status="S", citations=("tian2025",),
               location="Tian et al. 2025 (Ling), abstract: optimal granularity ≈ 8-12 (literature §5d [S])"),
        Advice(code="moe_tokens_per_active", values={"active_change": -0.52, "tokens_change": 1.13, "experts": 16},
               status="S", citations=("ludziejewski2025", "krajewski2024"),
               location="Ludziejewski 2025 Table 1 via secondary copies, low confidence (literature §5c [S]); "
                        "Krajewski 2024 Table 2 (D/active 44 → 8)"),
        Advice(code="moe_lr_experts", status="S", citations=("ludziejewski2025",),
               location="Ludziejewski 2025 LR rule, exp(8.39 − 0.81·ln N_act − 0.25·ln E): more experts, lower "
                        "LR (literature §5c, §11 [S]; transcription uncertain)"),
        Advice(code="moe_load_balance", values={"bias_update": 0.001, "balance_loss": 1e-4}, status="S",
               citations=("deepseekv3",),
               location="DeepSeek-V3 §4.2: bias update speed γ = 0.001 (0 for the last 500B tokens), "
                        "sequence-wise balance loss α = 1e-4 (literature §11 [S])"),
        Advice(code="moe_shared_experts", status="S", citations=("dai2024", "muennighoff2024"),
               location="DeepSeekMoE (Dai et al. 2024) for shared-expert isolation; OLMoE (Muennighoff et al. "
                        "2024 §4) found shared experts less effective: the sources disagree"),
        Advice(code="moe_speed", values={"slowdown": 0.5}, status="P", citations=("minimind",),
               location="MiniMind README @ d65ef2c: native-PyTorch MoE ≈ 50% slower than dense of equal active "
                        "size (literature §9a, §9c [P])"),
        Advice(code="moe_expert_lr_unverified", values={"share": 0.3}, status="U", citations=(),
               location="'expert LR at 30% of the global LR': no source in the literature sheet"),
        Advice(code="moe_upcycling_noise_unverified", values={"noise": 1e-3}, status="U", citations=(),
               location="'noise 1e-3 at upcycling initialisation': no source in the literature sheet"),
        Advice(code="moe_laws_disagree_matters" if matters else "moe_laws_disagree_far",
               values={"active_params": active_params, "crossover_params": CLARK_CROSSOVER_PARAMS},
               status="S", citations=("clark2022", "krajewski2024", "ludziejewski2025"),
               location="Clark 2022: routing gains shrink with N, crossover ~9e11 (literature §5a [S]); Krajewski "
                        "2024: MoE always more efficient at compute-optimal D [P]; Ludziejewski 2025 [S]"),
    )


def plan_advice(*, compute_flops: float, seq_len: int, active_params: float, is_moe: bool) -> PlanAdvice:
    """The advice for a plan of ``compute_flops`` around ``active_params`` (MoE items only for MoE plans).

    The schedule recommended is WSD: a budget in GPU-days or money fixes the run's length only as well as the
    MFU estimate does, and a cosine cycle must match the length (overshooting by > 25% hurts), while a WSD run
    can stop or be extended and then decay. That choice is this tool's (status ``tool``).
    """
    hyper = deepseek_hyperparameters(compute_flops=compute_flops, seq_len=seq_len)
    items = [_OPTIMIZER, _WSD, _COSINE, _DEEPSEEK_V3_SCHEDULE, _SCHEDULE_CHOICE, _LR_SQRT_BATCH]
    if is_moe:
        items.extend(_moe_items(compute_flops=compute_flops, active_params=active_params))
    return PlanAdvice(hyperparameters=hyper, schedule="wsd", items=tuple(items))
