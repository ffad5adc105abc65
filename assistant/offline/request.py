"""What one user message says, as the offline planner reads it.

:class:`ParsedRequest` is the output of :func:`assistant.offline.parse.parse_message`. Every
field is ``None`` when the message does not mention it, so a follow-up ("如果换成 16 张卡呢?")
carries only what it changes and :meth:`Plan.merged` keeps the rest of the conversation's plan.
Nothing here computes: numbers are only read from text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

Language = Literal["zh", "en"]
LengthUnit = Literal["tokens", "chars"]


@dataclass(frozen=True, kw_only=True)
class ParsedRequest:
    """Facts read from one message. ``None`` = not mentioned."""

    language: Language
    text: str
    prose: bool = True  # False for numbers and units alone ("MFU 15%"): they do not switch the language
    # --- the model -------------------------------------------------------------------------
    preset: str | None = None  # a preset key from tools.calc.presets ("minimind2-moe", "deepseek-v3", …)
    total_params: float | None = None  # "145M 参数", "6.9B total"
    active_params: float | None = None  # "1.3B active"
    num_experts: int | None = None  # routed experts: "4 个路由专家", "64 experts"
    num_shared_experts: int | None = None  # "1 个共享专家", "2 shared experts"
    top_k: int | None = None  # "top-1", "top-8 routing", "每个 token 激活 2 个专家"
    hidden_size: int | None = None  # "hidden 640", "d_model 2048", "隐藏维度 768"
    num_layers: int | None = None  # "8 层", "16 layers"
    num_heads: int | None = None  # "8 heads", "16 个头"
    num_kv_heads: int | None = None  # "2 kv heads", "GQA 4"
    vocab_size: int | None = None  # "vocab 6400", "词表 32000"
    intermediate_size: int | None = None  # "ffn 1728", "intermediate 14336"
    head_dim: int | None = None  # "head_dim 128"
    tied_embeddings: bool | None = None  # "tied embeddings" / "tie_word_embeddings: false"
    expert_intermediate_size: int | None = None  # "experts of width 1024", "moe_intermediate_size 1408"
    first_k_dense: int | None = None  # "first 3 layers dense", "first_k_dense_replace=1"
    granularity: float | None = None  # "granularity 8"
    dense: bool | None = None  # True when the user says the model is dense ("dense", "稠密")
    hf_config: dict[str, Any] | None = None  # a config.json pasted into the message
    # --- the data ---------------------------------------------------------------------------
    tokens: float | None = None  # "148 亿 token", "15T tokens", "1.48 万亿"
    samples: float | None = None  # "28.9M 条样本", "10M samples"
    mean_length: float | None = None  # "× 512 字", "512 tokens each", "平均长度 512"
    length_unit: LengthUnit | None = None  # "chars" for 字/字符/characters, "tokens" for token(s)
    epochs: float | None = None  # "2 个 epoch", "3 epochs"
    seq_len: int | None = None  # "seq 2048", "上下文 4096", "序列长度 512"
    # --- hardware and budget ----------------------------------------------------------------
    gpu: str | None = None  # the GPU as written, e.g. "4090", "H100", "A100 80G"
    gpu_count: int | None = None  # "8 张 4090" -> 8; "256 H100" -> 256
    mfu: float | None = None  # "MFU 40%" -> 0.4
    days: float | None = None  # "7 天", "for a week" -> 7, "2 weeks" -> 14
    price_per_gpu_hour: float | None = None  # "¥2/卡时" -> 2, "$2.5 per GPU-hour" -> 2.5
    currency: str | None = None  # "CNY" for ¥/元/人民币, "USD" for $/dollars
    gpu_hours: float | None = None  # "10 万卡时", "2.788M GPU hours"
    budget: float | None = None  # "预算 2 万元" -> 2e4 (money)
    compute_flops: float | None = None  # "3e20 FLOPs"
    zero_stage: int | None = None  # "ZeRO-3", "zero stage 2"
    inference_tokens: float | None = None  # "推理 1T token", "serve 2T tokens": the model's lifetime serving
    # --- a recommended configuration --------------------------------------------------------------
    candidate: int | None = None  # "用第二个配置", "use candidate 2": that row of the latest recommendation
    # --- intent -----------------------------------------------------------------------------
    concept: str | None = None  # a glossary entry id when the message asks "what is X?"
    stop_at_tokens: bool = False  # "stop at 3B tokens" / "只训练到 30 亿 token": tokens is a new cap
    unknown_numbers: tuple[str, ...] = field(default=())  # numbers seen but not attributed to any field


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The conversation's current plan: the latest value of every field, messages merged in order."""

    language: Language = "en"
    preset: str | None = None
    total_params: float | None = None
    active_params: float | None = None
    num_experts: int | None = None
    num_shared_experts: int | None = None
    top_k: int | None = None
    hidden_size: int | None = None
    num_layers: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None
    vocab_size: int | None = None
    intermediate_size: int | None = None
    head_dim: int | None = None
    tied_embeddings: bool | None = None
    expert_intermediate_size: int | None = None
    first_k_dense: int | None = None
    granularity: float | None = None
    dense: bool | None = None
    hf_config: dict[str, Any] | None = None
    tokens: float | None = None
    samples: float | None = None
    mean_length: float | None = None
    length_unit: LengthUnit | None = None
    epochs: float | None = None
    seq_len: int | None = None
    gpu: str | None = None
    gpu_count: int | None = None
    mfu: float | None = None
    days: float | None = None
    price_per_gpu_hour: float | None = None
    currency: str | None = None
    gpu_hours: float | None = None
    budget: float | None = None
    compute_flops: float | None = None
    zero_stage: int | None = None
    inference_tokens: float | None = None

    def merged(self, request: ParsedRequest) -> Plan:
        """This plan with every field the request mentions replaced.

        The conversation keeps its language until the user writes a sentence in the other one: a message of
        numbers, units and names alone ("MFU 15%", "top-2") does not switch it.

        Giving tokens directly replaces samples × length, and the other way round. A new model source
        replaces the old one: naming a preset or pasting a config clears the rest of the model (but what
        the same message states), complete dimensions clear a preset, a config and stated sizes, and a new
        total size clears a preset or config (keeping "it is an MoE", so the expert layout is asked for,
        not silently dropped). Partial changes ("top-2", "8 experts", "hidden 1024") combine with the
        plan, and the resolver applies them or says why it cannot.
        """
        updates: dict[str, object] = {"language": request.language if request.prose or self == _FRESH
                                      else self.language}
        for item in fields(self):
            if item.name == "language":
                continue
            value = getattr(request, item.name, None)
            if value is not None:
                updates[item.name] = value
        if request.tokens is not None and request.samples is None:
            updates.update(samples=None, mean_length=None, length_unit=None)
        if request.samples is not None and request.tokens is None:
            updates["tokens"] = None
        stated = {name for name in MODEL_FIELDS if getattr(request, name) is not None}
        if request.preset is not None or request.hf_config is not None:
            updates.update({name: None for name in MODEL_FIELDS - stated})
        elif _DIMENSIONS <= stated:
            updates.update({name: None for name in ("preset", "hf_config", "total_params", "active_params")
                            if name not in stated})
        elif {"total_params", "active_params"} & stated and (self.preset or self.hf_config):
            if self.dense is None and _is_moe(self):
                updates["dense"] = False
            updates.update(preset=None, hf_config=None)
        return replace(self, **updates)

    def changes_from(self, before: Plan) -> dict[str, tuple[object, object]]:
        """Fields whose value differs from ``before``: name -> (old, new)."""
        return {
            item.name: (getattr(before, item.name), getattr(self, item.name))
            for item in fields(self)
            if item.name != "language" and getattr(before, item.name) != getattr(self, item.name)
        }


MODEL_FIELDS = frozenset({
    "preset", "hf_config", "total_params", "active_params", "num_experts", "num_shared_experts", "top_k",
    "hidden_size", "num_layers", "num_heads", "num_kv_heads", "vocab_size", "intermediate_size", "head_dim",
    "tied_embeddings", "expert_intermediate_size", "first_k_dense", "granularity", "dense",
})
_DIMENSIONS = frozenset({"hidden_size", "num_layers", "num_heads", "vocab_size"})


def _is_moe(plan: Plan) -> bool:
    """Whether the plan's named architecture routes to experts (a catalogue lookup, no counting)."""
    from tools.calc.errors import CalcInputError
    from tools.calc.presets import find_preset

    if plan.preset:
        try:
            return find_preset(plan.preset).shape.is_moe
        except CalcInputError:
            return False
    config = plan.hf_config or {}
    return any(config.get(key) for key in ("num_experts", "num_local_experts", "n_routed_experts", "use_moe"))


_FRESH = Plan()
"""The plan before any message: the first message sets the language, prose or not."""
