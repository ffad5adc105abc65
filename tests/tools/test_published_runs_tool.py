"""project_gpu_time carries a preset's published runs beside its projection (literature.md §9a, §9b).

Expected values are hand calculations written here.
"""

from __future__ import annotations

import pytest

from tools.registry import run_tool

LLAMA2_7B = 6_738_415_616  # HuggingFace count of meta-llama/Llama-2-7b-hf


def test_project_gpu_time_carries_the_presets_published_run() -> None:
    outcome = run_tool("project_gpu_time", {"model": {"preset": "llama-2-7b"}, "data": {"tokens": 1e12},
                                            "hardware": {"gpu": "A100", "gpu_count": 1024, "mfu": 0.4}})
    result = outcome.result
    # The projection itself is unchanged: 6·N·D / (312e12 · 0.4) / 3600 for the user's 1T tokens.
    assert result["gpu_hours"] == pytest.approx(6 * LLAMA2_7B * 1e12 / (312e12 * 0.4) / 3600)
    (run,) = result["published_runs"]
    assert (run["preset"], run["gpu_key"]) == ("llama-2-7b", "a100-80gb")
    assert (run["gpu_hours"], run["tokens"]) == (184_320, 2e12)  # literature.md §9a
    assert run["implied_mfu"] == pytest.approx(6 * LLAMA2_7B * 2e12 / (184_320 * 3600 * 312e12), rel=1e-12)
    assert run["implied_mfu"] == pytest.approx(0.39, abs=0.005)  # literature.md §9b
    assert run["mfu_is_lower_bound"] is False and run["implied_mfu_fp8_peak"] is None
    assert "published_run_mfu" in {a["code"] for a in result["assumptions"]}


@pytest.mark.parametrize("arguments", [
    {"training_flops": 1e21},
    {"model": {"preset": "mixtral-8x7b"}, "data": {"tokens": 1e12}},  # a preset with no run on the sheet
    {"model": {"preset": "deepseek-v3", "top_k": 4}, "data": {"tokens": 1e12}},  # not the published model
    {"model": {"total_params": 7e9}, "data": {"tokens": 1e12}},  # no architecture
])
def test_project_gpu_time_without_a_published_run_has_an_empty_list(arguments: dict) -> None:
    result = run_tool("project_gpu_time", {**arguments, "hardware": {"gpu": "H100", "gpu_count": 8}}).result
    assert result["published_runs"] == []
    assert "published_run_mfu" not in {a["code"] for a in result["assumptions"]}
