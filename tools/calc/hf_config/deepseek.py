"""DeepSeek-style MoE: the first k layers dense, then fine-grained routed experts plus n shared experts
fused into one MLP of width n · moe_intermediate_size. DeepSeek-V2/V3 (MLA attention), GLM-4.5
(``glm4_moe``) and dots.llm1 (``dots1``), read the way transformers 5.23 builds them.

Their ``e_score_correction_bias`` is registered with ``nn.Buffer`` in DeepseekV3TopkRouter,
Glm4MoeTopkRouter and Dots1TopkRouter: a buffer, not a parameter, so it is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config.fields import ConfigFields
from tools.calc.hf_config.moe import dense_width
from tools.calc.shapes import MlaShape, ModelShape, MoeShape

_MOE_LAYER_FREQ = (
    "transformers makes every layer from first_k_dense_replace on MoE and ignores moe_layer_freq, while "
    "DeepSeek's own modeling_deepseek.py makes only layers with index % moe_layer_freq == 0 MoE: the two "
    "implementations give different counts"
)


def _first_k_dense_moe(
    fields: ConfigFields, *, num_layers: int, key_experts: str, first_k_default: int | None = None
) -> tuple[MoeShape, tuple[int, ...]]:
    """Routed + shared experts on every layer from ``first_k_dense_replace`` on (DecoderLayer.__init__)."""
    fields.neutral("moe_layer_freq", at=1, why=_MOE_LAYER_FREQ)
    if first_k_default is None:
        first_k = fields.integer("first_k_dense_replace")
    else:
        first_k = fields.integer("first_k_dense_replace", first_k_default)
    if not 0 <= first_k <= num_layers:
        raise CalcInputError(field="first_k_dense_replace", value=first_k, expected=f"an integer in [0, {num_layers}]",
                             code="int_between", values={"minimum": 0, "maximum": num_layers})
    layers = tuple(range(first_k, num_layers))
    width = fields.integer("moe_intermediate_size")
    n_shared = fields.integer("n_shared_experts")
    moe = MoeShape(
        num_experts=fields.integer(key_experts), expert_intermediate_size=width,
        top_k=fields.integer("num_experts_per_tok"), moe_layers=layers,
        num_shared_experts=n_shared, shared_expert_intermediate_size=width if n_shared else 0,
    )
    return moe, layers


def read_deepseek(config: Mapping[str, Any], name: str, *, v3: bool) -> ModelShape:
    """DeepSeek-V2/V3: MLA attention (DeepSeek-V2 §2.1); MoE from ``first_k_dense_replace`` on.

    ``num_nextn_predict_layers`` (V3) becomes MTP modules, counted apart from the main model.
    DeepSeek-V2's ``mlp_bias`` (DeepseekV2MLP) puts biases on the dense MLPs and the shared
    experts, not on the routed experts; V3's MLPs have none.
    """
    family = "deepseek_v3" if v3 else "deepseek_v2"
    fields = ConfigFields(config=config, family=family, aliases={
        "n_routed_experts": ("num_local_experts", "num_experts"), "num_nextn_predict_layers": ("num_mtp_layers",),
    })
    core = fields.core(tied_default=False)
    core["head_dim"] = None  # DeepSeek's head_dim key is the rope dim; MLA widths come from the fields below
    core["num_kv_heads"] = core["num_heads"]  # MLA has no kv-head grouping; the config value builds nothing
    if fields.flag("attention_bias", False):
        raise CalcInputError(
            field="attention_bias", value=True, expected="false", why="MLA projections with biases are not modelled",
            code="mla_attention_bias",
        )
    mla = MlaShape(
        q_lora_rank=fields.integer("q_lora_rank", None), kv_lora_rank=fields.integer("kv_lora_rank"),
        qk_nope_head_dim=fields.integer("qk_nope_head_dim"), qk_rope_head_dim=fields.integer("qk_rope_head_dim"),
        v_head_dim=fields.integer("v_head_dim"),
    )
    if fields.has("qk_head_dim") and fields.value("qk_head_dim") != mla.qk_head_dim:
        raise CalcInputError(
            field="qk_head_dim", value=fields.value("qk_head_dim"),
            expected=f"qk_nope_head_dim + qk_rope_head_dim = {mla.qk_head_dim}",
            code="equals", values={"target": f"qk_nope_head_dim + qk_rope_head_dim = {mla.qk_head_dim}"},
        )
    fields.ignore("qk_head_dim")
    moe, layers, mtp = None, (), 0
    if fields.integer("n_routed_experts", 0):
        moe, layers = _first_k_dense_moe(
            fields, num_layers=core["num_layers"], key_experts="n_routed_experts", first_k_default=0,
        )
        mtp = fields.integer("num_nextn_predict_layers", 0)
    if v3:
        fields.neutral("mlp_bias", at=False, why="DeepseekV3MLP builds gate/up/down without biases")
        mlp_bias = False
    else:
        mlp_bias = fields.flag("mlp_bias", False)
        if mlp_bias and moe is not None and not moe.num_shared_experts:
            raise CalcInputError(
                field="mlp_bias", value=True, expected="false when n_shared_experts is 0",
                why="transformers then builds a zero-width shared MLP that still holds a down_proj bias",
                code="mlp_bias_without_shared",
            )
    shape = ModelShape(
        name=name, **core, intermediate_size=fields.integer("intermediate_size"), mla=mla, moe=moe,
        mlp_bias=mlp_bias, num_mtp_modules=mtp, source=f"HuggingFace config.json ({family})",
    )
    fields.finish()
    return shape


def read_glm4_moe(config: Mapping[str, Any], name: str) -> ModelShape:
    """GLM-4.5 (Glm4MoeForCausalLM): GQA with ``attention_bias`` on q, k, v (o_proj has none),
    per-head q/k RMSNorms when ``use_qk_norm``, DeepSeek-style MoE from ``first_k_dense_replace`` on.

    ``num_nextn_predict_layers`` MTP layers are not built by transformers (its loader skips
    ``model.layers.92.*`` / ``.46.*``); they are counted apart, as DeepSeek-V3's.
    """
    fields = ConfigFields(config=config, family="glm4_moe", aliases={
        "n_routed_experts": ("num_local_experts",), "num_nextn_predict_layers": ("num_mtp_layers",),
    })
    core = fields.core(tied_default=False)
    moe, layers = _first_k_dense_moe(fields, num_layers=core["num_layers"], key_experts="n_routed_experts")
    shape = ModelShape(
        name=name, **core, intermediate_size=dense_width(
            fields, num_layers=core["num_layers"], moe_layers=layers, key="intermediate_size"),
        attention_bias=fields.flag("attention_bias", False),  # Glm4MoeAttention: q/k/v only, o_proj bias=False
        qk_norm="per_head" if fields.flag("use_qk_norm", False) else "none", moe=moe,
        num_mtp_modules=fields.integer("num_nextn_predict_layers", 0),
        source="HuggingFace config.json (glm4_moe)",
    )
    fields.finish()
    return shape


def read_dots1(config: Mapping[str, Any], name: str) -> ModelShape:
    """dots.llm1 (Dots1ForCausalLM): GQA with ``attention_bias`` on q, k, v and o, per-head q/k RMSNorms
    always, DeepSeek-style MoE from ``first_k_dense_replace`` on."""
    fields = ConfigFields(config=config, family="dots1", aliases={"n_routed_experts": ("num_local_experts",)})
    core = fields.core(tied_default=False)
    moe, layers = _first_k_dense_moe(fields, num_layers=core["num_layers"], key_experts="n_routed_experts")
    bias = fields.flag("attention_bias", False)
    shape = ModelShape(
        name=name, **core, intermediate_size=dense_width(
            fields, num_layers=core["num_layers"], moe_layers=layers, key="intermediate_size"),
        attention_bias=bias, attention_output_bias=bias, qk_norm="per_head", moe=moe,
        source="HuggingFace config.json (dots1)",
    )
    fields.finish()
    return shape
