"""Pydantic argument models the LLM (and the offline planner) fill in, and their resolution
into core objects. The field descriptions are what the model reads.

Every tool takes the *description* of the run (a model, the data, the hardware), not numbers
computed elsewhere, so independent tools can run in parallel in one round and every number
is computed by the core from the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.calc.errors import CalcInputError
from tools.calc.gpu_time import default_mfu
from tools.calc.hardware import Gpu, find_gpu
from tools.calc.hf_config import minimind2_ffn_width, shape_from_hf_config
from tools.calc.moe_estimate import ActiveEstimate, estimate_active_params
from tools.calc.params import ParameterBreakdown, count_parameters
from tools.calc.presets import Preset, find_preset, list_presets
from tools.calc.shapes import ModelShape, build_shape
from tools.calc.tokens import tokens_from_samples

DEFAULT_SEQ_LEN = 2048
"""Sequence length when neither a sequence length nor a per-sample length is given."""

_STRICT = ConfigDict(extra="forbid")


class ModelSpec(BaseModel):
    """The model: a preset, a HuggingFace config, explicit dimensions, or only a total size."""

    model_config = _STRICT

    preset: str | None = Field(None, description="Preset name (see list_presets), e.g. 'minimind2-moe', "
                               "'deepseek-v3', 'llama-3-8b'. Exact counts.")
    hf_config: dict[str, Any] | None = Field(None, description="A HuggingFace config.json object. Exact counts.")
    vocab_size: int | None = Field(None, ge=1, le=10_000_000, description="Vocabulary size (explicit dimensions)")
    hidden_size: int | None = Field(None, ge=1, le=1_000_000, description="Hidden size d_model")
    num_layers: int | None = Field(None, ge=1, le=10_000, description="Transformer layers")
    num_heads: int | None = Field(None, ge=1, le=100_000, description="Attention heads")
    num_kv_heads: int | None = Field(None, ge=1, le=100_000, description="Key/value heads (GQA); default heads")
    head_dim: int | None = Field(None, ge=1, le=100_000, description="Head dimension; default hidden/heads")
    intermediate_size: int | None = Field(None, ge=1, le=10_000_000, description="Dense FFN width (SwiGLU)")
    tied_embeddings: bool | None = Field(None, description="Input embedding and lm_head share one matrix")
    num_experts: int | None = Field(None, ge=1, le=100_000, description="Routed experts per MoE layer")
    expert_intermediate_size: int | None = Field(None, ge=1, le=10_000_000,
                                                 description="Width of one routed expert; default intermediate")
    num_shared_experts: int | None = Field(None, ge=0, le=1_000, description="Always-active shared experts")
    first_k_dense: int | None = Field(None, ge=0, le=10_000, description="Leading dense layers before MoE")
    top_k: int | None = Field(None, ge=1, le=100_000,
                              description="Routed experts per token; overrides a preset's routing")
    total_params: float | None = Field(None, gt=0, le=1e14, description="Only when the dimensions are unknown: "
                                       "total parameters; active parameters are then estimated (approximate)")
    expert_fraction: float | None = Field(None, gt=0, lt=1, description="With total_params: share of parameters "
                                          "in experts (default: from the closest preset)")
    match_preset: bool = Field(True, description="With total_params and an expert layout: count exactly with a "
                               "preset whose total (within 1%) and layout match, saying so")

    @model_validator(mode="after")
    def _one_source(self) -> ModelSpec:
        sources = [name for name, on in (("preset", self.preset), ("hf_config", self.hf_config),
                                         ("hidden_size", self.hidden_size), ("total_params", self.total_params))
                   if on is not None]
        if len(sources) != 1:
            raise ValueError("give exactly one of preset, hf_config, explicit dimensions (hidden_size, …) "
                             f"or total_params; got {sources or 'none'}")
        return self


class DataSpec(BaseModel):
    """The training data: tokens directly, or samples × mean length × epochs."""

    model_config = _STRICT

    tokens: float | None = Field(None, gt=0, le=1e17, description="Training tokens, e.g. 1.48e10")
    samples: float | None = Field(None, gt=0, le=1e15, description="Number of samples, e.g. 2.89e7")
    mean_length: float | None = Field(None, gt=0, le=1e8, description="Mean sample length")
    length_unit: Literal["tokens", "chars"] = Field("tokens", description="Unit of mean_length")
    tokens_per_char: float | None = Field(None, gt=0, le=10, description="With chars: tokens per character")
    epochs: float = Field(1.0, gt=0, le=10_000, description="Passes over the data")
    seq_len: int | None = Field(None, ge=1, le=10_000_000, description="Training sequence length; default: "
                                "mean_length when given in tokens, else 2048")

    @model_validator(mode="after")
    def _tokens_or_samples(self) -> DataSpec:
        has_samples = self.samples is not None and self.mean_length is not None
        if (self.tokens is None) == (not has_samples):
            raise ValueError("give either tokens, or samples and mean_length (not both)")
        return self


class HardwareSpec(BaseModel):
    """The GPUs and, optionally, utilisation and price."""

    model_config = _STRICT

    gpu: str = Field(..., description="GPU name, e.g. '4090', 'H100', 'A100-80GB', 'H800', 'MI300X'")
    gpu_count: int = Field(1, ge=1, le=1_000_000, description="Number of GPUs")
    mfu: float | None = Field(None, gt=0, le=1, description="Model FLOPs utilisation; default 0.40 dense, 0.35 MoE")
    price_per_gpu_hour: float | None = Field(None, ge=0, le=1e6, description="Price per GPU-hour")
    currency: str = Field("USD", min_length=1, max_length=10, description="Currency of the price, e.g. USD, CNY")


@dataclass(frozen=True)
class ResolvedModel:
    """A model spec turned into core objects: an exact count, or an estimate."""

    label: str
    shape: ModelShape | None
    counts: ParameterBreakdown | None
    estimate: ActiveEstimate | None
    top_k: int | None
    assumptions: tuple[str, ...]

    @property
    def total_params(self) -> float:
        return self.counts.total if self.counts else self.estimate.total_params

    @property
    def active_params(self) -> float:
        return self.counts.active if self.counts else self.estimate.active_params

    @property
    def approximate(self) -> bool:
        return self.counts is None

    @property
    def is_moe(self) -> bool:
        if self.shape is not None:
            return self.shape.is_moe
        return self.estimate is not None and self.estimate.num_routed_experts > 0


def resolve_model(spec: ModelSpec) -> ResolvedModel:
    """Exact counts from a preset, a config or dimensions; an estimate from a bare total."""
    assumptions: list[str] = []
    if spec.total_params is not None:
        if spec.num_experts is None:
            # a dense model: active = total, but no shape for a detailed FLOP count
            assumptions.append("dense model of the given total size: activated = total parameters")
            estimate = ActiveEstimate(
                total_params=spec.total_params, active_params=spec.total_params, expert_fraction=0.0,
                fraction_source="dense", reference_preset=None, num_routed_experts=0, num_shared_experts=0, top_k=0,
                approximate=False, assumption=assumptions[0],
            )
            return ResolvedModel("dense model (total only)", None, None, estimate, None, tuple(assumptions))
        top_k = spec.top_k
        if top_k is None:
            top_k = 1
            assumptions.append("top-k routing not given: assumed top-1")
        preset = matching_preset(spec) if spec.match_preset and spec.expert_fraction is None else None
        if preset is not None:
            counts = count_parameters(preset.shape, top_k=top_k)
            assumptions.append(
                f"{spec.total_params / 1e6:g}M total with {spec.num_shared_experts or 0} shared + {spec.num_experts} "
                f"routed experts matches preset {preset.display_name} ({counts.total:,} parameters): counted "
                f"exactly with its architecture at top-{top_k}"
            )
            if top_k != preset.shape.moe.top_k:
                native = count_parameters(preset.shape)
                assumptions.append(f"routing overridden: top-{top_k} instead of the architecture's "
                                   f"top-{preset.shape.moe.top_k} ({native.active:,} active at top-{native.top_k})")
            return ResolvedModel(preset.display_name, preset.shape, counts, None, top_k, tuple(assumptions))
        estimate = estimate_active_params(
            total_params=spec.total_params, num_routed_experts=spec.num_experts, top_k=top_k,
            num_shared_experts=spec.num_shared_experts or 0, expert_fraction=spec.expert_fraction,
        )
        assumptions.append(estimate.assumption)
        return ResolvedModel("MoE model (total only)", None, None, estimate, top_k, tuple(assumptions))
    if spec.preset is not None:
        preset = find_preset(spec.preset)
        shape, label = preset.shape, preset.display_name
        assumptions.append(f"architecture from preset {preset.display_name} ({preset.source})")
    elif spec.hf_config is not None:
        shape = shape_from_hf_config(spec.hf_config, name=str(spec.hf_config.get("model_type", "hf-config")))
        label = f"config.json ({shape.name})"
        assumptions.append("architecture from the given config.json")
    else:
        missing = [name for name in ("vocab_size", "num_layers", "num_heads") if getattr(spec, name) is None]
        if missing:
            raise CalcInputError(field=missing[0], value=None, expected="a value when dimensions are given")
        width = spec.intermediate_size
        if width is None:
            width = minimind2_ffn_width(spec.hidden_size)
            assumptions.append(f"FFN width not given: assumed {width} = 64·⌈(8/3)·hidden/64⌉ (a SwiGLU MLP with the "
                               "parameters of a 4×hidden MLP, sized as MiniMind and Llama do)")
        if spec.num_experts and spec.top_k is None:
            assumptions.append("top-k routing not given: assumed top-1")
        if spec.tied_embeddings is None:
            assumptions.append("tied embeddings not stated: input embedding and lm_head counted as separate matrices")
        shape = build_shape(
            vocab_size=spec.vocab_size, hidden_size=spec.hidden_size, num_layers=spec.num_layers,
            num_heads=spec.num_heads, num_kv_heads=spec.num_kv_heads, head_dim=spec.head_dim,
            intermediate_size=width, tied_embeddings=bool(spec.tied_embeddings),
            num_experts=spec.num_experts or 0, expert_intermediate_size=spec.expert_intermediate_size,
            top_k=spec.top_k or (1 if spec.num_experts else None), num_shared_experts=spec.num_shared_experts or 0,
            first_k_dense=spec.first_k_dense or 0,
        )
        label = "explicit dimensions"
        assumptions.append("architecture from explicit dimensions (SwiGLU MLP, RMSNorm, RoPE)")
    top_k = spec.top_k if shape.is_moe else None
    if top_k is not None and top_k != shape.moe.top_k:
        assumptions.append(f"routing overridden: top-{top_k} instead of the architecture's top-{shape.moe.top_k}")
    counts = count_parameters(shape, top_k=top_k)
    return ResolvedModel(label, shape, counts, None, top_k, tuple(assumptions))


def matching_preset(spec: ModelSpec) -> Preset | None:
    """An MoE preset with the same expert layout whose total is within 1% of ``spec.total_params``."""
    for preset in list_presets():
        moe = preset.shape.moe
        if moe is None or moe.num_experts != spec.num_experts:
            continue
        if moe.num_shared_experts != (spec.num_shared_experts or 0):
            continue
        if abs(count_parameters(preset.shape).total / spec.total_params - 1) <= 0.01:
            return preset
    return None


@dataclass(frozen=True)
class ResolvedData:
    tokens: float
    seq_len: int
    assumptions: tuple[str, ...]


def resolve_data(spec: DataSpec) -> ResolvedData:
    """Tokens and sequence length, with the conversion and default used spelled out."""
    assumptions: list[str] = []
    if spec.tokens is not None:
        tokens = spec.tokens
        assumptions.append("training tokens given directly")
    else:
        count = tokens_from_samples(
            samples=spec.samples, mean_length=spec.mean_length, epochs=spec.epochs,
            length_unit=spec.length_unit, tokens_per_char=spec.tokens_per_char,
        )
        tokens = count.tokens
        assumptions.append(f"tokens = samples × mean length × epochs ({count.assumption})")
    if spec.seq_len is not None:
        seq_len = spec.seq_len
    elif spec.mean_length is not None:
        seq_len = max(1, round(spec.mean_length * (spec.tokens_per_char or 1.0)))
        assumptions.append(f"sequence length taken as the mean sample length, {seq_len} tokens")
    else:
        seq_len = DEFAULT_SEQ_LEN
        assumptions.append(f"sequence length not given: assumed {DEFAULT_SEQ_LEN}")
    return ResolvedData(tokens=tokens, seq_len=seq_len, assumptions=tuple(assumptions))


@dataclass(frozen=True)
class ResolvedHardware:
    gpu: Gpu
    gpu_count: int
    mfu: float
    mfu_source: str
    price_per_gpu_hour: float | None
    currency: str
    assumptions: tuple[str, ...]


def resolve_hardware(spec: HardwareSpec, *, is_moe: bool) -> ResolvedHardware:
    gpu = find_gpu(spec.gpu)
    assumptions = [f"{spec.gpu_count} × {gpu.display_name}, dense BF16 peak {gpu.bf16_tflops:g} TFLOPS"]
    if spec.mfu is None:
        choice = default_mfu(is_moe=is_moe)
        mfu, source = choice.mfu, f"default for {'MoE' if is_moe else 'dense'} runs: {choice.source}"
        assumptions.append(f"MFU not given: {mfu:.0%} ({source})")
    else:
        mfu, source = spec.mfu, "given"
    return ResolvedHardware(gpu, spec.gpu_count, mfu, source, spec.price_per_gpu_hour, spec.currency,
                            tuple(assumptions))
