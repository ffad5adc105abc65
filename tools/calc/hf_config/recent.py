"""Recent MoE families with their own layouts, read the way transformers 5.23 builds them:
gpt-oss (``gpt_oss``), Llama 4 (``llama4_text``), ERNIE-4.5-MoE (``ernie4_5_moe``) and
Hunyuan-MoE (``hunyuan_v1_moe``). Module references are to ``transformers/models/<family>/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config.fields import ConfigFields
from tools.calc.hf_config.moe import dense_width
from tools.calc.shapes import ModelShape, MoeShape


def read_gpt_oss(config: Mapping[str, Any], name: str) -> ModelShape:
    """gpt-oss: every layer MoE; q/k/v/o biases (``attention_bias``, default true), one learned sink
    logit per head (GptOssAttention.sinks), router bias (GptOssTopKRouter.bias) and biases inside
    each expert (GptOssExperts.gate_up_proj_bias, down_proj_bias).

    ``head_dim`` defaults to 64 when absent, as GptOssConfig does (hidden // heads only when null).
    """
    fields = ConfigFields(config=config, family="gpt_oss", aliases={
        "num_local_experts": ("num_experts",), "num_experts_per_tok": ("experts_per_token",),
    })
    explicit_null = "head_dim" in config and config["head_dim"] is None
    core = fields.core(tied_default=False, head_dim_default=None if explicit_null else 64)
    # the clamped SwiGLU's limit and gain, and the pre-YaRN context length, are not weights
    fields.ignore("swiglu_limit", "swiglu_alpha", "initial_context_length")
    bias = fields.flag("attention_bias", True)
    moe = MoeShape(
        num_experts=fields.integer("num_local_experts"), expert_intermediate_size=fields.integer("intermediate_size"),
        top_k=fields.integer("num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
        router_bias=True, expert_bias=True,
    )
    shape = ModelShape(
        name=name, **core, attention_bias=bias, attention_output_bias=bias, attention_sinks=True, moe=moe,
        source="HuggingFace config.json (gpt_oss)",
    )
    fields.finish()
    return shape


def _llama4_moe_layers(fields: ConfigFields, num_layers: int) -> tuple[int, ...]:
    """Llama4TextConfig: ``moe_layers`` if given, else range(step - 1, layers, step) for the interleave step."""
    step = fields.integer("interleave_moe_layer_step", 1)
    if step < 1:
        raise CalcInputError(field="interleave_moe_layer_step", value=step, expected="an integer >= 1",
                             code="int_at_least", values={"minimum": 1})
    layers = fields.value("moe_layers")
    if layers is None:
        return tuple(range(step - 1, num_layers, step))
    if not isinstance(layers, list) or any(
        isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < num_layers for i in layers
    ) or len(set(layers)) != len(layers):
        raise CalcInputError(
            field="moe_layers", value=layers, expected=f"a list of distinct layer indices in [0, {num_layers - 1}]",
            code="layer_indices", values={"maximum": num_layers - 1},
        )
    return tuple(sorted(layers))


def read_llama4_text(config: Mapping[str, Any], name: str) -> ModelShape:
    """Llama 4 text model: MoE layers (routed experts of ``intermediate_size``, top-k, one shared expert
    of the same width, bias-free router) interleaved with dense layers of ``intermediate_size_mlp``;
    ``attention_bias`` on q, k, v and o. Its q/k norm (Llama4TextL2Norm) has no weight.
    """
    fields = ConfigFields(config=config, family="llama4_text")
    core = fields.core(tied_default=False)
    # RoPE-free layers, chunked attention and attention temperature change no weight; the L2 q/k norm
    # has no parameters; for_llm_compressor is a quantisation hint
    fields.ignore(
        "no_rope_layers", "no_rope_layer_interval", "attention_chunk_size", "attn_temperature_tuning",
        "floor_scale", "attn_scale", "use_qk_norm", "for_llm_compressor", "cache_implementation",
    )
    layers = _llama4_moe_layers(fields, core["num_layers"])
    width = fields.integer("intermediate_size")
    moe = MoeShape(
        num_experts=fields.integer("num_local_experts"), expert_intermediate_size=width,
        top_k=fields.integer("num_experts_per_tok"), moe_layers=layers,
        num_shared_experts=1, shared_expert_intermediate_size=width,  # Llama4TextMoe.shared_expert
    )
    bias = fields.flag("attention_bias", False)
    shape = ModelShape(
        name=name, **core, intermediate_size=dense_width(
            fields, num_layers=core["num_layers"], moe_layers=layers, key="intermediate_size_mlp"),
        attention_bias=bias, attention_output_bias=bias, moe=moe, source="HuggingFace config.json (llama4_text)",
    )
    fields.finish()
    return shape


def read_ernie4_5_moe(config: Mapping[str, Any], name: str) -> ModelShape:
    """ERNIE-4.5-MoE: layer i is MoE iff ``start <= i <= end`` and ``(i + 1) % interval == 0``
    (Ernie4_5_MoeDecoderLayer); shared experts fused into one MLP of n · moe_intermediate_size; the
    router's ``moe_statics.e_score_correction_bias`` is an ``nn.Parameter`` (E per MoE layer), counted.
    Embeddings tied by default (Ernie4_5_MoeConfig).
    """
    fields = ConfigFields(config=config, family="ernie4_5_moe", aliases={
        "moe_num_experts": ("num_experts",), "moe_k": ("num_experts_per_tok",),
    })
    core = fields.core(tied_default=True)
    fields.neutral("use_bias", at=False, why="use_bias also puts a bias on lm_head, which is not modelled")
    fields.neutral("use_rmsnorm", at=True, why="Ernie4_5_Moe builds RMSNorms; LayerNorm is not what it instantiates")
    # routing capacity, gate kind, aux-free balancing, the norm floor and kernels change no weight
    fields.ignore("moe_capacity", "moe_gate", "moe_use_aux_free", "moe_norm_min", "use_flash_attention")
    num_layers = core["num_layers"]
    start = fields.integer("moe_layer_start_index")
    end = fields.integer("moe_layer_end_index", -1)
    end = num_layers - 1 if end == -1 else end  # Ernie4_5_MoeConfig.__post_init__
    interval = fields.integer("moe_layer_interval", 1)
    if interval < 1:
        raise CalcInputError(field="moe_layer_interval", value=interval, expected="an integer >= 1",
                             code="int_at_least", values={"minimum": 1})
    layers = tuple(i for i in range(num_layers) if (i + 1) % interval == 0 and start <= i <= end)
    width = fields.integer("moe_intermediate_size")
    n_shared = fields.integer("moe_num_shared_experts")
    moe = MoeShape(
        num_experts=fields.integer("moe_num_experts"), expert_intermediate_size=width,
        top_k=fields.integer("moe_k"), moe_layers=layers, num_shared_experts=n_shared,
        shared_expert_intermediate_size=width if n_shared else 0, router_bias=True,
    )
    shape = ModelShape(
        name=name, **core, intermediate_size=dense_width(
            fields, num_layers=num_layers, moe_layers=layers, key="intermediate_size"),
        moe=moe, source="HuggingFace config.json (ernie4_5_moe)",
    )
    fields.finish()
    return shape


def _hunyuan_head_dim(fields: ConfigFields) -> int:
    """``head_dim`` (transformers) or ``attention_head_dim`` (the remote code); one of them is required."""
    head_dim = fields.integer("head_dim", None)
    remote = fields.integer("attention_head_dim", None)
    if head_dim is not None and remote is not None and head_dim != remote:
        raise CalcInputError(field="attention_head_dim", value=remote, expected=f"head_dim ({head_dim})",
                             code="same_as_field", values={"other": "head_dim", "target": head_dim})
    if head_dim is None and remote is None:
        raise CalcInputError(
            field="head_dim", value=None, expected="an integer in config.json (or attention_head_dim)",
            why="HunYuanMoEV1Attention reads config.head_dim, whose class default is None",
            code="config_field_missing",
        )
    return head_dim if head_dim is not None else remote


def read_hunyuan_v1_moe(config: Mapping[str, Any], name: str) -> ModelShape:
    """Hunyuan-MoE (HunYuanMoEV1): every layer MoE; routed experts and one shared MLP, both of
    ``intermediate_size``; per-head q/k RMSNorms (query_layernorm, key_layernorm); ``attention_bias``
    on q, k, v and o. Per-layer lists (``moe_topk``, and the remote code's ``num_shared_expert``,
    ``moe_intermediate_size``) are read when every layer has the same value.
    """
    fields = ConfigFields(config=config, family="hunyuan_v1_moe", aliases={
        "num_experts": ("num_local_experts",), "moe_topk": ("num_experts_per_tok",),
    })
    core = {**fields.core(tied_default=False), "head_dim": _hunyuan_head_dim(fields)}
    width = fields.integer("intermediate_size")
    remote_width = fields.uniform("moe_intermediate_size", width)
    if remote_width != width:
        raise CalcInputError(
            field="moe_intermediate_size", value=fields.value("moe_intermediate_size"), expected=f"{width}",
            why="transformers builds the experts and the shared MLP with intermediate_size",
            code="equals", values={"target": width},
        )
    if fields.uniform("num_shared_expert", 1) != 1:
        raise CalcInputError(field="num_shared_expert", value=fields.value("num_shared_expert"), expected="1",
                             why="transformers builds one shared MLP per layer", code="equals", values={"target": 1})
    fields.neutral("use_mixed_mlp_moe", at=True, why="HunYuanMoEV1Moe always builds the shared MLP")
    fields.neutral("use_qk_norm", at=True, why="HunYuanMoEV1Attention always builds the q/k norms")
    fields.neutral("use_cla", at=False, why="cross-layer attention shares k/v projections, which is not modelled")
    fields.neutral("moe_layer_num_skipped", at=0, why="skipped MoE layers are not modelled")
    fields.neutral("mlp_bias", at=False, why="HunYuanMoEV1MLP builds gate/up/down without biases")
    fields.ignore("cla_share_factor")  # only read when use_cla is true
    moe = MoeShape(
        num_experts=fields.uniform("num_experts"), expert_intermediate_size=width, top_k=fields.uniform("moe_topk"),
        moe_layers=tuple(range(core["num_layers"])), num_shared_experts=1, shared_expert_intermediate_size=width,
    )
    bias = fields.flag("attention_bias", False)
    shape = ModelShape(
        name=name, **core, attention_bias=bias, attention_output_bias=bias, qk_norm="per_head", moe=moe,
        source="HuggingFace config.json (hunyuan_v1_moe)",
    )
    fields.finish()
    return shape
