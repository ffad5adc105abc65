"""Bounded work per turn: the message length cap, the per-turn time budget, and a reader failure that no longer
ends the conversation. Expected sentences are written by hand."""

from __future__ import annotations

import pytest

import assistant.session as session
from assistant.session import MAX_MESSAGE_CHARS, Conversation
from assistant.settings import Settings
from tests.conftest import PLAN_EN, PLAN_ZH


def _conversation() -> Conversation:
    return Conversation(Settings(force_offline=True))


def test_a_message_over_the_cap_is_refused_unread_and_the_conversation_goes_on() -> None:
    conv = _conversation()
    assert list(conv.send(PLAN_ZH))[-1].kind == "final"
    kept = list(conv.messages)
    events = list(conv.send("8 张 4090，" * 1000))  # 9,000 characters
    assert [event.kind for event in events] == ["error"]
    assert events[0].text == ("这条消息有 9,000 个字符，上限是 8,000 个。"
                              "请缩短：如果是 config.json，只粘贴描述模型的字段即可。")
    assert conv.messages == kept
    assert list(conv.send("如果换成 16 张卡呢?"))[-1].kind == "final"


def test_the_cap_is_said_in_english_to_an_english_conversation() -> None:
    conv = _conversation()
    list(conv.send(PLAN_EN))
    events = list(conv.send("x" * (MAX_MESSAGE_CHARS + 1)))
    assert events[-1].text.startswith("This message is 8,001 characters long, and the limit is 8,000.")


def test_a_message_at_the_cap_is_read() -> None:
    text = (PLAN_EN + " ")
    text = text + " " * (MAX_MESSAGE_CHARS - len(text))
    assert list(_conversation().send(text))[-1].kind == "final"


def test_a_turn_past_its_budget_is_stopped_at_its_next_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(session.TURN_BUDGET_S, "offline", -1.0)  # every step is past the deadline
    conv = _conversation()
    events = list(conv.send(PLAN_ZH))
    assert [event.kind for event in events] == ["error"]
    assert events[0].text == "这一轮超过了 -1 秒的时限，已经停止。对话已保留；请重试，或者把问题写得短一些。"
    assert [type(m).__name__ for m in conv.messages] == ["HumanMessage"]
    monkeypatch.setitem(session.TURN_BUDGET_S, "offline", 10.0)
    assert list(conv.send("如果换成 16 张卡呢?"))[-1].kind == "final"


def test_a_reader_that_fails_does_not_end_the_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    conv = _conversation()
    list(conv.send(PLAN_EN))

    def broken(turn):  # noqa: ANN001, ANN202 - stands in for assistant.offline.planner.plans
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(session, "plans", broken)
    events = list(conv.send("what if we used 1e400 GPUs?"))
    assert events[-1].kind in ("final", "error")
    assert "OverflowError" not in " ".join(event.text for event in events)
