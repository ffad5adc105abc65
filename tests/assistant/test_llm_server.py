"""The scripted LLM server speaks OpenAI's chat-completions protocol well enough for the real SDKs, over real HTTP."""

from __future__ import annotations

import json
import logging
import operator
import time
from functools import reduce

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_openai import ChatOpenAI

from tests.llm_server import Delay, Error, Reply, ScriptedLLMServer, ToolCall, ToolCalls

KEY = "sk-test-0123456789abcdef"
HI = [{"role": "user", "content": "hi"}]


def client(server: ScriptedLLMServer, **kwargs) -> openai.OpenAI:
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=server.base_url, api_key=kwargs.pop("api_key", KEY), **kwargs)


def chat_model(server: ScriptedLLMServer, **kwargs) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=server.base_url, api_key=KEY, model="scripted-model", use_responses_api=False, max_retries=0, **kwargs
    )


def count_parameters(n_layers: int, d_model: int) -> int:
    """Count the parameters of a dense transformer."""
    raise NotImplementedError


def estimate_training_flops(n_params: int, n_tokens: int) -> int:
    """Estimate the training FLOPs."""
    raise NotImplementedError


# -- the openai SDK ---------------------------------------------------------------------------------------------------


def test_non_streaming_text(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Reply("Hello from the script.")])
    response = client(llm_server).chat.completions.create(model="any-model", messages=HI)
    assert response.choices[0].message.content == "Hello from the script."
    assert response.choices[0].finish_reason == "stop"
    assert response.model == "any-model"
    assert llm_server.chat_bodies == [{"messages": HI, "model": "any-model"}]


def test_streaming_text_arrives_in_several_deltas(llm_server: ScriptedLLMServer) -> None:
    text = "Chinchilla says about twenty tokens per parameter."
    llm_server.script([Reply(text)])
    chunks = list(client(llm_server).chat.completions.create(model="m", messages=HI, stream=True))
    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(deltas) > 1
    assert "".join(deltas) == text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)  # no usage chunk unless asked for


def test_parallel_tool_calls(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(
        [
            ToolCalls(
                [
                    ToolCall("count_parameters", {"n_layers": 12, "d_model": 768}, id="call_a"),
                    ToolCall("estimate_training_flops", '{"n_params": 124000000, "n_tokens": 2.6e9}'),
                ]
            )
        ]
    )
    choice = client(llm_server).chat.completions.create(model="m", messages=HI).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert [(c.id, c.type, c.function.name) for c in calls] == [
        ("call_a", "function", "count_parameters"),
        ("call_1", "function", "estimate_training_flops"),
    ]
    assert json.loads(calls[0].function.arguments) == {"n_layers": 12, "d_model": 768}
    assert json.loads(calls[1].function.arguments) == {"n_params": 124000000, "n_tokens": 2.6e9}


def test_streamed_tool_calls_follow_openais_chunk_format(llm_server: ScriptedLLMServer) -> None:
    arguments = '{"n_layers": 12, "d_model": 768}'
    llm_server.script([ToolCalls([ToolCall("count_parameters", arguments, id="call_a"), ToolCall("noop", "{}")])])
    stream = client(llm_server).chat.completions.create(
        model="m", messages=HI, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    deltas = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    first = [d for d in deltas if d.index == 0]
    assert (first[0].id, first[0].type, first[0].function.name, first[0].function.arguments) == (
        "call_a",
        "function",
        "count_parameters",
        "",
    )
    fragments = first[1:]
    assert len(fragments) > 1 and all(d.id is None and d.function.name is None for d in fragments)
    assert "".join(d.function.arguments for d in fragments) == arguments
    assert [d.function.name for d in deltas if d.index == 1] == ["noop", None]
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "tool_calls"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens


def test_usage_and_counters(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Reply("one"), Reply("two")])
    first = client(llm_server).chat.completions.create(model="m", messages=HI)
    # json.dumps(messages + tools) for HI, written out by hand: 35 characters, so 35 // 4 = 8 estimated tokens.
    assert len('[{"role": "user", "content": "hi"}]') == 35
    assert first.usage.prompt_tokens == 8
    assert first.usage.completion_tokens >= 1
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    second = client(llm_server).chat.completions.create(model="m", messages=HI, tools=tools)
    # ... plus ', {"type": "function", "function": {"name": "f", "parameters": {}}}': 101 characters, 101 // 4 = 25.
    assert second.usage.prompt_tokens == 25
    assert llm_server.round_trips == 2
    assert llm_server.prompt_tokens_total == 8 + 25


def test_models_endpoint(llm_server: ScriptedLLMServer) -> None:
    llm_server.expected_api_key = KEY
    assert [m.id for m in client(llm_server).models.list()] == ["scripted-model"]
    with pytest.raises(openai.AuthenticationError):
        client(llm_server, api_key="sk-wrong").models.list()
    assert llm_server.round_trips == 0


def test_wrong_api_key_is_401_and_consumes_no_turn(llm_server: ScriptedLLMServer) -> None:
    llm_server.expected_api_key = KEY
    llm_server.script([Reply("for the right key")])
    with pytest.raises(openai.AuthenticationError) as caught:
        client(llm_server, api_key="sk-wrong").chat.completions.create(model="m", messages=HI)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    reply = client(llm_server).chat.completions.create(model="m", messages=HI)
    assert reply.choices[0].message.content == "for the right key"
    assert llm_server.round_trips == 2


def test_scripted_401_body_reaches_the_sdk(llm_server: ScriptedLLMServer) -> None:
    body = {"error": {"message": "Incorrect API key", "type": "invalid_request_error", "code": "invalid_api_key"}}
    llm_server.script([Error(401, body)])
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
        client(llm_server).chat.completions.create(model="m", messages=HI)


def test_429_then_success_is_retried_by_the_sdk(llm_server: ScriptedLLMServer) -> None:
    # "retry-after-ms" rather than "retry-after: 0": the SDK ignores a zero delay and backs off ~0.4-0.5 s instead.
    llm_server.script([Error(429, headers={"retry-after-ms": "1"}), Reply("after the rate limit")])
    reply = client(llm_server, max_retries=1).chat.completions.create(model="m", messages=HI)
    assert reply.choices[0].message.content == "after the rate limit"
    assert llm_server.round_trips == 2
    retry_counts = [r.headers.get("x-stainless-retry-count") for r in llm_server.requests]
    assert retry_counts == ["0", "1"]


def test_500_raises_without_retries(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Error(500), Reply("never sent")])
    with pytest.raises(openai.InternalServerError):
        client(llm_server, max_retries=0).chat.completions.create(model="m", messages=HI)
    assert llm_server.round_trips == 1


