"""Training memory per GPU: model states under ZeRO, activations, overhead, and what would make it fit.

Model states (literature §10): mixed-precision AdamW keeps 16 bytes per parameter, 2 (bf16/fp16
weights) + 2 (grads) + 12 (fp32 master weights, Adam m and v), Rajbhandari et al. 2020 ("ZeRO") §3.
ZeRO over a data-parallel degree N_d shards the optimizer states (stage 1), then the gradients
(stage 2), then the weights (stage 3); ZeRO Fig. 1 gives 16Ψ, 4Ψ + 12Ψ/N_d, 2Ψ + 14Ψ/N_d, 16Ψ/N_d.

Activations (literature §10): Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
Transformer Models", §4.1 / Table 2, per layer without parallelism or recomputation::

    s·b·h·(34 + 5·a·s/h) bytes = attention 11sbh + 5as²b, MLP 19sbh, LayerNorms 4sbh

at 16-bit activations with 1-byte dropout masks and a 4h GeLU MLP. Generalised to B bytes per
value as the EleutherAI cookbook does (``calc_transformer_mem.py``): s·b·h·[(16B + 2) + (2B + 1)·a·s/h].

All sizes are bytes; every GPU is a data-parallel rank (no tensor, pipeline or expert parallelism).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from tools.calc.errors import CalcInputError, require_int
from tools.calc.hardware import Gpu

RECOMPUTE_MODES = ("none", "selective", "full")
MAX_GPU_COUNT = 1_000_000
GIB = 2**30

# The EleutherAI cookbook adds a per-GPU "misc" term: "~5GiB in our experiments with Megatron-DeepSpeed"
# (calc/calc_transformer_mem.py comment; literature §7d). Used as the default overhead and echoed.
DEFAULT_OVERHEAD_BYTES = 5 * GIB

Number = Any  # int/float, or a numpy array when evaluated over many candidate shapes


@dataclass(frozen=True, kw_only=True)
class OptimizerStates:
    """Bytes per parameter kept by one training recipe, and bytes per stored activation value."""

    name: str
    weight_bytes: int
    grad_bytes: int
    optimizer_bytes: int
    activation_bytes: int
    source: str

    @property
    def total_bytes_per_param(self) -> int:
        return self.weight_bytes + self.grad_bytes + self.optimizer_bytes


OPTIMIZER_STATES: Mapping[str, OptimizerStates] = MappingProxyType({
    "adamw_mixed": OptimizerStates(  # 2 + 2 + 12 = 16: ZeRO paper §3 (K = 12), literature §10 [S]
        name="adamw_mixed", weight_bytes=2, grad_bytes=2, optimizer_bytes=12, activation_bytes=2,
        source="ZeRO (Rajbhandari et al. 2020) §3: bf16 weights + bf16 grads + fp32 master, m, v [S]"),
    "adamw_mixed_fp32_grads": OptimizerStates(  # 2 + 4 + 12 = 18: Megatron / cookbook default [P]
        name="adamw_mixed_fp32_grads", weight_bytes=2, grad_bytes=4, optimizer_bytes=12, activation_bytes=2,
        source="Megatron fp32 grad accumulation; EleutherAI cookbook calc_transformer_mem.py default [P]"),
    "adamw_fp32": OptimizerStates(  # 4 + 4 + 8 = 16 [D]: fp32 weights, fp32 grads, m and v
        name="adamw_fp32", weight_bytes=4, grad_bytes=4, optimizer_bytes=8, activation_bytes=4,
        source="[D] fp32 weights 4 + grads 4 + Adam m, v 8; 4-byte activations"),
    "adamw_8bit_mixed": OptimizerStates(  # cookbook comment: 8-bit Adam "2 + 2 + 2 = 6" [P]
        name="adamw_8bit_mixed", weight_bytes=2, grad_bytes=2, optimizer_bytes=6, activation_bytes=2,
        source="EleutherAI cookbook calc_transformer_mem.py comment: 8-bit Adam 2 + 2 + 2 = 6 [P]"),
    "sgd_momentum_mixed": OptimizerStates(  # cookbook comment: SGD "4 + 4 = 8" (fp32 master + momentum) [P]
        name="sgd_momentum_mixed", weight_bytes=2, grad_bytes=2, optimizer_bytes=8, activation_bytes=2,
        source="EleutherAI cookbook calc_transformer_mem.py comment: SGD 4 + 4 = 8 [P]"),
    "muon_mixed": OptimizerStates(  # one momentum buffer like SGD: 8 B, literature §7d [P]
        name="muon_mixed", weight_bytes=2, grad_bytes=2, optimizer_bytes=8, activation_bytes=2,
        source="literature §7d: SGD-momentum and Muon optimizer states 8 B/param (cookbook) [P]"),
})


@dataclass(frozen=True, kw_only=True)
class ModelStateMemory:
    """Per-GPU bytes of weights, gradients and optimizer states under one ZeRO stage."""

    total_params: int
    optimizer: OptimizerStates
    zero_stage: int
    data_parallel: int
    weights_bytes: float
    grads_bytes: float
    optimizer_bytes: float
    total_bytes: float


@dataclass(frozen=True, kw_only=True)
class ActivationMemory:
    """Stored activation bytes per GPU (one micro-batch), after Korthikanti et al. 2022 Table 2."""

    per_layer_bytes: int
    num_layers: int
    total_bytes: int
    attention_scores_bytes_per_layer: int
    recompute: str
    flash_attention: bool
    notes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MemoryEstimate:
    """Per-GPU training memory by part, the GPU's capacity, whether it fits, and what would."""

    gpu: Gpu
    gpu_count: int
    total_params: int
    zero_stage: int
    optimizer: OptimizerStates
    seq_len: int
    micro_batch: int
    recompute: str
    flash_attention: bool
    weights_bytes: float
    grads_bytes: float
    optimizer_bytes: float
    activations_bytes: int
    overhead_bytes: int
    total_bytes: float
    capacity_bytes: float
    fits: bool
    headroom_bytes: float
    suggestions: tuple[MemorySuggestion, ...]
    notes: tuple[str, ...]


