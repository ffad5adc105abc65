"""The renderer and the fold, table-driven over real gr.ChatMessage objects (expected values written by hand)."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.session import Event
from ui.render import apply, as_message, render

ARGS = "**Model:** preset minimind2-moe"

RENDER_TABLE = [
    pytest.param(
        Event("tool_start", tool="count_parameters", call_id="c1", arguments={"model": {"preset": "minimind2-moe"}}),
        gr.ChatMessage(role="assistant", content=ARGS,
                       metadata={"title": "Count parameters", "id": "c1", "status": "pending"}),
        id="tool_start-pending-with-arguments"),
    pytest.param(
        Event("tool_result", tool="count_parameters", call_id="c1", duration_s=0.25, ok=True,
              result={"model": "MiniMind2-MoE", "total_params": 145029760, "active_params": 65403520,
                      "approximate": False, "assumptions": ["a", "b"], "breakdown": {"embedding": 1}}),
        gr.ChatMessage(role="assistant", content="→ total parameters 145M · activated parameters 65.4M",
                       metadata={"title": "Count parameters", "id": "c1", "status": "done", "log": "0.25 s"}),
        id="tool_result-done-a-few-fields-as-quantities"),
    pytest.param(
        Event("tool_result", tool="project_gpu_time", call_id="c2", ok=False,
              result={"error": "hardware.gpu: unknown GPU 'x'", "hint": "give gpu as a known name"}),
        gr.ChatMessage(role="assistant", content="❌ hardware.gpu: unknown GPU 'x'\n\n💡 give gpu as a known name",
                       metadata={"title": "GPU time and cost", "id": "c2", "status": "done"}),
        id="tool_result-error-with-hint"),
    pytest.param(
        Event("tool_result", tool="project_gpu_time", call_id="c3", ok=False, text="GPU 时间估算：GPU：给出的是 x",
              result={"error": "hardware.gpu: unknown GPU 'x'", "hint": "give gpu as a known name"}),
        gr.ChatMessage(role="assistant", content="❌ GPU 时间估算：GPU：给出的是 x",
                       metadata={"title": "GPU time and cost", "id": "c3", "status": "done"}),
        id="tool_result-error-in-the-conversations-language"),
    pytest.param(Event("notice", text="⚠️ endpoint failed"),
                 gr.ChatMessage(role="assistant", content="⚠️ endpoint failed"), id="notice"),
    pytest.param(Event("flag", text="⚠️ 12.3B matches no tool result", flags=("12.3B",)),
                 gr.ChatMessage(role="assistant", content="⚠️ 12.3B matches no tool result"), id="flag"),
    pytest.param(Event("error", text="抱歉，这次没有算完", ok=False),
                 gr.ChatMessage(role="assistant", content="抱歉，这次没有算完"), id="error"),
    pytest.param(Event("text", text="# 报告"),
                 gr.ChatMessage(role="assistant", content="# 报告", metadata={"status": "pending"}), id="text-chunk"),
    pytest.param(Event("final", text="# Report\n\ndone"),
                 gr.ChatMessage(role="assistant", content="# Report\n\ndone"), id="final"),
    pytest.param(Event("final", text=""), None, id="final-empty"),
    pytest.param(Event("progress", text="⏳ Waiting for the model (20 s)…"),
                 gr.ChatMessage(role="assistant", content="",
                                metadata={"title": "⏳ Waiting for the model (20 s)…", "id": "progress",
                                          "status": "pending"}), id="progress-pending"),
    pytest.param(Event("tool_result", tool="describe_gpu", call_id="c4", ok=True,
                       text="未执行：这一轮已经做过同样的调用", result={"not_run": "repeated", "values": {}}),
                 gr.ChatMessage(role="assistant", content="⏭ 未执行：这一轮已经做过同样的调用",
                                metadata={"title": "GPU specifications", "id": "c4", "status": "done"}),
                 id="tool_result-not-run"),
    pytest.param(Event("text", text=""), None, id="text-empty"),
]


@pytest.mark.parametrize(("event", "expected"), RENDER_TABLE)
def test_render(event: Event, expected: gr.ChatMessage | None) -> None:
    assert render(event) == expected


def test_arguments_read_as_quantities_in_the_conversations_language() -> None:
    event = Event("tool_start", tool="estimate_training_flops", call_id="c1", arguments={
        "model": {"num_experts": 4, "num_shared_experts": 1, "top_k": 1, "total_params": 145000000.0, "dense": False},
        "data": {"samples": 28900000.0, "mean_length": 512.0, "length_unit": "chars"},
        "hardware": {"gpu": "4090", "gpu_count": 8, "mfu": 0.35}, "seq_len": 512})
    assert render(event, "zh") == gr.ChatMessage(role="assistant", content=(
        "**模型：** 路由专家 4 · 共享专家 1 · top-k 1 · 总参数 145M · 稠密 否\n\n"
        "**数据：** 样本数 28.9M · 平均长度 512 · 长度单位 字符\n\n"
        "**GPU：** GPU 4090 · GPU 数量 8 · MFU 35%\n\n"
        "序列长度 512"), metadata={"title": "训练计算量", "id": "c1", "status": "pending"})
    result = Event("tool_result", tool="estimate_training_flops", call_id="c1", duration_s=0.0123,
                   result={"tokens": 14796800000, "six_nd_flops": 5.806e18})
    assert render(result, "zh").content == "→ token 数 14.8B · 6·N·D 5.81e18"
    assert render(result, "zh").metadata["log"] == "0.012 秒"


USER = gr.ChatMessage(role="user", content="145M MoE")
GROUP_RUNNING = gr.ChatMessage(role="assistant", content="",
                               metadata={"title": "🛠 1 tool …", "id": "tools-1", "status": "pending"})
PENDING = gr.ChatMessage(role="assistant", content=ARGS, metadata={
    "title": "Count parameters", "id": "c1", "status": "pending", "parent_id": "tools-1"})
STREAM = gr.ChatMessage(role="assistant", content="Hel", metadata={"status": "pending"})
WAITING = gr.ChatMessage(role="assistant", content="",
                         metadata={"title": "⏳ Waiting for the model (10 s)…", "id": "progress", "status": "pending"})

APPLY_TABLE = [
    pytest.param([USER], Event("tool_start", tool="count_parameters", call_id="c1",
                               arguments={"model": {"preset": "minimind2-moe"}}),
                 [USER, GROUP_RUNNING, PENDING], id="tool_start-opens-the-turns-group"),
    pytest.param([USER, GROUP_RUNNING, PENDING],
                 Event("tool_result", tool="count_parameters", call_id="c1", duration_s=0.5,
                       result={"total_params": 7}),
                 [USER, gr.ChatMessage(role="assistant", content="",
                                       metadata={"title": "🛠 1 tool · 0.5 s", "id": "tools-1", "status": "done"}),
                  gr.ChatMessage(role="assistant", content=ARGS + "\n\n→ total parameters 7",
                                 metadata={"title": "Count parameters", "id": "c1", "status": "done",
                                           "log": "0.5 s", "parent_id": "tools-1", "tool_seconds": 0.5})],
                 id="tool_result-replaces-pending-by-call-id-and-closes-the-group"),
    pytest.param([USER], Event("tool_result", tool="x", call_id="c9", result={"a": 1}),
                 [USER, gr.ChatMessage(role="assistant", content="",
                                       metadata={"title": "🛠 1 tool · 0 s", "id": "tools-1", "status": "done"}),
                  gr.ChatMessage(role="assistant", content="", metadata={
                      "title": "x", "id": "c9", "status": "done", "parent_id": "tools-1", "tool_seconds": None})],
                 id="tool_result-without-start-joins-the-group"),
    pytest.param([USER, STREAM], Event("text", text="lo"),
                 [USER, gr.ChatMessage(role="assistant", content="Hello", metadata={"status": "pending"})],
                 id="text-extends-the-streaming-answer"),
    pytest.param([USER, STREAM, PENDING], Event("text", text="Next"),
                 [USER, gr.ChatMessage(role="assistant", content="Hel", metadata={}), PENDING,
                  gr.ChatMessage(role="assistant", content="Next", metadata={"status": "pending"})],
                 id="text-after-a-tool-call-starts-a-new-message"),
    pytest.param([USER, STREAM, gr.ChatMessage(role="assistant", content="⚠️ flag")], Event("final", text="Hello"),
                 [USER, gr.ChatMessage(role="assistant", content="Hello", metadata={}),
                  gr.ChatMessage(role="assistant", content="⚠️ flag")],
                 id="final-replaces-the-streamed-answer-in-place"),
    pytest.param([USER], Event("final", text="Hello"),
                 [USER, gr.ChatMessage(role="assistant", content="Hello")], id="final-without-stream-appends"),
    pytest.param([USER, STREAM], Event("final", text=""),
                 [USER, gr.ChatMessage(role="assistant", content="Hel", metadata={})],
                 id="empty-final-keeps-the-streamed-text"),
    pytest.param([USER, STREAM], Event("error", text="Sorry"),
                 [USER, gr.ChatMessage(role="assistant", content="Hel", metadata={}),
                  gr.ChatMessage(role="assistant", content="Sorry")], id="error-settles-and-appends"),
    pytest.param([USER, WAITING], Event("progress", text="⏳ Waiting for the model (20 s)…"),
                 [USER, gr.ChatMessage(role="assistant", content="",
                                       metadata={"title": "⏳ Waiting for the model (20 s)…", "id": "progress",
                                                 "status": "pending"})],
                 id="progress-replaces-the-earlier-wait"),
    pytest.param([USER, WAITING], Event("text", text="Hel"), [USER, STREAM], id="progress-goes-when-text-comes"),
    pytest.param([USER, WAITING], Event("notice", text="⚠️ endpoint failed"),
                 [USER, gr.ChatMessage(role="assistant", content="⚠️ endpoint failed")],
                 id="progress-goes-at-a-notice"),
    pytest.param([gr.ChatMessage(role="assistant", content="old", metadata={"status": "pending"}),
                  USER], Event("final", text="new"),
                 [gr.ChatMessage(role="assistant", content="old", metadata={"status": "pending"}), USER,
                  gr.ChatMessage(role="assistant", content="new")], id="final-never-reaches-an-earlier-turn"),
]


@pytest.mark.parametrize(("history", "event", "expected"), APPLY_TABLE)
def test_apply(history: list[gr.ChatMessage], event: Event, expected: list[gr.ChatMessage]) -> None:
    before = list(history)
    assert apply(history, event) == expected
    assert history == before  # pure: the input list is not changed


def test_a_turns_tool_calls_are_one_group_titled_with_their_count_and_time() -> None:
    history = [USER]
    for call, tool in (("a", "count_parameters"), ("b", "estimate_training_flops")):
        history = apply(history, Event("tool_start", tool=tool, call_id=call, arguments={}), "zh")
    assert history[1].metadata == {"title": "🛠 2 个工具……", "id": "tools-1", "status": "pending"}
    for call, seconds in (("a", 0.01), ("b", 0.02)):
        history = apply(history, Event("tool_result", tool="x", call_id=call, duration_s=seconds, result={}), "zh")
    assert history[1].metadata == {"title": "🛠 2 个工具 · 0.03 秒", "id": "tools-1", "status": "done"}
    assert [m.metadata["parent_id"] for m in history[2:]] == ["tools-1", "tools-1"]
    history = apply([*history, gr.ChatMessage(role="user", content="16 张卡呢")],
                    Event("tool_start", tool="project_gpu_time", call_id="c", arguments={}), "zh")
    assert history[5].metadata["id"] == "tools-5" and history[6].metadata["parent_id"] == "tools-5"


def test_apply_accepts_the_chatbots_own_message_dicts() -> None:
    sent_back = [{"role": "user", "metadata": {}, "content": [{"text": "hi", "type": "text"}], "options": []},
                 {"role": "assistant", "metadata": {"status": "pending", "title": None},
                  "content": [{"text": "He", "type": "text"}], "options": []}]
    assert apply(sent_back, Event("text", text="llo")) == [
        gr.ChatMessage(role="user", content="hi", metadata={}),
        gr.ChatMessage(role="assistant", content="Hello", metadata={"status": "pending"}),
    ]


def test_as_message_keeps_a_chat_message() -> None:
    assert as_message(USER) is USER
