"""A budget question through the chat (issue 9 §5): routed to ``recommend_configurations``, answered with the compute
and the best rows in a few lines, the full report beside it; "use candidate 2" makes that row the plan. Offline, and
through the scripted OpenAI-compatible server with the real SDKs.

Expected numbers are hand calculations: 8 GPUs × 165.2e12 FLOP/s (RTX 4090 dense BF16, README) × MFU × 7 × 86,400 s.
"""

from __future__ import annotations

import json
import re

import pytest

from assistant.session import Conversation, Event
from assistant.settings import Settings
from tests.llm_server import Reply, ScriptedLLMServer, ToolCall, ToolCalls

RTX_4090_PEAK, H100_PEAK = 165.2e12, 989.4e12
WEEK_ON_8_4090_MOE = 8 * RTX_4090_PEAK * 0.35 * 7 * 86_400  # 2.798e20 FLOPs
QUESTIONS = {"zh": "我有 8 张 4090，训练 7 天，该训多大的 MoE？",
             "en": "I have 8 RTX 4090s for 7 days. What MoE should I train, and on how many tokens?"}


def send(conversation: Conversation, text: str) -> list[Event]:
    return list(conversation.send(text))


def calls(events: list[Event]) -> list[str]:
    return [e.tool for e in events if e.kind == "tool_start"]


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_budget_question_gets_the_compute_and_the_best_rows(language: str) -> None:
    conversation = Conversation(Settings())
    events = send(conversation, QUESTIONS[language])
    assert calls(events) == ["recommend_configurations"]
    text = events[-1].text
    assert f"{WEEK_ON_8_4090_MOE:.2e}".replace("e+", "e") in text  # 2.80e20
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert 2 <= len(rows) <= 4 and rows[0].startswith("| 1 |")
    assert len(lines(text)) <= 12 and "## " not in text
    assert ("用第 2 个配置" in text) if language == "zh" else ("use candidate 2" in text)
    report = events[-1].report
    assert report.kind == "budget" and report.language == language
    moe = next(c for c in report.recommend.computes if c.architecture == "moe")
    assert moe.compute_flops == pytest.approx(WEEK_ON_8_4090_MOE, rel=1e-12)


def test_tokens_beside_a_budget_are_the_data_available() -> None:
    events = send(Conversation(Settings()), "64 H100 × 30 days + 2T tokens, what MoE?")
    start = next(e for e in events if e.kind == "tool_start")
    assert start.tool == "recommend_configurations"
    assert start.arguments["unique_tokens"] == 2e12 and start.arguments["days"] == 30
    assert "2T tokens of data available" in events[-1].text


def test_serving_tokens_ask_for_the_inference_aware_option() -> None:
    events = send(Conversation(Settings()), "8 张 4090 一周，部署后推理 1T token，该训什么")
    start = next(e for e in events if e.kind == "tool_start")
    assert start.arguments["inference_tokens"] == 1e12
    assert events[-1].report.recommend.inference_aware is not None


@pytest.mark.parametrize(("follow_up", "number"), [("用第二个配置", 2), ("use candidate 3", 3)])
def test_using_a_candidate_makes_it_the_plan(follow_up: str, number: int) -> None:
    conversation = Conversation(Settings())
    offered = send(conversation, QUESTIONS["zh"])[-1].report.recommend
    chosen = offered.candidates[number - 1]
    events = send(conversation, follow_up)
    args = {e.tool: e.arguments for e in events if e.kind == "tool_start"}
    assert args["count_parameters"]["model"] == {"hf_config": chosen.config}
    assert args["estimate_training_flops"]["data"]["tokens"] == chosen.tokens
    assert args["estimate_training_memory"]["zero_stage"] == offered.zero_stage  # the row as it was checked
    report = events[-1].report
    assert (report.params.total_params, report.params.active_params) == (chosen.total_params, chosen.active_params)
    assert report.gpu.gpu_hours == pytest.approx(8 * 7 * 24, rel=1e-9)  # its tokens fill the week on 8 GPUs
    follow = send(conversation, "换成 16 张卡呢")[-1].text
    assert follow.startswith("**16 × 4090") and "7.0 天 → 3.5 天" in follow


def test_a_candidate_that_does_not_exist_is_said_so() -> None:
    conversation = Conversation(Settings())
    count = len(send(conversation, QUESTIONS["zh"])[-1].report.recommend.candidates)
    text = send(conversation, "用第 40 个配置")[-1].text
    assert f"没有第 40 个候选：最近一次推荐共有 {count} 个" in text
    assert "There are no candidates yet" in send(Conversation(Settings()), "use candidate 2")[-1].text


def test_the_budget_question_through_an_llm(llm_server: ScriptedLLMServer) -> None:
    arguments = {"hardware": {"gpu": "4090", "gpu_count": 8}, "days": 7, "architectures": "moe"}

    def answer(body: dict) -> Reply:
        result = json.loads(next(m["content"] for m in body["messages"] if m["role"] == "tool"))
        best = result["candidates"][0]
        return Reply(f"With {result['compute_flops']:.3g} FLOPs, train candidate 1: {best['active_params']:,} "
                     f"activated of {best['total_params']:,} parameters.")

    llm_server.script([ToolCalls([ToolCall("recommend_configurations", arguments)]), answer])
    settings = Settings(api_key="sk-test", base_url=llm_server.base_url, model="scripted", timeout_s=5,
                        max_retries=1)
    events = send(Conversation(settings), QUESTIONS["en"])
    assert calls(events) == ["recommend_configurations"]
    final = events[-1]
    assert f"{WEEK_ON_8_4090_MOE:.3g}" in final.text and final.flags == ()
    assert final.report is not None and final.report.kind == "budget"


def test_the_budget_form_names_what_is_missing_and_plans_from_flops_alone() -> None:
    from assistant.budget_form import FIELDS, plan_from_budget

    blank = dict.fromkeys(FIELDS, "")
    problems = plan_from_budget({**blank, "days": "7"}, language="zh").problems
    assert len(problems) == 1 and "GPU" in problems[0]  # a time budget needs the GPUs it is spent on
    assert plan_from_budget(blank, language="en").problems  # no budget at all
    outcome = plan_from_budget({**blank, "compute_flops": "3e20", "architectures": "dense"}, language="en")
    assert outcome.problems == [] and outcome.report.recommend.compute_flops == 3e20
    assert [c.architecture for c in outcome.report.recommend.candidates] == ["dense"] * len(
        outcome.report.recommend.candidates)
