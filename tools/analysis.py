"""The numeric tools: plain functions from a pydantic input to a pydantic result.

Each result repeats the assumptions used, so the answer can explain them. Every number comes
from :mod:`tools.calc`; this module only chooses which calculation to call and packs results.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tools.assumption_text import assumption_text, suggestion_text
from tools.calc.alternatives import plan_alternatives
from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError
from tools.calc.fits import FITS, LOSS_CAVEAT
from tools.calc.flops import six_nd_flops, training_flops
from tools.calc.gpu_time import project_gpu_time
from tools.calc.memory import MemorySuggestion, bytes_to_gb, estimate_training_memory
from tools.calc.resolve_data import DEFAULT_SEQ_LEN
from tools.calc.resolve_hardware import ResolvedHardware
from tools.calc.resolve_model import ResolvedModel
from tools.calc.scaling import FitComparison, FitSpread, compare_fits_at, data_matched_params, tokens_per_param
from tools.lenient import Count, MaybeCount, MaybeQuantity, choice
from tools.published import PublishedRunOut, published_runs_out
from tools.specs import DataSpec, HardwareSpec, ModelSpec, resolve_specs

_STRICT = ConfigDict(extra="forbid")


# --- count_parameters ------------------------------------------------------------------------------


class CountParametersInput(BaseModel):
    model_config = _STRICT
    model: ModelSpec = Field(..., description="The model to count")


class AssumptionOut(BaseModel):
    """One assumption: its code and values (for templates), whether it moves a headline number, its sentence."""

    code: str
    values: dict[str, Any]
    headline: bool
    text: str


def assumptions_out(assumptions: list[Assumption] | tuple[Assumption, ...]) -> list[AssumptionOut]:
    """Tool-result form of core assumptions, deduplicated in order; ``text`` is English, for the model."""
    seen: dict[tuple[str, str], AssumptionOut] = {}
    for item in assumptions:
        key = (item.code, repr(sorted(item.values.items())))
        if key not in seen:
            seen[key] = AssumptionOut(code=item.code, values=dict(item.values), headline=item.headline,
                                      text=assumption_text(item, language="en"))
    return list(seen.values())


class SizeCheckOut(BaseModel):
    """A total/activated figure the user stated that differs from the exact count by more than 2%."""

    quantity: Literal["total", "active"]
    stated: float
    counted: int
    convention: str | None
    convention_value: int | None


class PublishedOut(BaseModel):
    """A preset vendor's headline figures when their activated count follows another convention than ours."""

    preset: str
    total: str | None
    active: str | None
    convention: Literal["excl_input_embedding", "excl_embedding_and_head"]
    ours_under_convention: int


class ModelReading(BaseModel):
    """How the model description was read: the source, what was counted, stated or estimated, and from where."""

    source: Literal["preset", "hf_config", "dimensions", "size"]
    label: str
    preset: str | None
    matched_preset: bool
    is_moe: bool
    total_params: float
    total_basis: Literal["counted", "stated", "estimated"]
    active_params: float
    active_basis: Literal["counted", "stated", "estimated"]
    num_experts: int | None
    num_shared_experts: int | None
    top_k: int | None
    top_k_origin: Literal["stated", "preset", "config"] | None
    checks: list[SizeCheckOut]
    unused: list[str]
    published: PublishedOut | None = None


def model_reading(model: ResolvedModel) -> ModelReading:
    return ModelReading.model_validate(model.reading())


class ParamsResult(BaseModel):
    model: str
    total_params: float
    active_params: float
    embedding_params: float | None
    lm_head_params: float | None
    non_embedding_params: float | None
    active_params_excl_input_embedding: float | None
    breakdown: dict[str, int] | None
    routed_experts_active: int | None  # the routed-expert parameters one token goes through (top-k per MoE layer)
    top_k: int | None
    mtp_params: int | None
    approximate: bool
    estimate_reference_preset: str | None  # estimated counts: the preset whose expert share was used
    reading: ModelReading
    counting_convention: str
    assumptions: list[AssumptionOut]


ACTIVE_CONVENTION = (
    "activated = all parameters except the routed experts a token is not sent to; embedding and lm_head "
    "included (a tied matrix counted once), as Mistral, Qwen, OLMoE and MiniMind count it; DeepSeek leaves "
    "out the input embedding (active_params_excl_input_embedding)"
)


