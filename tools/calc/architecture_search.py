"""A vectorised grid search over dense and MoE shapes near a target activated-parameter count.

Every candidate is evaluated with the core's own formulas over numpy arrays, never a copy of them:
parameters with :func:`tools.calc.params.parameter_terms` (``.total`` / ``.active``), training memory
per GPU with :func:`tools.calc.memory.training_memory_terms`, the shape heuristics with
:data:`tools.calc.heuristics.HEURISTICS`. A candidate is kept when its activated parameters are
within ``tolerance`` of the target and its memory fits the GPU; candidates are ranked by the weighted
heuristics they fail, then by closeness to the target.

The layout searched is the one transformers builds for ``glm4_moe`` (and ``llama`` for dense): GQA
attention without biases or q/k norms, SwiGLU MLPs of width 64·⌈(8/3)·h/64⌉ (the repo's default FFN
width, :func:`tools.calc.hf_config.minimind2_ffn_width`), DeepSeek-style MoE layers (routed experts of
width FFN/G, ``n`` shared experts of the same width, the first ``k`` layers dense), RMSNorm.

Candidates whose bounds cannot reach the window are pruned before the product is formed: for each
attention shape, the activated count with no FFN at all is a lower bound and the larger of "every
layer dense" and "every layer MoE at the grid's widest, most-routed setting" an upper bound (both
evaluated with ``parameter_terms``), so no in-window candidate is ever pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tools.calc.errors import CalcInputError, require_int, require_number
from tools.calc.hardware import Gpu
from tools.calc.heuristics import HEURISTICS, HeuristicCheck
from tools.calc.hf_config import minimind2_ffn_width
from tools.calc.memory import OptimizerStates, training_memory_terms
from tools.calc.params import parameter_terms
from tools.calc.resolve_model import expert_width_from_granularity
from tools.calc.shapes import ModelShape, MoeShape

Architecture = Literal["moe", "dense"]
DEFAULT_TOLERANCE = 0.10  # ±10% of the target activated parameters (issue 9)
DEFAULT_MAX_CANDIDATES = 5
DEFAULT_COMPARISON_CANDIDATES = 3  # dense rows shown beside an MoE plan


@dataclass(frozen=True, kw_only=True)
class SearchGrid:
    """The values tried along each axis (a candidate is one value of each; invalid mixes are dropped)."""

    hidden_sizes: tuple[int, ...] = (256, 384, 512, 640, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120,
                                     6144, 7168, 8192)
    layer_counts: tuple[int, ...] = (4, 6, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 80, 96)
    head_dims: tuple[int, ...] = (64, 128)
    kv_groups: tuple[int, ...] = (1, 2, 4, 8)  # query heads per key/value head (1 = MHA)
    num_experts: tuple[int, ...] = (8, 16, 32, 64, 128)
    top_ks: tuple[int, ...] = (1, 2, 4, 8)
    shared_experts: tuple[int, ...] = (0, 1, 2)
    granularities: tuple[int, ...] = (1, 2, 4, 8, 16)  # expert width = FFN width / G (Krajewski 2024 §3)
    first_k_dense: tuple[int, ...] = (0, 1, 3)

    def __post_init__(self) -> None:
        for name in ("hidden_sizes", "layer_counts", "head_dims", "kv_groups", "num_experts", "top_ks",
                     "granularities"):
            values = getattr(self, name)
            if not values:
                raise CalcInputError(field=name, value=values, expected="at least one value", code="non_empty_list")
            for value in values:
                require_int(name, value, maximum=10_000_000)
        for name in ("shared_experts", "first_k_dense"):
            for value in getattr(self, name) or (None,):
                require_int(name, value, minimum=0, maximum=10_000)


DEFAULT_GRID = SearchGrid()


@dataclass(frozen=True, kw_only=True)
class MemorySetup:
    """How the candidates are trained, for the memory check (every GPU a data-parallel rank)."""

    gpu: Gpu
    gpu_count: int
    states: OptimizerStates
    zero_stage: int
    seq_len: int
    micro_batch: int
    recompute: str
    flash_attention: bool
    overhead_bytes: int


@dataclass(frozen=True, kw_only=True)
class CandidateShape:
    """One kept candidate: its dimensions, exact counts, memory per GPU and heuristic checks."""

    architecture: Architecture
    vocab_size: int
    tied_embeddings: bool
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int  # the dense FFN width (dense layers; the reference for granularity)
    num_experts: int
    top_k: int
    num_shared_experts: int
    expert_intermediate_size: int
    first_k_dense: int
    total_params: int
    active_params: int
    memory_bytes: float | None
    deviation: float  # active / target − 1
    penalty: float  # sum of the weights of the heuristics failed
    checks: tuple[HeuristicCheck, ...]

    @property
    def granularity(self) -> float | None:
        """G = FFN width / expert width (Krajewski 2024 §3); None for a dense model."""
        return self.intermediate_size / self.expert_intermediate_size if self.architecture == "moe" else None

    def shape(self, *, name: str = "candidate") -> ModelShape:
        """The candidate as a :class:`ModelShape` (the layout of the module docstring)."""
        moe = None
        if self.architecture == "moe":
            moe = MoeShape(
                num_experts=self.num_experts, expert_intermediate_size=self.expert_intermediate_size,
                top_k=self.top_k, moe_layers=tuple(range(self.first_k_dense, self.num_layers)),
                num_shared_experts=self.num_shared_experts,
                shared_expert_intermediate_size=self.expert_intermediate_size if self.num_shared_experts else 0,
            )
        dense_layers = self.num_layers if moe is None else self.first_k_dense
        return ModelShape(
            name=name, vocab_size=self.vocab_size, hidden_size=self.hidden_size, num_layers=self.num_layers,
            num_heads=self.num_heads, num_kv_heads=self.num_kv_heads, head_dim=self.head_dim,
            intermediate_size=self.intermediate_size if dense_layers else 0, tied_embeddings=self.tied_embeddings,
            moe=moe, source="planner candidate",
        )


@dataclass(frozen=True, kw_only=True)
class SearchOutcome:
    """The ranked candidates and how many were considered, evaluated, on target and fitting."""

    architecture: Architecture
    target_active_params: float
    tolerance: float
    considered: int  # valid grid points
    evaluated: int  # after the exact bound pruning
    on_target: int
    fitting: int
    candidates: tuple[CandidateShape, ...]


def _shape_axis(grid: SearchGrid) -> dict[str, np.ndarray]:
    """Valid (hidden, layers, head_dim, heads, kv_heads) combinations, with the FFN width of each hidden size."""
    h, layers, head_dim, group = (a.ravel() for a in np.meshgrid(
        np.array(grid.hidden_sizes, dtype=np.int64), np.array(grid.layer_counts, dtype=np.int64),
        np.array(grid.head_dims, dtype=np.int64), np.array(grid.kv_groups, dtype=np.int64), indexing="ij"))
    heads = h // head_dim
    valid = (h % head_dim == 0) & (heads % group == 0) & (heads >= 1)
    ffn = np.array([minimind2_ffn_width(int(x)) for x in grid.hidden_sizes], dtype=np.int64)
    h_index = np.searchsorted(np.array(grid.hidden_sizes), h)
    return {"h": h[valid], "layers": layers[valid], "head_dim": head_dim[valid], "heads": heads[valid],
            "kv": (heads // group)[valid], "ffn": ffn[h_index][valid], "h_index": h_index[valid]}


def _routing_axis(grid: SearchGrid) -> dict[str, np.ndarray]:
    """Valid (experts, top_k, shared, first_k) combinations: top_k < experts (top_k = E routes every token to all)."""
    experts, top_k, shared, first_k = (a.ravel() for a in np.meshgrid(
        np.array(grid.num_experts, dtype=np.int64), np.array(grid.top_ks, dtype=np.int64),
        np.array(grid.shared_experts or (0,), dtype=np.int64), np.array(grid.first_k_dense or (0,), dtype=np.int64),
        indexing="ij"))
    valid = top_k < experts
    return {"experts": experts[valid], "top_k": top_k[valid], "shared": shared[valid], "first_k": first_k[valid]}


def _expert_widths(grid: SearchGrid) -> np.ndarray:
    """[hidden index, granularity index] -> expert width = FFN width / G (one formula, per grid value)."""
    return np.array([[expert_width_from_granularity(ffn_width=minimind2_ffn_width(h), granularity=g)
                      for g in grid.granularities] for h in grid.hidden_sizes], dtype=np.int64)


def _terms(rows: dict[str, np.ndarray], *, vocab_size: int, tied: bool):
    return parameter_terms(
        vocab_size=vocab_size, hidden_size=rows["h"], num_layers=rows["layers"], num_heads=rows["heads"],
        num_kv_heads=rows["kv"], head_dim=rows["head_dim"], intermediate_size=rows["ffn"],
        num_moe_layers=rows.get("moe_layers", 0), num_experts=rows.get("experts", 0),
        expert_intermediate_size=rows.get("width", 0), top_k=rows.get("top_k", 0),
        num_shared_experts=rows.get("shared", 0), shared_expert_intermediate_size=rows.get("width", 0),
        tied_embeddings=tied,
    )


def _take(rows: dict[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[index] for name, values in rows.items()}


def _prune(pairs: dict[str, np.ndarray], routing: dict[str, np.ndarray], *, low: float, high: float,
           vocab_size: int, tied: bool) -> np.ndarray:
    """Indices of (attention shape, expert width) pairs whose activated range over the routing axis meets
    [low, high]. The count grows with top_k, shared experts and experts, and is linear in the number of
    leading dense layers, so its extremes are at the corners evaluated here (module docstring)."""
    layers = pairs["layers"]
    first_k = np.unique(routing["first_k"])
    fewest = np.full_like(layers, first_k.min())
    most = first_k[np.searchsorted(first_k, layers, side="left") - 1]  # the largest first_k < layers
    corners = []
    for pick, dense in ((np.min, fewest), (np.min, most), (np.max, fewest), (np.max, most)):
        corner = {**pairs, "experts": pick(routing["experts"]), "top_k": pick(routing["top_k"]),
                  "shared": pick(routing["shared"]), "moe_layers": layers - dense}
        corners.append(_terms(corner, vocab_size=vocab_size, tied=tied).active)
    lower = np.minimum(corners[0], corners[1])
    upper = np.maximum(corners[2], corners[3])
    return np.flatnonzero((lower <= high) & (upper >= low))


def _rows(grid: SearchGrid, architecture: Architecture, *, low: float, high: float, vocab_size: int,
          tied: bool) -> tuple[dict[str, np.ndarray], int]:
    """The candidate rows to evaluate, and the number of valid grid points they were pruned from."""
    shapes = _shape_axis(grid)
    if architecture == "dense":
        return {**shapes, "moe_layers": np.zeros_like(shapes["h"])}, len(shapes["h"])
    routing = _routing_axis(grid)
    widths = _expert_widths(grid)
    n_widths = widths.shape[1]
    pairs = _take(shapes, np.repeat(np.arange(len(shapes["h"])), n_widths))
    pairs["width"] = widths[pairs["h_index"], np.tile(np.arange(n_widths), len(shapes["h"]))]
    considered = len(pairs["h"]) * len(routing["experts"])
    pairs = _take(pairs, _prune(pairs, routing, low=low, high=high, vocab_size=vocab_size, tied=tied))
    n_pairs, n_routing = len(pairs["h"]), len(routing["experts"])
    rows = _take(pairs, np.repeat(np.arange(n_pairs), n_routing))
    rows.update(_take(routing, np.tile(np.arange(n_routing), n_pairs)))
    valid = rows["first_k"] < rows["layers"]
    if not valid.all():
        rows = _take(rows, np.flatnonzero(valid))
    rows["moe_layers"] = rows["layers"] - rows["first_k"]
    return rows, considered


def _heuristic_values(rows: dict[str, np.ndarray], total: np.ndarray, active: np.ndarray,
                      architecture: Architecture) -> dict[str, np.ndarray]:
    values = {"aspect_ratio": rows["h"] / rows["layers"], "head_dim": rows["head_dim"].astype(float)}
    if architecture == "moe":
        values.update(granularity=rows["ffn"] / rows["width"], total_active_ratio=total / active,
                      shared_experts=rows["shared"].astype(float), first_k_dense=rows["first_k"].astype(float))
    return values


def search_architectures(
    *,
    architecture: Architecture,
    target_active_params: float,
    vocab_size: int,
    tied_embeddings: bool,
    memory: MemorySetup | None,
    grid: SearchGrid = DEFAULT_GRID,
    tolerance: float = DEFAULT_TOLERANCE,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
) -> SearchOutcome:
    """Candidates within ``tolerance`` of ``target_active_params`` that fit ``memory`` (None: not checked),
    ranked by failed heuristic weight then closeness; at most one per (hidden, layers)."""
    if architecture not in ("moe", "dense"):
        raise CalcInputError(field="architecture", value=architecture, expected="'moe' or 'dense'",
                             code="one_of", values={"choices": ("moe", "dense")})
    target = require_number("target_active_params", target_active_params, maximum=1e15)
    tol = require_number("tolerance", tolerance, maximum=0.5)
    vocab = require_int("vocab_size", vocab_size, maximum=10_000_000)
    limit = require_int("max_candidates", max_candidates, maximum=1_000)
    low, high = target * (1.0 - tol), target * (1.0 + tol)
    rows, considered = _rows(grid, architecture, low=low, high=high, vocab_size=vocab, tied=tied_embeddings)
    terms = _terms(rows, vocab_size=vocab, tied=tied_embeddings)
    total, active = terms.total, terms.active
    if memory is not None:
        bytes_per_gpu = training_memory_terms(
            total_params=total, states=memory.states, zero_stage=memory.zero_stage, data_parallel=memory.gpu_count,
            seq_len=memory.seq_len, micro_batch=memory.micro_batch, hidden=rows["h"], num_layers=rows["layers"],
            num_heads=rows["heads"], recompute=memory.recompute, flash_attention=memory.flash_attention,
            overhead_bytes=memory.overhead_bytes, moe_top_k=rows["top_k"] if architecture == "moe" else None,
            moe_ffn_hidden=rows["width"] if architecture == "moe" else None,
        )
        fits = bytes_per_gpu <= memory.gpu.memory_bytes
    else:
        bytes_per_gpu, fits = None, np.ones(len(total), dtype=bool)
    on_target = np.abs(active / target - 1.0) <= tol
    kept = np.flatnonzero(on_target & fits)
    values = {name: v[kept] for name, v in _heuristic_values(rows, total, active, architecture).items()}
    applicable = [h for h in HEURISTICS if architecture == "moe" or not h.moe_only]
    passes = {h.code: h.passes(value=values[h.code]) for h in applicable}
    penalty = sum((~passes[h.code]).astype(float) * h.weight for h in applicable) if applicable else 0.0
    deviation = active[kept] / target - 1.0
    order = np.lexsort((np.abs(deviation), penalty + np.zeros(len(kept))))
    chosen, seen = [], set()
    for position in order:
        i = kept[position]
        key = (int(rows["h"][i]), int(rows["layers"][i]))
        if key in seen:
            continue
        seen.add(key)
        checks = tuple(HeuristicCheck(code=h.code, value=float(values[h.code][position]),
                                      passed=bool(passes[h.code][position]), status=h.status, weight=h.weight)
                       for h in applicable)
        chosen.append(_candidate(rows, i, architecture=architecture, vocab=vocab, tied=tied_embeddings,
                                 total=int(total[i]), active=int(active[i]),
                                 memory=None if bytes_per_gpu is None else float(bytes_per_gpu[i]),
                                 deviation=float(deviation[position]),
                                 penalty=float(sum(c.weight for c in checks if not c.passed)), checks=checks))
        if len(chosen) == limit:
            break
    return SearchOutcome(architecture=architecture, target_active_params=target, tolerance=tol,
                         considered=considered, evaluated=len(total), on_target=int(on_target.sum()),
                         fitting=len(kept), candidates=tuple(chosen))


def _candidate(rows: dict[str, np.ndarray], i: int, *, architecture: Architecture, vocab: int, tied: bool,
               total: int, active: int, memory: float | None, deviation: float, penalty: float,
               checks: tuple[HeuristicCheck, ...]) -> CandidateShape:
    moe = architecture == "moe"
    return CandidateShape(
        architecture=architecture, vocab_size=vocab, tied_embeddings=tied, hidden_size=int(rows["h"][i]),
        num_layers=int(rows["layers"][i]), num_heads=int(rows["heads"][i]), num_kv_heads=int(rows["kv"][i]),
        head_dim=int(rows["head_dim"][i]), intermediate_size=int(rows["ffn"][i]),
        num_experts=int(rows["experts"][i]) if moe else 0, top_k=int(rows["top_k"][i]) if moe else 0,
        num_shared_experts=int(rows["shared"][i]) if moe else 0,
        expert_intermediate_size=int(rows["width"][i]) if moe else 0,
        first_k_dense=int(rows["first_k"][i]) if moe else 0, total_params=total, active_params=active,
        memory_bytes=memory, deviation=deviation, penalty=penalty, checks=checks,
    )
