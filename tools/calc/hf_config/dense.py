"""Dense families: Llama, Mistral, Qwen2, Qwen3, read the way transformers 5.23 builds them.

Each reader marks the keys it uses; :meth:`ConfigFields.finish` refuses any other key that is not
count-neutral. Module references are to ``transformers/models/<family>/modeling_<family>.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.calc.hf_config.fields import ConfigFields
from tools.calc.shapes import ModelShape

HARD_CODED_NO_BIAS = "{model} builds its projections without biases whatever this field says"


def _read_dense(
    config: Mapping[str, Any], name: str, *, family: str, options: Callable[[ConfigFields], dict[str, Any]]
) -> ModelShape:
    """The shared layout (embedding, attention, gated MLP of ``intermediate_size``); ``options`` reads the rest."""
    fields = ConfigFields(config=config, family=family)
    core = fields.core(tied_default=False)
    shape = ModelShape(
        name=name, **core, intermediate_size=fields.integer("intermediate_size"), **options(fields),
        source=f"HuggingFace config.json ({family})",
    )
    fields.finish()
    return shape


def _llama_options(fields: ConfigFields) -> dict[str, Any]:
    bias = fields.flag("attention_bias", False)  # LlamaAttention: q/k/v/o bias=config.attention_bias
    mlp_bias = fields.flag("mlp_bias", False)  # LlamaMLP: gate/up/down bias=config.mlp_bias
    return {"attention_bias": bias, "attention_output_bias": bias, "mlp_bias": mlp_bias}


def _mistral_options(fields: ConfigFields) -> dict[str, Any]:
    why = HARD_CODED_NO_BIAS.format(model="MistralForCausalLM")  # MistralAttention, MistralMLP: bias=False
    fields.neutral("attention_bias", at=False, why=why)
    fields.neutral("mlp_bias", at=False, why=why)
    return {}


def _qwen2_options(fields: ConfigFields) -> dict[str, Any]:
    fields.neutral("qkv_bias", at=True, why="Qwen2Attention always builds q/k/v biases")
    return {"attention_bias": True}  # Qwen2Attention: q/k/v bias=True, o_proj bias=False


def _qwen3_options(fields: ConfigFields) -> dict[str, Any]:
    bias = fields.flag("attention_bias", False)  # Qwen3Attention: q/k/v/o bias=config.attention_bias
    return {"attention_bias": bias, "attention_output_bias": bias, "qk_norm": "per_head"}


def read_llama(config: Mapping[str, Any], name: str) -> ModelShape:
    """LlamaForCausalLM: gate/up/down MLP (``mlp_bias``), ``attention_bias`` on q, k, v and o."""
    return _read_dense(config, name, family="llama", options=_llama_options)


def read_mistral(config: Mapping[str, Any], name: str) -> ModelShape:
    """MistralForCausalLM: Llama's layout with bias-free projections."""
    return _read_dense(config, name, family="mistral", options=_mistral_options)


def read_qwen2(config: Mapping[str, Any], name: str) -> ModelShape:
    """Qwen2ForCausalLM: q, k, v biases and no o bias, hard-coded."""
    return _read_dense(config, name, family="qwen2", options=_qwen2_options)


def read_qwen3(config: Mapping[str, Any], name: str) -> ModelShape:
    """Qwen3ForCausalLM: ``attention_bias`` on q, k, v and o; per-head q/k RMSNorms (q_norm, k_norm)."""
    return _read_dense(config, name, family="qwen3", options=_qwen3_options)