def count_parameters(args: CountParametersInput) -> ParamsResult:
    """Count total and activated parameters exactly (preset / config / dimensions), or take stated sizes."""
    model = resolve_specs(model=args.model).model
    counts = model.counts
    return ParamsResult(
        model=model.label, total_params=model.total_params, active_params=model.active_params,
        embedding_params=counts.embedding_params if counts else None,
        lm_head_params=counts.lm_head if counts else None,
        non_embedding_params=counts.non_embedding if counts else None,
        active_params_excl_input_embedding=counts.active_excl_input_embedding if counts else None,
        breakdown=counts.parts if counts else None,
        routed_experts_active=counts.routed_experts_active if counts else None,
        top_k=model.top_k,
        mtp_params=(counts.mtp or None) if counts else None,
        approximate=model.approximate,
        estimate_reference_preset=model.estimate.reference_preset if model.estimate else None,
        reading=model_reading(model),
        counting_convention=ACTIVE_CONVENTION,
        assumptions=assumptions_out(model.assumptions),
    )


# --- estimate_training_flops -----------------------------------------------------------------------


Attention = Annotated[Literal["full", "causal"], BeforeValidator(choice({"full": "full", "causal": "causal"}))]
Recompute = Annotated[Literal["none", "selective", "full"], BeforeValidator(choice({
    "none": "none", "no": "none", "off": "none", "selective": "selective", "full": "full"}))]
Optimizer = Annotated[Literal["adamw_mixed", "adamw_mixed_fp32_grads", "adamw_fp32", "adamw_8bit_mixed"],
                      BeforeValidator(choice({"adamwmixed": "adamw_mixed", "adamw": "adamw_mixed",
                                              "adamwmixedfp32grads": "adamw_mixed_fp32_grads",
                                              "adamwfp32": "adamw_fp32", "adamw8bitmixed": "adamw_8bit_mixed",
                                              "adamw8bit": "adamw_8bit_mixed"}))]
ZeroStage = Annotated[int, BeforeValidator(choice({f"{prefix}{n}": n for n in range(4)
                                                   for prefix in ("zero", "stage", "zerostage", "")}))]


class TrainingFlopsInput(BaseModel):
    model_config = _STRICT
    model: ModelSpec
    data: DataSpec
    attention: Attention = Field(
        "full", description="full = S×S scores as a profiler measures (default); causal = Megatron-LM halving")


class FlopsResult(BaseModel):
    tokens: float
    seq_len: int
    active_params: float
    six_nd_flops: float
    six_nd_convention: str
    detailed_flops: float | None
    flops_per_token: float | None
    detailed_over_six_nd: float | None
    convention: Literal["full", "causal", "six_nd_only"]
    approximate: bool
    assumptions: list[AssumptionOut]


def estimate_training_flops(args: TrainingFlopsInput) -> FlopsResult:
    """Training FLOPs two ways: 6·N·D on activated parameters, and a detailed count from the shape."""
    resolved = resolve_specs(model=args.model, data=args.data)
    model, data = resolved.model, resolved.data
    assumptions = [*model.assumptions, *data.assumptions]
    if model.shape is None:
        assumptions.append(assume("flops_6nd_only"))
        return FlopsResult(
            tokens=data.tokens, seq_len=data.seq_len, active_params=model.active_params,
            six_nd_flops=six_nd_flops(params=model.active_params, tokens=data.tokens),
            six_nd_convention="6·N·D with N = activated parameters including embeddings (Kaplan 2020 §2.1)",
            detailed_flops=None, flops_per_token=None, detailed_over_six_nd=None, convention="six_nd_only",
            approximate=True, assumptions=assumptions_out(assumptions),
        )
    result = training_flops(model.shape, tokens=data.tokens, seq_len=data.seq_len, attention=args.attention,
                            top_k=model.top_k)
    return FlopsResult(
        tokens=data.tokens, seq_len=data.seq_len, active_params=result.active_params,
        six_nd_flops=result.six_nd_flops, six_nd_convention=result.six_nd_convention,
        detailed_flops=result.detailed_flops, flops_per_token=result.flops_per_token.training_flops,
        detailed_over_six_nd=result.detailed_over_six_nd, convention=args.attention,
        approximate=False, assumptions=assumptions_out(assumptions),
    )


# --- project_gpu_time ------------------------------------------------------------------------------


class GpuTimeInput(BaseModel):
    model_config = _STRICT
    hardware: HardwareSpec
    training_flops: MaybeQuantity = Field(None, gt=0, le=1e32, description="FLOPs to project; or give model+data")
    model: ModelSpec | None = Field(None, description="With data: FLOPs = 6·N_active·D")
    data: DataSpec | None = None


