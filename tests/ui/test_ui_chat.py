"""The chat handlers on a real offline Conversation: streaming, undo, retry, clear, restore, failures."""

from __future__ import annotations

import re
from collections.abc import Iterator

import gradio as gr
import pytest

from assistant.session import Conversation, Event
from assistant.settings import Settings
from ui.chat import ChatHandlers, saved_messages
from ui.state import ChatSession, default_factory

ZH_EXAMPLE = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
OFFLINE = Settings(force_offline=True)


def _run(updates: Iterator[tuple]) -> tuple:
    return list(updates)[-1]


def _texts(history: list[gr.ChatMessage]) -> list[str]:
    return [m.content for m in history]


def test_a_turn_streams_tool_calls_then_the_report() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    updates = list(chat.respond(ZH_EXAMPLE, [], None))
    first_history, first_box, session, first_saved = updates[0]
    assert first_history == [gr.ChatMessage(role="user", content=ZH_EXAMPLE)] and first_box == ""
    assert first_saved == {"v": 2, "messages": [], "turns": [], "pending": ZH_EXAMPLE}  # kept before the answer
    history = updates[-1][0]
    assert [m.metadata.get("title") for m in history[2:7]] == [
        "统计参数量", "训练计算量", "Chinchilla 判断", "GPU 时间与成本", "训练显存"]
    assert history[1].metadata["title"].startswith("🛠 5 个工具 · ")
    answer, report = history[-2], history[-1]
    assert answer.metadata == {} and "148亿（14.8B） token" in answer.content
    assert report.metadata["title"] == "📄 完整报告" and "14,796,800,000" in report.content
    assert isinstance(session, ChatSession) and session.report.flops.tokens == 14_796_800_000
    assert session.mode_label == "offline"


def test_empty_input_changes_nothing() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, box, session, _ = _run(chat.respond("   ", [], None))
    assert history == [] and session.turn_starts == []


def test_undo_removes_the_turn_and_gives_the_text_back() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    history, box, session = chat.undo(history, session)
    assert history == [] and box == ZH_EXAMPLE
    assert session.conversation.messages == [] and session.report is None


def test_undo_keeps_the_earlier_turn_and_its_report() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    kept = len(history)
    history, _, session, _ = _run(chat.respond("如果换成 16 张卡呢？", history, session))
    history, box, session = chat.undo(history, session)
    assert len(history) == kept and box == "如果换成 16 张卡呢？"
    assert session.report.gpu.gpu_count == 8


def test_retry_answers_the_last_message_again() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    again, _, session, _ = _run(chat.retry(history, session))
    assert len(again) == len(history) and again[-1].content == history[-1].content
    assert len(session.turn_starts) == 1


def test_clear_starts_a_fresh_conversation() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    _, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    history, session = chat.clear(session)
    assert history == [] and session.conversation.messages == [] and session.report is None


def test_restore_rebuilds_the_conversation_from_its_saved_tool_calls() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    saved, _ = chat.after_turn(session, history, "zh")
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant", "assistant"]  # answer + report
    assert saved["messages"][-1]["metadata"]["title"] == "📄 完整报告"
    calls = saved["turns"][0]["steps"][0]["calls"]
    assert calls[0]["name"] == "count_parameters" and calls[0]["args"]["model"]["total_params"] == 145e6
    # a new server: another set of handlers, a new session, only what the browser kept
    restored, session, box = ChatHandlers(default_factory, OFFLINE).restore(saved, None)
    assert _texts(restored) == [m["content"] for m in saved["messages"]]
    assert session.report is not None and session.report.params.active_params == 65_403_520
    history, _, session, _ = _run(chat.respond("如果换成 16 张卡呢？", restored, session))
    assert history[-2].content == "**16 × 4090**：墙钟 3.5 小时 → 1.7 小时；其余不变。"  # as in the README
    assert "16 × NVIDIA GeForce RTX 4090" in history[-1].content


