"""Changes a user states to a known architecture's expert layout ("MiniMind2-MoE with 8 experts").

Only the expert layout is changed in place, because its fields mean the same thing in every family:
routed experts, shared experts, expert width, top-k and which layers are MoE. A change of the
dimensions (hidden size, layers, heads, vocabulary, FFN width) is refused by name: what derives from
them differs by family (MiniMind sizes its FFN from the hidden size, Mixtral's ``intermediate_size``
is the expert width), so the full architecture must be stated instead.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tools.calc.errors import CalcInputError
from tools.calc.shapes import ModelShape, moe_layer_indices

LAYOUT_CHANGES = ("num_experts", "num_shared_experts", "top_k", "expert_intermediate_size",
                  "shared_expert_intermediate_size", "first_k_dense")
"""The fields :func:`apply_layout_changes` can change."""


def apply_layout_changes(*, shape: ModelShape, changes: dict[str, Any]) -> ModelShape:
    """``shape`` with its expert layout changed as stated; CalcInputError for a change it cannot make."""
    for name in changes:
        if name not in LAYOUT_CHANGES:
            raise CalcInputError(field=name, value=changes[name], expected=f"no {name} beside {shape.name}: only the "
                                 "expert layout of a known architecture can be changed; give all the dimensions "
                                 "or a config.json for a different shape",
                                 code="preset_change_unsupported", values={"model": shape.name})
    moe = shape.moe
    if moe is None or not shape.is_moe:
        raise CalcInputError(field=next(iter(changes)), value=next(iter(changes.values())),
                             expected=f"no expert layout: {shape.name} is a dense model",
                             code="dense_model_no_experts", values={"model": shape.name})
    layers = moe.moe_layers
    if "first_k_dense" in changes:
        contiguous = layers == tuple(range(layers[0], shape.num_layers)) if layers else False
        if not contiguous:
            raise CalcInputError(field="first_k_dense", value=changes["first_k_dense"],
                                 expected=f"no change: {shape.name}'s MoE layers are not one block at the end",
                                 code="moe_layers_not_contiguous", values={"model": shape.name})
        layers = moe_layer_indices(num_layers=shape.num_layers, first_k_dense=changes["first_k_dense"])
    width = changes.get("expert_intermediate_size", moe.expert_intermediate_size)
    shared = changes.get("num_shared_experts", moe.num_shared_experts)
    shared_width = changes.get("shared_expert_intermediate_size",
                               moe.shared_expert_intermediate_size or (width if shared else 0))
    new_moe = replace(
        moe, num_experts=changes.get("num_experts", moe.num_experts), expert_intermediate_size=width,
        top_k=changes.get("top_k", moe.top_k), num_shared_experts=shared,
        shared_expert_intermediate_size=shared_width if shared else 0,
        shared_expert_gate=moe.shared_expert_gate and bool(shared), moe_layers=layers,
    )
    if len(layers) < shape.num_layers and shape.intermediate_size < 1:
        raise CalcInputError(field="first_k_dense", value=changes["first_k_dense"],
                             expected=f"no dense layers: {shape.name} has no dense FFN width to give them; give the "
                             "dimensions (with the FFN width) instead",
                             code="no_dense_width", values={"model": shape.name})
    return replace(shape, moe=new_moe, intermediate_size=shape.intermediate_size if len(layers) < shape.num_layers
                   else 0)