MfuBasis = Literal["given", "default_dense", "default_moe"]


class GpuTimeResult(BaseModel):
    gpu: str
    gpu_key: str
    gpu_count: int
    peak_tflops_per_gpu: float
    mfu: float
    mfu_basis: MfuBasis
    training_flops: float
    gpu_hours: float
    wall_clock_hours: float
    wall_clock_days: float
    cost: float | None
    currency: str
    price_per_gpu_hour: float | None
    energy_kwh: float | None
    notes: list[str]
    assumptions: list[AssumptionOut]
    # The preset's published training runs and the MFU each implies; empty unless the model is a preset as published.
    published_runs: list[PublishedRunOut] = Field(default_factory=list)


def mfu_basis(hw: ResolvedHardware, *, is_moe: bool) -> MfuBasis:
    return "given" if hw.mfu_given else "default_moe" if is_moe else "default_dense"


def _gpu_time(flops: float, hw: ResolvedHardware, assumptions: list[Assumption], *, is_moe: bool,
              published_runs: list[PublishedRunOut] | None = None) -> GpuTimeResult:
    projection = project_gpu_time(training_flops=flops, gpu=hw.gpu, gpu_count=hw.gpu_count, mfu=hw.mfu,
                                  price_per_gpu_hour=hw.price_per_gpu_hour, currency=hw.currency)
    return GpuTimeResult(
        gpu=hw.gpu.display_name, gpu_key=hw.gpu.key, gpu_count=hw.gpu_count, peak_tflops_per_gpu=hw.gpu.bf16_tflops,
        mfu=hw.mfu, mfu_basis=mfu_basis(hw, is_moe=is_moe), training_flops=flops, gpu_hours=projection.gpu_hours,
        wall_clock_hours=projection.wall_clock_hours, wall_clock_days=projection.wall_clock_days,
        cost=projection.cost, currency=projection.currency, price_per_gpu_hour=projection.price_per_gpu_hour,
        energy_kwh=projection.energy_kwh, notes=list(projection.notes), assumptions=assumptions_out(assumptions),
        published_runs=published_runs or [],
    )


def project_gpu_time_tool(args: GpuTimeInput) -> GpuTimeResult:
    """GPU-hours, wall clock, cost and energy for a run (FLOPs given, or 6·N_active·D from model and data).

    With a preset that has published runs, the result also carries them with the MFU each implies.
    """
    if args.training_flops is not None:
        if args.model is not None or args.data is not None:
            raise CalcInputError(field="training_flops", value=args.training_flops, code="flops_or_run",
                                 expected="training_flops, or model and data, not both")
        hw = resolve_specs(hardware=args.hardware).hardware
        return _gpu_time(args.training_flops, hw, [*hw.assumptions, assume("training_flops_given")], is_moe=False)
    if args.model is None or args.data is None:
        raise CalcInputError(field="model" if args.model is None else "data", value=None,
                             code="flops_or_run_missing", expected="training_flops, or both model and data")
    resolved = resolve_specs(model=args.model, data=args.data, hardware=args.hardware)
    model, data, hw = resolved.model, resolved.data, resolved.hardware
    flops = six_nd_flops(params=model.active_params, tokens=data.tokens)
    runs, run_assumptions = published_runs_out(model)
    assumptions = [*model.assumptions, *data.assumptions, *hw.assumptions, assume("gpu_time_6nd"), *run_assumptions]
    return _gpu_time(flops, hw, assumptions, is_moe=model.is_moe, published_runs=runs)


# --- chinchilla_analysis ---------------------------------------------------------------------------


class ChinchillaInput(BaseModel):
    model_config = _STRICT
    model: ModelSpec
    data: DataSpec
    hardware: HardwareSpec | None = Field(None, description="Optional: adds GPU time and cost to each alternative")


class Verdict(BaseModel):
    kind: Literal["under-trained", "near-optimal", "over-trained"]
    factor: float


class FitAllocation(BaseModel):
    fit: str
    title: str
    citation: str  # the BibTeX key of the fit's paper
    params: float
    tokens: float
    tokens_per_param: float
    approximate: bool
    in_fitted_range: bool | None  # inside the span the fit was fitted on; None: the fit records none (rule-20)


def _fit_allocations(comparison: FitComparison) -> list[FitAllocation]:
    return [FitAllocation(fit=a.fit, title=FITS[a.fit].title, citation=FITS[a.fit].citation, params=a.params,
                          tokens=a.tokens, tokens_per_param=a.tokens_per_param, approximate=a.approximate,
                          in_fitted_range=a.in_fitted_range)
            for a in comparison.allocations]


