"""The conversation's current plan, and the history an LLM request carries (no server: messages built by hand)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.lc_agent import estimate_tokens, fit_history
from assistant.plan_state import CurrentPlan
from assistant.results import NOT_RUN

MOE = {"preset": "minimind2-moe", "top_k": 1}
DENSE = {"preset": "minimind2"}
DATA = {"tokens": "14.8B"}
EIGHT = {"gpu": "4090", "gpu_count": 8}
SIXTEEN = {"gpu": "4090", "gpu_count": 16}


def call(name: str, arguments: dict, call_id: str, *, result: dict | None = None,
         status: str = "success") -> list[BaseMessage]:
    """A tool call and its result (``{"ok": true}`` unless given)."""
    return [AIMessage(content="", tool_calls=[{"name": name, "args": arguments, "id": call_id, "type": "tool_call"}]),
            ToolMessage(content="{}", artifact=result if result is not None else {"ok": True}, tool_call_id=call_id,
                        name=name, status=status)]


def test_the_latest_successful_call_sets_each_object_whole() -> None:
    messages = [HumanMessage(content="plan"),
                *call("chinchilla_analysis", {"model": MOE, "data": DATA, "hardware": EIGHT}, "c1"),
                *call("estimate_training_memory", {"model": MOE, "hardware": EIGHT, "zero_stage": 2}, "c2"),
                HumanMessage(content="16 GPUs?"),
                *call("project_gpu_time", {"model": MOE, "data": DATA, "hardware": SIXTEEN}, "c3"),
                *call("count_parameters", {"model": DENSE}, "c4", result={"error": "x"}),  # failed: not the plan
                *call("count_parameters", {"model": DENSE}, "c5", result={NOT_RUN: "repeated"}),  # never ran
                *call("count_parameters", {"model": DENSE}, "call_cmp0_count_parameters")]  # a comparison variant
    plan = CurrentPlan.of(messages)
    assert plan.specs == {"model": MOE, "data": DATA, "hardware": SIXTEEN}
    assert plan.tools == ("chinchilla_analysis", "estimate_training_memory", "project_gpu_time")
    assert plan.arguments("estimate_training_memory") == {"model": MOE, "hardware": SIXTEEN, "zero_stage": 2}
    assert plan.arguments("count_parameters") == {"model": MOE}


def test_a_flops_budget_projection_needs_only_the_hardware() -> None:
    plan = CurrentPlan().merged("project_gpu_time", {"training_flops": 1e21, "hardware": EIGHT})
    assert plan.arguments("project_gpu_time") == {"training_flops": 1e21, "hardware": EIGHT}
    assert plan.arguments("estimate_training_flops") is None  # no model, no data


def test_the_rerun_plan_gives_the_latest_numbers() -> None:
    """The later data object (14.8B tokens) and 16 GPUs: 6 × 65,403,520 × 14.8e9 / (165.2e12 × 0.35 × 3600)
    = 27.902 GPU-hours, 1.7439 h on 16 GPUs."""
    plan = (CurrentPlan().merged("chinchilla_analysis", {"model": MOE, "data": {"samples": 28.9e6, "mean_length": 512,
                                                                               "length_unit": "tokens"},
                                                        "hardware": EIGHT})
            .merged("project_gpu_time", {"model": MOE, "data": DATA, "hardware": SIXTEEN}))
    results = plan.results()
    assert results.gpu_time.gpu_count == 16 and results.chinchilla.tokens == 14.8e9  # the later data object
    assert results.gpu_time.gpu_hours == pytest.approx(27.9021, rel=1e-4)
    assert results.gpu_time.wall_clock_hours == pytest.approx(27.9021 / 16, rel=1e-4)
    assert '"gpu_count": 16' in plan.context() and '"tokens": "14.8B"' in plan.context()


def _turn(index: int) -> list[BaseMessage]:
    return [HumanMessage(content=f"question {index} " + "x" * 400),
            *call("count_parameters", {"model": MOE, "pad": "y" * 2000}, f"t{index}"),
            AIMessage(content=f"answer {index}")]


def test_history_is_trimmed_tool_rounds_first_then_the_oldest_turns() -> None:
    history = [m for index in range(4) for m in _turn(index)]
    current = [HumanMessage(content="now"), *call("count_parameters", {"model": MOE, "pad": "z" * 2000}, "now")]
    messages = [*history, *current]
    assert fit_history(messages, budget=estimate_tokens(messages)) == messages  # fits: sent whole

    spoken = [m for m in history if not isinstance(m, ToolMessage) and not (isinstance(m, AIMessage) and m.tool_calls)]
    trimmed = fit_history(messages, budget=estimate_tokens([*spoken, *current]))
    assert trimmed == [*spoken, *current]  # the earlier tool rounds went first

    tight = fit_history(messages, budget=estimate_tokens([*spoken[-2:], *current]))
    assert tight == [*spoken[-2:], *current]  # then the oldest turns, whole
    assert fit_history(messages, budget=1) == current  # the current turn is never cut
