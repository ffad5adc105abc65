"""The ``recommend_configurations`` tool: from a GPU, money or FLOP budget to concrete architectures.

It replaced ``budget_to_model``, which gave the budget step alone: the budget
(:func:`tools.calc.plan_budget.plan_budget`), then every fit's target, the search and the advice of
:func:`tools.calc.planner.make_plan`. Every number comes from the core; this module packs it.
:func:`recommendation_result` is also what ``scaling-assistant plan --json`` prints.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tools.analysis import AssumptionOut, MfuBasis, Optimizer, ZeroStage, assumptions_out
from tools.calc.architecture_search import DEFAULT_MAX_CANDIDATES, SearchOutcome
from tools.calc.fits import FITS
from tools.calc.heuristics import ASPECT_RANGE, HEURISTICS, TOTAL_ACTIVE_RANGE
from tools.calc.planner import Plan, PlannedCandidate, PlanRequest, make_plan
from tools.calc.presets import find_preset
from tools.calc.resolve_hardware import HardwareDescription
from tools.calc.training_advice import Advice
from tools.lenient import Count, MaybeCount, MaybeQuantity, choice
from tools.planner_text import heuristic_text, planner_text
from tools.specs import HardwareSpec, resolve_specs

_STRICT = ConfigDict(extra="forbid")
FitName = Annotated[Literal[tuple(FITS)], BeforeValidator(choice({name.replace("-", ""): name for name in FITS}))]
Architectures = Annotated[Literal["both", "moe", "dense"], BeforeValidator(choice(
    {"both": "both", "all": "both", "moe": "moe", "dense": "dense"}))]


class RecommendInput(BaseModel):
    model_config = _STRICT
    hardware: HardwareSpec | None = Field(None, description="The GPUs (name, count; optional MFU and price). "
                                          "Needed unless compute_flops is given; with it, sets days and memory")
    days: MaybeQuantity = Field(None, gt=0, le=36_500, description="Days of wall clock")
    gpu_hours: MaybeQuantity = Field(None, gt=0, le=1e12, description="GPU-hours available")
    budget: MaybeQuantity = Field(None, gt=0, le=1e15, description="Money available (needs price_per_gpu_hour)")
    compute_flops: MaybeQuantity = Field(None, gt=0, le=1e32, description="The budget as training FLOPs")
    fit: FitName | None = Field(None, description="default epoch-2024")
    unique_tokens: MaybeQuantity = Field(None, ge=1, le=1e18, description="Unique data, tokens")
    inference_tokens: MaybeQuantity = Field(None, ge=0, le=1e20, description="Lifetime inference tokens")
    architectures: Architectures = Field("both", description="default both")
    vocab_size: MaybeCount = Field(None, ge=1, le=10_000_000, description="default 32000")
    tied_embeddings: bool | None = Field(None, description="default untied")
    seq_len: MaybeCount = Field(None, ge=1, le=10_000_000, description="default 2048")
    zero_stage: ZeroStage | None = Field(None, ge=0, le=3, description="for the memory check, default 2")
    optimizer: Optimizer | None = Field(None, description="default adamw_mixed")
    max_candidates: Count = Field(DEFAULT_MAX_CANDIDATES, ge=1, le=50, description="per kind")


class ComputeOut(BaseModel):
    architecture: Literal["moe", "dense"]
    compute_flops: float
    mfu: float | None
    mfu_basis: MfuBasis | None
    gpu_hours: float | None
    wall_clock_days: float | None
    cost: float | None


class TargetOut(BaseModel):
    fit: str
    title: str
    active_params: float
    tokens: float
    tokens_per_param: float
    approximate: bool


class SearchTargetOut(BaseModel):
    architecture: Literal["moe", "dense"]
    basis: Literal["fit", "inference_aware", "data_constrained"]
    active_params: float
    tokens: float
    compute_flops: float


class InferenceAwareOut(BaseModel):
    inference_tokens: float
    chinchilla_params: float
    chinchilla_tokens: float
    chinchilla_loss: float
    same_loss_params: float
    same_loss_tokens: float
    same_loss_training_flops: float
    within_budget_params: float
    within_budget_tokens: float
    within_budget_loss: float
    lifetime_saving: float  # 1 − lifetime FLOPs within budget / lifetime FLOPs of the compute-optimal model
    values: dict[str, Any]  # the sentence's values (``inference_summary``), to word it in either language
    text: str


class DataConstrainedOut(BaseModel):
    unique_tokens: float
    training_tokens: float
    epochs: float
    effective_tokens: float
    within_negligible_epochs: bool
    optimum_params: float
    optimum_tokens: float
    optimum_epochs: float
    free_optimum_params: float
    values: dict[str, Any]  # the sentence's values (``repetition_summary``)
    text: str


class CheckOut(BaseModel):
    code: str
    value: float
    passed: bool
    status: Literal["sourced", "derived", "disputed", "unverified"]
    weight: float


class CandidateOut(BaseModel):
    """One recommended architecture: its config files, exact counts, cost and fit predictions."""

    rank: int
    architecture: Literal["moe", "dense"]
    config: dict[str, Any]  # HuggingFace config.json (glm4_moe or llama); `params --hf-config` counts it back
    minimind_config: dict[str, Any] | None  # MiniMindConfig arguments (model_type minimind), when expressible
    minimind_total_params: int | None  # MiniMind ties its embeddings, so its counts can differ
    minimind_active_params: int | None
    minimind_refusal: Literal["first_k_dense", "head_dim"] | None
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    num_experts: int
    top_k: int
    num_shared_experts: int
    expert_intermediate_size: int
    first_k_dense: int
    granularity: float | None
    total_params: int
    active_params: int
    target_deviation: float
    tokens: float
    tokens_per_active_param: float
    training_flops: float  # 6·N_active·D
    detailed_flops: float  # the detailed count (attention included, full S×S convention)
    training_days: float | None
    gpu_hours: float | None
    cost: float | None
    memory_per_gpu_bytes: float | None
    memory_capacity_bytes: float | None
    predicted_loss: dict[str, float]
    epochs: float | None
    effective_tokens: float | None
    penalty: float
    notes: list[CheckOut]


class SearchOut(BaseModel):
    architecture: Literal["moe", "dense"]
    target_active_params: float
    tolerance: float
    considered: int
    evaluated: int
    on_target: int
    fitting: int
    empty_reason: Literal["none_on_target", "none_fit_memory"] | None
    values: dict[str, Any]  # the empty reason's sentence values
    text: str | None


class HeuristicOut(BaseModel):
    code: str
    status: Literal["sourced", "derived", "disputed", "unverified"]
    weight: float
    low: float | None
    high: float | None
    moe_only: bool
    citations: list[str]
    location: str
    text: str


class AdviceOut(BaseModel):
    code: str
    values: dict[str, Any]
    status: Literal["P", "S", "D", "U", "tool"]
    citations: list[str]
    location: str
    text: str


class HyperparametersOut(BaseModel):
    code: Literal["hyperparameters", "hyperparameters_extrapolated"]
    values: dict[str, Any]
    compute_flops: float
    peak_lr: float
    batch_tokens: float
    batch_sequences: int
    seq_len: int
    within_fitted_range: bool
    within_validated_range: bool
    citations: list[str]
    location: str
    text: str


class RecommendResult(BaseModel):
    """A budget's compute, every fit's target, the ranked architectures and the advice, with assumptions."""

    limited_by: Literal["days", "gpu_hours", "budget", "compute"]
    gpu: str | None
    gpu_key: str | None
    gpu_count: int | None
    currency: str | None
    compute_flops: float  # of the first architecture kind (MoE unless only dense was asked for)
    mfu: float | None
    mfu_basis: MfuBasis | None
    computes: list[ComputeOut]
    fit: str
    targets: list[TargetOut]
    targets_values: dict[str, Any]  # the ``targets_spread`` sentence's values
    targets_text: str
    search_targets: list[SearchTargetOut]
    inference_aware: InferenceAwareOut | None
    data_constrained: DataConstrainedOut | None
    searches: list[SearchOut]
    candidates: list[CandidateOut]
    heuristics: list[HeuristicOut]
    hyperparameters: HyperparametersOut
    schedule: Literal["wsd", "cosine"]
    seq_len: int  # the training sequence length every row was counted, timed and checked at
    zero_stage: int | None  # the ZeRO stage of the memory check (None: no GPUs to check against)
    advice: list[AdviceOut]
    assumptions: list[AssumptionOut]


def _candidate_out(item: PlannedCandidate) -> CandidateOut:
    c = item.candidate
    return CandidateOut(
        rank=item.rank, architecture=c.architecture, config=item.hf_config, minimind_config=item.minimind_config,
        minimind_total_params=item.minimind_total_params, minimind_active_params=item.minimind_active_params,
        minimind_refusal=item.minimind_refusal, hidden_size=c.hidden_size, num_layers=c.num_layers,
        num_heads=c.num_heads, num_kv_heads=c.num_kv_heads, head_dim=c.head_dim,
        intermediate_size=c.intermediate_size, num_experts=c.num_experts, top_k=c.top_k,
        num_shared_experts=c.num_shared_experts, expert_intermediate_size=c.expert_intermediate_size,
        first_k_dense=c.first_k_dense, granularity=c.granularity, total_params=c.total_params,
        active_params=c.active_params, target_deviation=c.deviation, tokens=item.tokens,
        tokens_per_active_param=item.tokens / c.active_params, training_flops=item.six_nd_flops,
        detailed_flops=item.detailed_flops, training_days=item.training_days, gpu_hours=item.gpu_hours,
        cost=item.cost, memory_per_gpu_bytes=c.memory_bytes, memory_capacity_bytes=item.capacity_bytes,
        predicted_loss=item.predicted_loss, epochs=item.epochs, effective_tokens=item.effective_tokens,
        penalty=c.penalty, notes=[CheckOut(code=k.code, value=k.value, passed=k.passed, status=k.status,
                                           weight=k.weight) for k in c.checks],
    )


def _search_out(outcome: SearchOutcome) -> SearchOut:
    reason = None
    if not outcome.candidates:
        reason = "none_fit_memory" if outcome.on_target else "none_on_target"
    values = {"architecture": outcome.architecture, "on_target": outcome.on_target}
    return SearchOut(
        architecture=outcome.architecture, target_active_params=outcome.target_active_params,
        tolerance=outcome.tolerance, considered=outcome.considered, evaluated=outcome.evaluated,
        on_target=outcome.on_target, fitting=outcome.fitting, empty_reason=reason, values=values,
        text=planner_text(reason, values, language="en") if reason else None,
    )


def _advice_out(item: Advice) -> AdviceOut:
    return AdviceOut(code=item.code, values=dict(item.values), status=item.status, citations=list(item.citations),
                     location=item.location, text=planner_text(item.code, item.values, language="en"))


def heuristic_values(code: str) -> dict[str, Any]:
    """The values a heuristic's sentence needs: the published range and the models at each end."""
    published = {"aspect_ratio": ASPECT_RANGE, "total_active_ratio": TOTAL_ACTIVE_RANGE}.get(code)
    if published is None:
        return {}
    return {"low": published.low, "high": published.high, "low_model": find_preset(published.low_model).display_name,
            "high_model": find_preset(published.high_model).display_name}


