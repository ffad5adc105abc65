"""The offline agent end to end: Conversation -> create_agent -> the built-in planner model -> the tools -> the report.

``Settings()`` has no API key, so the offline planner answers. Expected numbers are written out by hand from
``tests/fixtures/models.json``, the GPU catalogue's documented peak and default MFUs (README), and arithmetic.
"""

from __future__ import annotations

import math
import re

import pytest

from assistant.report import fit_allocation
from assistant.session import Conversation, Event
from assistant.settings import Settings

# MiniMind2-MoE (models.json): 145,029,760 total; 91,945,600 active at its native top-2. At top-1 each of the 8 layers
# drops one more routed SwiGLU expert of 3 matrices 640×1728 (params_per_routed_expert = 3,317,760).
TOTAL = 145_029_760
ACTIVE_TOP1 = 91_945_600 - 8 * 3 * 640 * 1728
# Expert share of MiniMind2-MoE (models.json breakdown: routed 106,168,320 + shared 26,542,080). A bare total with
# 1 shared + 4 routed experts at top-1 keeps 2 of 5 equal experts, so 3/5 of the expert share is inactive.
EXPERT_SHARE = (106_168_320 + 26_542_080) / TOTAL
TOKENS = 28_900_000 * 512  # samples × mean length at 1 token per character
RTX_4090_PEAK = 165.2e12  # dense BF16 with FP32 accumulate (README: GeForce runs it at half the FP16-acc. rate)
MOE_MFU, DENSE_MFU = 0.35, 0.40  # the documented defaults (DeepSeek-V3; Llama 2 / Megatron-LM)
GPU_HOURS = 6 * ACTIVE_TOP1 * TOKENS / (RTX_4090_PEAK * MOE_MFU * 3600)
assert ACTIVE_TOP1 == 65_403_520 and TOKENS == 14_796_800_000

