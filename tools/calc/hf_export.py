"""A candidate architecture as a HuggingFace ``config.json`` and as MiniMind config arguments.

The exported dicts are what :func:`tools.calc.hf_config.shape_from_hf_config` reads back to the same
shape (tests check the counts round-trip exactly), built with the keys transformers 5.23 defines:

* dense → ``llama`` (``LlamaForCausalLM``): GQA without biases, SwiGLU of ``intermediate_size``;
* MoE → ``glm4_moe`` (``Glm4MoeForCausalLM``): the same attention (``attention_bias`` false,
  ``use_qk_norm`` false) with DeepSeek-V3's MoE layout: ``n_routed_experts`` experts of
  ``moe_intermediate_size``, ``n_shared_experts`` fused into one MLP of ``n · moe_intermediate_size``,
  the first ``first_k_dense_replace`` layers dense of ``intermediate_size``. It is the transformers class
  for exactly this layout (``deepseek_v3`` would need MLA attention, ``qwen2_moe`` adds q/k/v biases
  and a gated single shared expert).

MiniMind (jingyaogong/minimind, MiniMind2 @ c090b69, read by :mod:`tools.calc.hf_config.minimind`)
always ties its embeddings, builds every layer as MoE, and sizes routed and shared experts alike from
``intermediate_size``; a candidate with leading dense layers has no MiniMind form (``None`` and the
reason). Its MiniMind form counts differently when the candidate is untied (one vocab × hidden matrix
fewer): the caller counts it back through the reader rather than assuming.
"""

from __future__ import annotations

from typing import Any, Literal

from tools.calc.errors import CalcInputError
from tools.calc.shapes import ModelShape

MiniMindRefusal = Literal["first_k_dense", "head_dim"]

# Count-neutral keys written so the files load as they are (values from the families' defaults).
_COMMON = {"hidden_act": "silu", "rms_norm_eps": 1e-5, "rope_theta": 10000.0}


def _attention(shape: ModelShape) -> dict[str, Any]:
    return {
        "vocab_size": shape.vocab_size, "hidden_size": shape.hidden_size, "num_hidden_layers": shape.num_layers,
        "num_attention_heads": shape.num_heads, "num_key_value_heads": shape.num_kv_heads,
        "head_dim": shape.head_dim, "tie_word_embeddings": shape.tied_embeddings,
    }


def _check_layout(shape: ModelShape) -> None:
    """The layouts exported here are plain GQA + SwiGLU + RMSNorm; anything else is a programming error."""
    plain = (shape.mla is None and shape.gated_mlp and not shape.mlp_bias and not shape.attention_bias
             and not shape.attention_output_bias and not shape.attention_sinks and shape.qk_norm == "none"
             and shape.norm == "rmsnorm" and not shape.max_position_embeddings and not shape.num_mtp_modules)
    moe = shape.moe
    if moe is not None:
        leading = tuple(range(shape.num_layers - moe.num_moe_layers))
        plain = plain and moe.moe_layers == tuple(range(len(leading), shape.num_layers)) and not (
            moe.shared_expert_gate or moe.router_bias or moe.expert_bias) and (
            not moe.num_shared_experts or moe.shared_expert_intermediate_size == moe.expert_intermediate_size)
    if not plain:
        raise CalcInputError(field="shape", value=shape.name,
                             expected="the planner's layout: GQA, SwiGLU, RMSNorm, DeepSeek-style MoE (no biases, "
                                      "no q/k norms, no MLA, shared experts as wide as routed ones)",
                             code="internal")


def hf_config(shape: ModelShape, *, max_position_embeddings: int) -> dict[str, Any]:
    """The ``config.json`` content of ``shape`` (``llama`` if dense, ``glm4_moe`` if MoE)."""
    _check_layout(shape)
    moe = shape.moe
    if moe is None:
        return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", **_attention(shape),
                "intermediate_size": shape.intermediate_size, "attention_bias": False, "mlp_bias": False,
                "max_position_embeddings": max_position_embeddings, **_COMMON}
    first_k = shape.num_layers - moe.num_moe_layers
    return {
        "architectures": ["Glm4MoeForCausalLM"], "model_type": "glm4_moe", **_attention(shape),
        "intermediate_size": shape.intermediate_size or moe.expert_intermediate_size,  # built only for dense layers
        "attention_bias": False, "use_qk_norm": False, "moe_intermediate_size": moe.expert_intermediate_size,
        "n_routed_experts": moe.num_experts, "n_shared_experts": moe.num_shared_experts,
        "num_experts_per_tok": moe.top_k, "first_k_dense_replace": first_k, "num_nextn_predict_layers": 0,
        "norm_topk_prob": True, "max_position_embeddings": max_position_embeddings, **_COMMON,
    }


def minimind_config(shape: ModelShape, *, max_position_embeddings: int) -> tuple[dict[str, Any] | None,
                                                                                    MiniMindRefusal | None]:
    """MiniMind2's ``MiniMindConfig`` arguments for ``shape`` (``model_type`` minimind), or None and why."""
    _check_layout(shape)
    moe = shape.moe
    if moe is not None and moe.num_moe_layers != shape.num_layers:
        return None, "first_k_dense"
    if shape.head_dim * shape.num_heads != shape.hidden_size:
        return None, "head_dim"  # MiniMind2 derives head_dim = hidden / heads
    config: dict[str, Any] = {
        "architectures": ["MiniMindForCausalLM"], "model_type": "minimind", "vocab_size": shape.vocab_size,
        "hidden_size": shape.hidden_size, "num_hidden_layers": shape.num_layers,
        "num_attention_heads": shape.num_heads, "num_key_value_heads": shape.num_kv_heads,
        "intermediate_size": moe.expert_intermediate_size if moe else shape.intermediate_size,
        "max_position_embeddings": max_position_embeddings, "hidden_act": "silu", "rms_norm_eps": 1e-5,
        "rope_theta": 1e6, "flash_attn": True, "dropout": 0.0, "use_moe": moe is not None,
    }
    if moe is not None:
        config.update(n_routed_experts=moe.num_experts, n_shared_experts=moe.num_shared_experts,
                      num_experts_per_tok=moe.top_k, scoring_func="softmax", norm_topk_prob=True)
    return config, None