def bytes_to_gib(value: float) -> float:
    """Bytes -> GiB (2**30)."""
    return value / GIB


def bytes_to_gb(value: float) -> float:
    """Bytes -> decimal GB (1e9), the unit of the ZeRO paper and of GPU memory in the catalogue."""
    return value / 1e9


def _optimizer(value: object) -> OptimizerStates:
    if isinstance(value, OptimizerStates):
        return value
    if isinstance(value, str) and value in OPTIMIZER_STATES:
        return OPTIMIZER_STATES[value]
    raise CalcInputError(field="optimizer", value=value, expected="one of: " + ", ".join(OPTIMIZER_STATES),
                         code="one_of", values={"choices": tuple(OPTIMIZER_STATES)})


def model_state_bytes(
    *, total_params: int, optimizer: str | OptimizerStates, zero_stage: int, data_parallel: int
) -> ModelStateMemory:
    """Weights, gradients and optimizer states per GPU under ZeRO stage 0-3 (ZeRO paper Fig. 1).

    Stage 1 shards optimizer states, stage 2 also gradients, stage 3 also weights, each over
    ``data_parallel`` ranks. Temporary buffers (DeepSpeed's allgather bucket, ZeRO-3 live params)
    are not counted here.
    """
    params = require_int("total_params", total_params, maximum=10**15)
    states = _optimizer(optimizer)
    stage = require_int("zero_stage", zero_stage, minimum=0, maximum=3)
    n_d = require_int("data_parallel", data_parallel, maximum=MAX_GPU_COUNT)
    weights, grads, optim = model_state_terms(total_params=params, states=states, zero_stage=stage, data_parallel=n_d)
    return ModelStateMemory(
        total_params=params, optimizer=states, zero_stage=stage, data_parallel=n_d,
        weights_bytes=weights, grads_bytes=grads, optimizer_bytes=optim, total_bytes=weights + grads + optim,
    )


