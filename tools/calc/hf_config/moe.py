"""MoE families with plain attention: Mixtral, Qwen2-MoE, Qwen3-MoE, OLMoE (transformers 5.23).

Expert counts have two names across transformers versions (``num_experts`` in 4.x Qwen3-MoE,
``num_local_experts`` in 5.x, each class's ``attribute_map``); either is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config.dense import HARD_CODED_NO_BIAS
from tools.calc.hf_config.fields import ConfigFields
from tools.calc.shapes import ModelShape, MoeShape


def read_mixtral(config: Mapping[str, Any], name: str) -> ModelShape:
    """MixtralForCausalLM: every layer MoE; ``intermediate_size`` is the width of one expert."""
    fields = ConfigFields(config=config, family="mixtral", aliases={"num_local_experts": ("num_experts",)})
    core = fields.core(tied_default=False)
    fields.neutral("attention_bias", at=False, why=HARD_CODED_NO_BIAS.format(model="MixtralForCausalLM"))
    moe = MoeShape(
        num_experts=fields.integer("num_local_experts"), expert_intermediate_size=fields.integer("intermediate_size"),
        top_k=fields.integer("num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
    )
    shape = ModelShape(name=name, **core, moe=moe, source="HuggingFace config.json (mixtral)")
    fields.finish()
    return shape


def qwen_moe_layers(fields: ConfigFields, num_layers: int) -> tuple[int, ...]:
    """Qwen2-MoE/Qwen3-MoE: layer i is MoE iff i not in mlp_only_layers and (i + 1) % decoder_sparse_step == 0."""
    step = fields.integer("decoder_sparse_step", 1)
    only_mlp = fields.value("mlp_only_layers", [])
    if not isinstance(only_mlp, list) or any(
        isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < num_layers for i in only_mlp
    ):
        raise CalcInputError(
            field="mlp_only_layers", value=only_mlp, expected=f"a list of layer indices in [0, {num_layers - 1}]",
            code="layer_indices", values={"maximum": num_layers - 1},
        )
    if step < 1:
        raise CalcInputError(field="decoder_sparse_step", value=step, expected="an integer >= 1",
                             code="int_at_least", values={"minimum": 1})
    dense = set(only_mlp)
    return tuple(i for i in range(num_layers) if i not in dense and (i + 1) % step == 0)


def dense_width(fields: ConfigFields, *, num_layers: int, moe_layers: tuple[int, ...], key: str) -> int:
    """The dense FFN width ``key`` when some layer is dense; 0 (and the key only marked read) otherwise."""
    if len(moe_layers) < num_layers:
        return fields.integer(key)
    fields.ignore(key)  # no dense layer: the width is stored in the config but nothing is built from it
    return 0


def read_qwen_moe(config: Mapping[str, Any], name: str, *, qwen3: bool) -> ModelShape:
    """Qwen2-MoE: one shared expert of ``shared_expert_intermediate_size`` with a sigmoid gate, q/k/v biases.

    Qwen3-MoE: no shared expert, ``attention_bias`` on q, k, v and o (default false), per-head q/k norms.
    """
    family = "qwen3_moe" if qwen3 else "qwen2_moe"
    fields = ConfigFields(config=config, family=family, aliases={"num_experts": ("num_local_experts",)})
    core = fields.core(tied_default=False)
    layers = qwen_moe_layers(fields, core["num_layers"])
    shared_width = 0 if qwen3 else fields.integer("shared_expert_intermediate_size")
    if not qwen3 and shared_width < 1:
        raise CalcInputError(
            field="shared_expert_intermediate_size", value=shared_width, expected="an integer >= 1",
            why="Qwen2MoeSparseMoeBlock always builds the shared expert and its gate",
            code="int_at_least", values={"minimum": 1},
        )
    moe = MoeShape(
        num_experts=fields.integer("num_experts"), expert_intermediate_size=fields.integer("moe_intermediate_size"),
        top_k=fields.integer("num_experts_per_tok"), moe_layers=layers,
        num_shared_experts=0 if qwen3 else 1, shared_expert_intermediate_size=shared_width,
        shared_expert_gate=not qwen3,
    )
    width = dense_width(fields, num_layers=core["num_layers"], moe_layers=layers, key="intermediate_size")
    if qwen3:
        bias = fields.flag("attention_bias", False)
        shape = ModelShape(
            name=name, **core, intermediate_size=width, attention_bias=bias, attention_output_bias=bias,
            qk_norm="per_head", moe=moe, source="HuggingFace config.json (qwen3_moe)",
        )
    else:
        shape = ModelShape(
            name=name, **core, intermediate_size=width, attention_bias=fields.flag("qkv_bias", True), moe=moe,
            source="HuggingFace config.json (qwen2_moe)",
        )
    fields.finish()
    return shape


def read_olmoe(config: Mapping[str, Any], name: str) -> ModelShape:
    """OLMoE: every layer MoE (``intermediate_size`` = expert width); q/k RMSNorms over the full width.

    OlmoeAttention sizes q_norm from ``hidden_size`` and k_norm from ``hidden_size // heads``, so a
    ``head_dim`` other than that does not build a working model and is refused.
    """
    fields = ConfigFields(config=config, family="olmoe", aliases={"num_experts": ("num_local_experts",)})
    core = fields.core(tied_default=False)
    natural = core["hidden_size"] // core["num_heads"]
    if core["head_dim"] not in (None, natural):
        raise CalcInputError(
            field="head_dim", value=core["head_dim"], expected=f"hidden_size // num_attention_heads = {natural}",
            why="OLMoE's q/k norms are sized from hidden_size",
            code="equals", values={"target": f"hidden_size // num_attention_heads = {natural}"},
        )
    bias = fields.flag("attention_bias", False)  # OlmoeAttention: q/k/v/o bias=config.attention_bias
    moe = MoeShape(
        num_experts=fields.integer("num_experts"), expert_intermediate_size=fields.integer("intermediate_size"),
        top_k=fields.integer("num_experts_per_tok"), moe_layers=tuple(range(core["num_layers"])),
    )
    shape = ModelShape(
        name=name, **core, attention_bias=bias, attention_output_bias=bias, qk_norm="full_width", moe=moe,
        source="HuggingFace config.json (olmoe)",
    )
    fields.finish()
    return shape
