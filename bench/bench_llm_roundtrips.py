"""LLM-mode cost of one standard report, counted by the scripted OpenAI-compatible server (printed, not asserted).

The worked example in LLM mode, over real HTTP (Conversation -> create_agent -> ChatOpenAI -> openai SDK): the
scripted model makes the four plan tool calls in parallel, then answers from their results. The goal is two round
trips. For comparison the same report with one tool call per round (what a model that ignores the system prompt's
"make independent calls in parallel" would do).

Prompt tokens are the server's *estimate* (``len(json.dumps(messages + tools)) // 4``), summed over the requests;
every request re-sends the system prompt and the tool schemas, so round trips dominate the cost.

Run: ``.venv/bin/python bench/bench_llm_roundtrips.py``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.session import Conversation  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tests.llm_server import Reply, ScriptedLLMServer, ToolCall, ToolCalls, Turn, estimate_prompt_tokens  # noqa: E402

MODEL = {"preset": "minimind2-moe", "top_k": 1}
DATA = {"samples": 2.89e7, "mean_length": 512}
HARDWARE = {"gpu": "4090", "gpu_count": 8}
MESSAGE = "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8 × RTX 4090: give me the scaling report"
CALLS = [
    ToolCall("count_parameters", {"model": MODEL}),
    ToolCall("estimate_training_flops", {"model": MODEL, "data": DATA}),
    ToolCall("chinchilla_analysis", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
    ToolCall("project_gpu_time", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
]


def answer(body: dict) -> Reply:
    """Quote the tool results the server was sent (as a real model would)."""
    names = {c["id"]: c["function"]["name"] for m in body["messages"] if m["role"] == "assistant"
             for c in m.get("tool_calls") or []}
    results = {names[m["tool_call_id"]]: json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"}
    chin = results["chinchilla_analysis"]
    return Reply(f"{chin['active_params'] / 1e6:.1f}M activated parameters on {chin['tokens'] / 1e9:.1f}B tokens: "
                 f"{chin['tokens_per_active_param']:.0f} tokens per parameter.")


def measure(label: str, turns: list[Turn]) -> None:
    with ScriptedLLMServer(turns) as server:
        settings = Settings(api_key="sk-bench", base_url=server.base_url, model="scripted-model", timeout_s=10,
                            max_retries=0)
        conversation = Conversation(settings)
        start = time.perf_counter()
        events = list(conversation.send(MESSAGE))
        elapsed = time.perf_counter() - start
        final = events[-1]
        per_request = [estimate_prompt_tokens(body) for body in server.chat_bodies]
        fixed = estimate_prompt_tokens({"tools": server.chat_bodies[0]["tools"]})
        report = "report" if final.report is not None else "no report"
        print(f"{label:<32} round trips {server.round_trips:>2}   prompt tokens {server.prompt_tokens_total:>7,}"
              f"   per request {per_request} (tool schemas {fixed:,} each)   {elapsed * 1000:4.0f} ms   "
              f"{final.kind}, {report}, flags {list(final.flags)}")


def main() -> None:
    measure("parallel tool calls (goal: 2)", [ToolCalls(CALLS), answer])
    measure("one tool call per round", [*(ToolCalls([call]) for call in CALLS), answer])


if __name__ == "__main__":
    main()
