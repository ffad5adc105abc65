"""Which preset, if any, a size-and-layout description names without naming it.

"145M parameters, 1 shared + 4 routed experts" is MiniMind2-MoE (145,029,760 parameters, 1 + 4
experts) even though the user did not write its name: counting it with that architecture is exact,
where estimating from the total is not. A description matches a preset when

* the preset is an MoE with the same number of routed experts,
* every other stated layout field agrees (shared experts, expert width, first-k dense layers), and
* the preset's exact total lies within the rounding of the stated total (:func:`stated_tolerance`),

and no other preset matches as well. ``top_k`` is deliberately not a criterion: a stated top-k is
the user's routing, applied to the matched architecture (and said so), not a reason to reject it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.calc.params import count_parameters
from tools.calc.presets import Preset, list_presets

MIN_TOLERANCE = 0.01
MAX_TOLERANCE = 0.05


def stated_tolerance(value: float) -> float:
    """How far a stated figure may be from the truth and still be the same figure, relative.

    Half a unit of the last significant digit as the number is written ("16B" covers 15.5-16.5B:
    3.1%; "145M" 0.34%), kept between 1% (stated figures are usually rounded) and 5% (a one-digit
    "7B" must not match everything from 6.5 to 7.5B).
    """
    if not math.isfinite(value) or value <= 0:
        return MIN_TOLERANCE
    mantissa, exponent = f"{value:.12e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    last_digit = 10.0 ** (int(exponent) - (len(digits) - 1))
    return min(MAX_TOLERANCE, max(MIN_TOLERANCE, 0.5 * last_digit / value))


@dataclass(frozen=True, kw_only=True)
class PresetMatch:
    """A preset that a size-and-layout description matches, with the numbers behind the match."""

    preset: Preset
    stated_total_params: float
    counted_total_params: int
    tolerance: float

    @property
    def relative_difference(self) -> float:
        return self.counted_total_params / self.stated_total_params - 1.0


def match_preset(
    *,
    total_params: float,
    num_experts: int,
    num_shared_experts: int | None = None,
    expert_intermediate_size: int | None = None,
    first_k_dense: int | None = None,
) -> PresetMatch | None:
    """The one MoE preset matching the stated total and layout (see module doc), else None."""
    tolerance = stated_tolerance(total_params)
    found: list[PresetMatch] = []
    for preset in list_presets():
        shape = preset.shape
        moe = shape.moe
        if moe is None or moe.num_experts != num_experts:
            continue
        if num_shared_experts is not None and moe.num_shared_experts != num_shared_experts:
            continue
        if expert_intermediate_size is not None and moe.expert_intermediate_size != expert_intermediate_size:
            continue
        if first_k_dense is not None and (min(moe.moe_layers, default=0) != first_k_dense):
            continue
        total = count_parameters(shape).total
        if abs(total / total_params - 1.0) <= tolerance:
            found.append(PresetMatch(preset=preset, stated_total_params=float(total_params),
                                     counted_total_params=total, tolerance=tolerance))
    return found[0] if len(found) == 1 else None