def _inference_out(plan: Plan) -> InferenceAwareOut | None:
    inference = plan.inference
    if inference is None:
        return None
    same, within = inference.same_loss, inference.within_budget
    saving = 1.0 - within.lifetime_flops / inference.chinchilla_lifetime_flops
    values = {"inference_tokens": inference.inference_tokens, "chinchilla_params": inference.chinchilla_params,
              "chinchilla_tokens": inference.chinchilla_tokens, "same_params": same.params,
              "same_tokens": same.training_tokens, "train_ratio": same.training_flops / inference.compute_flops,
              "lifetime_saving": saving, "budget_params": within.params, "budget_tokens": within.training_tokens,
              "loss_increase": within.loss - inference.chinchilla_loss, "fit": plan.fit.name}
    return InferenceAwareOut(
        inference_tokens=inference.inference_tokens, chinchilla_params=inference.chinchilla_params,
        chinchilla_tokens=inference.chinchilla_tokens, chinchilla_loss=inference.chinchilla_loss,
        same_loss_params=same.params, same_loss_tokens=same.training_tokens,
        same_loss_training_flops=same.training_flops, within_budget_params=within.params,
        within_budget_tokens=within.training_tokens, within_budget_loss=within.loss, lifetime_saving=saving,
        values=values, text=planner_text("inference_summary", values, language="en"),
    )