def test_delay_longer_than_the_timeout_raises(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Delay(5.0, then=Reply("too late"))])
    with pytest.raises(openai.APITimeoutError):
        client(llm_server, timeout=0.2).chat.completions.create(model="m", messages=HI)


def test_delay_within_the_timeout_answers(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Delay(0.05, then=Reply("in time"))])
    reply = client(llm_server, timeout=5).chat.completions.create(model="m", messages=HI)
    assert reply.choices[0].message.content == "in time"


def test_exhausted_script_fails_loudly_and_is_not_retried(llm_server: ScriptedLLMServer) -> None:
    with pytest.raises(openai.InternalServerError, match="script exhausted"):
        client(llm_server, max_retries=2).chat.completions.create(model="m", messages=HI)
    assert llm_server.round_trips == 1


def test_repeat_last_replays_the_last_turn(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Reply("first"), ToolCalls([ToolCall("again", {})])], repeat_last=True)
    sdk = client(llm_server)
    answers = [sdk.chat.completions.create(model="m", messages=HI).choices[0] for _ in range(4)]
    assert answers[0].message.content == "first"
    assert [a.message.tool_calls[0].function.name for a in answers[1:]] == ["again"] * 3
    assert len({a.message.tool_calls[0].id for a in answers[1:]}) == 3  # fresh ids each time


def test_callable_turn_sees_the_request(llm_server: ScriptedLLMServer) -> None:
    def echo_tool_result(request: dict) -> Reply:
        tool_message = next(m for m in request["messages"] if m["role"] == "tool")
        return Reply(f"The tool said {tool_message['content']}.")

    llm_server.script([echo_tool_result])
    messages = [
        *HI,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_a", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "42"},
    ]
    reply = client(llm_server).chat.completions.create(model="m", messages=messages)
    assert reply.choices[0].message.content == "The tool said 42."


def test_raw_http_without_the_v1_prefix(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Reply("no prefix")])
    url = f"http://127.0.0.1:{llm_server.port}/chat/completions"
    response = httpx.post(url, json={"model": "m", "messages": HI})
    assert response.json()["choices"][0]["message"]["content"] == "no prefix"
    assert httpx.get(f"http://127.0.0.1:{llm_server.port}/v1/nowhere").status_code == 404


