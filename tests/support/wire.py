"""The worked example in LLM mode against the scripted OpenAI-compatible server (``tests/llm_server.py``).

Its numbers are written out by hand from ``tests/fixtures/models.json`` and plain arithmetic: MiniMind2-MoE has
145,029,760 parameters and 91,945,600 activated at its native top-2; at top-1 each of its 8 layers drops one more
routed SwiGLU expert of 3 matrices 640×1728; 28.9M samples of 512 tokens.
"""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings
from tests.llm_server import ScriptedLLMServer, ToolCall, ToolCalls

TOTAL = 145_029_760
ACTIVE_TOP1 = 91_945_600 - 8 * 3 * 640 * 1728
TOKENS = 28_900_000 * 512  # samples × mean length in tokens
assert ACTIVE_TOP1 == 65_403_520 and TOKENS == 14_796_800_000

MODEL = {"preset": "minimind2-moe", "top_k": 1}
DATA = {"samples": 2.89e7, "mean_length": 512, "length_unit": "tokens"}
HARDWARE = {"gpu": "4090", "gpu_count": 8}
PLAN_TOOLS = ("count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time")


def llm_settings(server: ScriptedLLMServer, *, api_key: str, **overrides: Any) -> Settings:
    """LLM-mode settings pointing at ``server`` (short timeouts, one retry), with ``overrides``."""
    values: dict[str, Any] = dict(api_key=api_key, base_url=server.base_url, model="scripted-model", timeout_s=2,
                                  max_retries=1)
    values.update(overrides)
    return Settings(**values)


def plan_calls(reasoning: str = "") -> ToolCalls:
    """The four plan tools for the worked example, in one parallel round."""
    return ToolCalls([
        ToolCall("count_parameters", {"model": MODEL}),
        ToolCall("estimate_training_flops", {"model": MODEL, "data": DATA}),
        ToolCall("chinchilla_analysis", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
        ToolCall("project_gpu_time", {"model": MODEL, "data": DATA, "hardware": HARDWARE}),
    ], reasoning=reasoning)