def _repetition_out(plan: Plan) -> DataConstrainedOut | None:
    view = plan.repetition
    if view is None:
        return None
    values = {"unique_tokens": view.unique_tokens, "training_tokens": view.training_tokens, "epochs": view.epochs,
              "effective_tokens": view.effective_tokens, "optimum_params": view.optimum_params,
              "optimum_tokens": view.optimum_tokens, "optimum_epochs": view.optimum_epochs,
              "free_params": view.free_optimum_params}
    return DataConstrainedOut(
        unique_tokens=view.unique_tokens, training_tokens=view.training_tokens, epochs=view.epochs,
        effective_tokens=view.effective_tokens, within_negligible_epochs=view.within_negligible_epochs,
        optimum_params=view.optimum_params, optimum_tokens=view.optimum_tokens, optimum_epochs=view.optimum_epochs,
        free_optimum_params=view.free_optimum_params, values=values,
        text=planner_text("repetition_summary", values, language="en"),
    )


def recommendation_result(plan: Plan) -> RecommendResult:
    """The tool's (and the CLI's) result for a core :class:`~tools.calc.planner.Plan`."""
    budget, comparison = plan.budget, plan.comparison
    low = min(comparison.allocations, key=lambda a: a.params)
    high = max(comparison.allocations, key=lambda a: a.params)
    hyper = plan.advice.hyperparameters
    primary = budget.primary
    spread = {"min_params": low.params, "min_fit": low.fit, "max_params": high.params, "max_fit": high.fit,
              "ratio": high.params / low.params}
    hyper_values = {"peak_lr": hyper.peak_lr, "batch_tokens": hyper.batch_tokens,
                    "batch_sequences": hyper.batch_sequences, "seq_len": hyper.seq_len,
                    "compute_flops": hyper.compute_flops}
    return RecommendResult(
        limited_by=budget.limited_by, gpu=budget.gpu.display_name if budget.gpu else None,
        gpu_key=budget.gpu.key if budget.gpu else None, gpu_count=budget.gpu_count, currency=budget.currency,
        compute_flops=primary.compute_flops, mfu=primary.mfu, mfu_basis=primary.mfu_basis,
        computes=[ComputeOut(architecture=k.architecture, compute_flops=k.compute_flops, mfu=k.mfu,
                             mfu_basis=k.mfu_basis, gpu_hours=k.gpu_hours, wall_clock_days=k.wall_clock_days,
                             cost=k.cost) for k in budget.computes],
        fit=plan.fit.name,
        targets=[TargetOut(fit=a.fit, title=FITS[a.fit].title, active_params=a.params, tokens=a.tokens,
                           tokens_per_param=a.tokens_per_param, approximate=a.approximate)
                 for a in comparison.allocations],
        targets_values=spread, targets_text=planner_text("targets_spread", spread, language="en"),
        search_targets=[SearchTargetOut(architecture=t.architecture, basis=t.basis, active_params=t.active_params,
                                        tokens=t.tokens, compute_flops=t.compute_flops) for t in plan.targets],
        inference_aware=_inference_out(plan), data_constrained=_repetition_out(plan),
        searches=[_search_out(s) for s in plan.searches],
        candidates=[_candidate_out(c) for c in plan.candidates],
        heuristics=[HeuristicOut(code=h.code, status=h.status, weight=h.weight, low=h.low, high=h.high,
                                 moe_only=h.moe_only, citations=list(h.citations), location=h.location,
                                 text=heuristic_text(h.code, heuristic_values(h.code), language="en"))
                    for h in HEURISTICS],
        hyperparameters=HyperparametersOut(
            code=hyper.code, values=hyper_values, compute_flops=hyper.compute_flops, peak_lr=hyper.peak_lr,
            batch_tokens=hyper.batch_tokens,
            batch_sequences=hyper.batch_sequences, seq_len=hyper.seq_len,
            within_fitted_range=hyper.within_fitted_range, within_validated_range=hyper.within_validated_range,
            citations=list(hyper.citations), location=hyper.location,
            text=planner_text(hyper.code, hyper_values, language="en")),
        schedule=plan.advice.schedule, seq_len=plan.seq_len,
        zero_stage=plan.memory.zero_stage if plan.memory else None, advice=[_advice_out(a) for a in plan.advice.items],
        assumptions=assumptions_out(plan.assumptions),
    )


