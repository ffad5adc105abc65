"""The one resolver: a :class:`ModelDescription` → an exact count, the user's stated figures, or an estimate.

Every door (command line, LLM tools, offline planner, calculator) calls :func:`resolve_model`, so
the same description gives the same counts, the same ``approximate`` flag and the same assumptions
everywhere. The rules, in order:

1. **What the user stated wins.** A stated top-k, expert count or dimension is applied, never
   replaced. A stated total or activated figure is never overwritten: when the architecture is
   known the count is exact and a stated figure more than 2% away is reported beside it
   (:class:`SizeCheck`) with the counting convention that explains the gap, if one does.
2. **Unstated values come from the architecture** (a named or matched preset, a config.json)
   before any default: "145M, 1 shared + 4 routed" is MiniMind2-MoE, so it routes top-2.
3. **A default is named** (:class:`~tools.calc.assumptions.Assumption`) and, when it moves a
   headline number, flagged ``headline`` so the answer shows it in its first lines.
4. **No guess for what has no citable default**: an MoE whose top-k is neither stated nor known
   from an architecture raises :class:`CalcInputError` naming ``top_k``, so the caller asks.

Architecture sources: a preset, a config.json, explicit dimensions (exact), or only sizes: a
stated total (and activated) count, used as stated, or an activated count estimated from the
total and the expert layout (:mod:`tools.calc.moe_estimate`, approximate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from tools.calc.assumptions import Assumption, assume
from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.hf_config import minimind2_ffn_width, shape_from_hf_config
from tools.calc.model_description import DIMENSION_FIELDS, LAYOUT_FIELDS, ModelDescription, ModelSource
from tools.calc.moe_estimate import ActiveEstimate, estimate_active_params
from tools.calc.params import ParameterBreakdown, count_parameters
from tools.calc.preset_match import match_preset, stated_tolerance
from tools.calc.presets import Preset, active_under_convention, find_preset
from tools.calc.shape_changes import apply_layout_changes
from tools.calc.shapes import MAX_DIM, MAX_EXPERTS, MAX_HEADS, MAX_LAYERS, ModelShape, build_shape

ValueBasis = Literal["counted", "stated", "estimated"]
TopKOrigin = Literal["stated", "preset", "config"]

STATED_FIGURE_TOLERANCE = 0.02
"""A stated total or activated figure further than this from the exact count is reported."""
CONVENTION_TOLERANCE = 0.05
"""A counting convention explains a stated figure when its value is this close (or within the figure's rounding)."""


@dataclass(frozen=True, kw_only=True)
class SizeCheck:
    """A figure the user stated beside an exact count, when the two differ by more than 2%.

    ``convention`` names the counting convention whose value matches the stated figure, if one
    does (``"excl_input_embedding"``: DeepSeek's way; ``"non_embedding"``: Kaplan's;
    ``"with_mtp"``: with DeepSeek-V3's multi-token-prediction module), else None.
    """

    quantity: Literal["total", "active"]
    stated: float
    counted: int
    convention: str | None
    convention_value: int | None

    @property
    def relative_difference(self) -> float:
        return self.counted / self.stated - 1.0


@dataclass(frozen=True, kw_only=True)
class PublishedFigures:
    """A preset vendor's headline figures and the convention its activated count follows, beside ours.

    ``ours_under_convention`` is our exact count under the vendor's convention (e.g. without the input
    embedding for DeepSeek and gpt-oss), so the two can be compared like for like.
    """

    preset: str
    total: str | None
    active: str | None
    convention: str
    ours_under_convention: int


def published_figures(preset: Preset, counts: ParameterBreakdown) -> PublishedFigures | None:
    """The vendor's figures when its activated count follows a convention other than ours, else None."""
    convention = preset.published_active_convention
    if preset.published_active is None or convention in (None, "incl_embedding_and_head"):
        return None
    return PublishedFigures(preset=preset.display_name, total=preset.published_total, active=preset.published_active,
                            convention=convention, ours_under_convention=active_under_convention(counts, convention))


@dataclass(frozen=True, kw_only=True)
class ResolvedModel:
    """A description resolved: where the architecture came from, the counts and how each was obtained."""

    source: ModelSource
    label: str
    preset_key: str | None
    matched_preset: bool
    shape: ModelShape | None
    counts: ParameterBreakdown | None
    estimate: ActiveEstimate | None
    total_params: float
    active_params: float
    total_basis: ValueBasis
    active_basis: ValueBasis
    is_moe: bool
    num_experts: int | None
    num_shared_experts: int | None
    top_k: int | None
    top_k_origin: TopKOrigin | None
    checks: tuple[SizeCheck, ...]
    assumptions: tuple[Assumption, ...]
    unused: tuple[str, ...]
    published: PublishedFigures | None = None

    @property
    def approximate(self) -> bool:
        """True unless both counts come from an architecture."""
        return self.counts is None

    def reading(self) -> dict[str, object]:
        """How the description was read, JSON-ready: the same keys through every door."""
        return {
            "source": self.source, "label": self.label, "preset": self.preset_key,
            "matched_preset": self.matched_preset, "is_moe": self.is_moe, "total_params": self.total_params,
            "total_basis": self.total_basis, "active_params": self.active_params, "active_basis": self.active_basis,
            "num_experts": self.num_experts, "num_shared_experts": self.num_shared_experts, "top_k": self.top_k,
            "top_k_origin": self.top_k_origin,
            "checks": [{"quantity": c.quantity, "stated": c.stated, "counted": c.counted, "convention": c.convention,
                        "convention_value": c.convention_value} for c in self.checks],
            "unused": list(self.unused),
            "published": None if self.published is None else {
                "preset": self.published.preset, "total": self.published.total, "active": self.published.active,
                "convention": self.published.convention,
                "ours_under_convention": self.published.ours_under_convention},
        }


def resolve_model(*, description: ModelDescription) -> ResolvedModel:
    """Resolve ``description`` by the rules in the module doc; raise CalcInputError naming a field."""
    d = _validated(description)
    sources = [name for name, given in (("preset", d.preset is not None), ("hf_config", d.hf_config is not None))
               if given]
    if len(sources) > 1:
        raise CalcInputError(field="hf_config", value="given", expected="one model source, not both a preset and a "
                             "config.json", code="one_model_source")
    if sources:
        return _from_architecture(d, sources[0])
    complete = all(getattr(d, name) is not None for name in _REQUIRED_DIMENSIONS)
    if complete:
        return _from_dimensions(d)
    if d.has_dimensions and d.total_params is None and d.active_params is None:
        missing = next(name for name in _REQUIRED_DIMENSIONS if getattr(d, name) is None)
        raise CalcInputError(field=missing, value=None, expected="a value: counting from dimensions needs the hidden "
                             "size, the vocabulary, the layers and the heads (or give the total parameters instead)",
                             code="dimensions_incomplete")
    return _from_sizes(d)


_REQUIRED_DIMENSIONS = ("hidden_size", "vocab_size", "num_layers", "num_heads")


# --- input checks ---------------------------------------------------------------------------------

# Each count's largest value, as the shape itself bounds it (tools.calc.shapes), checked before anything is built.
_INT_FIELDS = {"vocab_size": MAX_DIM, "hidden_size": MAX_DIM, "num_layers": MAX_LAYERS, "num_heads": MAX_HEADS,
               "num_kv_heads": MAX_HEADS, "head_dim": MAX_DIM, "intermediate_size": MAX_DIM, "num_experts": MAX_EXPERTS,
               "top_k": MAX_EXPERTS, "expert_intermediate_size": MAX_DIM, "shared_expert_intermediate_size": MAX_DIM,
               "moe_every": MAX_LAYERS}


def _validated(d: ModelDescription) -> ModelDescription:
    for name, maximum in _INT_FIELDS.items():
        value = getattr(d, name)
        if value is not None:
            require_int(name, value, maximum=maximum)
    for name in ("num_shared_experts", "first_k_dense"):
        if getattr(d, name) is not None:
            require_int(name, getattr(d, name), minimum=0, maximum=10_000)
    for name in ("total_params", "active_params"):
        if getattr(d, name) is not None:
            require_number(name, getattr(d, name), minimum=1.0, maximum=1e14, allow_minimum=True)  # a count: ≥ 1
    if d.granularity is not None:
        require_number("granularity", d.granularity, maximum=1e4)
    if d.expert_fraction is not None and not 0 < require_number("expert_fraction", d.expert_fraction) < 1:
        raise CalcInputError(field="expert_fraction", value=d.expert_fraction, expected="a share in (0, 1)",
                             code="share")
    if d.total_params is not None and d.active_params is not None and d.active_params > d.total_params * 1.0001:
        raise CalcInputError(field="active_params", value=d.active_params,
                             expected=f"at most the total parameters ({d.total_params:g})",
                             code="at_most_total", values={"total_params": d.total_params})
    if d.dense and (d.num_experts or d.num_shared_experts or d.top_k):
        raise CalcInputError(field="dense", value=True, expected="no experts for a dense model (or say it is an MoE)",
                             code="dense_with_experts")
    if d.top_k is not None and d.num_experts is not None and d.top_k > d.num_experts:
        raise CalcInputError(field="top_k", value=d.top_k, expected=f"at most num_experts={d.num_experts}",
                             code="top_k_above_experts", values={"experts": d.num_experts})
    return d


# --- an architecture: preset or config.json -------------------------------------------------------------

def _from_architecture(d: ModelDescription, source: ModelSource) -> ResolvedModel:
    assumptions: list[Assumption] = []
    if source == "preset":
        preset = find_preset(d.preset)
        config, label, preset_key = preset.config, preset.display_name, preset.key
        assumptions.append(assume("arch_preset", preset=preset.display_name, source=preset.citation))
    else:
        config = d.hf_config
        if not isinstance(config, Mapping):
            raise CalcInputError(field="hf_config", value=type(config).__name__, expected="a JSON object",
                                 code="json_object")
        label = d.config_name or f"config.json ({config.get('model_type', 'hf-config')})"
        preset_key = None
        assumptions.append(assume("arch_config", model_type=str(config.get("model_type", "?"))))
    shape = shape_from_hf_config(config, name=label)
    # A stated value that restates the architecture ("OLMoE-1B-7B: 16 layers, hidden 2048") is not a change.
    changes = {name: getattr(d, name) for name in (*DIMENSION_FIELDS, *LAYOUT_FIELDS)
               if getattr(d, name) is not None and name != "top_k" and getattr(d, name) != _shape_value(shape, name)}
    if changes:
        shape = apply_layout_changes(shape=shape, changes=changes)
        assumptions.append(assume("arch_changed", headline=True, model=label,
                                  changes=", ".join(f"{k} = {v}" for k, v in changes.items())))
    if d.dense is False and not shape.is_moe:
        raise CalcInputError(field="dense", value=False, expected=f"a dense model: {label} has no experts",
                             code="model_is_dense", values={"model": label})
    if d.dense is True and shape.is_moe:
        raise CalcInputError(field="dense", value=True, expected=f"an MoE: {label} routes to experts",
                             code="model_is_moe", values={"model": label})
    top_k, origin = None, None
    if shape.is_moe:
        origin = "config" if source == "hf_config" else "preset"
        top_k = shape.moe.top_k
        if d.top_k is not None:
            if d.top_k != top_k:
                native = count_parameters(shape)
                assumptions.append(assume("top_k_stated", headline=True, top_k=d.top_k, model=label,
                                          model_top_k=top_k, model_active_params=native.active))
                shape = replace(shape, moe=replace(shape.moe, top_k=d.top_k))
            top_k, origin = d.top_k, "stated"
    elif d.top_k is not None:
        raise CalcInputError(field="top_k", value=d.top_k, expected=f"no routing: {label} is a dense model",
                             code="dense_model_no_experts", values={"model": label})
    counts = count_parameters(shape)
    published = None
    if source == "preset" and not changes and d.top_k in (None, shape.moe.top_k if shape.moe else None):
        published = published_figures(find_preset(d.preset), counts)
    return ResolvedModel(
        source=source, label=label, preset_key=preset_key, matched_preset=False, shape=shape, counts=counts,
        estimate=None, total_params=counts.total, active_params=counts.active, total_basis="counted",
        active_basis="counted", is_moe=shape.is_moe, num_experts=shape.moe.num_experts if shape.is_moe else None,
        num_shared_experts=shape.moe.num_shared_experts if shape.is_moe else None, top_k=top_k, top_k_origin=origin,
        checks=_checks(d, counts), assumptions=tuple(assumptions), unused=(), published=published,
    )


def _shape_value(shape: ModelShape, name: str) -> object:
    """The architecture's own value for a description field (None when it has no such value)."""
    moe = shape.moe if shape.is_moe else None
    values = {
        "vocab_size": shape.vocab_size, "hidden_size": shape.hidden_size, "num_layers": shape.num_layers,
        "num_heads": shape.num_heads, "num_kv_heads": shape.num_kv_heads, "head_dim": shape.head_dim,
        "intermediate_size": shape.intermediate_size or None, "tied_embeddings": shape.tied_embeddings,
        "gated_mlp": shape.gated_mlp, "num_experts": moe.num_experts if moe else None,
        "num_shared_experts": moe.num_shared_experts if moe else None,
        "expert_intermediate_size": moe.expert_intermediate_size if moe else None,
        "shared_expert_intermediate_size": moe.shared_expert_intermediate_size if moe else None,
        "first_k_dense": min(moe.moe_layers) if moe and moe.moe_layers else None,
    }
    return values.get(name)


# --- explicit dimensions ----------------------------------------------------------------------------------

def _from_dimensions(d: ModelDescription) -> ResolvedModel:
    if not d.num_experts:
        for name in LAYOUT_FIELDS:
            if getattr(d, name) is not None:
                raise CalcInputError(field=name, value=getattr(d, name), expected="the number of routed experts "
                                     "(num_experts) beside it, or no expert layout for a dense model",
                                     code="layout_needs_experts")
    assumptions = [assume("arch_dimensions")]
    width = d.intermediate_size
    every_layer_moe = bool(d.num_experts) and not d.first_k_dense and (d.moe_every or 1) == 1
    width_needed = not every_layer_moe or (d.expert_intermediate_size is None and d.granularity is None)
    if width is None:
        width = minimind2_ffn_width(d.hidden_size)
        if width_needed:
            assumptions.append(assume("ffn_width_default", headline=True, width=width, hidden=d.hidden_size))
    if d.num_kv_heads is None:
        assumptions.append(assume("kv_heads_default", heads=d.num_heads))
    if d.tied_embeddings is None:
        assumptions.append(assume("tied_default", headline=True))
    moe_fields: dict[str, object] = {}
    top_k, origin = None, None
    if d.num_experts:
        if d.top_k is None:
            raise CalcInputError(field="top_k", value=None, expected="the routed experts per token (top-k): "
                                 "there is no default routing for an MoE described by its dimensions",
                                 code="top_k_missing_dimensions")
        expert_width = d.expert_intermediate_size
        if expert_width is None and d.granularity is not None:
            expert_width = expert_width_from_granularity(ffn_width=width, granularity=d.granularity)
            assumptions.append(assume("expert_width_from_granularity", width=expert_width, ffn_width=width,
                                      granularity=d.granularity))
        elif expert_width is None:
            expert_width = width
            assumptions.append(assume("expert_width_default", headline=True, width=width))
        if d.first_k_dense is None:
            assumptions.append(assume("moe_every_layer_default"))
        if d.num_shared_experts and d.shared_expert_intermediate_size is None:
            assumptions.append(assume("shared_width_default", width=expert_width))
        moe_fields = dict(num_experts=d.num_experts, expert_intermediate_size=expert_width, top_k=d.top_k,
                          num_shared_experts=d.num_shared_experts or 0,
                          shared_expert_intermediate_size=d.shared_expert_intermediate_size,
                          first_k_dense=d.first_k_dense or 0, moe_every=d.moe_every or 1)
        top_k, origin = d.top_k, "stated"
    shape = build_shape(
        name="custom", vocab_size=d.vocab_size, hidden_size=d.hidden_size, num_layers=d.num_layers,
        num_heads=d.num_heads, num_kv_heads=d.num_kv_heads, head_dim=d.head_dim, intermediate_size=width,
        gated_mlp=d.gated_mlp if d.gated_mlp is not None else True, tied_embeddings=bool(d.tied_embeddings),
        **moe_fields,
    )
    counts = count_parameters(shape)
    return ResolvedModel(
        source="dimensions", label="explicit dimensions", preset_key=None, matched_preset=False, shape=shape,
        counts=counts, estimate=None, total_params=counts.total, active_params=counts.active, total_basis="counted",
        active_basis="counted", is_moe=shape.is_moe, num_experts=d.num_experts or None,
        num_shared_experts=(d.num_shared_experts or 0) if d.num_experts else None, top_k=top_k, top_k_origin=origin,
        checks=_checks(d, counts), assumptions=tuple(assumptions), unused=(),
    )


def expert_width_from_granularity(*, ffn_width: int, granularity: float) -> int:
    """Expert width d_ff / G (Krajewski et al. 2024 §3: granularity G = d_ff / d_expert)."""
    width = ffn_width
    expert = width / granularity
    if expert < 1 or abs(expert - round(expert)) > 1e-9:
        raise CalcInputError(field="granularity", value=granularity,
                             expected=f"a divisor of the FFN width {width} (expert width = FFN width / G)",
                             code="granularity_divisor", values={"width": width})
    return int(round(expert))


# --- sizes only -------------------------------------------------------------------------------------------

def _from_sizes(d: ModelDescription) -> ResolvedModel:
    total, active = d.total_params, d.active_params
    if total is None and active is None:
        raise CalcInputError(field="model", value=None, expected="a preset, a config.json, the dimensions, or the "
                             "total parameters", code="model_missing")
    moe = bool(d.num_experts) or d.dense is False or (active is not None and total is not None and active < total)
    if not moe:
        for name in LAYOUT_FIELDS:
            if getattr(d, name) is not None:
                raise CalcInputError(field=name, value=getattr(d, name), expected="the number of routed experts "
                                     "(num_experts) beside it, or no expert layout for a dense model",
                                     code="layout_needs_experts")
        return _dense_by_size(d)
    if total is None:
        raise CalcInputError(field="total_params", value=None, expected="the total parameters of the MoE as well "
                             "(memory and the tokens-per-total-parameter ratio need it)", code="moe_total_missing")
    if d.num_experts:
        match = match_preset(total_params=total, num_experts=d.num_experts, num_shared_experts=d.num_shared_experts,
                             expert_intermediate_size=d.expert_intermediate_size, first_k_dense=d.first_k_dense)
        if match is not None:
            return _matched(d, match)
    if active is not None:
        assumptions = [assume("sizes_stated", headline=True, total_params=total, active_params=active)]
        unused = tuple(name for name in ("expert_intermediate_size", "first_k_dense", "granularity",
                                         "expert_fraction") if getattr(d, name) is not None)
        return _by_size(d, total=total, active=active, active_basis="stated", estimate=None,
                        assumptions=assumptions, unused=unused)
    if not d.num_experts:
        raise CalcInputError(field="num_experts", value=None, expected="the routed experts and top-k, or the "
                             "activated parameters, to know how many parameters a token uses",
                             code="experts_or_active_missing")
    if d.top_k is None:
        raise CalcInputError(field="top_k", value=None, expected="the routed experts per token (top-k): no preset "
                             f"has {d.num_experts} routed experts and about {total:g} parameters to take it from",
                             code="top_k_missing_no_preset", values={"experts": d.num_experts, "total_params": total})
    estimate = estimate_active_params(total_params=total, num_routed_experts=d.num_experts, top_k=d.top_k,
                                      num_shared_experts=d.num_shared_experts or 0, expert_fraction=d.expert_fraction)
    if estimate.reference_preset is not None:
        assumption = assume("active_estimated", headline=True, preset=estimate.reference_preset,
                            expert_share=estimate.expert_fraction, shared=d.num_shared_experts or 0, top_k=d.top_k,
                            experts=d.num_experts + (d.num_shared_experts or 0))
    else:
        assumption = assume("active_estimated_given_share", headline=True, expert_share=estimate.expert_fraction,
                            shared=d.num_shared_experts or 0, top_k=d.top_k,
                            experts=d.num_experts + (d.num_shared_experts or 0))
    unused = tuple(name for name in ("expert_intermediate_size", "first_k_dense", "granularity")
                   if getattr(d, name) is not None)
    return _by_size(d, total=total, active=estimate.active_params, active_basis="estimated", estimate=estimate,
                    assumptions=[assumption], unused=unused)


def _dense_by_size(d: ModelDescription) -> ResolvedModel:
    total = d.total_params if d.total_params is not None else d.active_params
    assumptions = []
    if d.dense is None:
        assumptions.append(assume("dense_by_default", headline=True))
    assumptions.append(assume("dense_total_stated", total_params=total))
    return _by_size(d, total=total, active=total, active_basis="stated", estimate=None, assumptions=assumptions,
                    unused=tuple(name for name in ("expert_fraction",) if getattr(d, name) is not None))


def _by_size(d: ModelDescription, *, total: float, active: float, active_basis: ValueBasis,
             estimate: ActiveEstimate | None, assumptions: list[Assumption], unused: tuple[str, ...]) -> ResolvedModel:
    moe = active_basis == "estimated" or bool(d.num_experts) or d.dense is False or active < total
    # Dimensions short of a full architecture cannot be counted: said, not dropped.
    unused = (*(name for name in DIMENSION_FIELDS if getattr(d, name) is not None), *unused)
    return ResolvedModel(
        source="size", label="MoE model (sizes only)" if moe else "dense model (size only)", preset_key=None,
        matched_preset=False, shape=None, counts=None, estimate=estimate, total_params=float(total),
        active_params=float(active), total_basis="stated", active_basis=active_basis, is_moe=moe,
        num_experts=d.num_experts, num_shared_experts=d.num_shared_experts, top_k=d.top_k if moe else None,
        top_k_origin="stated" if moe and d.top_k is not None else None, checks=(), assumptions=tuple(assumptions),
        unused=unused,
    )


def _matched(d: ModelDescription, match) -> ResolvedModel:
    preset = match.preset
    shape = preset.shape
    assumptions = [assume("preset_matched", headline=True, preset=preset.display_name,
                          stated_total_params=d.total_params, counted_total_params=match.counted_total_params,
                          experts=d.num_experts, shared=shape.moe.num_shared_experts, source=preset.citation)]
    if d.top_k is None:
        top_k, origin = shape.moe.top_k, "preset"
        assumptions.append(assume("top_k_from_preset", headline=True, top_k=top_k, preset=preset.display_name))
    else:
        top_k, origin = d.top_k, "stated"
        if d.top_k != shape.moe.top_k:
            native = count_parameters(shape)
            assumptions.append(assume("top_k_stated", headline=True, top_k=d.top_k, model=preset.display_name,
                                      model_top_k=shape.moe.top_k, model_active_params=native.active))
            shape = replace(shape, moe=replace(shape.moe, top_k=d.top_k))
    counts = count_parameters(shape)
    return ResolvedModel(
        source="size", label=preset.display_name, preset_key=preset.key, matched_preset=True, shape=shape,
        counts=counts, estimate=None, total_params=counts.total, active_params=counts.active, total_basis="counted",
        active_basis="counted", is_moe=True, num_experts=shape.moe.num_experts,
        num_shared_experts=shape.moe.num_shared_experts, top_k=top_k, top_k_origin=origin,
        checks=_checks(d, counts), assumptions=tuple(assumptions),
        unused=tuple(name for name in ("expert_fraction",) if getattr(d, name) is not None),
        published=published_figures(preset, counts) if top_k == preset.shape.moe.top_k else None,
    )


# --- stated figures beside an exact count ---------------------------------------------------------------

def _checks(d: ModelDescription, counts: ParameterBreakdown) -> tuple[SizeCheck, ...]:
    found = []
    if d.total_params is not None:
        found.append(_check("total", d.total_params, counts.total, (
            ("with_mtp", counts.total_with_mtp), ("non_embedding", counts.non_embedding))))
    if d.active_params is not None:
        found.append(_check("active", d.active_params, counts.active, (
            ("excl_input_embedding", counts.active_excl_input_embedding),
            ("non_embedding", counts.active_non_embedding), ("with_mtp", counts.active_with_mtp))))
    return tuple(check for check in found if check is not None)


def _check(quantity: Literal["total", "active"], stated: float, counted: int,
           conventions: tuple[tuple[str, int], ...]) -> SizeCheck | None:
    if abs(counted / stated - 1.0) <= STATED_FIGURE_TOLERANCE:
        return None
    tolerance = max(CONVENTION_TOLERANCE, stated_tolerance(stated))
    candidates = [(abs(value / stated - 1.0), name, value) for name, value in conventions
                  if value != counted and math.isfinite(value) and abs(value / stated - 1.0) <= tolerance]
    best = min(candidates, default=None)
    return SizeCheck(quantity=quantity, stated=float(stated), counted=counted,
                     convention=best[1] if best else None, convention_value=best[2] if best else None)