# -- langchain_openai.ChatOpenAI over chat completions ----------------------------------------------------------------


def test_chat_openai_invoke_text(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([Reply("Hello, LangChain.")])
    message = chat_model(llm_server).invoke("hi")
    assert isinstance(message, AIMessage)
    assert message.content == "Hello, LangChain."
    assert message.usage_metadata is not None and message.usage_metadata["input_tokens"] > 0
    assert llm_server.chat_bodies[0]["messages"] == HI


def test_chat_openai_bind_tools_parallel_calls(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(
        [
            ToolCalls(
                [
                    ToolCall("count_parameters", {"n_layers": 12, "d_model": 768}),
                    ToolCall("estimate_training_flops", {"n_params": 124_000_000, "n_tokens": 2_600_000_000}),
                ]
            )
        ]
    )
    message = chat_model(llm_server).bind_tools([count_parameters, estimate_training_flops]).invoke("size GPT-2")
    assert [(c["name"], c["args"], c["id"]) for c in message.tool_calls] == [
        ("count_parameters", {"n_layers": 12, "d_model": 768}, "call_1"),
        ("estimate_training_flops", {"n_params": 124_000_000, "n_tokens": 2_600_000_000}, "call_2"),
    ]
    sent_tools = [t["function"]["name"] for t in llm_server.chat_bodies[0]["tools"]]
    assert sent_tools == ["count_parameters", "estimate_training_flops"]


def test_chat_openai_stream_text_and_tool_call_chunks(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(
        [ToolCalls([ToolCall("count_parameters", {"n_layers": 12, "d_model": 768})], text="Let me count.")]
    )
    model = chat_model(llm_server, stream_usage=True).bind_tools([count_parameters])
    chunks = list(model.stream("size GPT-2"))
    assert len(chunks) > 3
    full = reduce(operator.add, chunks)
    assert isinstance(full, AIMessageChunk)
    assert full.content == "Let me count."
    assert [(c["name"], c["id"], c["index"]) for c in full.tool_call_chunks] == [("count_parameters", "call_1", 0)]
    assert full.tool_calls[0]["args"] == {"n_layers": 12, "d_model": 768}
    assert full.usage_metadata is not None and full.usage_metadata["total_tokens"] > 0
    assert llm_server.chat_bodies[0]["stream_options"] == {"include_usage": True}


def test_chat_openai_malformed_arguments_become_invalid_tool_calls(llm_server: ScriptedLLMServer) -> None:
    bad = '{"n_layers": 12, oops}'
    llm_server.script([ToolCalls([ToolCall("count_parameters", bad)])] * 2)
    model = chat_model(llm_server).bind_tools([count_parameters])
    message = model.invoke("size it")
    assert message.tool_calls == []
    assert [(c["name"], c["args"], c["id"]) for c in message.invalid_tool_calls] == [
        ("count_parameters", bad, "call_1")
    ]
    assert "not valid JSON" in message.invalid_tool_calls[0]["error"]
    streamed = reduce(operator.add, model.stream("size it"))
    assert streamed.tool_calls == []
    assert [(c["name"], c["args"]) for c in streamed.invalid_tool_calls] == [("count_parameters", bad)]


def test_chat_openai_streaming_repairs_truncated_arguments_that_invoke_rejects(llm_server: ScriptedLLMServer) -> None:
    """A characterisation of langchain-core: streamed arguments go through a lenient partial-JSON parser."""
    truncated = '{"n_layers": 12'
    llm_server.script([ToolCalls([ToolCall("count_parameters", truncated)])] * 2)
    model = chat_model(llm_server).bind_tools([count_parameters])
    assert model.invoke("x").invalid_tool_calls[0]["args"] == truncated
    assert reduce(operator.add, model.stream("x")).tool_calls[0]["args"] == {"n_layers": 12}


# -- secrets ---------------------------------------------------------------------------------------------------------


def test_api_key_is_never_recorded_or_logged(
    llm_server: ScriptedLLMServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    llm_server.expected_api_key = KEY
    llm_server.script([Reply("plain"), Reply("via langchain"), Reply("streamed"), Error(500)])
    client(llm_server).chat.completions.create(model="m", messages=HI)
    chat_model(llm_server).invoke("hi")
    with pytest.raises(openai.AuthenticationError):
        client(llm_server, api_key="sk-other-secret").chat.completions.create(model="m", messages=HI)
    list(client(llm_server).chat.completions.create(model="m", messages=HI, stream=True))
    with pytest.raises(openai.InternalServerError):
        client(llm_server).chat.completions.create(model="m", messages=HI)

    assert llm_server.saw_api_key(KEY)
    assert llm_server.saw_api_key("sk-other-secret")
    assert not llm_server.saw_api_key("sk-never-sent")
    assert {r.headers["authorization"] for r in llm_server.requests} == {"Bearer ***"}
    assert len(llm_server.log) == len(llm_server.requests) == 5
    captured = capfd.readouterr()
    for text in (repr(llm_server.requests), repr(llm_server), "\n".join(llm_server.log), caplog.text, *captured):
        assert KEY not in text
        assert "sk-other-secret" not in text
    assert any("scripted LLM server" in r.getMessage() for r in caplog.records)  # the log was captured, and is clean


def test_a_client_hanging_up_is_quiet(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    with ScriptedLLMServer([Delay(0.3, then=Reply("x" * 200_000))]) as server:
        with pytest.raises(openai.APITimeoutError):
            client(server, timeout=0.1).chat.completions.create(model="m", messages=HI)
        deadline = time.monotonic() + 5
        while not server.log and time.monotonic() < deadline:  # the status line is logged before the body is written
            time.sleep(0.01)
    # stop() joined the handler, so its write to the closed socket has failed by now, without a word.
    assert server.log == ['"POST /v1/chat/completions HTTP/1.1" 200 -']
    assert capfd.readouterr() == ("", "")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- provider dialects ------------------------------------------------------------------------------------------------


def test_dashscope_dialect_sends_whole_tool_calls_last_without_index(llm_server: ScriptedLLMServer) -> None:
    llm_server.dialect = "dashscope"
    llm_server.script([ToolCalls([ToolCall("f", {"a": 1}, id="call_a"), ToolCall("g", {"b": 2}, id="call_b")],
                                 reasoning="think first")])
    body = httpx.post(f"{llm_server.base_url}/chat/completions",
                      json={"model": "m", "messages": HI, "stream": True}).text
    chunks = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: {")]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": None}
    assert [d.get("reasoning_content") for d in deltas[1:3]] == ["think ", "first"]
    last = chunks[-1]["choices"][0]
    assert last["finish_reason"] == "tool_calls" and last["delta"]["content"] is None
    calls = [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]), "index" in c)
             for c in last["delta"]["tool_calls"]]
    assert calls == [("call_a", "f", {"a": 1}, False), ("call_b", "g", {"b": 2}, False)]
    assert not any("tool_calls" in d for d in deltas[:-1])


def test_a_finish_reason_and_reasoning_reach_the_sdk(llm_server: ScriptedLLMServer) -> None:
    llm_server.script([ToolCalls([ToolCall("f", '{"a": 1, "b": "tru')], finish_reason="length"),
                       Reply("ok", reasoning="because")])
    cut = client(llm_server).chat.completions.create(model="m", messages=HI).choices[0]
    assert cut.finish_reason == "length" and cut.message.tool_calls[0].function.arguments == '{"a": 1, "b": "tru'
    answer = client(llm_server).chat.completions.create(model="m", messages=HI).choices[0].message
    assert answer.content == "ok" and answer.model_extra["reasoning_content"] == "because"


def test_strict_reasoning_answers_400_naming_the_message(llm_server: ScriptedLLMServer) -> None:
    llm_server.require_reasoning_content = True
    llm_server.script([Reply("accepted")])
    call = {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    history = [*HI, {"role": "assistant", "content": None, "tool_calls": [call]},
               {"role": "tool", "tool_call_id": "call_a", "content": "1"}]
    with pytest.raises(openai.BadRequestError, match="message at message index 1"):
        client(llm_server).chat.completions.create(model="m", messages=history)
    history[1] = {**history[1], "reasoning_content": "r"}
    assert client(llm_server).chat.completions.create(model="m", messages=history).choices[0].message.content == (
        "accepted")


def test_vllm_without_a_tool_parser_writes_the_calls_as_text(llm_server: ScriptedLLMServer) -> None:
    llm_server.dialect = "vllm-no-tool-parser"
    llm_server.script([ToolCalls([ToolCall("f", {"a": 1})])])
    choice = client(llm_server).chat.completions.create(model="m", messages=HI).choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None
    assert choice.message.content == '<tool_call>\n{"name": "f", "arguments": {"a": 1}}\n</tool_call>'
