"""recommend_configurations: contract, hand values, sentences in both languages."""

from __future__ import annotations

import re

import pytest

from tools.assumption_text import assumption_text
from tools.calc.hf_config import shape_from_hf_config
from tools.calc.params import count_parameters
from tools.planner_text import codes, heuristic_text, planner_text, status_text
from tools.registry import TOOLS, run_tool

HARDWARE = {"gpu": "4090", "gpu_count": 8}
PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_]")


@pytest.fixture(scope="module")
def week_on_4090s() -> dict:
    outcome = run_tool("recommend_configurations", {"hardware": HARDWARE, "days": 7})
    assert outcome.ok, outcome.result
    return outcome.result


def test_registered_with_a_schema_derived_from_its_input_model() -> None:
    spec = TOOLS["recommend_configurations"]
    schema = spec.json_schema()
    assert {"hardware", "days", "budget", "compute_flops", "fit", "unique_tokens", "inference_tokens"} <= set(
        schema["properties"])
    assert spec.description.startswith("Concrete MoE (and dense) architectures for a budget")
    assert "budget_to_model" not in TOOLS  # replaced: no second copy of the budget step


def test_the_budget_step_by_hand(week_on_4090s: dict) -> None:
    computes = {c["architecture"]: c for c in week_on_4090s["computes"]}
    assert computes["moe"]["compute_flops"] == pytest.approx(8 * 165.2e12 * 0.35 * 7 * 86400, rel=1e-12)
    assert computes["dense"]["compute_flops"] == pytest.approx(8 * 165.2e12 * 0.40 * 7 * 86400, rel=1e-12)
    assert computes["moe"]["mfu_basis"] == "default_moe" and computes["moe"]["gpu_hours"] == 8 * 7 * 24


def test_result_carries_targets_candidates_and_assumptions(week_on_4090s: dict) -> None:
    result = week_on_4090s
    assert result["mfu"] == 0.35 and {c["architecture"]: c["mfu"] for c in result["computes"]} == {
        "moe": 0.35, "dense": 0.40}
    assert [t["fit"] for t in result["targets"]][:2] == ["chinchilla-approach1", "chinchilla-approach2"]
    rule20 = next(t for t in result["targets"] if t["fit"] == "rule-20")
    assert rule20["active_params"] == pytest.approx((result["compute_flops"] / 120) ** 0.5)  # N = √(C/120)
    for candidate in result["candidates"]:
        back = count_parameters(shape_from_hf_config(candidate["config"]))
        assert (back.total, back.active) == (candidate["total_params"], candidate["active_params"])
        assert candidate["memory_per_gpu_bytes"] <= candidate["memory_capacity_bytes"] == 24e9
        assert {n["code"] for n in candidate["notes"]} >= {"aspect_ratio", "head_dim"}
    for text in [result["targets_text"], result["hyperparameters"]["text"],
                 *(a["text"] for a in result["advice"]), *(h["text"] for h in result["heuristics"]),
                 *(a["text"] for a in result["assumptions"])]:
        assert text and not PLACEHOLDER.search(text), text
    for item in result["assumptions"]:
        assert assumption_text(item, language="zh")  # every code has its Chinese sentence


def test_inference_and_unique_tokens_reach_the_result() -> None:
    result = run_tool("recommend_configurations", {"hardware": HARDWARE, "days": 7, "inference_tokens": "1T",
                                                   "unique_tokens": "5B", "fit": "epoch2024"}).result
    assert result["fit"] == "epoch-2024"
    assert result["inference_aware"]["within_budget_params"] < result["inference_aware"]["chinchilla_params"]
    assert result["data_constrained"]["within_negligible_epochs"] is False
    assert result["search_targets"][0]["basis"] == "data_constrained"


@pytest.mark.parametrize(("arguments", "field"), [
    ({"hardware": {"gpu": "4091", "gpu_count": 8}, "days": 7}, "hardware.gpu"),
    ({"days": 7}, "gpu"),
    ({"hardware": HARDWARE, "days": 7, "fit": "chinchilla"}, "fit"),
    ({"hardware": HARDWARE, "days": 7, "compute_flops": 1e20}, "compute"),
    ({"hardware": HARDWARE, "days": -3}, "days"),
])
def test_bad_arguments_come_back_as_readable_errors(arguments: dict, field: str) -> None:
    outcome = run_tool("recommend_configurations", arguments)
    assert not outcome.ok and outcome.result["field"] == field and outcome.result["hint"]


def test_planner_sentences_exist_in_both_languages_and_render() -> None:
    from prompts import load

    english, chinese = load("planner/en").blocks(), load("planner/zh").blocks()
    assert set(english) == set(chinese) and codes() <= set(english)
    assert load("planner/en").table("heuristics").keys() == load("planner/zh").table("heuristics").keys()
    assert planner_text("schedule_cosine", {"final_fraction": 0.1, "overshoot": 0.25}, language="en") == (
        "cosine: decay to 10% of the peak over exactly the planned tokens (Chinchilla); a cycle that overshoots the "
        "run by more than 25% hurts, so the length must be known in advance")
    assert planner_text("moe_tokens_per_active", {"experts": 16, "active_change": -0.52, "tokens_change": 1.13},
                        language="zh") == (
        "MoE 的最优点比稠密模型需要更多的“每激活参数 token”：从 1 个专家增加到 16 个，"
        "最优激活参数变化 -52%、token 变化 +113%（Ludziejewski 等 2025，来自二手转述，可信度低）")
    assert heuristic_text("head_dim", language="en") == "head dimension 64–128 (Chinchilla and published models)"
    assert status_text("U", language="en") == "unverified: no source found"
