"""Read a HuggingFace ``config.json`` (already parsed into a dict) into a :class:`ModelShape`.

Supported families, each read the way its transformers / MiniMind modelling code builds
the modules: Llama, Mistral, Mixtral, Qwen2, Qwen2-MoE, Qwen3, Qwen3-MoE, DeepSeek-V2,
DeepSeek-V3, OLMoE and MiniMind (MiniMind2 @ c090b69 and minimind-3 @ d65ef2c).

Nothing is guessed silently: an unknown family, a missing required field, or a field this
module cannot interpret (one that may change the parameter count) raises
:class:`CalcInputError` naming that field. Fields known not to change the count (RoPE
settings, token ids, dropout, dtype, …) are ignored, and the list of them is explicit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.shapes import MlaShape, ModelShape, MoeShape

# Keys that never change a parameter count (positions, tokens, numerics, training knobs).
_IGNORED_KEYS = frozenset({
    "architectures", "model_type", "_name_or_path", "transformers_version", "torch_dtype", "dtype",
    "auto_map", "bos_token_id", "eos_token_id", "pad_token_id", "use_cache", "initializer_range",
    "rms_norm_eps", "layer_norm_eps", "hidden_act", "rope_theta", "rope_scaling", "rope_parameters",
    "rope_interleave", "max_position_embeddings", "max_window_layers", "sliding_window",
    "use_sliding_window", "layer_types", "attention_dropout", "hidden_dropout", "dropout",
    "pretraining_tp", "output_router_logits", "router_aux_loss_coef", "router_jitter_noise",
    "aux_loss_alpha", "seq_aux", "norm_topk_prob", "scoring_func", "topk_method", "n_group",
    "topk_group", "routed_scaling_factor", "ep_size", "flash_attn", "inference_rope_scaling",
    "clip_qkv", "tie_encoder_decoder", "quantization_config", "use_return_dict", "return_dict",
    "output_attentions", "output_hidden_states", "is_decoder", "use_bfloat16", "bias",
    "resid_pdrop", "embd_pdrop", "attn_pdrop",
})

_CORE_KEYS = frozenset({
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
    "head_dim", "intermediate_size", "tie_word_embeddings",
})


def _get(config: Mapping[str, Any], key: str, *, default: Any = ..., kind: type = int) -> Any:
    """Read ``key``; raise a CalcInputError naming it when missing or of the wrong type."""
    if key not in config or config[key] is None:
        if default is ...:
            expected = {int: "an integer", bool: "true or false"}.get(kind, kind.__name__)
            raise CalcInputError(field=key, value=None, expected=f"{expected} in config.json (the field is missing)")
        return default
    value = config[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise CalcInputError(field=key, value=value, expected="an integer")
    if kind is bool and not isinstance(value, bool):
        raise CalcInputError(field=key, value=value, expected="true or false")
    return value


def _check_known(config: Mapping[str, Any], family: str, known: frozenset[str]) -> None:
    for key in config:
        if key not in known and key not in _CORE_KEYS and key not in _IGNORED_KEYS:
            raise CalcInputError(
                field=key, value=config[key],
                expected=f"a field the {family} reader understands",
                why="it may change the parameter count, so it is not ignored",
            )


def _core(config: Mapping[str, Any], *, tied_default: bool) -> dict[str, Any]:
    heads = _get(config, "num_attention_heads")
    return {
        "vocab_size": _get(config, "vocab_size"),
        "hidden_size": _get(config, "hidden_size"),
        "num_layers": _get(config, "num_hidden_layers"),
        "num_heads": heads,
        "num_kv_heads": _get(config, "num_key_value_heads", default=heads),
        "head_dim": _get(config, "head_dim", default=None),
        "tied_embeddings": _get(config, "tie_word_embeddings", default=tied_default, kind=bool),
    }


def _gated_act(config: Mapping[str, Any]) -> None:
    act = config.get("hidden_act", "silu")
    if act not in ("silu", "swish", "gelu", "gelu_pytorch_tanh", "relu"):
        raise CalcInputError(field="hidden_act", value=act, expected="a known activation (silu, gelu, relu)")


def _llama(config: Mapping[str, Any], name: str) -> ModelShape:
    """LlamaForCausalLM / MistralForCausalLM: gate/up/down MLP; ``attention_bias`` on q,k,v,o."""
    _check_known(config, "llama", frozenset({"attention_bias", "mlp_bias"}))
    _gated_act(config)
    bias = _get(config, "attention_bias", default=False, kind=bool)
    return ModelShape(
        name=name, **_core(config, tied_default=False),
        intermediate_size=_get(config, "intermediate_size"),
        attention_bias=bias, attention_output_bias=bias,
        mlp_bias=_get(config, "mlp_bias", default=False, kind=bool),
        source="HuggingFace config.json (llama/mistral family)",
    )


def _mixtral(config: Mapping[str, Any], name: str) -> ModelShape:
    """MixtralForCausalLM: every layer MoE; ``intermediate_size`` is the per-expert width."""
    _check_known(config, "mixtral", frozenset({"num_local_experts", "num_experts_per_tok"}))
    core = _core(config, tied_default=False)
    moe = MoeShape(
        num_experts=_get(config, "num_local_experts"),
        expert_intermediate_size=_get(config, "intermediate_size"),
        top_k=_get(config, "num_experts_per_tok"),
        moe_layers=tuple(range(core["num_layers"])),
    )
    return ModelShape(name=name, **core, moe=moe, source="HuggingFace config.json (mixtral)")


def _qwen_dense(config: Mapping[str, Any], name: str, *, qwen3: bool) -> ModelShape:
    """Qwen2: q,k,v biases, no o bias. Qwen3: ``attention_bias`` (default false) + per-head q/k norms."""
    known = frozenset({"attention_bias"}) if qwen3 else frozenset({"qkv_bias"})
    _check_known(config, "qwen3" if qwen3 else "qwen2", known)
    if qwen3:
        bias = _get(config, "attention_bias", default=False, kind=bool)
        core = _core(config, tied_default=False)
        return ModelShape(
            name=name, **core, intermediate_size=_get(config, "intermediate_size"),
            attention_bias=bias, attention_output_bias=bias, qk_norm="per_head",
            source="HuggingFace config.json (qwen3)",
        )
    return ModelShape(
        name=name, **_core(config, tied_default=False), intermediate_size=_get(config, "intermediate_size"),
        attention_bias=True, source="HuggingFace config.json (qwen2)",
    )


def _qwen_moe_layers(config: Mapping[str, Any], num_layers: int) -> tuple[int, ...]:
    """Qwen2-MoE/Qwen3-MoE rule: layer i is MoE iff i not in mlp_only_layers and (i+1) % step == 0."""
    step = _get(config, "decoder_sparse_step", default=1)
    only_mlp = config.get("mlp_only_layers") or []
    if not isinstance(only_mlp, list) or any(not isinstance(i, int) or not 0 <= i < num_layers for i in only_mlp):
        raise CalcInputError(
            field="mlp_only_layers", value=only_mlp, expected=f"a list of layer indices in [0, {num_layers - 1}]"
        )
    if step < 1:
        raise CalcInputError(field="decoder_sparse_step", value=step, expected="an integer >= 1")
    return tuple(i for i in range(num_layers) if i not in only_mlp and (i + 1) % step == 0)


def _qwen_moe(config: Mapping[str, Any], name: str, *, qwen3: bool) -> ModelShape:
    """Qwen2-MoE: one shared expert of ``shared_expert_intermediate_size`` with a sigmoid gate.

    Qwen3-MoE: no shared expert, per-head q/k norms, ``attention_bias`` (default false).
    """
    known = {"num_experts", "num_experts_per_tok", "moe_intermediate_size", "decoder_sparse_step",
             "mlp_only_layers"}
    known |= {"attention_bias"} if qwen3 else {"shared_expert_intermediate_size", "qkv_bias"}
    _check_known(config, "qwen3_moe" if qwen3 else "qwen2_moe", frozenset(known))
    core = _core(config, tied_default=False)
    layers = _qwen_moe_layers(config, core["num_layers"])
    shared_width = 0 if qwen3 else _get(config, "shared_expert_intermediate_size", default=0)
    moe = MoeShape(
        num_experts=_get(config, "num_experts"),
        expert_intermediate_size=_get(config, "moe_intermediate_size"),
        top_k=_get(config, "num_experts_per_tok"),
        moe_layers=layers,
        num_shared_experts=1 if shared_width else 0,
        shared_expert_intermediate_size=shared_width,
        shared_expert_gate=bool(shared_width),
    )
    dense_width = _get(config, "intermediate_size", default=0) if len(layers) < core["num_layers"] else 0
    if qwen3:
        bias = _get(config, "attention_bias", default=False, kind=bool)
        return ModelShape(
            name=name, **core, intermediate_size=dense_width, attention_bias=bias, attention_output_bias=bias,
            qk_norm="per_head", moe=moe, source="HuggingFace config.json (qwen3_moe)",
        )
    qkv_bias = _get(config, "qkv_bias", default=True, kind=bool)
    return ModelShape(
        name=name, **core, intermediate_size=dense_width, attention_bias=qkv_bias, moe=moe,
        source="HuggingFace config.json (qwen2_moe)",
    )


def _deepseek(config: Mapping[str, Any], name: str) -> ModelShape:
    """DeepSeek-V2/V3: MLA attention; layer i is MoE iff i >= first_k_dense_replace and i % moe_layer_freq == 0.

    ``num_nextn_predict_layers`` (V3) becomes MTP modules, counted apart from the main model.
    ``e_score_correction_bias`` is a buffer in transformers, not a parameter.
    """
    known = frozenset({
        "moe_intermediate_size", "n_shared_experts", "n_routed_experts", "num_experts_per_tok",
        "first_k_dense_replace", "moe_layer_freq", "kv_lora_rank", "q_lora_rank", "qk_rope_head_dim",
        "qk_nope_head_dim", "v_head_dim", "qk_head_dim", "num_nextn_predict_layers", "attention_bias",
    })
    _check_known(config, "deepseek", known)
    if _get(config, "attention_bias", default=False, kind=bool):
        raise CalcInputError(
            field="attention_bias", value=True, expected="false",
            why="MLA projections with biases are not modelled",
        )
    core = _core(config, tied_default=False)
    core["head_dim"] = None  # DeepSeek's head_dim key is the rope dim; MLA widths come from the fields below
    mla = MlaShape(
        q_lora_rank=_get(config, "q_lora_rank", default=None),
        kv_lora_rank=_get(config, "kv_lora_rank"),
        qk_nope_head_dim=_get(config, "qk_nope_head_dim"),
        qk_rope_head_dim=_get(config, "qk_rope_head_dim"),
        v_head_dim=_get(config, "v_head_dim"),
    )
    if "qk_head_dim" in config and config["qk_head_dim"] != mla.qk_head_dim:
        raise CalcInputError(
            field="qk_head_dim", value=config["qk_head_dim"],
            expected=f"qk_nope_head_dim + qk_rope_head_dim = {mla.qk_head_dim}",
        )
    first_k = _get(config, "first_k_dense_replace", default=0)
    freq = _get(config, "moe_layer_freq", default=1)
    layers = tuple(i for i in range(core["num_layers"]) if i >= first_k and i % freq == 0)
    n_routed = _get(config, "n_routed_experts", default=0)
    moe = None
    if n_routed:
        expert_width = _get(config, "moe_intermediate_size")
        n_shared = _get(config, "n_shared_experts", default=0)
        moe = MoeShape(
            num_experts=n_routed, expert_intermediate_size=expert_width,
            top_k=_get(config, "num_experts_per_tok"), moe_layers=layers,
            num_shared_experts=n_shared, shared_expert_intermediate_size=expert_width if n_shared else 0,
        )
    heads = core["num_heads"]
    if core["num_kv_heads"] != heads:
        core["num_kv_heads"] = heads  # MLA has no kv-head grouping; the config value is unused
    return ModelShape(
        name=name, **core, intermediate_size=_get(config, "intermediate_size"), mla=mla, moe=moe,
        num_mtp_modules=_get(config, "num_nextn_predict_layers", default=0) if moe else 0,
        source="HuggingFace config.json (deepseek_v2/v3)",
    )


def _olmoe(config: Mapping[str, Any], name: str) -> ModelShape:
    """OLMoE: every layer MoE (``intermediate_size`` = expert width); q/k RMSNorms over the full width."""
    _check_known(config, "olmoe", frozenset({"num_experts", "num_experts_per_tok", "attention_bias"}))
    if _get(config, "attention_bias", default=False, kind=bool):
        raise CalcInputError(field="attention_bias", value=True, expected="false (OLMoE has no attention bias)")
    core = _core(config, tied_default=False)
    moe = MoeShape(
        num_experts=_get(config, "num_experts"), expert_intermediate_size=_get(config, "intermediate_size"),
        top_k=_get(config, "num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
    )
    return ModelShape(name=name, **core, qk_norm="full_width", moe=moe, source="HuggingFace config.json (olmoe)")


def minimind2_ffn_width(hidden_size: int) -> int:
    """MiniMind2 FeedForward width when ``intermediate_size`` is null: 64·ceil(int(h·8/3)/64).

    model/model_minimind.py @ c090b69 (FeedForward.__init__); 1728 for h = 640.
    """
    return 64 * ((int(hidden_size * 8 / 3) + 63) // 64)


def minimind3_ffn_width(hidden_size: int) -> int:
    """minimind-3 FFN width when ``intermediate_size`` is null: 64·ceil(h·π/64) (2432 for h = 768)."""
    return 64 * math.ceil(hidden_size * math.pi / 64)


def _minimind(config: Mapping[str, Any], name: str) -> ModelShape:
    """MiniMind: always tied embeddings. Two generations differ in their keys.

    * MiniMind2 (model_minimind.py @ c090b69): ``n_routed_experts``/``n_shared_experts``; every
      expert (routed and shared) is a full FeedForward; no q/k norm.
    * minimind-3 (@ d65ef2c): ``num_experts``/``moe_intermediate_size``/``head_dim``; per-head
      q/k RMSNorms; no shared expert.
    """
    common = {"use_moe", "num_experts_per_tok"}
    generation3 = "num_experts" in config or "moe_intermediate_size" in config
    if generation3 and "n_routed_experts" in config:
        raise CalcInputError(
            field="n_routed_experts", value=config["n_routed_experts"],
            expected="absent when num_experts is set (MiniMind2 and minimind-3 keys are mixed)",
        )
    known = common | ({"num_experts", "moe_intermediate_size"} if generation3 else
                      {"n_routed_experts", "n_shared_experts"})
    _check_known(config, "minimind", frozenset(known))
    core = _core(config, tied_default=True)
    if not core["tied_embeddings"]:
        raise CalcInputError(field="tie_word_embeddings", value=False, expected="true (MiniMind always ties)")
    hidden = core["hidden_size"]
    use_moe = _get(config, "use_moe", default=False, kind=bool)
    if generation3:
        width = _get(config, "intermediate_size", default=None) or minimind3_ffn_width(hidden)
        moe = None
        if use_moe:
            moe = MoeShape(
                num_experts=_get(config, "num_experts"),
                expert_intermediate_size=_get(config, "moe_intermediate_size", default=width),
                top_k=_get(config, "num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
            )
        return ModelShape(
            name=name, **core, intermediate_size=0 if moe else width, qk_norm="per_head", moe=moe,
            source="MiniMind config (minimind-3, model_minimind.py @ d65ef2c)",
        )
    core["head_dim"] = None  # MiniMind2 derives head_dim = hidden / heads
    width = _get(config, "intermediate_size", default=None) or minimind2_ffn_width(hidden)
    moe = None
    if use_moe:
        n_shared = _get(config, "n_shared_experts", default=0)
        moe = MoeShape(
            num_experts=_get(config, "n_routed_experts"), expert_intermediate_size=width,
            top_k=_get(config, "num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
            num_shared_experts=n_shared, shared_expert_intermediate_size=width if n_shared else 0,
        )
    return ModelShape(
        name=name, **core, intermediate_size=0 if moe else width, moe=moe,
        source="MiniMind config (MiniMind2, model_minimind.py @ c090b69)",
    )


_READERS: dict[str, Callable[[Mapping[str, Any], str], ModelShape]] = {
    "llama": _llama,
    "mistral": _llama,
    "mixtral": _mixtral,
    "qwen2": lambda c, n: _qwen_dense(c, n, qwen3=False),
    "qwen3": lambda c, n: _qwen_dense(c, n, qwen3=True),
    "qwen2_moe": lambda c, n: _qwen_moe(c, n, qwen3=False),
    "qwen3_moe": lambda c, n: _qwen_moe(c, n, qwen3=True),
    "deepseek_v2": _deepseek,
    "deepseek_v3": _deepseek,
    "olmoe": _olmoe,
    "minimind": _minimind,
}

_ARCHITECTURES = {
    "LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral", "MixtralForCausalLM": "mixtral",
    "Qwen2ForCausalLM": "qwen2", "Qwen3ForCausalLM": "qwen3", "Qwen2MoeForCausalLM": "qwen2_moe",
    "Qwen3MoeForCausalLM": "qwen3_moe", "DeepseekV2ForCausalLM": "deepseek_v2",
    "DeepseekV3ForCausalLM": "deepseek_v3", "OlmoeForCausalLM": "olmoe", "MiniMindForCausalLM": "minimind",
}

SUPPORTED_MODEL_TYPES = tuple(_READERS)


def shape_from_hf_config(config: Mapping[str, Any], *, name: str = "hf-config") -> ModelShape:
    """Build a ModelShape from a parsed ``config.json``; raise CalcInputError on anything unclear."""
    if not isinstance(config, Mapping):
        raise CalcInputError(field="config", value=type(config).__name__, expected="a JSON object")
    model_type = config.get("model_type")
    if model_type is None:
        architectures = config.get("architectures") or []
        known = [_ARCHITECTURES[a] for a in architectures if a in _ARCHITECTURES]
        if not known:
            raise CalcInputError(
                field="model_type", value=None,
                expected=f"one of {', '.join(SUPPORTED_MODEL_TYPES)} (or a known 'architectures' entry)",
            )
        model_type = known[0]
    reader = _READERS.get(model_type)
    if reader is None:
        raise CalcInputError(
            field="model_type", value=model_type, expected=f"one of {', '.join(SUPPORTED_MODEL_TYPES)}",
        )
    return reader(config, name)
