"""Pydantic argument models the LLM (and the offline planner and the calculator) fill in, and their
resolution through the core's one resolver per thing (:mod:`tools.calc.resolve_model`,
:mod:`tools.calc.resolve_data`, :mod:`tools.calc.resolve_hardware`). The field descriptions are what
the model reads.

Every tool takes the *description* of the run (a model, the data, the hardware), not numbers
computed elsewhere, so independent tools can run in parallel in one round and every number is
computed by the core from the same inputs. Fields accept what models send ("145M", "35%",
"ZeRO-2"): see :mod:`tools.lenient`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from tools.calc.errors import CalcInputError, CalcInputErrorGroup
from tools.calc.model_description import ModelDescription
from tools.calc.resolve_data import DataDescription, ResolvedData, resolve_data
from tools.calc.resolve_hardware import HardwareDescription, ResolvedHardware, resolve_hardware
from tools.calc.resolve_model import ResolvedModel, resolve_model
from tools.config_file import checked_config
from tools.lenient import MaybeCount, MaybeFraction, MaybeQuantity, choice

_STRICT = ConfigDict(extra="forbid")

LengthUnit = Annotated[Literal["tokens", "chars"], BeforeValidator(choice({
    "tokens": "tokens", "token": "tokens", "tok": "tokens", "toks": "tokens", "词元": "tokens",
    "chars": "chars", "char": "chars", "characters": "chars", "character": "chars", "字": "chars", "字符": "chars",
}))]


def _bounded_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """An object sent as a config.json is held to a file's bounds (depth, finite numbers): tools.config_file."""
    return None if config is None else checked_config(config)


class ModelSpec(BaseModel):
    """The model: a preset, a config.json, explicit dimensions, or sizes with the expert layout."""

    model_config = _STRICT

    preset: str | None = Field(None, description="Preset name (see list_presets), e.g. 'minimind2-moe', "
                               "'deepseek-v3'. Exact counts.")
    hf_config: Annotated[dict[str, Any] | None, AfterValidator(_bounded_config)] = Field(
        None, description="A HuggingFace config.json object. Exact counts.")
    vocab_size: MaybeCount = Field(None, ge=1, le=10_000_000, description="Vocabulary size (explicit dimensions)")
    hidden_size: MaybeCount = Field(None, ge=1, le=1_000_000, description="Hidden size d_model")
    num_layers: MaybeCount = Field(None, ge=1, le=10_000, description="Transformer layers")
    num_heads: MaybeCount = Field(None, ge=1, le=100_000, description="Attention heads")
    num_kv_heads: MaybeCount = Field(None, ge=1, le=100_000, description="Key/value heads (GQA)")
    head_dim: MaybeCount = Field(None, ge=1, le=100_000, description="Head dimension")
    intermediate_size: MaybeCount = Field(None, ge=1, le=10_000_000, description="Dense FFN width (SwiGLU)")
    tied_embeddings: bool | None = Field(None, description="Input embedding and lm_head share one matrix")
    num_experts: MaybeCount = Field(None, ge=1, le=100_000, description="Routed experts per MoE layer")
    num_shared_experts: MaybeCount = Field(None, ge=0, le=1_000, description="Always-active shared experts")
    top_k: MaybeCount = Field(None, ge=1, le=100_000, description="Routed experts per token, only if the user "
                                "says; a preset's own routing is used otherwise")
    expert_intermediate_size: MaybeCount = Field(None, ge=1, le=10_000_000, description="Width of one routed "
                                                   "expert")
    first_k_dense: MaybeCount = Field(None, ge=0, le=10_000, description="Leading dense layers before MoE")
    granularity: MaybeQuantity = Field(None, gt=0, le=10_000, description="Expert granularity G = FFN width / "
                                         "expert width")
    total_params: MaybeQuantity = Field(None, ge=1, le=1e14, description="Total parameters as the user states "
                                          "them, e.g. '145M'")
    active_params: MaybeQuantity = Field(None, ge=1, le=1e14, description="Activated parameters as the user "
                                           "states them")
    expert_fraction: MaybeFraction = Field(None, gt=0, lt=1, description="With total_params only: share of "
                                             "parameters in experts")
    dense: bool | None = Field(None, description="True if the user says dense, False if MoE")

    def description(self) -> ModelDescription:
        return ModelDescription(**self.model_dump(exclude_none=True))