def model_state_terms(
    *, total_params: Number, states: OptimizerStates, zero_stage: int, data_parallel: int
) -> tuple[Number, Number, Number]:
    """(weights, grads, optimizer) bytes per GPU, unvalidated; ``total_params`` may be a numpy array.

    The formula of :func:`model_state_bytes` (ZeRO paper Fig. 1), written with arithmetic only so the
    planner's search evaluates it over arrays of candidates. Callers validate their inputs.
    """
    weights = total_params * states.weight_bytes / (data_parallel if zero_stage >= 3 else 1)  # ZeRO-3 (P_os+g+p)
    grads = total_params * states.grad_bytes / (data_parallel if zero_stage >= 2 else 1)  # ZeRO-2 (P_os+g)
    optim = total_params * states.optimizer_bytes / (data_parallel if zero_stage >= 1 else 1)  # ZeRO-1 (P_os)
    return weights, grads, optim


def estimate_activation_memory(
    *,
    seq_len: int,
    micro_batch: int,
    hidden: int,
    num_layers: int,
    num_heads: int,
    recompute: str,
    flash_attention: bool,
    bytes_per_value: int = 2,
    moe_top_k: int | None = None,
    moe_ffn_hidden: int | None = None,
) -> ActivationMemory:
    """Activation bytes stored for the backward pass, one micro-batch, no tensor/sequence parallelism.

    Per layer (Korthikanti et al. 2022 Table 2, generalised to B bytes per value):

    * ``"none"``: s·b·h·(16B + 2) + (2B + 1)·a·s²·b; at B = 2 this is s·b·h·(34 + 5as/h);
    * ``"selective"``: the attention core is recomputed, so s·b·h·(16B + 2) (= 34sbh);
    * ``"full"``: only the layer input is kept, B·s·b·h (= 2sbh).

    ``flash_attention`` drops the (2B + 1)·a·s²·b score term (its O(s) softmax statistics are not
    counted). Not counted either: the working set of the one layer being recomputed during backward,
    embedding and logits activations.

    MoE (``moe_top_k`` with ``moe_ffn_hidden``, the width of one routed expert): Korthikanti's MLP
    term 19sbh = input 2sbh + two 4h-wide intermediates 16sbh + dropout mask sbh. Each token is
    dispatched to k experts, so the input copy and intermediates scale with k and the expert width:
    s·b·h·[B·k + 2B·k·f/h + 1]. Approximate: router logits, shared experts and capacity padding are
    not counted.
    """
    s = require_int("seq_len", seq_len, maximum=10_000_000)
    b = require_int("micro_batch", micro_batch, maximum=1_000_000)
    h = require_int("hidden", hidden, maximum=10_000_000)
    layers = require_int("num_layers", num_layers, maximum=10_000)
    a = require_int("num_heads", num_heads, maximum=100_000)
    width = require_int("bytes_per_value", bytes_per_value, maximum=8)
    if recompute not in RECOMPUTE_MODES:
        raise CalcInputError(field="recompute", value=recompute, expected="'none', 'selective' or 'full'",
                             code="one_of", values={"choices": ("none", "selective", "full")})
    if not isinstance(flash_attention, bool):
        raise CalcInputError(field="flash_attention", value=flash_attention, expected="True or False", code="internal")
    notes = [
        "Korthikanti et al. 2022 §4.1 Table 2; the constant assumes a 4h GeLU MLP with dropout "
        "(SwiGLU without dropout gives ~32-34 instead of 34): approximate",
    ]
    if (moe_top_k is None) != (moe_ffn_hidden is None):
        raise CalcInputError(field="moe_top_k" if moe_top_k is None else "moe_ffn_hidden",
                             value=None, expected="moe_top_k and moe_ffn_hidden given together", code="internal")
    if moe_top_k is not None:
        k = require_int("moe_top_k", moe_top_k, maximum=1_000)
        f = require_int("moe_ffn_hidden", moe_ffn_hidden, maximum=10_000_000)
        notes.append(f"MoE MLP activations scaled for top-{k} routing to {f}-wide experts (approximate)")
    per_layer, kept_scores = activation_terms(
        seq_len=s, micro_batch=b, hidden=h, num_heads=a, bytes_per_value=width, recompute=recompute,
        flash_attention=flash_attention, moe_top_k=moe_top_k, moe_ffn_hidden=moe_ffn_hidden,
    )
    if recompute == "full":
        notes.append("full recompute: the working set of the layer being recomputed is not counted")
    if flash_attention:
        notes.append("FlashAttention: the a·s² score term is not stored (O(s) softmax statistics ignored)")
    return ActivationMemory(
        per_layer_bytes=per_layer, num_layers=layers, total_bytes=per_layer * layers,
        attention_scores_bytes_per_layer=kept_scores, recompute=recompute,
        flash_attention=flash_attention, notes=tuple(notes),
    )


