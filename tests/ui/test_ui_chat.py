"""The chat handlers on a real offline Conversation: streaming, undo, retry, clear, restore, failures."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

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
    first_history, first_box, session = updates[0]
    assert first_history == [gr.ChatMessage(role="user", content=ZH_EXAMPLE)] and first_box == ""
    history = updates[-1][0]
    assert [m.metadata.get("title") for m in history[1:5]] == [
        "🛠 count_parameters", "🛠 estimate_training_flops", "🛠 chinchilla_analysis", "🛠 project_gpu_time"]
    answer, report = history[-2], history[-1]
    assert answer.metadata == {} and "148亿（14.8B） token" in answer.content
    assert report.metadata["title"] == "📄 完整报告" and "14,796,800,000" in report.content
    assert isinstance(session, ChatSession) and session.report.flops.tokens == 14_796_800_000
    assert session.mode_label == "offline"


def test_empty_input_changes_nothing() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, box, session = _run(chat.respond("   ", [], None))
    assert history == [] and session.turn_starts == []


def test_undo_removes_the_turn_and_gives_the_text_back() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session = _run(chat.respond(ZH_EXAMPLE, [], None))
    history, box, session = chat.undo(history, session)
    assert history == [] and box == ZH_EXAMPLE
    assert session.conversation.messages == [] and session.report is None


def test_undo_keeps_the_earlier_turn_and_its_report() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session = _run(chat.respond(ZH_EXAMPLE, [], None))
    kept = len(history)
    history, _, session = _run(chat.respond("如果换成 16 张卡呢？", history, session))
    history, box, session = chat.undo(history, session)
    assert len(history) == kept and box == "如果换成 16 张卡呢？"
    assert session.report.gpu.gpu_count == 8


def test_retry_answers_the_last_message_again() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session = _run(chat.respond(ZH_EXAMPLE, [], None))
    again, _, session = _run(chat.retry(history, session))
    assert len(again) == len(history) and again[-1].content == history[-1].content
    assert len(session.turn_starts) == 1


def test_clear_starts_a_fresh_conversation() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    _, _, session = _run(chat.respond(ZH_EXAMPLE, [], None))
    history, session = chat.clear(session)
    assert history == [] and session.conversation.messages == [] and session.report is None


def test_restore_replays_the_saved_chat_so_follow_ups_keep_context() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, _ = _run(chat.respond(ZH_EXAMPLE, [], None))
    saved = saved_messages(history)
    assert [m["role"] for m in saved] == ["user", "assistant", "assistant"]  # answer + report, no tool calls
    assert saved[-1]["metadata"]["title"] == "📄 完整报告"
    restored, session = chat.restore(saved, None)
    assert _texts(restored) == [m["content"] for m in saved]
    assert session.report is not None
    history, _, session = _run(chat.respond("如果换成 16 张卡呢？", restored, session))
    assert "16 × NVIDIA GeForce RTX 4090" in history[-1].content


class _Failing(Conversation):
    """A conversation whose turn breaks half-way (a bug, not an endpoint failure)."""

    def send(self, text: str) -> Iterator[Event]:
        yield Event("tool_start", tool="count_parameters", call_id="c1", arguments={})
        raise RuntimeError("boom at /secret/path")


def test_a_crash_becomes_a_friendly_message_and_the_session_survives() -> None:
    chat = ChatHandlers(lambda settings: _Failing(settings), OFFLINE)
    history, _, session = _run(chat.respond("我的模型多大？", [], None))
    assert history[-1].content.startswith("抱歉")
    assert "boom" not in history[-1].content and "Traceback" not in history[-1].content
    session.conversation = Conversation(OFFLINE)  # the same session goes on
    history, _, session = _run(chat.respond("I have 8 GPUs (4090) for 7 days, what should I train?", history,
                                            session))
    assert not history[-1].content.startswith("Sorry") and session.report.kind == "budget"


def test_after_turn_rebuilds_exports_only_for_a_new_report() -> None:
    chat = ChatHandlers(default_factory, OFFLINE)
    history, _, session = _run(chat.respond(ZH_EXAMPLE, [], None))
    first = chat.after_turn(session, history)
    assert first[0]["visible"] is True and session.export_dir is not None
    assert first[-2] == saved_messages(history) and first[-1]["value"] == "offline"
    again = chat.after_turn(session, history)
    assert all(isinstance(update, dict) and update.get("__type__") == "update" and len(update) == 1
               for update in again[:-2])  # gr.skip(): nothing rebuilt
    session.forget_exports()


def test_restore_in_llm_mode_gives_the_model_the_earlier_exchange_as_text() -> None:
    """No LLM call happens on restore: the saved questions and answers become the conversation's context."""
    llm = Settings(api_key="sk-restore-test", base_url="http://127.0.0.1:9/v1", model="m")
    saved = [{"role": "user", "content": "MiniMind2-MoE, 14.8B tokens"}, {"role": "assistant", "content": "# Report"}]
    restored, session = ChatHandlers(default_factory, llm).restore(saved, None)
    assert _texts(restored) == ["MiniMind2-MoE, 14.8B tokens", "# Report"]
    kinds = [(type(m).__name__, m.content) for m in session.conversation.messages]
    assert kinds == [("HumanMessage", "MiniMind2-MoE, 14.8B tokens"), ("AIMessage", "# Report")]
    assert session.turn_starts == [0]
