"""The offline loop against the LangChain graph it stands in for: the same events and the same conversation.

:class:`~assistant.offline.loop.OfflineAgent` (what ``Conversation(Settings())`` runs offline) must be
indistinguishable from ``create_agent`` with the offline planner as its model (``build_agent(settings,
model=OfflinePlannerModel())``). Every phrasing of the corpus, and conversations with follow-ups of every kind the
planner answers (what-ifs, comparisons, paper text, a concept, a memory question, an unchanged plan), go through
both; the events and the messages each leaves in the conversation must be equal. Two things are random or
unordered in the graph and are normalised: the tool-call ids (the planner draws them; numbered here in order of
the calls) and the order of the tool results (the graph runs the tools in parallel threads; sorted here in order
of the calls). Durations and message ids are left out.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage

from assistant.agent import build_agent
from assistant.offline.loop import OfflineAgent
from assistant.offline.model import OfflinePlannerModel
from assistant.session import Conversation, Event
from assistant.settings import Settings
from tests.support.phrasings import load

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(force_offline=True)
CORPUS = [entry for name in ("dev", "heldout") for entry in load(name)]
OPENINGS = (
    "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，28.9M 条样本 × 512 字，8 张 4090",
    "145M-parameter MoE, 1 shared + 4 routed experts, top-1, 28.9M samples × 512 characters, 8× RTX 4090",
    "DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour",
    "我有 8 张 4090，可以用 7 天，应该训练多大的模型？",
)
FOLLOW_UPS = (
    "换成 16 张卡呢", "what if the model were 740M?", "stop at 3B tokens", "MFU 20%", "8 张和 16 张对比一下",
    "compare top-1 vs top-2", "compare the scaling law fits", "帮我写一段论文里的方法段落", "显存够吗？",
    "What will the loss curve look like?", "什么是 6ND?", "What does MFU mean?", "Try again.", "hello",
)


@pytest.fixture(scope="module")
def graph() -> Any:
    """The LangChain graph with the offline planner as its model (stateless: one serves every conversation)."""
    return build_agent(SETTINGS, model=OfflinePlannerModel())


def _both(graph: Any, texts: list[str]) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]:
    loop, reference = Conversation(SETTINGS), Conversation(SETTINGS, agent=graph)
    assert isinstance(loop.agent, OfflineAgent)
    return _run(loop, texts), _run(reference, texts)


def _run(conversation: Conversation, texts: list[str]) -> tuple[list[str], list[str]]:
    events = [event for text in texts for event in conversation.send(text)]
    ids: dict[str, int] = {}
    return _events(events, ids), _messages(conversation.messages, ids)


def _events(events: list[Event], ids: dict[str, int]) -> list[str]:
    for event in events:
        if event.kind == "tool_start":
            ids.setdefault(event.call_id, len(ids))
    shown = [replace(event, duration_s=None, call_id=ids.get(event.call_id)) for event in events]
    return [repr(event) for event in _in_call_order(shown, lambda e: e.kind == "tool_result", lambda e: e.call_id)]


def _messages(messages: list[BaseMessage], ids: dict[str, int]) -> list[str]:
    def number(message: BaseMessage) -> dict[str, Any]:
        fields = message.model_dump(exclude={"id"})
        for call in fields.get("tool_calls") or []:
            call["id"] = ids[call["id"]]
        if "tool_call_id" in fields:
            fields["tool_call_id"] = ids[fields["tool_call_id"]]
        return fields

    numbered = [number(message) for message in messages]
    ordered = _in_call_order(numbered, lambda m: m["type"] == "tool", lambda m: m["tool_call_id"])
    return [repr(fields) for fields in ordered]


def _in_call_order(items: list[Any], is_result: Any, call: Any) -> list[Any]:
    """``items`` with each run of consecutive tool results sorted by the number of its call."""
    ordered: list[Any] = []
    run: list[Any] = []
    for item in [*items, None]:
        if item is not None and is_result(item):
            run.append(item)
            continue
        ordered += sorted(run, key=call)
        run = []
        if item is not None:
            ordered.append(item)
    return ordered


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_every_phrasing_gives_the_graphs_events(graph: Any, entry: dict[str, Any]) -> None:
    (events, messages), (expected_events, expected_messages) = _both(graph, [entry["text"]])
    assert events == expected_events
    assert messages == expected_messages


@pytest.mark.parametrize("opening", OPENINGS)
def test_follow_ups_give_the_graphs_events(graph: Any, opening: str) -> None:
    (events, messages), (expected_events, expected_messages) = _both(graph, [opening, *FOLLOW_UPS])
    assert sum("kind='tool_start'" in event for event in events) > 5  # the follow-ups ran tools too
    assert events == expected_events
    assert messages == expected_messages


def test_a_tool_that_raises_becomes_the_same_error_message(graph: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ToolErrorMiddleware makes of an exception in a tool, the offline loop makes too."""
    def broken(name: str, arguments: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("assistant.lc_tools.run_tool", broken)
    (events, messages), (expected_events, expected_messages) = _both(graph, [OPENINGS[0]])
    assert events == expected_events and messages == expected_messages
    assert "ZeroDivisionError in count_parameters" in "".join(messages) and "status': 'error'" in "".join(messages)


def test_a_turn_beyond_the_call_limit_runs_through_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """A turn the loop does not take (here: more calls than the limit allows) is handed to the LangChain graph."""
    import assistant.lc_agent

    built: list[Any] = []
    build_graph = assistant.lc_agent.build_graph
    monkeypatch.setattr("assistant.offline.loop.TOOL_CALL_LIMIT", 2)
    monkeypatch.setattr(assistant.lc_agent, "build_graph", lambda *a, **k: built.append(1) or build_graph(*a, **k))
    events = list(Conversation(SETTINGS).send(OPENINGS[0]))
    assert built and events[-1].kind == "final" and events[-1].report is not None


def test_an_offline_report_imports_no_agent_framework() -> None:
    """`report --offline` answers without LangChain's agent machinery, LangGraph, LangSmith or the openai SDK."""
    probe = ("import sys, io; from assistant.cli import main;"
             f"main(['report', '--offline', {OPENINGS[0]!r}], stdout=io.StringIO());"
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'langchain', 'langgraph', 'langsmith', 'langchain_openai', 'openai', 'gradio'}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