def activation_terms(
    *,
    seq_len: Number,
    micro_batch: Number,
    hidden: Number,
    num_heads: Number,
    bytes_per_value: int,
    recompute: str,
    flash_attention: bool,
    moe_top_k: Number | None = None,
    moe_ffn_hidden: Number | None = None,
) -> tuple[Number, Number]:
    """(bytes per layer, attention-score bytes kept per layer), unvalidated; dimensions may be arrays.

    The formula of :func:`estimate_activation_memory` (Korthikanti et al. 2022 Table 2, generalised to
    B bytes per value; see its docstring), with arithmetic only so the planner's search evaluates it
    over arrays of candidates. ``recompute`` and ``flash_attention`` are scalars; callers validate.
    """
    width = bytes_per_value
    s, b, h, a = seq_len, micro_batch, hidden, num_heads
    sbh = s * b * h
    if moe_top_k is None:
        mlp = sbh * (9 * width + 1)  # 19sbh at B = 2 (Table 2 MLP term)
    else:  # dense k=1, f=4h gives (9B+1)sbh
        mlp = width * moe_top_k * sbh + 2 * width * moe_top_k * s * b * moe_ffn_hidden + sbh
    other = sbh * (7 * width + 1)  # attention 11sbh without the score term + LayerNorms 4sbh, at B = 2
    scores = (2 * width + 1) * a * s * s * b  # 5as²b at B = 2: softmax, its dropout mask and output
    if recompute == "full":
        return width * sbh, 0  # layer input only (2sbh)
    if recompute == "selective" or flash_attention:
        return other + mlp, 0
    return other + mlp + scores, scores


def training_memory_terms(
    *,
    total_params: Number,
    states: OptimizerStates,
    zero_stage: int,
    data_parallel: int,
    seq_len: Number,
    micro_batch: Number,
    hidden: Number,
    num_layers: Number,
    num_heads: Number,
    recompute: str,
    flash_attention: bool,
    overhead_bytes: Number,
    moe_top_k: Number | None = None,
    moe_ffn_hidden: Number | None = None,
) -> Number:
    """Per-GPU training bytes = model states + activations + overhead, unvalidated; array-friendly.

    The sum :func:`estimate_training_memory` reports as ``total_bytes``, from :func:`model_state_terms`
    and :func:`activation_terms`; every GPU a data-parallel rank.
    """
    weights, grads, optim = model_state_terms(
        total_params=total_params, states=states, zero_stage=zero_stage, data_parallel=data_parallel)
    per_layer, _ = activation_terms(
        seq_len=seq_len, micro_batch=micro_batch, hidden=hidden, num_heads=num_heads,
        bytes_per_value=states.activation_bytes, recompute=recompute, flash_attention=flash_attention,
        moe_top_k=moe_top_k, moe_ffn_hidden=moe_ffn_hidden,
    )
    return weights + grads + optim + per_layer * num_layers + overhead_bytes


def optimizer_states(name: str | OptimizerStates) -> OptimizerStates:
    """The recipe registered under ``name`` (CalcInputError lists the valid names otherwise)."""
    return _optimizer(name)


