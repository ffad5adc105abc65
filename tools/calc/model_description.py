"""A model as a user describes it: every field optional, ``None`` meaning "not stated".

The same description comes from every door (the command line's flags, an LLM's tool arguments,
the offline reader of a chat message, the calculator's form), and
:func:`tools.calc.resolve_model.resolve_model` turns it into core objects. Nothing here has a
default that changes a count: a value that is not stated stays ``None``, so the resolver can tell
"stated" from "taken from a preset" from "defaulted", and say which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

ModelSource = Literal["preset", "hf_config", "dimensions", "size"]

DIMENSION_FIELDS = ("vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim",
                    "intermediate_size", "tied_embeddings", "gated_mlp")
"""Explicit architecture dimensions."""

LAYOUT_FIELDS = ("num_experts", "num_shared_experts", "top_k", "expert_intermediate_size",
                 "shared_expert_intermediate_size", "first_k_dense", "moe_every", "granularity")
"""The expert layout of an MoE."""

SIZE_FIELDS = ("total_params", "active_params", "expert_fraction")
"""Sizes as stated (not counted)."""


@dataclass(frozen=True, kw_only=True)
class ModelDescription:
    """What is known about the model to plan. ``None`` = not stated.

    Exactly one architecture source may be given: ``preset``, ``hf_config``, or the explicit
    dimensions (``hidden_size`` and friends). Sizes (``total_params``, ``active_params``) may come
    alone, or beside an architecture, where they are compared with the exact count. ``dense``
    records what the user said the model is (True: dense; False: MoE).
    """

    preset: str | None = None
    hf_config: Mapping[str, Any] | None = None
    config_name: str | None = None
    # explicit dimensions
    vocab_size: int | None = None
    hidden_size: int | None = None
    num_layers: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    intermediate_size: int | None = None
    tied_embeddings: bool | None = None
    gated_mlp: bool | None = None
    # expert layout
    num_experts: int | None = None
    num_shared_experts: int | None = None
    top_k: int | None = None
    expert_intermediate_size: int | None = None
    shared_expert_intermediate_size: int | None = None
    first_k_dense: int | None = None
    moe_every: int | None = None
    granularity: float | None = None
    # sizes as stated
    total_params: float | None = None
    active_params: float | None = None
    expert_fraction: float | None = None
    dense: bool | None = None

    def stated(self) -> tuple[str, ...]:
        """Names of the fields that were given (not None), in declaration order."""
        return tuple(f.name for f in fields(self) if f.name != "config_name" and getattr(self, f.name) is not None)

    @property
    def has_dimensions(self) -> bool:
        return any(getattr(self, name) is not None for name in DIMENSION_FIELDS if name != "tied_embeddings"
                   and name != "gated_mlp")

    @property
    def has_layout(self) -> bool:
        return self.num_experts is not None
