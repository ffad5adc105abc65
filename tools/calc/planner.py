"""The planner: from a budget to recommended architectures, each counted exactly.

1. Budget → compute (:mod:`tools.calc.plan_budget`): FLOPs per architecture kind (MoE and dense
   MFU defaults differ), every assumption echoed.
2. Compute → targets: every fit's compute-optimal (N, D) (:func:`tools.calc.scaling.compare_fits_at`)
   and the spread between them; the search target is the chosen fit's, moved by lifetime inference
   (:mod:`tools.calc.inference_aware`, Sardana 2024) and, when the unique data would need more than
   ~4 epochs, by the data-constrained optimum (:mod:`tools.calc.data_constrained`, Muennighoff 2023).
3. Targets → architectures (:mod:`tools.calc.architecture_search`): candidates within ±10% of the
   target that fit the GPUs, ranked by published heuristics; each trains on C/(6·N_active) tokens (it
   uses the whole budget) and comes with its exact counts, FLOPs both ways, days, memory, each fit's
   predicted loss and its config files (:mod:`tools.calc.hf_export`).
4. Advice (:mod:`tools.calc.training_advice`): learning rate and batch, optimizer, schedule, MoE practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.calc.architecture_search import (
    DEFAULT_COMPARISON_CANDIDATES,
    DEFAULT_GRID,
    DEFAULT_MAX_CANDIDATES,
    DEFAULT_TOLERANCE,
    Architecture,
    CandidateShape,
    MemorySetup,
    SearchGrid,
    SearchOutcome,
    search_architectures,
)
from tools.calc.assumptions import Assumption, assume
from tools.calc.data_constrained import RepetitionView, effective_tokens, repetition_view
from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.fits import FITS, ChinchillaLoss, ScalingFit, get_fit
from tools.calc.flops import six_nd_flops, training_flops
from tools.calc.gpu_time import project_gpu_time
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.hf_export import MiniMindRefusal, hf_config, minimind_config
from tools.calc.inference_aware import InferenceAwarePlan, inference_aware_plan
from tools.calc.memory import DEFAULT_OVERHEAD_BYTES, RECOMPUTE_MODES, optimizer_states
from tools.calc.params import count_parameters
from tools.calc.plan_budget import ARCHITECTURES, ArchitectureCompute, PlanBudget, plan_budget
from tools.calc.resolve_data import DEFAULT_SEQ_LEN
from tools.calc.resolve_hardware import HardwareDescription
from tools.calc.scaling import FitComparison, compare_fits_at
from tools.calc.training_advice import PlanAdvice, plan_advice

DEFAULT_FIT = "epoch-2024"  # the replication of Chinchilla Approach 3 (Besiroglu 2024), with a loss law
DEFAULT_VOCAB_SIZE = 32_000  # the Llama 2 / Mistral tokenizer (presets llama-2-7b, mistral-7b)
DEFAULT_ZERO_STAGE = 2  # stages 1-2 move 2Ψ per step like plain data parallelism, stage 3 moves 3Ψ (lit. §10)
DEFAULT_OPTIMIZER = "adamw_mixed"  # 16 B/param: bf16 weights and grads, fp32 master, m, v (ZeRO §3)
DEFAULT_MICRO_BATCH = 1


@dataclass(frozen=True, kw_only=True)
class PlanRequest:
    """What the user stated (None: not stated, a named default is taken and echoed)."""

    hardware: HardwareDescription | None = None
    days: float | None = None
    gpu_hours: float | None = None
    budget: float | None = None
    compute_flops: float | None = None
    fit: str | None = None
    unique_tokens: float | None = None
    inference_tokens: float | None = None
    architectures: tuple[Architecture, ...] = ARCHITECTURES
    vocab_size: int | None = None
    tied_embeddings: bool | None = None
    seq_len: int | None = None
    micro_batch: int | None = None
    zero_stage: int | None = None
    optimizer: str | None = None
    recompute: str = "none"
    flash_attention: bool = True
    tolerance: float = DEFAULT_TOLERANCE
    max_candidates: int = DEFAULT_MAX_CANDIDATES  # for the first architecture kind
    comparison_candidates: int = DEFAULT_COMPARISON_CANDIDATES  # for the others (dense beside MoE)
    grid: SearchGrid = DEFAULT_GRID


@dataclass(frozen=True, kw_only=True)
class SearchTarget:
    """The activated parameters one architecture kind is searched around, and why."""

    architecture: Architecture
    basis: str  # "fit", "inference_aware" or "data_constrained"
    active_params: float
    tokens: float
    compute_flops: float


@dataclass(frozen=True, kw_only=True)
class PlannedCandidate:
    """A kept candidate with everything the table shows."""

    rank: int
    candidate: CandidateShape
    tokens: float
    six_nd_flops: float
    detailed_flops: float
    training_days: float | None
    gpu_hours: float | None
    cost: float | None
    capacity_bytes: float | None
    predicted_loss: dict[str, float]
    epochs: float | None
    effective_tokens: float | None
    hf_config: dict[str, Any]
    minimind_config: dict[str, Any] | None
    minimind_refusal: MiniMindRefusal | None
    minimind_total_params: int | None
    minimind_active_params: int | None


@dataclass(frozen=True, kw_only=True)
class Plan:
    budget: PlanBudget
    fit: ScalingFit
    comparison: FitComparison  # every fit at the plan's compute
    targets: tuple[SearchTarget, ...]
    inference: InferenceAwarePlan | None
    repetition: RepetitionView | None
    searches: tuple[SearchOutcome, ...]
    candidates: tuple[PlannedCandidate, ...]
    advice: PlanAdvice
    seq_len: int
    vocab_size: int
    tied_embeddings: bool
    memory: MemorySetup | None
    assumptions: tuple[Assumption, ...]


def _target(kind: ArchitectureCompute, fit: ScalingFit, request: PlanRequest,
            notes: list[Assumption]) -> tuple[SearchTarget, InferenceAwarePlan | None, RepetitionView | None]:
    allocation = fit.optimal_for_compute(compute_flops=kind.compute_flops)
    target = SearchTarget(architecture=kind.architecture, basis="fit", active_params=allocation.params,
                          tokens=allocation.tokens, compute_flops=kind.compute_flops)
    inference = repetition = None
    if request.inference_tokens is not None:
        if not isinstance(fit.loss_law, ChinchillaLoss):
            names = ", ".join(name for name, f in FITS.items() if isinstance(f.loss_law, ChinchillaLoss))
            raise CalcInputError(field="fit", value=fit.name, expected=f"a fit with a Chinchilla-form loss law "
                                 f"({names}) when inference tokens are given", why="Sardana et al. 2024 minimise "
                                 "training + inference FLOPs at equal loss under such a law",
                                 code="fit_needs_loss_law")
        inference = inference_aware_plan(law=fit.loss_law, compute_flops=kind.compute_flops,
                                         inference_tokens=request.inference_tokens)
        chosen = inference.within_budget
        target = SearchTarget(architecture=kind.architecture, basis="inference_aware", active_params=chosen.params,
                              tokens=chosen.training_tokens, compute_flops=kind.compute_flops)
        notes.append(assume("plan_target_inference_aware", headline=True, fit=fit.name,
                            inference_tokens=request.inference_tokens))
    if request.unique_tokens is not None:
        repetition = repetition_view(unique_tokens=request.unique_tokens, training_tokens=target.tokens,
                                     compute_flops=kind.compute_flops)
        if repetition.within_negligible_epochs:
            notes.append(assume("plan_repetition_negligible", unique_tokens=request.unique_tokens,
                                epochs=round(repetition.epochs, 2)))
        else:
            target = SearchTarget(architecture=kind.architecture, basis="data_constrained",
                                  active_params=repetition.optimum_params, tokens=repetition.optimum_tokens,
                                  compute_flops=kind.compute_flops)
            notes.append(assume("plan_target_data_constrained", headline=True, unique_tokens=request.unique_tokens,
                                epochs=round(repetition.epochs, 1)))
    return target, inference, repetition


def _memory_setup(budget: PlanBudget, request: PlanRequest, seq_len: int,
                  notes: list[Assumption]) -> MemorySetup | None:
    zero = DEFAULT_ZERO_STAGE if request.zero_stage is None else require_int(
        "zero_stage", request.zero_stage, minimum=0, maximum=3)
    states = optimizer_states(DEFAULT_OPTIMIZER if request.optimizer is None else request.optimizer)
    micro = DEFAULT_MICRO_BATCH if request.micro_batch is None else require_int(
        "micro_batch", request.micro_batch, maximum=1_000_000)
    if request.recompute not in RECOMPUTE_MODES:
        raise CalcInputError(field="recompute", value=request.recompute, expected="'none', 'selective' or 'full'",
                             code="one_of", values={"choices": ("none", "selective", "full")})
    if budget.gpu is None:
        notes.append(assume("plan_memory_not_checked", headline=True))
        return None
    if request.zero_stage is None:
        notes.append(assume("plan_zero_default", headline=True, zero_stage=zero))
    if request.optimizer is None:
        notes.append(assume("plan_optimizer_default", bytes_per_param=states.total_bytes_per_param))
    if request.micro_batch is None:
        notes.append(assume("plan_micro_batch_default", micro_batch=micro))
    notes.append(assume("memory_settings", gpu_count=budget.gpu_count, gpu=budget.gpu.display_name,
                        micro_batch=micro, seq_len=seq_len, zero_stage=zero, recompute=request.recompute))
    return MemorySetup(gpu=budget.gpu, gpu_count=budget.gpu_count, states=states, zero_stage=zero, seq_len=seq_len,
                       micro_batch=micro, recompute=request.recompute, flash_attention=request.flash_attention,
                       overhead_bytes=DEFAULT_OVERHEAD_BYTES)


def _planned(rank: int, candidate: CandidateShape, kind: ArchitectureCompute, budget: PlanBudget, plan_seq_len: int,
             unique_tokens: float | None) -> PlannedCandidate:
    shape = candidate.shape(name=f"candidate-{rank}")
    tokens = kind.compute_flops / six_nd_flops(params=candidate.active_params, tokens=1.0)  # D = C/(6N)
    flops = training_flops(shape, tokens=tokens, seq_len=plan_seq_len)
    time = None
    if budget.gpu is not None:
        time = project_gpu_time(training_flops=flops.six_nd_flops, gpu=budget.gpu, gpu_count=budget.gpu_count,
                                mfu=kind.mfu, price_per_gpu_hour=budget.price_per_gpu_hour,
                                currency=budget.currency or "USD")
    losses = {}
    for name, fit in FITS.items():
        prediction = fit.predicted_loss(params=candidate.active_params, tokens=tokens)
        if prediction is not None:
            losses[name] = prediction.loss_nats
    mini, refusal = minimind_config(shape, max_position_embeddings=plan_seq_len)
    mini_counts = count_parameters(shape_from_hf_config(mini, name="minimind")) if mini else None
    return PlannedCandidate(
        rank=rank, candidate=candidate, tokens=tokens, six_nd_flops=flops.six_nd_flops,
        detailed_flops=flops.detailed_flops, training_days=time.wall_clock_days if time else None,
        gpu_hours=time.gpu_hours if time else None, cost=time.cost if time else None,
        capacity_bytes=budget.gpu.memory_bytes if budget.gpu else None, predicted_loss=losses,
        epochs=tokens / unique_tokens if unique_tokens else None,
        effective_tokens=effective_tokens(unique_tokens=unique_tokens, training_tokens=tokens) if unique_tokens
        else None,
        hf_config=hf_config(shape, max_position_embeddings=plan_seq_len), minimind_config=mini,
        minimind_refusal=refusal, minimind_total_params=mini_counts.total if mini_counts else None,
        minimind_active_params=mini_counts.active if mini_counts else None,
    )


def make_plan(*, request: PlanRequest) -> Plan:
    """The whole plan for ``request`` (see the module docstring)."""
    notes: list[Assumption] = []
    budget = plan_budget(hardware=request.hardware, architectures=request.architectures, days=request.days,
                         gpu_hours=request.gpu_hours, budget=request.budget, compute_flops=request.compute_flops)
    fit = get_fit(DEFAULT_FIT if request.fit is None else request.fit)  # "" is a name, and not a fit
    if request.fit is None:
        notes.append(assume("plan_fit_default", headline=True, fit=fit.name))
    if request.unique_tokens is not None:
        require_number("unique_tokens", request.unique_tokens, minimum=1.0, maximum=1e18, allow_minimum=True)
    vocab = require_int("vocab_size", request.vocab_size, maximum=10_000_000) if request.vocab_size is not None \
        else DEFAULT_VOCAB_SIZE
    if request.vocab_size is None:
        notes.append(assume("plan_vocab_default", headline=True, vocab_size=vocab))
    if request.tied_embeddings is None:
        notes.append(assume("tied_default", headline=True))
    seq_len = require_int("seq_len", request.seq_len, maximum=10_000_000) if request.seq_len is not None \
        else DEFAULT_SEQ_LEN
    if request.seq_len is None:
        notes.append(assume("seq_len_default", headline=True, seq_len=seq_len))
    memory = _memory_setup(budget, request, seq_len, notes)
    targets, searches, planned = [], [], []
    inference = repetition = None
    for kind in budget.computes:
        target, kind_inference, kind_repetition = _target(kind, fit, request, notes)
        if kind is budget.primary:
            inference, repetition = kind_inference, kind_repetition
        targets.append(target)
        outcome = search_architectures(
            architecture=kind.architecture, target_active_params=target.active_params, vocab_size=vocab,
            tied_embeddings=bool(request.tied_embeddings), memory=memory, grid=request.grid,
            tolerance=request.tolerance,
            max_candidates=request.max_candidates if kind is budget.primary else request.comparison_candidates,
        )
        searches.append(outcome)
        planned.extend(_planned(len(planned) + 1, c, kind, budget, seq_len, request.unique_tokens)
                       for c in outcome.candidates)
    notes.extend((assume("plan_search_layout"), assume("plan_target_tolerance", tolerance=request.tolerance),
                  assume("plan_ranking_weights"), assume("plan_tokens_fill_budget"), assume("fits_on_active"),
                  assume("loss_fit_prediction")))
    primary = targets[0]
    return Plan(
        budget=budget, fit=fit, comparison=compare_fits_at(compute_flops=budget.primary.compute_flops),
        targets=tuple(targets), inference=inference, repetition=repetition, searches=tuple(searches),
        candidates=tuple(planned),
        advice=plan_advice(compute_flops=budget.primary.compute_flops, seq_len=seq_len,
                           active_params=primary.active_params, is_moe=primary.architecture == "moe"),
        seq_len=seq_len, vocab_size=vocab, tied_embeddings=bool(request.tied_embeddings), memory=memory,
        assumptions=(*budget.assumptions, *notes),
    )