def _evaluate(*, config: dict, gpu: Gpu) -> MemoryEstimate:
    states = model_state_bytes(
        total_params=config["total_params"], optimizer=config["optimizer"],
        zero_stage=config["zero_stage"], data_parallel=config["gpu_count"],
    )
    acts = estimate_activation_memory(
        seq_len=config["seq_len"], micro_batch=config["micro_batch"], hidden=config["hidden"],
        num_layers=config["num_layers"], num_heads=config["num_heads"], recompute=config["recompute"],
        flash_attention=config["flash_attention"], bytes_per_value=states.optimizer.activation_bytes,
        moe_top_k=config["moe_top_k"], moe_ffn_hidden=config["moe_ffn_hidden"],
    )
    overhead = require_int("overhead_bytes", config["overhead_bytes"], minimum=0, maximum=10**15)
    total = training_memory_terms(
        total_params=states.total_params, states=states.optimizer, zero_stage=states.zero_stage,
        data_parallel=states.data_parallel, seq_len=config["seq_len"], micro_batch=config["micro_batch"],
        hidden=config["hidden"], num_layers=acts.num_layers, num_heads=config["num_heads"],
        recompute=config["recompute"], flash_attention=config["flash_attention"], overhead_bytes=overhead,
        moe_top_k=config["moe_top_k"], moe_ffn_hidden=config["moe_ffn_hidden"],
    )
    capacity = gpu.memory_bytes
    return MemoryEstimate(
        gpu=gpu, gpu_count=config["gpu_count"], total_params=states.total_params,
        zero_stage=states.zero_stage, optimizer=states.optimizer,
        seq_len=config["seq_len"], micro_batch=config["micro_batch"],
        recompute=config["recompute"], flash_attention=config["flash_attention"],
        weights_bytes=states.weights_bytes, grads_bytes=states.grads_bytes,
        optimizer_bytes=states.optimizer_bytes,
        activations_bytes=acts.total_bytes, overhead_bytes=overhead, total_bytes=total,
        capacity_bytes=capacity, fits=total <= capacity, headroom_bytes=capacity - total,
        suggestions=(), notes=acts.notes,
    )


def _min_gpus_zero3(config: dict, gpu: Gpu) -> int | None:
    """Smallest GPU count at which ``config`` with ZeRO-3 fits, or None if no count does."""
    probe = _evaluate(config={**config, "zero_stage": 3, "gpu_count": 1}, gpu=gpu)
    fixed = probe.activations_bytes + probe.overhead_bytes
    room = gpu.memory_bytes - fixed
    if room <= 0:
        return None
    count = max(1, math.ceil((probe.total_bytes - fixed) / room))  # states/N + fixed <= capacity
    if count > MAX_GPU_COUNT:
        return None
    while count <= MAX_GPU_COUNT and not _evaluate(config={**config, "zero_stage": 3, "gpu_count": count},
                                                   gpu=gpu).fits:
        count += 1  # guards float rounding in the ceiling above; at most a step or two
    while count > 1 and _evaluate(config={**config, "zero_stage": 3, "gpu_count": count - 1}, gpu=gpu).fits:
        count -= 1
    return count if count <= MAX_GPU_COUNT else None


@dataclass(frozen=True, kw_only=True)
class MemorySuggestion:
    """One change (or combination) that was re-evaluated and fits: the settings changed, and the result.

    Only the changed settings are set; the others stay as configured. No prose: callers word it.
    """

    zero_stage: int | None = None
    gpu_count: int | None = None
    recompute: str | None = None
    flash_attention: bool | None = None
    micro_batch: int | None = None
    total_bytes: float
    capacity_bytes: float