class DataSpec(BaseModel):
    """The training data: tokens directly, or samples × mean length; times epochs."""

    model_config = _STRICT

    tokens: MaybeQuantity = Field(None, ge=1, le=1e17, description="Training tokens, e.g. '14.8B'")
    samples: MaybeQuantity = Field(None, ge=1, le=1e15, description="Number of samples, e.g. '28.9M'")
    mean_length: MaybeQuantity = Field(None, gt=0, le=1e8, description="Mean sample length")
    length_unit: LengthUnit | None = Field(None, description="Unit of mean_length (required with it)")
    tokens_per_char: MaybeQuantity = Field(None, gt=0, le=10, description="With chars: tokens per character")
    epochs: MaybeQuantity = Field(None, gt=0, le=10_000, description="Passes over the data")
    seq_len: MaybeCount = Field(None, ge=1, le=10_000_000, description="Training sequence length")

    def description(self) -> DataDescription:
        return DataDescription(**self.model_dump(exclude_none=True))


class HardwareSpec(BaseModel):
    """The GPUs and, optionally, utilisation and price."""

    model_config = _STRICT

    gpu: str = Field(..., description="GPU name, e.g. '4090', 'H100', 'A100-80GB', 'H800', 'MI300X'")
    gpu_count: MaybeCount = Field(None, ge=1, le=1_000_000, description="Number of GPUs")
    mfu: MaybeFraction = Field(None, gt=0, le=1, description="Model FLOPs utilisation, e.g. '35%'")
    price_per_gpu_hour: MaybeQuantity = Field(None, ge=0, le=1e6, description="Price per GPU-hour")
    currency: str | None = Field(None, min_length=3, max_length=3, description="Currency of the price: USD, CNY")
    # Set by the app's own callers (the Chinese interface's forms and conversations: CNY), never by a model, so it
    # is not in the schema the model reads.
    default_currency: SkipJsonSchema[str | None] = Field(None, min_length=3, max_length=3)

    def description(self) -> HardwareDescription:
        return HardwareDescription(**self.model_dump(exclude_none=True))


class CalcInputErrors(ValueError):
    """Several CalcInputErrors from one call, reported together so one correction round suffices."""

    def __init__(self, errors: list[tuple[str, CalcInputError]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{where}.{error}" if where else str(error) for where, error in errors))


def _each(error: CalcInputError) -> tuple[CalcInputError, ...]:
    return error.errors if isinstance(error, CalcInputErrorGroup) else (error,)


@dataclass(frozen=True)
class Resolved:
    model: ResolvedModel | None
    data: ResolvedData | None
    hardware: ResolvedHardware | None


def resolve_specs(*, model: ModelSpec | None = None, data: DataSpec | None = None,
                  hardware: HardwareSpec | None = None, is_moe: bool = False) -> Resolved:
    """Resolve each given spec with the core; every CalcInputError is collected and raised together.

    The hardware's default MFU follows the model (MoE or dense); ``is_moe`` says which without a model.
    """
    errors: list[tuple[str, CalcInputError]] = []
    resolved_model = resolved_data = resolved_hardware = None
    if model is not None:
        try:
            resolved_model = resolve_model(description=model.description())
        except CalcInputError as error:
            errors += [("model", item) for item in _each(error)]
    if data is not None:
        try:
            resolved_data = resolve_data(description=data.description())
        except CalcInputError as error:
            errors += [("data", item) for item in _each(error)]
    if hardware is not None:
        try:
            moe = resolved_model.is_moe if resolved_model is not None else is_moe
            resolved_hardware = resolve_hardware(description=hardware.description(), is_moe=moe)
        except CalcInputError as error:
            errors += [("hardware", item) for item in _each(error)]
    if errors:
        raise CalcInputErrors(errors)
    return Resolved(resolved_model, resolved_data, resolved_hardware)
