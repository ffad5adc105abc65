"""LLM-mode cost of a report, counted by the scripted OpenAI-compatible server (printed, not asserted).

The worked example in LLM mode, over real HTTP (Conversation -> create_agent -> ChatOpenAI -> openai SDK), in two
styles of model:

* parallel: the five plan tools in one round, then an answer quoting their results (goal: 2 round trips);
* sequential: what Qwen-class and small vLLM/Ollama models often do: two lookups first (``list_presets``,
  ``describe_gpu``), then the five plan tools one per round, then the answer;

and a conversation of five turns (the report, then four "what if N GPUs?" follow-ups), to show what history costs.

Prompt tokens are the server's *estimate* (``len(json.dumps(messages + tools)) // 4``), summed over the requests;
"fixed" is the part every request repeats: the system prompt and the tool schemas.

Run: ``.venv/bin/python bench/bench_llm_roundtrips.py``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.session import Conversation  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tests.llm_server import Reply, ScriptedLLMServer, ToolCall, ToolCalls, Turn, estimate_prompt_tokens  # noqa: E402

MODEL = {"preset": "minimind2-moe", "top_k": 1}
DATA = {"samples": 2.89e7, "mean_length": 512, "length_unit": "tokens"}
HARDWARE = {"gpu": "4090", "gpu_count": 8}
MESSAGE = "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8 × RTX 4090: give me the scaling report"
CALLS = [
    ToolCall("count_parameters", {"model": MODEL}),
    ToolCall("estimate_training_flops", {"model": MODEL, "data": DATA}),
    ToolCall("chinchilla_analysis", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
    ToolCall("project_gpu_time", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
    ToolCall("estimate_training_memory", {"model": MODEL, "hardware": HARDWARE}),
]
LOOKUPS = [ToolCall("list_presets", {"family": "minimind"}), ToolCall("describe_gpu", {"gpu": "4090"})]


def answer(body: dict) -> Reply:
    """Quote the tool results the server was sent (as a real model would)."""
    names = {c["id"]: c["function"]["name"] for m in body["messages"] if m["role"] == "assistant"
             for c in m.get("tool_calls") or []}
    results = {names[m["tool_call_id"]]: json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"}
    chin = results.get("chinchilla_analysis")
    if not chin or "error" in chin:
        gpu = results.get("project_gpu_time") or {}
        return Reply(f"On {gpu.get('gpu_count')} GPUs it takes {gpu.get('wall_clock_hours', 0):.1f} h.")
    return Reply(f"{chin['active_params'] / 1e6:.1f}M activated parameters on {chin['tokens'] / 1e9:.1f}B tokens: "
                 f"{chin['tokens_per_active_param']:.0f} tokens per parameter.")


def settings(server: ScriptedLLMServer) -> Settings:
    return Settings(api_key="sk-bench", base_url=server.base_url, model="scripted-model", timeout_s=10, max_retries=0)


def measure(label: str, turns: list[Turn], messages: list[str]) -> None:
    with ScriptedLLMServer(turns) as server:
        conversation = Conversation(settings(server))
        start = time.perf_counter()
        events = [event for text in messages for event in conversation.send(text)]
        elapsed = time.perf_counter() - start
        finals = [e for e in events if e.kind == "final"]
        per_request = [estimate_prompt_tokens(body) for body in server.chat_bodies]
        first = server.chat_bodies[0]
        fixed = estimate_prompt_tokens({"messages": first["messages"][:1], "tools": first["tools"]})
        reports = sum(final.report is not None for final in finals)
        fallbacks = sum(e.kind == "notice" for e in events)
        print(f"{label:<28} round trips {server.round_trips:>2}   prompt tokens {server.prompt_tokens_total:>7,}"
              f"   fixed {fixed:,} per request   largest {max(per_request):,}   {elapsed * 1000:5.0f} ms   "
              f"{len(finals)} answers, {reports} with a report, {fallbacks} fallbacks")
        print(f"{'':<28} per request {per_request}")


def main() -> None:
    logging.disable(logging.WARNING)
    measure("parallel (goal: 2)", [ToolCalls(CALLS), answer], [MESSAGE])
    measure("sequential, two lookups", [*(ToolCalls([call]) for call in [*LOOKUPS, *CALLS]), answer], [MESSAGE])
    follow_ups = [f"What if I had {n} GPUs?" for n in (16, 32, 64, 128)]
    turns: list[Turn] = [ToolCalls(CALLS), answer]
    for n in (16, 32, 64, 128):
        hardware = {**HARDWARE, "gpu_count": n}
        turns += [ToolCalls([ToolCall("chinchilla_analysis", {"model": MODEL, "data": DATA, "hardware": hardware}),
                             ToolCall("project_gpu_time", {"model": MODEL, "data": DATA, "hardware": hardware})]),
                  answer]
    measure("five turns (parallel)", turns, [MESSAGE, *follow_ups])


if __name__ == "__main__":
    main()
