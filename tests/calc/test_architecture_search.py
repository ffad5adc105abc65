"""The architecture search: exact counts by hand, memory by the literature's formulas, search properties.

Independent references: a parameter count written out term by term here; a brute-force enumeration of a small grid
through the scalar path (`build_shape` + `count_parameters`); the ZeRO-2 and activation formulas of literature §10
(2Ψ + 14Ψ/N_d; 34·s·b·h per layer with FlashAttention); the published configs' hidden/layers and total/active
(tests/fixtures/); transformers' own config classes for the exported files.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from tests.conftest import FIXTURES, load_fixture
from tools.calc.architecture_search import MemorySetup, SearchGrid, search_architectures
from tools.calc.hardware import find_gpu
from tools.calc.heuristics import ASPECT_RANGE, HEURISTICS, TOTAL_ACTIVE_RANGE, krajewski_granularity
from tools.calc.memory import DEFAULT_OVERHEAD_BYTES, OPTIMIZER_STATES, estimate_training_memory
from tools.calc.params import count_parameters
from tools.calc.shapes import build_shape

GIB = 2**30
RTX_4090_X8 = MemorySetup(gpu=find_gpu("4090"), gpu_count=8, states=OPTIMIZER_STATES["adamw_mixed"], zero_stage=2,
                          seq_len=2048, micro_batch=1, recompute="none", flash_attention=True,
                          overhead_bytes=DEFAULT_OVERHEAD_BYTES)
ONE_MOE = SearchGrid(hidden_sizes=(2560,), layer_counts=(24,), head_dims=(64,), kv_groups=(2,), num_experts=(32,),
                     top_ks=(8,), shared_experts=(2,), granularities=(16,), first_k_dense=(1,))


def test_a_candidate_counted_by_hand() -> None:
    outcome = search_architectures(architecture="moe", target_active_params=1.45e9, vocab_size=32_000,
                                   tied_embeddings=False, memory=None, grid=ONE_MOE)
    (c,) = outcome.candidates
    h, layers, heads, kv, d, vocab, experts, k, shared, first_k = 2560, 24, 40, 20, 64, 32_000, 32, 8, 2, 1
    ffn = 64 * -(-(2560 * 8 // 3) // 64)  # 64·⌈(8/3)·h/64⌉ = 6848
    width = ffn // 16  # granularity 16: 428
    attention = h * heads * d + 2 * h * kv * d + heads * d * h  # q, k, v, o
    norms = 2 * h * layers + h  # two RMSNorms per layer + the final one
    dense_layer = 3 * h * ffn  # gate, up, down
    router, expert = h * experts, 3 * h * width
    total = 2 * vocab * h + layers * attention + norms + first_k * dense_layer + (layers - first_k) * (
        router + experts * expert + shared * expert)
    active = total - (layers - first_k) * (experts - k) * expert
    assert (ffn, width) == (6848, 428)
    assert (c.total_params, c.active_params) == (total, active) == (3_260_766_720, 1_446_320_640)
    assert (c.num_heads, c.num_kv_heads, c.granularity) == (40, 20, 16.0)
    counted = count_parameters(c.shape())
    assert (counted.total, counted.active) == (total, active)


def test_dense_memory_by_the_literature_formulas() -> None:
    grid = SearchGrid(hidden_sizes=(2048,), layer_counts=(32,), head_dims=(64,), kv_groups=(4,))
    (c,) = search_architectures(architecture="dense", target_active_params=1.5e9, vocab_size=32_000,
                                tied_embeddings=False, memory=RTX_4090_X8, grid=grid).candidates
    psi, s, h, layers = c.total_params, 2048, 2048, 32
    by_hand = 2 * psi + 14 * psi / 8 + 34 * s * 1 * h * layers + 5 * GIB  # ZeRO-2; Korthikanti w/o 5as²b; 5 GiB
    assert c.memory_bytes == pytest.approx(by_hand, rel=1e-12)


def test_moe_memory_agrees_with_the_memory_tool_path() -> None:
    (c,) = search_architectures(architecture="moe", target_active_params=1.45e9, vocab_size=32_000,
                                tied_embeddings=False, memory=RTX_4090_X8, grid=ONE_MOE).candidates
    scalar = estimate_training_memory(
        total_params=c.total_params, gpu=RTX_4090_X8.gpu, gpu_count=8, zero_stage=2, optimizer="adamw_mixed",
        seq_len=2048, micro_batch=1, hidden=c.hidden_size, num_layers=c.num_layers, num_heads=c.num_heads,
        recompute="none", flash_attention=True, moe_top_k=c.top_k, moe_ffn_hidden=c.expert_intermediate_size)
    assert c.memory_bytes == pytest.approx(scalar.total_bytes, rel=1e-12) and scalar.fits


SMALL = SearchGrid(hidden_sizes=(512, 1024, 2048), layer_counts=(8, 16, 24), head_dims=(64, 128), kv_groups=(1, 4),
                   num_experts=(8, 32), top_ks=(1, 2, 4), shared_experts=(0, 1), granularities=(1, 4, 16),
                   first_k_dense=(0, 1))


@pytest.mark.parametrize("target", [2e8, 6e8, 1.2e9])
def test_pruning_keeps_every_on_target_candidate_of_a_brute_force_enumeration(target: float) -> None:
    found = 0
    for h, layers, d, group, experts, k, shared, g, first_k in itertools.product(
            SMALL.hidden_sizes, SMALL.layer_counts, SMALL.head_dims, SMALL.kv_groups, SMALL.num_experts, SMALL.top_ks,
            SMALL.shared_experts, SMALL.granularities, SMALL.first_k_dense):
        heads = h // d
        if heads % group or k >= experts:
            continue
        ffn = 64 * -(-(h * 8 // 3) // 64)
        shape = build_shape(vocab_size=32_000, hidden_size=h, num_layers=layers, num_heads=heads,
                            num_kv_heads=heads // group, intermediate_size=ffn, num_experts=experts,
                            expert_intermediate_size=ffn // g, top_k=k, num_shared_experts=shared,
                            first_k_dense=first_k)
        found += abs(count_parameters(shape).active / target - 1) <= 0.10
    outcome = search_architectures(architecture="moe", target_active_params=target, vocab_size=32_000,
                                   tied_embeddings=False, memory=None, grid=SMALL)
    assert outcome.on_target == found > 0
    assert outcome.evaluated < outcome.considered  # something was pruned, and nothing on target was lost


@pytest.mark.parametrize(("gpu", "count", "target"), [("4090", 8, 1.45e9), ("h100", 64, 7e9), ("a100-80gb", 16, 3e9)])
def test_every_candidate_is_on_target_and_fits(gpu: str, count: int, target: float) -> None:
    setup = MemorySetup(gpu=find_gpu(gpu), gpu_count=count, states=OPTIMIZER_STATES["adamw_mixed"], zero_stage=2,
                        seq_len=2048, micro_batch=1, recompute="none", flash_attention=True,
                        overhead_bytes=DEFAULT_OVERHEAD_BYTES)
    for architecture in ("moe", "dense"):
        outcome = search_architectures(architecture=architecture, target_active_params=target, vocab_size=32_000,
                                       tied_embeddings=False, memory=setup, max_candidates=10)
        assert outcome.candidates
        for c in outcome.candidates:
            counted = count_parameters(c.shape())
            assert (counted.total, counted.active) == (c.total_params, c.active_params)
            assert abs(c.active_params / target - 1) <= 0.10
            moe = architecture == "moe"
            memory = estimate_training_memory(
                total_params=counted.total, gpu=setup.gpu, gpu_count=count, zero_stage=2, optimizer="adamw_mixed",
                seq_len=2048, micro_batch=1, hidden=c.hidden_size, num_layers=c.num_layers, num_heads=c.num_heads,
                recompute="none", flash_attention=True, moe_top_k=c.top_k if moe else None,
                moe_ffn_hidden=c.expert_intermediate_size if moe else None)
            assert memory.fits and c.memory_bytes <= find_gpu(gpu).memory_bytes
        keys = [(c.penalty, abs(c.deviation)) for c in outcome.candidates]
        assert keys == sorted(keys)  # failed heuristic weight first, then closeness
        assert len({(c.hidden_size, c.num_layers) for c in outcome.candidates}) == len(outcome.candidates)


def test_candidates_outside_memory_are_dropped() -> None:
    tiny = MemorySetup(gpu=find_gpu("4090"), gpu_count=1, states=OPTIMIZER_STATES["adamw_mixed"], zero_stage=0,
                       seq_len=2048, micro_batch=1, recompute="none", flash_attention=True,
                       overhead_bytes=DEFAULT_OVERHEAD_BYTES)
    outcome = search_architectures(architecture="moe", target_active_params=3e9, vocab_size=32_000,
                                   tied_embeddings=False, memory=tiny)
    # 16 bytes per parameter on one 24 GB card: not even the 3B activated parameters fit
    assert outcome.on_target > 0 and outcome.fitting == 0 and outcome.candidates == ()


def test_published_ranges_come_from_the_published_configs() -> None:
    ernie = json.loads((FIXTURES / "hf-configs" / "ERNIE-4.5-300B-A47B.json").read_text())
    assert ASPECT_RANGE.high == pytest.approx(ernie["hidden_size"] / ernie["num_hidden_layers"])  # 8192/54
    assert ASPECT_RANGE.low == pytest.approx(2048 / 48)  # Qwen3-30B-A3B: hidden 2048, 48 layers
    minimind = next(m for m in load_fixture("models.json") if m["name"] == "MiniMind2-MoE")
    assert TOTAL_ACTIVE_RANGE.low == pytest.approx(minimind["total_params"] / minimind["active_params"])
    maverick = next(m for m in load_fixture("instantiated_counts.json")["models"]
                    if m["name"] == "Llama-4-Maverick-17B-128E")
    assert TOTAL_ACTIVE_RANGE.high == pytest.approx(maverick["total_params"] / maverick["active_params"])


def test_heuristics_pass_bands_and_statuses() -> None:
    by_code = {h.code: h for h in HEURISTICS}
    head_dims = np.array([32, 64, 96, 128, 256])
    assert by_code["head_dim"].passes(value=head_dims).tolist() == [False, True, True, True, False]
    assert not by_code["granularity"].passes(value=1.0)  # G = 1 is suboptimal (Krajewski 2024)
    assert by_code["granularity"].passes(value=16.0)
    assert (by_code["shared_experts"].status, by_code["shared_experts"].weight) == ("disputed", 0.5)
    assert (by_code["first_k_dense"].status, by_code["first_k_dense"].weight) == ("unverified", 0.0)
    assert krajewski_granularity(compute_flops=2.8e20) == (16, 1.93e20)  # Table 2: 64×1B row
    assert krajewski_granularity(compute_flops=1e24) == (32, 4.16e23)  # nearest in log-compute: 64×70B
    assert krajewski_granularity(compute_flops=3e24) == (64, 5.69e24)
