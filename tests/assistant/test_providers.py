"""Each provider preset on the wire: what its requests carry, and the shapes its answers come in.

The scripted server (``tests/llm_server.py``) speaks each provider's dialect: OpenAI's chunks, DashScope's (``content``
null, every tool call whole in the last chunk, no ``index``), DeepSeek's ``reasoning_content``, and a vLLM server
started without a tool parser (tool calls as ``<tool_call>`` text). What each preset must send is written out here
by hand from the providers' documentation, not read from ``assistant.settings.PROVIDERS``.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.session import Conversation, Event
from assistant.settings import PROVIDERS
from tests.llm_server import Error, Reply, ScriptedLLMServer
from tests.support.wire import ACTIVE_TOP1, llm_settings, plan_calls

KEY = "sk-test-PROVIDERS-7"
REASONING = "The user gave everything; four tools in parallel."
ASK = "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8 × RTX 4090: give me the scaling report"

# provider: parallel_tool_calls sent (None: left out) — OpenAI and DashScope document the parameter (DashScope off
# by default), vLLM accepts it; DeepSeek's and Ollama's OpenAI-compatible APIs do not list it.
WIRE = {"openai": True, "deepseek": None, "qwen": True, "vllm": True, "ollama": None}


def run(server: ScriptedLLMServer, provider: str, text: str = ASK) -> list[Event]:
    return list(Conversation(llm_settings(server, api_key=KEY, provider=provider)).send(text))


def test_every_preset_is_in_the_table() -> None:
    assert set(PROVIDERS) == set(WIRE)


@pytest.mark.parametrize("provider", list(WIRE))
def test_each_preset_sends_what_its_endpoint_takes(llm_server: ScriptedLLMServer, provider: str) -> None:
    llm_server.require_reasoning_content = provider == "deepseek"  # thinking mode: 400 without it
    llm_server.script([plan_calls(REASONING), Reply("65.4M activated parameters.")])
    events = run(llm_server, provider)

    assert events[-1].kind == "final" and events[-1].mode == "llm", [e.text for e in events if e.kind == "notice"]
    assert events[-1].report is not None and events[-1].report.params.active_params == ACTIVE_TOP1
    first, second = llm_server.chat_bodies
    assert first.get("parallel_tool_calls") is WIRE[provider]
    assert first["stream"] is True and first["stream_options"] == {"include_usage": True}
    echoed = [m for m in second["messages"] if m["role"] == "assistant" and m.get("tool_calls")]
    if provider == "deepseek":
        assert echoed[0]["reasoning_content"] == REASONING
    else:
        assert "reasoning_content" not in echoed[0]


def test_dashscope_chunks_give_the_full_report(llm_server: ScriptedLLMServer) -> None:
    """content null beside the calls, all four calls whole in the last chunk, without index."""
    llm_server.dialect = "dashscope"
    llm_server.script([plan_calls(REASONING), Reply("MiniMind2-MoE: 65.4M activated parameters.")])
    events = run(llm_server, "qwen")

    assert [e.tool for e in events if e.kind == "tool_start"] == [
        "count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time"]
    assert all(e.ok for e in events if e.kind == "tool_result")
    assert events[-1].kind == "final" and events[-1].text.endswith("MiniMind2-MoE: 65.4M activated parameters.")
    assert events[-1].report is not None and events[-1].report.gpu.gpu_count == 8


def test_a_vllm_server_without_a_tool_parser_is_recognised(llm_server: ScriptedLLMServer) -> None:
    llm_server.dialect = "vllm-no-tool-parser"
    llm_server.script([plan_calls(REASONING)], repeat_last=True)
    events = run(llm_server, "vllm", ASK.replace("give me the scaling report", "请给出规划报告"))

    notices = [e.text for e in events if e.kind == "notice"]
    assert len(notices) == 1 and "--enable-auto-tool-choice --tool-call-parser hermes" in notices[0]
    assert not any("<tool_call>" in e.text for e in events)  # the call text never reaches the user
    assert events[-1].kind == "final" and events[-1].mode == "fallback"
    assert events[-1].report is not None and events[-1].report.params.active_params == ACTIVE_TOP1
    assert llm_server.round_trips == 1


def test_deepseek_accepts_a_history_with_the_offline_fallbacks_tool_calls(llm_server: ScriptedLLMServer) -> None:
    """The fallback's tool calls carry no reasoning of the model's; they go back with an empty one, not without."""
    llm_server.require_reasoning_content = True
    llm_server.script([Error(503, headers={"x-should-retry": "false"}), Reply("You're welcome.")])
    conversation = Conversation(llm_settings(llm_server, api_key=KEY, provider="deepseek"))
    first = list(conversation.send(ASK))
    second = list(conversation.send("thanks"))
    assert first[-1].mode == "fallback" and second[-1].mode == "llm"
    assert second[-1].text == "You're welcome."
    history: list[dict[str, Any]] = llm_server.chat_bodies[-1]["messages"]
    calls = [m for m in history if m["role"] == "assistant" and m.get("tool_calls")]
    assert calls and all(m["reasoning_content"] == "" for m in calls)
