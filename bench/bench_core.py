"""Core performance figures (printed, never asserted: wall-clock tests are flaky on shared machines).

* start-up: wall time of ``scaling-assistant params --preset minimind2-moe --json`` in a fresh
  process, and whether gradio / langchain were imported on that path;
* scalar throughput: count_parameters + flops_per_token evaluations per second;
* array throughput: candidate architectures per second through the same formulas over numpy
  arrays (the planner's goal is >= 1e5 candidates/s).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_core.py``).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.calc.flops import flops_per_token, flops_per_token_terms  # noqa: E402
from tools.calc.params import count_parameters, parameter_terms  # noqa: E402
from tools.calc.presets import find_preset  # noqa: E402

PROBE = (
    "import sys, time; t=time.perf_counter(); from assistant.cli import main; import io;"
    "rc=main(['params','--preset','minimind2-moe','--json'], stdout=io.StringIO());"
    "heavy=[m for m in ('gradio','langchain','langchain_core','openai','pydantic') if m in sys.modules];"
    "print(time.perf_counter()-t, ','.join(heavy) or '-')"
)


def startup() -> None:
    runs, heavy = [], "-"
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(time.perf_counter() - start)
        heavy = out.stdout.split()[1]
    print(f"start-up, `params --json` in a new interpreter: median {statistics.median(runs) * 1000:.0f} ms "
          f"(min {min(runs) * 1000:.0f} ms over {len(runs)} runs); heavy modules imported: {heavy}")


def scalar_throughput() -> None:
    shape = find_preset("deepseek-v3").shape
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        count_parameters(shape)
        flops_per_token(shape, seq_len=4096)
        count += 1
    elapsed = time.perf_counter() - start
    print(f"scalar: {count / elapsed:,.0f} (params + FLOPs/token) evaluations per second")


def array_throughput(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(0)
    hidden = rng.integers(4, 129, n) * 64
    layers = rng.integers(4, 65, n)
    heads = hidden // 64
    experts = rng.integers(1, 65, n)
    top_k = np.minimum(rng.integers(1, 9, n), experts)
    start = time.perf_counter()
    terms = parameter_terms(
        vocab_size=32000, hidden_size=hidden, num_layers=layers, num_heads=heads, num_kv_heads=heads,
        head_dim=64, intermediate_size=0, num_moe_layers=layers, num_experts=experts,
        expert_intermediate_size=hidden * 2, top_k=top_k, num_shared_experts=1,
        shared_expert_intermediate_size=hidden * 2,
    )
    per_token = flops_per_token_terms(
        terms, seq_len=4096, num_layers=layers, attention_qk_width=heads * 64, attention_v_width=heads * 64,
        logits_params=32000 * hidden, causal=False,
    )
    total = (terms.embedding + terms.lm_head + terms.attention_weights + terms.routed_expert_weights
             + terms.shared_expert_weights + terms.router_weights + terms.norm)
    _ = per_token.forward, total
    elapsed = time.perf_counter() - start
    print(f"arrays: {n:,} candidate MoE shapes (params + FLOPs/token) in {elapsed * 1000:.0f} ms = "
          f"{n / elapsed:,.0f} candidates/s (goal >= 100,000/s: {n / elapsed / 1e5:.0f}x)")


if __name__ == "__main__":
    startup()
    scalar_throughput()
    array_throughput()