def plan_request(args: RecommendInput) -> PlanRequest:
    """The core request for the tool's arguments (the hardware checked by the shared resolver first)."""
    hardware: HardwareDescription | None = None
    if args.hardware is not None:
        resolve_specs(hardware=args.hardware)  # reports a bad GPU as hardware.gpu, as every tool does
        hardware = args.hardware.description()
    kinds = {"both": ("moe", "dense"), "moe": ("moe",), "dense": ("dense",)}[args.architectures]
    return PlanRequest(
        hardware=hardware, days=args.days, gpu_hours=args.gpu_hours, budget=args.budget,
        compute_flops=args.compute_flops, fit=args.fit, unique_tokens=args.unique_tokens,
        inference_tokens=args.inference_tokens, architectures=kinds, vocab_size=args.vocab_size,
        tied_embeddings=args.tied_embeddings, seq_len=args.seq_len, zero_stage=args.zero_stage,
        optimizer=args.optimizer, max_candidates=args.max_candidates,
    )


def recommend_configurations(args: RecommendInput) -> RecommendResult:
    """Concrete MoE (and dense) architectures for a budget: per-fit targets, exact counts, days, memory, loss, advice.

    The budget is GPUs × days, GPU-hours, money at a price, or FLOPs. Candidates are within ±10% of the
    target activated parameters and fit the GPUs' memory; each has a HuggingFace config.json.
    """
    return recommendation_result(make_plan(request=plan_request(args)))
