"""Published shape heuristics for ranking candidate architectures, each with its source and status.

A heuristic is a pass band on one quantity of a candidate. Its ``status`` says how far it is backed:

* ``sourced``: a paper's finding (``[P]``/``[S]`` in the literature sheet);
* ``derived``: the range spanned by the published models of :mod:`tools.calc.presets` (their
  config files), i.e. "what shipped models do", not a measured optimum ([D]);
* ``disputed``: sources disagree, both are named;
* ``unverified``: common practice without a published measurement; shown, never ranked on.

``weight`` is how much failing it costs in the ranking: a convention of this tool (1 for sourced and
derived, 0.5 for disputed, 0 for unverified), echoed in every result. The checks are pure
comparisons, so they evaluate over numpy arrays of candidates as well as on single values.

Every band is independent of the budget, so the ranking of a fixed set of candidates does not change
with the budget (which keeps "a larger budget never recommends a smaller model" true). Krajewski's
budget-dependent optimal granularity is reported beside it (:func:`krajewski_granularity`), not ranked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from tools.calc.params import count_parameters
from tools.calc.presets import list_presets

Status = Literal["sourced", "derived", "disputed", "unverified"]
Quantity = Literal["aspect_ratio", "head_dim", "granularity", "total_active_ratio", "shared_experts",
                   "first_k_dense"]
WEIGHTS: dict[str, float] = {"sourced": 1.0, "derived": 1.0, "disputed": 0.5, "unverified": 0.0}


@dataclass(frozen=True, kw_only=True)
class Heuristic:
    """Pass when ``low <= value <= high`` (either bound may be None). ``moe_only``: dense rows skip it."""

    code: Quantity
    status: Status
    low: float | None
    high: float | None
    moe_only: bool
    citations: tuple[str, ...]  # keys of prompts/references.bib
    location: str  # where in the sources, and the status marks of the literature sheet

    @property
    def weight(self) -> float:
        return WEIGHTS[self.status]

    def passes(self, *, value: Any) -> Any:
        """A bool, or a bool array over candidates."""
        ok = value == value  # all-True of the right shape (NaN never passes)
        if self.low is not None:
            ok = ok & (value >= self.low)
        if self.high is not None:
            ok = ok & (value <= self.high)
        return ok


@dataclass(frozen=True, kw_only=True)
class PublishedRange:
    """min/max of a quantity over published presets, with the models at each end."""

    low: float
    low_model: str
    high: float
    high_model: str


def _range(values: dict[str, float]) -> PublishedRange:
    low = min(values, key=values.__getitem__)
    high = max(values, key=values.__getitem__)
    return PublishedRange(low=values[low], low_model=low, high=values[high], high_model=high)


def _published() -> tuple[PublishedRange, PublishedRange, PublishedRange]:
    """hidden/layers over every preset, head_dim over presets without MLA, total/active over MoE presets."""
    aspect, head, ratio = {}, {}, {}
    for preset in list_presets():
        shape = preset.shape
        aspect[preset.key] = shape.hidden_size / shape.num_layers
        if shape.mla is None:
            head[preset.key] = float(shape.head_dim)
        if shape.is_moe:
            counts = count_parameters(shape)
            ratio[preset.key] = counts.total / counts.active
    return _range(aspect), _range(head), _range(ratio)


ASPECT_RANGE, HEAD_DIM_RANGE, TOTAL_ACTIVE_RANGE = _published()

# Krajewski et al. 2024 Table 2 (literature §5b [P]): compute-optimal configurations at E = 64,
# (FLOPs, granularity G = d_ff / d_expert).
KRAJEWSKI_TABLE_2: tuple[tuple[float, int], ...] = (
    (2.95e18, 8), (1.93e20, 16), (1.41e21, 16), (6.46e21, 32), (4.16e23, 32), (5.69e24, 64), (4.97e25, 64),
)

HEURISTICS: tuple[Heuristic, ...] = (
    Heuristic(
        code="aspect_ratio", status="derived", low=ASPECT_RANGE.low, high=ASPECT_RANGE.high, moe_only=False,
        citations=("kaplan2020",),
        location="hidden/layers within the published presets' range [D]; Kaplan 2020 §3: loss depends weakly on "
                 "depth vs width within reasonable limits [S]",
    ),
    Heuristic(
        code="head_dim", status="sourced", low=64, high=128, moe_only=False, citations=("hoffmann2022",),
        location="Hoffmann 2022 Table 4 and Table A4: kv size 64-128 in every model (literature §1e-1f [P]); "
                 f"presets without MLA span {HEAD_DIM_RANGE.low:g}-{HEAD_DIM_RANGE.high:g} [D]",
    ),
    Heuristic(
        code="granularity", status="sourced", low=KRAJEWSKI_TABLE_2[0][1], high=KRAJEWSKI_TABLE_2[-1][1],
        moe_only=True, citations=("krajewski2024",),
        location="Krajewski 2024 Table 2: compute-optimal G is 8-64 from 3e18 to 5e25 FLOPs; G = 1 is "
                 "suboptimal at almost any budget (literature §5b [P])",
    ),
    Heuristic(
        code="total_active_ratio", status="derived", low=TOTAL_ACTIVE_RANGE.low, high=TOTAL_ACTIVE_RANGE.high,
        moe_only=True, citations=("ludziejewski2025",),
        location="total/active within the published MoE presets' range [D]; Ludziejewski 2025: at a fixed "
                 "memory (total-parameter) budget, MoE can beat dense (literature §5c [S])",
    ),
    Heuristic(
        code="shared_experts", status="disputed", low=1, high=None, moe_only=True,
        citations=("dai2024", "muennighoff2024"),
        location="for: DeepSeekMoE's shared-expert isolation (Dai et al. 2024) [S]; against: OLMoE found shared "
                 "experts less effective than routed ones (Muennighoff et al. 2024 §4) [S]",
    ),
    Heuristic(
        code="first_k_dense", status="unverified", low=1, high=None, moe_only=True, citations=(),
        location="DeepSeek-V2-Lite, DeepSeek-V3, GLM-4.5, ERNIE-4.5 and dots.llm1 keep their first 1-3 layers "
                 "dense (their config files); no cited source measures the benefit",
    ),
)


@dataclass(frozen=True, kw_only=True)
class HeuristicCheck:
    """One heuristic on one candidate: the value, whether it passes, and its status."""

    code: Quantity
    value: float
    passed: bool
    status: Status
    weight: float


def krajewski_granularity(*, compute_flops: float) -> tuple[int, float]:
    """(G, FLOPs) of the Krajewski 2024 Table 2 row nearest in log-compute to ``compute_flops``."""
    flops, granularity = min(KRAJEWSKI_TABLE_2, key=lambda row: abs(math.log(row[0] / compute_flops)))
    return granularity, flops
