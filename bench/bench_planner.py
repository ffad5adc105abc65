"""Planner performance figures (printed, never asserted: wall-clock tests are flaky on shared machines).

* the search: candidates evaluated per second by :func:`search_architectures` (parameters with
  ``parameter_terms``, memory with ``training_memory_terms``, heuristics, ranking), for the
  8 × RTX 4090 / 7-day question, against the goal of 1e5 candidates/s on one core;
* the same formulas over the whole default MoE grid with no pruning (every valid point);
* end to end: ``make_plan`` for 8 × 4090 for 7 days, and ``scaling-assistant plan ... --json`` in a
  new interpreter; then the top candidates with their exact counts.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_planner.py``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the goal says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from tools.calc.architecture_search import (  # noqa: E402
    DEFAULT_GRID,
    _expert_widths,
    _routing_axis,
    _shape_axis,
    _terms,
    search_architectures,
)
from tools.calc.memory import training_memory_terms  # noqa: E402
from tools.calc.planner import PlanRequest, make_plan  # noqa: E402
from tools.calc.resolve_hardware import HardwareDescription  # noqa: E402

WEEK = PlanRequest(hardware=HardwareDescription(gpu="4090", gpu_count=8), days=7)


def best_of(runs: int, work):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def search_rate() -> None:
    plan = make_plan(request=WEEK)
    target, memory = plan.targets[0].active_params, plan.memory
    fastest, median, outcome = best_of(5, lambda: search_architectures(
        architecture="moe", target_active_params=target, vocab_size=plan.vocab_size, tied_embeddings=False,
        memory=memory))
    print(f"search (MoE, 8×4090/7 days, target {target / 1e9:.3f}B): {outcome.evaluated:,} candidates evaluated "
          f"(of {outcome.considered:,} grid points) in {median * 1000:.0f} ms median / {fastest * 1000:.0f} ms best "
          f"= {outcome.evaluated / median:,.0f} candidates/s ({outcome.evaluated / median / 1e5:.0f}× the 1e5/s goal)")


def full_grid_rate() -> None:
    shapes, routing, widths = _shape_axis(DEFAULT_GRID), _routing_axis(DEFAULT_GRID), _expert_widths(DEFAULT_GRID)
    plan = make_plan(request=WEEK)
    memory = plan.memory

    def evaluate() -> int:
        n_shapes, n_routing, n_widths = len(shapes["h"]), len(routing["experts"]), widths.shape[1]
        shape_index = np.repeat(np.arange(n_shapes), n_widths * n_routing)
        width_index = np.tile(np.repeat(np.arange(n_widths), n_routing), n_shapes)
        routing_index = np.tile(np.arange(n_routing), n_shapes * n_widths)
        rows = {name: values[shape_index] for name, values in shapes.items()}
        rows.update({name: values[routing_index] for name, values in routing.items()})
        rows["width"] = widths[rows["h_index"], width_index]
        rows["moe_layers"] = rows["layers"] - rows["first_k"]
        terms = _terms(rows, vocab_size=plan.vocab_size, tied=False)
        total, active = terms.total, terms.active
        bytes_per_gpu = training_memory_terms(
            total_params=total, states=memory.states, zero_stage=memory.zero_stage, data_parallel=memory.gpu_count,
            seq_len=memory.seq_len, micro_batch=memory.micro_batch, hidden=rows["h"], num_layers=rows["layers"],
            num_heads=rows["heads"], recompute=memory.recompute, flash_attention=memory.flash_attention,
            overhead_bytes=memory.overhead_bytes, moe_top_k=rows["top_k"], moe_ffn_hidden=rows["width"])
        assert len(active) == len(bytes_per_gpu)
        return len(total)

    fastest, median, count = best_of(3, evaluate)
    print(f"whole default MoE grid, no pruning: {count:,} candidates (params + memory) in {median * 1000:.0f} ms = "
          f"{count / median:,.0f} candidates/s")


def end_to_end() -> None:
    fastest, median, plan = best_of(5, lambda: make_plan(request=WEEK))
    print(f"end to end, make_plan for 8 × RTX 4090 for 7 days: {median * 1000:.0f} ms median "
          f"({fastest * 1000:.0f} ms best), {len(plan.candidates)} candidates")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "scaling-assistant"), "plan", "--gpu", "4090", "--count", "8",
                        "--days", "7", "--json"], cwd=ROOT, capture_output=True, check=True)
        runs.append(time.perf_counter() - start)
    print(f"end to end, `scaling-assistant plan --gpu 4090 --count 8 --days 7 --json` in a new process: "
          f"{statistics.median(runs) * 1000:.0f} ms median")
    print("top candidates:")
    for item in plan.candidates:
        c = item.candidate
        layout = (f"{c.num_experts} experts top-{c.top_k} + {c.num_shared_experts} shared, G={c.granularity:g}, "
                  f"first {c.first_k_dense} dense" if c.architecture == "moe" else "dense")
        print(f"  {item.rank}. {c.architecture:5} h={c.hidden_size} L={c.num_layers} heads={c.num_heads}/"
              f"{c.num_kv_heads}×{c.head_dim}, {layout}: total {c.total_params:,}, active {c.active_params:,}, "
              f"{item.tokens / 1e9:.1f}B tokens, {c.memory_bytes / 1e9:.1f} GB/GPU")


if __name__ == "__main__":
    search_rate()
    full_grid_rate()
    end_to_end()