def _suggest(config: dict, gpu: Gpu) -> tuple[MemorySuggestion, ...]:
    """Re-evaluate single changes (then one combination) and keep only those that fit."""

    def fitting(changes: dict) -> MemorySuggestion | None:
        result = _evaluate(config={**config, **changes}, gpu=gpu)
        if not result.fits:
            return None
        return MemorySuggestion(**changes, total_bytes=result.total_bytes, capacity_bytes=gpu.memory_bytes)

    candidates = [{"zero_stage": stage} for stage in range(config["zero_stage"] + 1, 4) if config["gpu_count"] > 1]
    order = RECOMPUTE_MODES.index(config["recompute"])
    candidates += [{"recompute": mode} for mode in RECOMPUTE_MODES[order + 1:]]
    if not config["flash_attention"] and config["recompute"] == "none":
        candidates.append({"flash_attention": True})
    if config["micro_batch"] > 1:
        candidates.append({"micro_batch": 1})  # keep the global batch with gradient accumulation
    found: list[MemorySuggestion | None] = [fitting(changes) for changes in candidates]

    def more_gpus(changes: dict) -> MemorySuggestion | None:
        count = _min_gpus_zero3({**config, **changes}, gpu)
        if count is None or count <= config["gpu_count"]:
            return None
        return fitting({**changes, "zero_stage": 3, "gpu_count": count})

    found.append(more_gpus({}))
    if not any(found):
        combined: dict = {"recompute": "full", "micro_batch": 1}
        if config["gpu_count"] > 1:
            combined = {**combined, "zero_stage": 3}
        found.append(fitting(combined))
        found.append(more_gpus({"recompute": "full", "micro_batch": 1}))
    return tuple(suggestion for suggestion in found if suggestion)


def estimate_training_memory(
    *,
    total_params: int,
    gpu: Gpu,
    gpu_count: int,
    zero_stage: int,
    optimizer: str | OptimizerStates,
    seq_len: int,
    micro_batch: int,
    hidden: int,
    num_layers: int,
    num_heads: int,
    recompute: str,
    flash_attention: bool,
    overhead_bytes: int = DEFAULT_OVERHEAD_BYTES,
    moe_top_k: int | None = None,
    moe_ffn_hidden: int | None = None,
) -> MemoryEstimate:
    """Per-GPU training memory, whether it fits ``gpu``, and which changes would make it fit.

    ``total_params`` counts every stored parameter (all experts for MoE). Every GPU is a
    data-parallel rank, so ZeRO shards over ``gpu_count``. ``overhead_bytes`` defaults to
    :data:`DEFAULT_OVERHEAD_BYTES` (5 GiB, the cookbook's Megatron-DeepSpeed observation) and stands
    in for CUDA context, communication buffers and fragmentation. Suggestions are computed by
    re-evaluating alternatives (higher ZeRO stage, recompute, FlashAttention, micro_batch 1, the
    fewest GPUs that fit with ZeRO-3) and list only those that fit; empty when it already fits.
    """
    if not isinstance(gpu, Gpu):
        raise CalcInputError(field="gpu", value=gpu, expected="a Gpu from tools.calc.hardware.find_gpu",
                             code="internal")
    count = require_int("gpu_count", gpu_count, maximum=MAX_GPU_COUNT)
    config = {
        "total_params": total_params, "gpu_count": count, "zero_stage": zero_stage, "optimizer": optimizer,
        "seq_len": seq_len, "micro_batch": micro_batch, "hidden": hidden, "num_layers": num_layers,
        "num_heads": num_heads, "recompute": recompute, "flash_attention": flash_attention,
        "overhead_bytes": overhead_bytes, "moe_top_k": moe_top_k, "moe_ffn_hidden": moe_ffn_hidden,
    }
    base = _evaluate(config=config, gpu=gpu)
    notes = (
        *base.notes,
        "every GPU is a data-parallel rank: tensor, pipeline and expert parallelism are not modelled",
        f"overhead {bytes_to_gib(base.overhead_bytes):.2f} GiB"
        + (" (default: EleutherAI cookbook's ~5 GiB Megatron-DeepSpeed misc)"
           if base.overhead_bytes == DEFAULT_OVERHEAD_BYTES else "")
        + " covers CUDA context, communication buffers and fragmentation",
        "not counted: embedding and logits activations (large for big vocabularies at long sequences)",
        f"capacity {gpu.memory_gb:g} GB read as decimal GB (1e9 bytes)",
    )
    suggestions = () if base.fits else _suggest(config, gpu)
    return replace(base, suggestions=suggestions, notes=notes)