WORKED = {
    "zh": "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090",
    "en": "145M-parameter MoE, 1 shared + 4 routed experts, top-1, 28.9M samples × 512 characters, 8× RTX 4090",
}
PLAN_TOOLS = {"count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(conversation: Conversation, text: str) -> list[Event]:
    return list(conversation.send(text))


def tools_called(events: list[Event]) -> list[str]:
    return [e.tool for e in events if e.kind == "tool_start"]


def planned(language: str) -> Conversation:
    conversation = Conversation(Settings())
    assert run(conversation, WORKED[language])[-1].report is not None
    return conversation


def test_without_a_key_the_offline_model_answers() -> None:
    conversation = Conversation(Settings())
    assert conversation.settings.mode == "offline" and conversation.mode_label == "offline"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_worked_example_gives_the_full_report_in_the_users_language(language: str) -> None:
    events = run(Conversation(Settings()), WORKED[language])

    assert PLAN_TOOLS <= set(tools_called(events))
    assert all(e.ok for e in events if e.kind == "tool_result")
    assert not {"notice", "flag", "error"} & {e.kind for e in events}
    final = events[-1]
    assert final.kind == "final" and final.mode == "offline" and final.flags == ()
    report = final.report
    assert report is not None and report.kind == "plan" and report.language == language
    # the answer: a verdict card of at most six lines, then the opening lines it does not already say
    lines = final.text.split("\n\n")
    assert lines[0] == report.understood and len(lines) <= 12
    assert final.text != report.markdown and report.markdown.startswith("#")
    if language == "zh":
        assert len(CJK.findall(report.markdown)) > 200 and len(CJK.findall(final.text)) > 50
    else:
        assert CJK.search(report.markdown) is None and CJK.search(final.text) is None

    # 145M with 1 shared + 4 routed experts is within 1% of MiniMind2-MoE: counted exactly with its architecture.
    assert report.params.total_params == TOTAL
    assert report.params.active_params == ACTIVE_TOP1
    assert report.params.approximate is False
    assert report.flops.tokens == TOKENS
    assert "14,796,800,000" in report.markdown and "65,403,520" in report.markdown
    assert "65.4M" in final.text and "5.81e18" in final.text  # the card's headline numbers
    assert report.flops.six_nd_flops == pytest.approx(6 * ACTIVE_TOP1 * TOKENS, rel=1e-12)
    chin = report.chinchilla
    assert chin.data_matched_params == pytest.approx(739_840_000, rel=1e-12)  # D / 20
    assert chin.tokens_per_active_param == pytest.approx(226.238, rel=1e-5)  # 14,796,800,000 / 65,403,520
    assert chin.verdict_active.kind == "over-trained"
    assert chin.verdict_active.factor == pytest.approx(TOKENS / ACTIVE_TOP1 / 20, rel=1e-12)
    assert fit_allocation(chin.compute_optimal, "rule-20").params == pytest.approx(
        math.sqrt(6 * ACTIVE_TOP1 * TOKENS / 120), rel=1e-9)  # N = √(C/120)
    gpu = report.gpu
    assert gpu.gpu_count == 8 and gpu.mfu == MOE_MFU
    assert gpu.gpu_hours == pytest.approx(GPU_HOURS, rel=1e-9)  # 27.9 GPU-hours
    assert gpu.wall_clock_days == pytest.approx(GPU_HOURS / 8 / 24, rel=1e-9)


def test_naming_the_preset_counts_it_exactly() -> None:
    events = run(Conversation(Settings()), "MiniMind2-MoE，top-1，28.9M 条样本 × 512 字，8 张 4090")

    starts = [e for e in events if e.kind == "tool_start"]
    assert starts[0].tool == "count_parameters"
    assert starts[0].arguments == {"model": {"preset": "minimind2-moe", "top_k": 1}}
    report = events[-1].report
    assert report is not None and report.language == "zh"
    assert report.params.active_params == 65_403_520
    assert report.params.total_params == TOTAL
    assert report.flops.tokens == TOKENS


@pytest.mark.parametrize(("question", "words"), [
    ("什么是 6ND?", ("6ND", "浮点")),
    ("What does MFU mean?", ("MFU", "utilization")),
])
def test_a_concept_question_is_answered_from_the_glossary_without_tools(question: str, words: tuple[str, ...]) -> None:
    events = run(Conversation(Settings()), question)

    assert tools_called(events) == []
    final = events[-1]
    assert final.kind == "final" and final.report is None
    assert all(word in final.text for word in words)
    assert bool(CJK.search(final.text.split("**Sources")[0])) == (question == "什么是 6ND?")
    assert "65.4M" not in final.text  # no plan yet, so no plan numbers


@pytest.mark.parametrize(("language", "question"), [
    ("zh", "总参数和激活参数有什么区别?"),
    ("en", "why is the ratio so high?"),
])
def test_a_concept_question_after_a_plan_uses_the_plans_numbers(language: str, question: str) -> None:
    conversation = planned(language)
    events = run(conversation, question)

    assert tools_called(events) == []
    text = events[-1].text
    assert "145M" in text and "65.4M" in text  # total and activated of the plan
    assert "226" in text  # tokens per activated parameter
    if language == "en":
        assert "14.8B" in text


def test_more_gpus_rerun_the_tools_and_halve_the_wall_clock() -> None:
    conversation = planned("zh")
    events = run(conversation, "如果换成 16 张卡呢?")

    assert PLAN_TOOLS <= set(tools_called(events))
    final = events[-1]
    report = final.report
    assert report is not None and report.language == "zh"
    assert report.gpu.gpu_count == 16
    assert report.gpu.gpu_hours == pytest.approx(GPU_HOURS, rel=1e-9)  # the same work …
    assert report.gpu.wall_clock_days == pytest.approx(GPU_HOURS / 16 / 24, rel=1e-9)  # … in half the time
    assert report.changes == ["8 × 4090 → 16 × 4090"]
    # the answer is the effect of the change on the numbers that moved, nothing else
    assert final.text.startswith("**16 × 4090**：墙钟 ") and final.text.endswith("；其余不变。")
    assert "卡时" not in final.text  # the GPU-hours did not move
    assert "8 × 4090 → 16 × 4090" in report.markdown
    assert report.params.active_params == ACTIVE_TOP1 and report.flops.tokens == TOKENS
    again = conversation.report("en")  # the exported report, in the other language, keeps what changed
    assert again is not None and again.language == "en" and again.changes == ["8 × 4090 → 16 × 4090"]


def test_follow_ups_change_the_model_then_the_tokens() -> None:
    conversation = planned("en")

    bigger = run(conversation, "what if the model were 740M?")
    assert PLAN_TOOLS <= set(tools_called(bigger))
    report = bigger[-1].report
    assert report is not None and report.language == "en"
    assert report.params.total_params == 740e6
    # No preset is within 1% of 740M: the activated count is estimated with MiniMind2-MoE's expert share.
    active = 740e6 * (1 - EXPERT_SHARE * 3 / 5)
    assert report.params.approximate is True
    assert report.params.active_params == pytest.approx(active, rel=1e-9)  # ≈333.7M
    assert report.flops.tokens == TOKENS
    assert "145M → 740M" in bigger[-1].text

    capped = run(conversation, "stop at 3B tokens")
    assert PLAN_TOOLS <= set(tools_called(capped))
    report = capped[-1].report
    assert report is not None
    assert report.flops.tokens == 3e9
    assert report.params.total_params == 740e6
    assert report.flops.six_nd_flops == pytest.approx(6 * active * 3e9, rel=1e-9)


@pytest.mark.parametrize(("message", "language", "asks_for"), [
    ("8 张 4090", "zh", "模型"),
    ("MiniMind2-MoE, top-1", "en", "data"),
])
def test_a_missing_essential_gets_one_question_in_the_users_language(message: str, language: str,
                                                                     asks_for: str) -> None:
    events = run(Conversation(Settings()), message)

    assert tools_called(events) == []
    final = events[-1]
    assert final.kind == "final" and final.report is None
    assert final.text.count("？" if language == "zh" else "?") == 1
    assert final.text.count("?" if language == "zh" else "？") == 0
    assert asks_for in final.text
    assert bool(CJK.search(final.text)) == (language == "zh")


@pytest.mark.parametrize(("message", "language"), [("我想训练一个模型", "zh"), ("hello", "en")])
def test_a_message_with_nothing_to_work_on_gets_a_prompt_in_its_language(message: str, language: str) -> None:
    events = run(Conversation(Settings()), message)

    assert tools_called(events) == []
    text = events[-1].text
    assert events[-1].report is None
    assert ("张 4090" in text) if language == "zh" else ("RTX 4090" in text and CJK.search(text) is None)


def test_a_gpu_budget_gives_the_budget_report() -> None:
    events = run(Conversation(Settings()), "I have 8 GPUs (4090) for 7 days, what should I train?")

    assert tools_called(events) == ["recommend_configurations"]
    report = events[-1].report
    assert report is not None and report.kind == "budget" and report.language == "en"
    recommend = report.recommend
    computes = {c.architecture: c for c in recommend.computes}
    seconds = 8 * 7 * 24 * 3600  # GPUs × seconds
    assert computes["moe"].compute_flops == pytest.approx(seconds * RTX_4090_PEAK * MOE_MFU, rel=1e-12)
    assert computes["dense"].compute_flops == pytest.approx(seconds * RTX_4090_PEAK * DENSE_MFU, rel=1e-12)
    assert computes["moe"].gpu_hours == pytest.approx(8 * 7 * 24, rel=1e-12)
    rule20 = next(t for t in recommend.targets if t.fit == "rule-20")
    assert rule20.active_params == pytest.approx(math.sqrt(seconds * RTX_4090_PEAK * MOE_MFU / 120), rel=1e-9)
    text = events[-1].text
    assert len([line for line in text.splitlines() if line.strip()]) <= 12 and "## " not in text
    assert "| 1 |" in text and "use candidate 2" in text
