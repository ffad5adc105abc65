"""MiniMind (github.com/jingyaogong/minimind): two generations with different keys, always tied embeddings.

* MiniMind2 (model/model_minimind.py @ c090b69): ``n_routed_experts``/``n_shared_experts``; every
  expert (routed and shared) is a full FeedForward; no q/k norm.
* minimind-3 (@ d65ef2c): ``num_experts``/``moe_intermediate_size``/``head_dim``; per-head q/k
  RMSNorms; no shared expert.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.hf_config.fields import ConfigFields
from tools.calc.shapes import ModelShape, MoeShape


def minimind2_ffn_width(hidden_size: int) -> int:
    """MiniMind2 FeedForward width when ``intermediate_size`` is null: 64·ceil(int(h·8/3)/64).

    model/model_minimind.py @ c090b69 (FeedForward.__init__); 1728 for h = 640.
    """
    return 64 * ((int(hidden_size * 8 / 3) + 63) // 64)


def minimind3_ffn_width(hidden_size: int) -> int:
    """minimind-3 FFN width when ``intermediate_size`` is null: 64·ceil(h·π/64) (2432 for h = 768)."""
    return 64 * math.ceil(hidden_size * math.pi / 64)


def read_minimind(config: Mapping[str, Any], name: str) -> ModelShape:
    """MiniMind2 or minimind-3, told apart by their keys (see the module docstring)."""
    generation3 = "num_experts" in config or "moe_intermediate_size" in config
    if generation3 and "n_routed_experts" in config:
        raise CalcInputError(
            field="n_routed_experts", value=config["n_routed_experts"],
            expected="absent when num_experts is set (MiniMind2 and minimind-3 keys are mixed)",
            code="minimind_mixed_keys",
        )
    fields = ConfigFields(config=config, family="minimind")
    core = fields.core(tied_default=True)
    if not core["tied_embeddings"]:
        raise CalcInputError(field="tie_word_embeddings", value=False, expected="true (MiniMind always ties)",
                             code="equals", values={"target": True})
    hidden = core["hidden_size"]
    use_moe = fields.flag("use_moe", False)
    layers = tuple(range(core["num_layers"]))
    if generation3:
        width = fields.integer("intermediate_size", None) or minimind3_ffn_width(hidden)
        moe = None
        if use_moe:
            moe = MoeShape(
                num_experts=fields.integer("num_experts"),
                expert_intermediate_size=fields.integer("moe_intermediate_size", width),
                top_k=fields.integer("num_experts_per_tok"), moe_layers=layers,
            )
        fields.ignore("num_experts", "moe_intermediate_size", "num_experts_per_tok")  # stored, unused when dense
        shape = ModelShape(
            name=name, **core, intermediate_size=0 if moe else width, qk_norm="per_head", moe=moe,
            source="MiniMind config (minimind-3, model_minimind.py @ d65ef2c)",
        )
        fields.finish()
        return shape
    core["head_dim"] = None  # MiniMind2 derives head_dim = hidden / heads
    width = fields.integer("intermediate_size", None) or minimind2_ffn_width(hidden)
    moe = None
    if use_moe:
        n_shared = fields.integer("n_shared_experts", 0)
        moe = MoeShape(
            num_experts=fields.integer("n_routed_experts"), expert_intermediate_size=width,
            top_k=fields.integer("num_experts_per_tok"), moe_layers=layers,
            num_shared_experts=n_shared, shared_expert_intermediate_size=width if n_shared else 0,
        )
    fields.ignore("n_routed_experts", "n_shared_experts", "num_experts_per_tok")  # stored, unused when dense
    shape = ModelShape(
        name=name, **core, intermediate_size=0 if moe else width, moe=moe,
        source="MiniMind config (MiniMind2, model_minimind.py @ c090b69)",
    )
    fields.finish()
    return shape
