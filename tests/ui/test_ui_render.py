"""The renderer and the fold, table-driven over real gr.ChatMessage objects (expected values written by hand)."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.session import Event
from ui.render import apply, as_message, compact_result, render

ARGS_BLOCK = '```json\n{\n  "model": {\n    "preset": "minimind2-moe"\n  }\n}\n```'

RENDER_TABLE = [
    pytest.param(
        Event("tool_start", tool="count_parameters", call_id="c1", arguments={"model": {"preset": "minimind2-moe"}}),
        gr.ChatMessage(role="assistant", content=ARGS_BLOCK,
                       metadata={"title": "🛠 count_parameters", "id": "c1", "status": "pending"}),
        id="tool_start-pending-with-arguments"),
    pytest.param(
        Event("tool_result", tool="count_parameters", call_id="c1", duration_s=0.25, ok=True,
              result={"model": "MiniMind2-MoE", "total_params": 145029760, "approximate": False,
                      "assumptions": ["a", "b"], "breakdown": {"embedding": 1}}),
        gr.ChatMessage(role="assistant",
                       content='```json\n{\n  "model": "MiniMind2-MoE",\n  "total_params": 145029760,\n'
                               '  "approximate": false\n}\n```',
                       metadata={"title": "🛠 count_parameters", "id": "c1", "status": "done", "duration": 0.25}),
        id="tool_result-done-compact"),
    pytest.param(
        Event("tool_result", tool="project_gpu_time", call_id="c2", ok=False,
              result={"error": "hardware.gpu: unknown GPU 'x'", "hint": "give gpu as a known name"}),
        gr.ChatMessage(role="assistant", content="❌ hardware.gpu: unknown GPU 'x'\n\n💡 give gpu as a known name",
                       metadata={"title": "🛠 project_gpu_time", "id": "c2", "status": "done"}),
        id="tool_result-error-with-hint"),
    pytest.param(
        Event("tool_result", tool="project_gpu_time", call_id="c3", ok=False, text="GPU 时间估算：GPU：给出的是 x",
              result={"error": "hardware.gpu: unknown GPU 'x'", "hint": "give gpu as a known name"}),
        gr.ChatMessage(role="assistant", content="❌ GPU 时间估算：GPU：给出的是 x",
                       metadata={"title": "🛠 project_gpu_time", "id": "c3", "status": "done"}),
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
                                metadata={"title": "🛠 describe_gpu", "id": "c4", "status": "done"}),
                 id="tool_result-not-run"),
    pytest.param(Event("text", text=""), None, id="text-empty"),
]


@pytest.mark.parametrize(("event", "expected"), RENDER_TABLE)
def test_render(event: Event, expected: gr.ChatMessage | None) -> None:
    assert render(event) == expected


USER = gr.ChatMessage(role="user", content="145M MoE")
PENDING = gr.ChatMessage(role="assistant", content=ARGS_BLOCK,
                         metadata={"title": "🛠 count_parameters", "id": "c1", "status": "pending"})
STREAM = gr.ChatMessage(role="assistant", content="Hel", metadata={"status": "pending"})
WAITING = gr.ChatMessage(role="assistant", content="",
                         metadata={"title": "⏳ Waiting for the model (10 s)…", "id": "progress", "status": "pending"})

APPLY_TABLE = [
    pytest.param([USER], Event("tool_start", tool="count_parameters", call_id="c1",
                               arguments={"model": {"preset": "minimind2-moe"}}),
                 [USER, PENDING], id="tool_start-appends"),
    pytest.param([USER, PENDING], Event("tool_result", tool="count_parameters", call_id="c1", duration_s=0.5,
                                        result={"total_params": 7}),
                 [USER, gr.ChatMessage(role="assistant",
                                       content=ARGS_BLOCK + '\n\n```json\n{\n  "total_params": 7\n}\n```',
                                       metadata={"title": "🛠 count_parameters", "id": "c1", "status": "done",
                                                 "duration": 0.5})],
                 id="tool_result-replaces-pending-by-call-id"),
    pytest.param([USER], Event("tool_result", tool="x", call_id="c9", result={"a": 1}),
                 [USER, gr.ChatMessage(role="assistant", content='```json\n{\n  "a": 1\n}\n```',
                                       metadata={"title": "🛠 x", "id": "c9", "status": "done"})],
                 id="tool_result-without-start-appends"),
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


def test_compact_result_drops_lists_tables_and_long_text() -> None:
    result = {"gpu": "RTX 4090", "gpu_hours": 27.9, "cost": None, "notes": ["x"], "mfu_source": "x" * 200}
    assert compact_result(result) == {"gpu": "RTX 4090", "gpu_hours": 27.9, "cost": None}
