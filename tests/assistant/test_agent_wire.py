"""LLM mode end to end over real HTTP: Conversation -> create_agent -> ChatOpenAI -> openai SDK -> scripted server.

Nothing is mocked between the conversation and the socket; the scripted server plays the model. Expected numbers are
written out by hand from ``tests/fixtures/models.json`` and plain arithmetic.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import assistant.session
from assistant.agent import MODEL_CALL_LIMIT
from assistant.export import json_export
from assistant.session import Conversation, Event
from assistant.settings import Settings
from tests.llm_server import Delay, Error, Reply, ScriptedLLMServer, ToolCall, ToolCalls
from tests.support.wire import ACTIVE_TOP1, MODEL, PLAN_TOOLS, TOKENS, TOTAL, llm_settings, plan_calls

KEY = "sk-test-SECRET-123"

# MiniMind2-MoE at top-1 (tests/support/wire.py): 145,029,760 total, 65,403,520 activated, 14,796,800,000 tokens.
WORKED_ZH = "145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090"
WORKED_EN = "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8 × RTX 4090: give me the scaling report"
# Arguments the streaming JSON parser cannot repair (a bare word where a key should be).
MALFORMED = '{"model": {"preset": "minimind2-moe"}, oops}'


def settings(server: ScriptedLLMServer, **overrides: Any) -> Settings:
    return llm_settings(server, api_key=KEY, **overrides)


def run(conversation: Conversation, text: str) -> list[Event]:
    return list(conversation.send(text))


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def tool_results(body: dict) -> dict[str, Any]:
    """The tool messages of a request, by tool name (names from the assistant's tool calls), parsed as JSON."""
    names = {call["id"]: call["function"]["name"] for m in body["messages"] if m["role"] == "assistant"
             for call in m.get("tool_calls") or []}
    return {names[m["tool_call_id"]]: json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"}


def answer_from_results(body: dict) -> Reply:
    """The scripted model's second turn: quote (rounded) numbers from the tool results it was sent."""
    results = tool_results(body)
    params, chin, gpu = results["count_parameters"], results["chinchilla_analysis"], results["project_gpu_time"]
    return Reply(
        f"Your MoE has {params['total_params'] / 1e6:.1f}M parameters, {params['active_params'] / 1e6:.1f}M of them "
        f"activated per token. It trains on {chin['tokens'] / 1e9:.1f}B tokens, i.e. "
        f"{chin['tokens_per_active_param']:.0f} tokens per activated parameter, "
        f"and needs about {gpu['gpu_hours']:.1f} GPU-hours on {gpu['gpu_count']} GPUs."
    )


def well_formed(messages: list[dict]) -> bool:
    """Every tool message answers a tool call of an earlier assistant message, and every tool call is answered."""
    calls: list[str] = []
    for message in messages:
        if message["role"] == "assistant":
            calls += [call["id"] for call in message.get("tool_calls") or []]
        elif message["role"] == "tool":
            if message["tool_call_id"] not in calls:
                return False
            calls.remove(message["tool_call_id"])
    return not calls


# -- 1. the standard report in two round trips ------------------------------------------------------------------------


def test_parallel_tool_calls_then_an_answer_quoting_them(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([plan_calls(), answer_from_results])
    events = run(Conversation(settings(llm_server)), WORKED_EN)

    order = kinds(events)
    assert order[:4] == ["tool_start"] * 4
    assert order[4:8] == ["tool_result"] * 4
    assert order[-1] == "final"
    assert set(order[8:-1]) == {"text"} and len(order[8:-1]) >= 2
    assert [e.tool for e in events[:4]] == list(PLAN_TOOLS)
    assert {e.tool for e in events[4:8]} == set(PLAN_TOOLS)
    assert all(e.ok for e in events[4:8])

    final = events[-1]
    assert "65.4M of them activated" in final.text
    assert "14.8B tokens" in final.text
    assert "226 tokens per activated parameter" in final.text  # 14,796,800,000 / 65,403,520 = 226.2
    assert final.report is not None
    assert final.report.params.active_params == ACTIVE_TOP1
    assert final.report.params.total_params == TOTAL
    assert final.report.flops.tokens == TOKENS
    assert final.flags == () and "flag" not in order and "notice" not in order
    assert llm_server.round_trips == 2

    first, second = llm_server.chat_bodies
    assert first["stream"] is True
    assert set(PLAN_TOOLS) <= {tool["function"]["name"] for tool in first["tools"]}
    received = tool_results(second)  # json.loads succeeded: the model was sent valid JSON
    assert set(received) == set(PLAN_TOOLS)
    assert received["count_parameters"]["active_params"] == ACTIVE_TOP1
    assert received["count_parameters"]["total_params"] == TOTAL
    assert received["estimate_training_flops"]["tokens"] == TOKENS
    assert received["estimate_training_flops"]["six_nd_flops"] == pytest.approx(6 * ACTIVE_TOP1 * TOKENS, rel=1e-12)
    assert received["chinchilla_analysis"]["tokens_per_active_param"] == pytest.approx(TOKENS / ACTIVE_TOP1, rel=1e-12)
    assert received["project_gpu_time"]["gpu_count"] == 8


# -- 2. malformed tool-call JSON ---------------------------------------------------------------------------------------


def test_malformed_arguments_are_retried_once_with_a_note(llm_server: ScriptedLLMServer) -> None:
    answer = "MiniMind2-MoE has 145.0M parameters, 65.4M of them activated at top-1."
    llm_server.script([
        ToolCalls([ToolCall("count_parameters", MALFORMED)]),
        ToolCalls([ToolCall("count_parameters", {"model": MODEL})]),
        Reply(answer),
    ])
    conversation = Conversation(settings(llm_server))
    events = run(conversation, "How many parameters does MiniMind2-MoE have at top-1?")

    assert events[-1].kind == "final" and events[-1].text == answer
    assert "notice" not in kinds(events) and "error" not in kinds(events)
    assert [e.tool for e in events if e.kind == "tool_start"] == ["count_parameters"]  # the malformed call never ran
    assert [e.ok for e in events if e.kind == "tool_result"] == [True]
    assert llm_server.round_trips == 3
    retry = llm_server.chat_bodies[1]["messages"]
    assert retry[-1]["role"] == "user" and "invalid JSON" in retry[-1]["content"]
    # The note was for that one call: it is neither in the next request nor in the conversation.
    assert not any("invalid JSON" in str(m.get("content")) for m in llm_server.chat_bodies[2]["messages"])
    assert not any("invalid JSON" in str(m.content) for m in conversation.messages)


def test_malformed_twice_falls_back_to_the_offline_model(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([ToolCalls([ToolCall("count_parameters", MALFORMED)])] * 2)
    events = run(Conversation(settings(llm_server)), WORKED_EN)

    notices = [e for e in events if e.kind == "notice"]
    assert len(notices) == 1 and "malformed" in notices[0].text
    assert events[-1].kind == "final" and events[-1].mode == "fallback"
    assert events[-1].report is not None and events[-1].report.params.active_params == ACTIVE_TOP1
    assert llm_server.round_trips == 2  # once, then the retry; the offline model finishes the turn


# -- 3. unknown tool ---------------------------------------------------------------------------------------------------


def test_an_unknown_tool_gets_an_error_result_the_model_reads(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([ToolCalls([ToolCall("make_coffee", {"strength": 9})]),
                       Reply("I cannot make coffee; ask me about your training run.")])
    events = run(Conversation(settings(llm_server)), "Make me a coffee.")

    result = next(e for e in events if e.kind == "tool_result")
    assert result.tool == "make_coffee" and not result.ok
    tool_messages = [m for m in llm_server.chat_bodies[1]["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 1 and tool_messages[0]["tool_call_id"] == "call_1"
    assert "make_coffee" in tool_messages[0]["content"] and "error" in tool_messages[0]["content"].lower()
    assert "count_parameters" in tool_messages[0]["content"]  # it names the tools that exist
    assert events[-1].kind == "final" and events[-1].text.startswith("I cannot make coffee")


# -- 4. a tool error the model corrects --------------------------------------------------------------------------------


def test_the_model_corrects_a_bad_preset_from_the_hint(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([
        ToolCalls([ToolCall("count_parameters", {"model": {"preset": "gpt-9"}})]),
        ToolCalls([ToolCall("count_parameters", {"model": MODEL})]),
        Reply("MiniMind2-MoE: 145.0M parameters, 65.4M activated."),
    ])
    events = run(Conversation(settings(llm_server)), "Count GPT-9's parameters, or MiniMind2-MoE's.")

    first, second = [e for e in events if e.kind == "tool_result"]
    assert not first.ok and "preset" in first.result["error"] and first.result["hint"]
    assert second.ok and second.result["active_params"] == ACTIVE_TOP1
    sent = [json.loads(m["content"]) for m in llm_server.chat_bodies[1]["messages"] if m["role"] == "tool"]
    assert "preset" in sent[0]["error"] and "minimind2-moe" in sent[0]["error"] and sent[0]["hint"]
    assert events[-1].kind == "final" and events[-1].text == "MiniMind2-MoE: 145.0M parameters, 65.4M activated."
    assert events[-1].flags == ()


# -- 5. a model that loops on tool calls -------------------------------------------------------------------------------


def test_a_looping_model_is_stopped_by_the_call_limit(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([ToolCalls([ToolCall("count_parameters", {"model": MODEL})])], repeat_last=True)
    conversation = Conversation(settings(llm_server))
    with ThreadPoolExecutor(1) as pool:  # a hang fails the test instead of blocking the suite
        events = pool.submit(run, conversation, "Count the parameters.").result(timeout=30)

    assert events[-1].kind == "final"  # the call limit ends the run cleanly, before the recursion backstop
    assert 1 < llm_server.round_trips <= MODEL_CALL_LIMIT  # every answer was a 200: no retries

    llm_server.script([Reply("Still here.")])
    after = run(conversation, "Are you still there?")
    assert after[-1].kind == "final" and after[-1].text == "Still here."
    assert well_formed(llm_server.chat_bodies[-1]["messages"])


def test_a_run_that_dies_midway_leaves_a_history_the_endpoint_accepts(
    llm_server: ScriptedLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run cut short between a tool round and the next model call (here by a tiny recursion limit) keeps the
    complete round; an OpenAI endpoint would reject a tool message whose tool call was dropped."""
    monkeypatch.setattr(assistant.session, "RECURSION_LIMIT", 5)
    llm_server.script([ToolCalls([ToolCall("count_parameters", {"model": MODEL})])], repeat_last=True)
    conversation = Conversation(settings(llm_server))
    events = run(conversation, "Count the parameters.")
    assert events[-1].kind == "error" and "Traceback" not in events[-1].text

    monkeypatch.undo()
    llm_server.script([Reply("Recovered.")])
    after = run(conversation, "Try again.")
    assert after[-1].text == "Recovered."
    sent = llm_server.chat_bodies[-1]["messages"]
    assert well_formed(sent)
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool", "user"]


# -- 6. 429 then success -----------------------------------------------------------------------------------------------


def test_a_rate_limit_is_retried_by_the_sdk(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Error(429, headers={"retry-after-ms": "1"}), Reply("Hello after a short wait.")])
    events = run(Conversation(settings(llm_server)), "hello")

    assert events[-1].kind == "final" and events[-1].text == "Hello after a short wait."
    assert "notice" not in kinds(events)
    assert events[-1].mode == "llm"
    assert llm_server.round_trips == 2


# -- 7. failures fall back to the offline model ------------------------------------------------------------------------

FAILURES = {
    # name: (turns, settings overrides, expected_api_key, words in the notice, round trips)
    "rate limit": ([Error(429, headers={"retry-after-ms": "1"})] * 2, {}, None, "超出速率限制或额度", 2),
    "HTTP 500": ([Error(500, headers={"retry-after-ms": "1"})] * 2, {}, None, "接口出错（HTTP 500）", 2),
    "timeout": ([Delay(1.5, Reply("too late"))], {"timeout_s": 0.5, "max_retries": 0}, None, "接口超时", 1),
    "bad key": ([Reply("never sent")], {}, "sk-the-right-key", "API 密钥被拒绝", 1),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_an_endpoint_failure_falls_back_with_a_notice_and_a_full_report(
    llm_server: ScriptedLLMServer, name: str
) -> None:
    turns, overrides, expected_key, reason, round_trips = FAILURES[name]
    llm_server.script(turns)
    llm_server.expected_api_key = expected_key
    events = run(Conversation(settings(llm_server, **overrides)), WORKED_ZH)

    order = kinds(events)
    assert order.count("notice") == 1 and order[0] == "notice"
    notice = events[0]
    assert reason in notice.text and "离线" in notice.text  # the user's language around the reason
    assert order[-1] == "final" and "error" not in order
    final = events[-1]
    assert final.mode == "fallback" and final.flags == ()
    assert {e.tool for e in events if e.kind == "tool_result" and e.ok} >= set(PLAN_TOOLS)
    # 145M with 1 shared + 4 routed experts is within 1% of MiniMind2-MoE's 145,029,760, so the offline planner's
    # count_parameters call is resolved to that preset and counted exactly at top-1.
    assert final.report is not None and final.report.language == "zh"
    assert final.report.params.active_params == ACTIVE_TOP1
    assert final.report.flops.tokens == TOKENS
    assert final.report.chinchilla.data_matched_params == TOKENS / 20
    assert final.text.startswith(final.report.understood)  # the offline answer: the verdict card first
    assert llm_server.round_trips == round_trips  # the failing endpoint is not asked again in the same turn


# -- 8. numbers no tool produced are flagged ---------------------------------------------------------------------------


def test_an_invented_number_is_flagged_and_quoted_ones_are_not(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([
        plan_calls(),
        Reply("With 65.4M activated parameters on 14.8B tokens you are at 226 tokens per parameter; "
              "I would train on about 123.4B tokens instead."),
    ])
    events = run(Conversation(settings(llm_server)), WORKED_EN)

    flags = [e for e in events if e.kind == "flag"]
    assert len(flags) == 1 and "123.4B" in flags[0].text
    assert kinds(events)[-1] == "final" and kinds(events).index("flag") == len(events) - 2
    assert events[-1].flags == ("123.4B",)


# -- 9. the API key never leaks ----------------------------------------------------------------------------------------


def test_the_api_key_reaches_the_server_and_nothing_else(
    llm_server: ScriptedLLMServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    llm_server.script([plan_calls(), answer_from_results])
    conversation = Conversation(settings(llm_server))
    events = run(conversation, WORKED_EN)
    llm_server.expected_api_key = "sk-some-other-key"  # the next turn is rejected (401) and falls back
    events += run(conversation, "如果换成 16 张卡呢?")
    assert "notice" in kinds(events)

    report = conversation.report("en")
    assert report is not None
    texts = [e.text for e in events] + [json.dumps([e.arguments, e.result], ensure_ascii=False) for e in events]
    places = {
        "events": "\n".join(texts),
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "conversation repr": repr(conversation),
        "settings repr": repr(conversation.settings),
        "report JSON": json_export(report),
        "server log": "\n".join(llm_server.log),
        "recorded headers": json.dumps([r.headers for r in llm_server.requests]),
    }
    assert caplog.records  # the SDK and the server did log at DEBUG
    for where, text in places.items():
        assert KEY not in text, where
    assert llm_server.saw_api_key(KEY)
    assert all(r.headers["authorization"] == "Bearer ***" for r in llm_server.requests)


# -- 10. streaming -----------------------------------------------------------------------------------------------------


def test_text_streams_in_several_deltas_that_add_up_to_the_answer(llm_server: ScriptedLLMServer) -> None:
    answer = "Chinchilla suggests about twenty tokens per parameter; your plan is far beyond that."
    llm_server.script([Reply(answer)])
    events = run(Conversation(settings(llm_server)), "Is my plan over-trained?")

    deltas = [e.text for e in events if e.kind == "text"]
    assert len(deltas) >= 3
    assert "".join(deltas) == events[-1].text == answer
    assert kinds(events) == ["text"] * len(deltas) + ["final"]
