"""Activated parameters of an MoE model known only by its total and its expert layout.

When a user knows "145M total, 1 shared + 4 routed experts, top-1" but not the dimensions,
the activated count can only be estimated. With equal-sized experts holding a share ``f`` of
all parameters (routed and shared together):

    active ≈ total · (1 − f + f · (shared + top_k) / (shared + routed))

``f`` comes either from the caller (an explicit fraction) or from the closest MoE preset
(same expert layout first, then the nearest total on a log scale). The result is always
marked approximate and carries the assumption as a sentence. With known dimensions, use
:func:`tools.calc.params.count_parameters` instead: it is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.params import count_parameters
from tools.calc.presets import Preset, list_presets


@dataclass(frozen=True, kw_only=True)
class ActiveEstimate:
    total_params: float
    active_params: float
    expert_fraction: float
    fraction_source: str
    reference_preset: str | None  # the preset whose expert share was used, None when the share was given
    num_routed_experts: int
    num_shared_experts: int
    top_k: int
    approximate: bool
    assumption: str


def expert_fraction_of(preset: Preset) -> float:
    """Share of a preset's total parameters held by its routed and shared experts."""
    counts = count_parameters(preset.shape)
    return (counts.routed_experts + counts.shared_experts) / counts.total


def closest_moe_preset(*, total_params: float, num_routed_experts: int, num_shared_experts: int) -> Preset:
    """The MoE preset nearest in layout (routed, shared), then in log total size."""
    candidates = [p for p in list_presets() if p.shape.is_moe]

    def distance(preset: Preset) -> tuple[int, float]:
        moe = preset.shape.moe
        same_layout = moe.num_experts == num_routed_experts and moe.num_shared_experts == num_shared_experts
        size = abs(math.log(count_parameters(preset.shape).total / total_params))
        return (0 if same_layout else 1, size)

    return min(candidates, key=distance)


def estimate_active_params(
    *,
    total_params: float,
    num_routed_experts: int,
    top_k: int,
    num_shared_experts: int = 0,
    expert_fraction: float | None = None,
) -> ActiveEstimate:
    """Estimate activated parameters from the total and the expert layout (see module doc)."""
    require_number("total_params", total_params, minimum=1.0, maximum=1e14, allow_minimum=True)
    require_int("num_routed_experts", num_routed_experts, maximum=100_000)
    require_int("top_k", top_k, maximum=num_routed_experts)
    require_int("num_shared_experts", num_shared_experts, minimum=0, maximum=1_000)
    if expert_fraction is None:
        preset = closest_moe_preset(
            total_params=total_params, num_routed_experts=num_routed_experts,
            num_shared_experts=num_shared_experts,
        )
        fraction = expert_fraction_of(preset)
        source = f"closest preset {preset.display_name} ({fraction:.1%} of its parameters are experts)"
        reference = preset.display_name
    else:
        fraction = require_number("expert_fraction", expert_fraction, maximum=1.0)
        if fraction >= 1.0:
            raise CalcInputError(field="expert_fraction", value=expert_fraction, expected="a number in (0, 1)",
                                 code="share")
        source = f"given expert share ({fraction:.1%})"
        reference = None
    used = (num_shared_experts + top_k) / (num_shared_experts + num_routed_experts)
    active = total_params * (1.0 - fraction + fraction * used)
    assumption = (
        f"activated parameters estimated, not counted: experts assumed equal in size, their share "
        f"of all parameters taken from the {source}; a token uses {num_shared_experts} shared + "
        f"{top_k} routed of {num_shared_experts + num_routed_experts} experts"
    )
    return ActiveEstimate(
        total_params=float(total_params), active_params=active, expert_fraction=fraction,
        fraction_source=source, reference_preset=reference, num_routed_experts=num_routed_experts,
        num_shared_experts=num_shared_experts, top_k=top_k, approximate=True, assumption=assumption,
    )