class FitSpreadOut(BaseModel):
    """The lowest and highest tokens-per-param among some fits, and which fits they were."""

    fits: list[str]
    min_tokens_per_param: float
    min_fit: str
    max_tokens_per_param: float
    max_fit: str


def _spread_out(spread: FitSpread | None) -> FitSpreadOut | None:
    return None if spread is None else FitSpreadOut.model_validate(spread, from_attributes=True)


class AlternativeRow(BaseModel):
    key: Literal["as_planned", "match_data", "stop_early", "compute_optimal"]
    params: float
    tokens: float
    compute_flops: float
    tokens_per_param: float
    gpu_hours: float | None
    wall_clock_days: float | None
    cost: float | None
    loss_delta: dict[str, float]
    loss_in_fitted_range: dict[str, bool]  # per loss fit: this row and the plan inside the fit's fitted span


class ChinchillaResult(BaseModel):
    tokens: float
    total_params: float
    active_params: float
    is_moe: bool
    tokens_per_total_param: float
    tokens_per_active_param: float
    verdict_total: Verdict
    verdict_active: Verdict
    reference_tokens_per_param: float
    near_optimal_band: float
    data_matched_params: float
    compute_flops: float
    compute_optimal: list[FitAllocation]
    fits_min_tokens_per_param: float
    fits_min_fit: str
    fits_max_tokens_per_param: float
    fits_max_fit: str
    fits_explanation: str
    fits_in_range: FitSpreadOut | None  # the fits read inside the span they were fitted on
    fits_extrapolated: FitSpreadOut | None  # the fits read beyond it
    predicted_loss: dict[str, float]
    loss_caveat: str
    alternatives: list[AlternativeRow]
    currency: str | None
    assumptions: list[AssumptionOut]


def chinchilla_analysis(args: ChinchillaInput) -> ChinchillaResult:
    """Tokens-per-parameter verdict, data-matched size, compute-optimal (N, D) per fit, losses, alternatives."""
    resolved = resolve_specs(model=args.model, data=args.data, hardware=args.hardware)
    model, data, hw = resolved.model, resolved.data, resolved.hardware
    assumptions = [*model.assumptions, *data.assumptions, *(hw.assumptions if hw else ())]
    ratios = tokens_per_param(tokens=data.tokens, total_params=model.total_params, active_params=model.active_params)
    compute = six_nd_flops(params=model.active_params, tokens=data.tokens)  # C = 6·N_active·D
    comparison = compare_fits_at(compute_flops=compute)
    rows = []
    alternatives = plan_alternatives(params=model.active_params, tokens=data.tokens)
    for alt in alternatives:
        projection = None
        if hw:
            projection = project_gpu_time(training_flops=alt.compute_flops, gpu=hw.gpu, gpu_count=hw.gpu_count,
                                          mfu=hw.mfu, price_per_gpu_hour=hw.price_per_gpu_hour, currency=hw.currency)
        rows.append(AlternativeRow(
            key=alt.key, params=alt.params, tokens=alt.tokens, compute_flops=alt.compute_flops,
            tokens_per_param=alt.tokens_per_param, gpu_hours=projection.gpu_hours if projection else None,
            wall_clock_days=projection.wall_clock_days if projection else None,
            cost=projection.cost if projection else None, loss_delta=alt.loss_delta,
            loss_in_fitted_range=alt.loss_in_fitted_range,
        ))
    if model.is_moe:
        assumptions.append(assume("fits_on_active"))
    planned = alternatives[0]
    return ChinchillaResult(
        tokens=data.tokens, total_params=model.total_params, active_params=model.active_params,
        is_moe=model.is_moe, tokens_per_total_param=ratios.per_total_param,
        tokens_per_active_param=ratios.per_active_param,
        verdict_total=Verdict(kind=ratios.total_verdict.kind, factor=ratios.total_verdict.factor),
        verdict_active=Verdict(kind=ratios.active_verdict.kind, factor=ratios.active_verdict.factor),
        reference_tokens_per_param=ratios.active_verdict.reference_tokens_per_param,
        near_optimal_band=ratios.active_verdict.near_optimal_band,
        data_matched_params=data_matched_params(tokens=data.tokens).params, compute_flops=compute,
        compute_optimal=_fit_allocations(comparison),
        fits_min_tokens_per_param=comparison.min_tokens_per_param, fits_min_fit=comparison.min_fit,
        fits_max_tokens_per_param=comparison.max_tokens_per_param, fits_max_fit=comparison.max_fit,
        fits_explanation=comparison.explanation, fits_in_range=_spread_out(comparison.in_range),
        fits_extrapolated=_spread_out(comparison.extrapolated), predicted_loss=planned.predicted_loss,
        loss_caveat=LOSS_CAVEAT,
        alternatives=rows, currency=hw.currency if hw else None, assumptions=assumptions_out(assumptions),
    )