def test_a_follow_up_after_a_server_restart_continues_the_same_exact_plan() -> None:
    """No reload: the page still shows the chat, the server lost the session; the follow-up brings the browser's
    conversation and gets the diff against the exact plan (a DeepSeek-V3 preset, not a plan read again)."""
    first = ChatHandlers(default_factory, OFFLINE)
    shown, _, session, _ = _run(first.respond("DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%", [], None))
    saved, _ = first.after_turn(session, shown, "en")
    kept, _, _, _ = _run(first.respond("MFU 20%", shown, session))  # the same follow-up without a restart
    restarted = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(restarted.respond("MFU 20%", shown, None, saved))
    assert history[-2].content == kept[-2].content and history[-1].content == kept[-1].content
    before, after = re.match(r"\*\*MFU 20%:\*\* GPU-hours ([\d,]+) → ([\d,]+);", history[-2].content).groups()
    assert int(after.replace(",", "")) == pytest.approx(int(before.replace(",", "")) * 35 / 20, abs=1)  # ∝ 1/MFU
    assert session.report.gpu.mfu == 0.2 and session.report.params.total_params == pytest.approx(671e9, rel=0.01)


def test_a_sent_message_that_got_no_answer_comes_back_into_the_textbox() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    saved = next(iter(chat.respond(ZH_EXAMPLE, [], None)))[3]
    restored, _, box = ChatHandlers(default_factory, OFFLINE).restore(saved, None)
    assert restored == [] and box == ZH_EXAMPLE


def test_an_older_browsers_saved_messages_are_replayed() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, _, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    restored, session, _ = chat.restore(saved_messages(history), None)
    assert len(restored) == 3 and session.report is not None


class _Failing(Conversation):
    """A conversation whose turn breaks half-way (a bug, not an endpoint failure)."""

    def send(self, text: str) -> Iterator[Event]:
        yield Event("tool_start", tool="count_parameters", call_id="c1", arguments={})
        raise RuntimeError("boom at /secret/path")


def test_a_crash_becomes_a_friendly_message_and_the_session_survives() -> None:
    chat = ChatHandlers(lambda settings: _Failing(settings), OFFLINE)
    history, _, session, _ = _run(chat.respond("我的模型多大？", [], None))
    assert history[-1].content.startswith("抱歉")
    assert "boom" not in history[-1].content and "Traceback" not in history[-1].content
    session.conversation = Conversation(OFFLINE)  # the same session goes on
    history, _, session, _ = _run(chat.respond("I have 8 GPUs (4090) for 7 days, what should I train?", history,
                                            session))
    assert not history[-1].content.startswith("Sorry") and session.report.kind == "budget"


def test_after_a_turn_nothing_is_built_until_asked_for() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    saved, key = chat.after_turn(session, history, "zh")
    assert saved["messages"] == saved_messages(history) and session.files.folder is None  # nothing written
    assert key == "markdown,latex,bibtex,json,plots|True|0|离线（内置模型）"  # the page shows what it names
    view = chat.show_view(session, "zh")
    assert view[0]["visible"] is True and view[-1]["value"] == "离线（内置模型）"
    assert all(update == {"__type__": "update"} for update in view[-6:-1])  # no figures while the plots are folded
    path = session.files.path("markdown")
    assert path.endswith("scaling-report.md") and session.files.path("markdown") == path  # made once
    session.release()
    assert session.files.folder is None and session.report is None


def test_restore_in_llm_mode_gives_the_model_the_earlier_exchange_as_text() -> None:
    """No LLM call happens on restore: the saved questions and answers become the conversation's context."""
    llm = Settings(api_key="sk-restore-test", base_url="http://127.0.0.1:9/v1", model="m")
    saved = [{"role": "user", "content": "MiniMind2-MoE, 14.8B tokens"}, {"role": "assistant", "content": "# Report"}]
    restored, session, _ = ChatHandlers(default_factory, llm).restore(saved, None)
    assert _texts(restored) == ["MiniMind2-MoE, 14.8B tokens", "# Report"]
    kinds = [(type(m).__name__, m.content) for m in session.conversation.messages]
    assert kinds == [("HumanMessage", "MiniMind2-MoE, 14.8B tokens"), ("AIMessage", "# Report")]
    assert session.turn_starts == [0]