# --- estimate_training_memory ----------------------------------------------------------------------


class MemoryInput(BaseModel):
    model_config = _STRICT
    model: ModelSpec
    hardware: HardwareSpec
    seq_len: MaybeCount = Field(None, ge=1, le=10_000_000, description="Sequence length (default 2048, stated)")
    micro_batch: Count = Field(1, ge=1, le=100_000, description="Sequences per GPU per step")
    zero_stage: ZeroStage = Field(0, ge=0, le=3, description="ZeRO stage 0-3 (sharding over the GPUs)")
    recompute: Recompute = "none"
    optimizer: Optimizer = "adamw_mixed"
    flash_attention: bool = True


class MemorySuggestionOut(BaseModel):
    """A change that was re-evaluated and fits (the core's own result) and its English wording."""

    change: MemorySuggestion
    text: str


class MemoryResult(BaseModel):
    gpu: str
    gpu_count: int
    seq_len: int
    micro_batch: int
    zero_stage: int
    optimizer: str
    weights_gb: float
    grads_gb: float
    optimizer_gb: float
    activations_gb: float
    overhead_gb: float
    total_gb: float
    capacity_gb: float
    fits: bool
    headroom_gb: float
    suggestions: list[MemorySuggestionOut]
    notes: list[str]
    assumptions: list[AssumptionOut]


def estimate_training_memory_tool(args: MemoryInput) -> MemoryResult:
    """Per-GPU training memory (weights, grads, optimizer, activations), whether it fits, and what would."""
    resolved = resolve_specs(model=args.model, hardware=args.hardware)
    model, hw = resolved.model, resolved.hardware
    if model.shape is None:
        raise CalcInputError(field="model", value=None, code="needs_architecture",
                             expected="a preset, a config or dimensions: the memory estimate needs the architecture")
    shape, moe = model.shape, model.shape.moe
    seq_len = args.seq_len if args.seq_len is not None else DEFAULT_SEQ_LEN
    defaults = [] if args.seq_len is not None else [assume("seq_len_default", headline=True, seq_len=seq_len)]
    estimate = estimate_training_memory(
        total_params=model.counts.total, gpu=hw.gpu, gpu_count=hw.gpu_count, zero_stage=args.zero_stage,
        optimizer=args.optimizer, seq_len=seq_len, micro_batch=args.micro_batch, hidden=shape.hidden_size,
        num_layers=shape.num_layers, num_heads=shape.num_heads, recompute=args.recompute,
        flash_attention=args.flash_attention, moe_top_k=model.top_k if moe else None,
        moe_ffn_hidden=moe.expert_intermediate_size if moe else None,
    )
    settings = assume("memory_settings", gpu_count=hw.gpu_count, gpu=hw.gpu.display_name,
                      micro_batch=args.micro_batch, seq_len=seq_len, zero_stage=args.zero_stage,
                      recompute=args.recompute)
    return MemoryResult(
        gpu=hw.gpu.display_name, gpu_count=hw.gpu_count, seq_len=seq_len, micro_batch=args.micro_batch,
        zero_stage=args.zero_stage, optimizer=args.optimizer,
        weights_gb=bytes_to_gb(estimate.weights_bytes), grads_gb=bytes_to_gb(estimate.grads_bytes),
        optimizer_gb=bytes_to_gb(estimate.optimizer_bytes), activations_gb=bytes_to_gb(estimate.activations_bytes),
        overhead_gb=bytes_to_gb(estimate.overhead_bytes), total_gb=bytes_to_gb(estimate.total_bytes),
        capacity_gb=bytes_to_gb(estimate.capacity_bytes), fits=estimate.fits,
        headroom_gb=bytes_to_gb(estimate.headroom_bytes),
        suggestions=[MemorySuggestionOut(change=s, text=suggestion_text(s, language="en"))
                     for s in estimate.suggestions],
        notes=list(estimate.notes),
        assumptions=assumptions_out([*model.assumptions, *hw.assumptions, *defaults, settings]),
    )


