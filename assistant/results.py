"""The tools' results of a turn, typed: each read back into the tool's own pydantic result model.

A tool's result crosses LangChain as a JSON-ready dict (the message's artifact, or its JSON
content when the artifact was lost, e.g. after a server restart). Everything after that point (the
report, the exports, the plots, the answer) reads :class:`ToolResults`, never dicts: a result that
does not validate against its model is an error, not a half-read dict.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage, ToolMessage
from pydantic import ValidationError

from tools.analysis import ChinchillaResult, FlopsResult, GpuTimeResult, MemoryResult, ParamsResult
from tools.error_text import block_text, failure_text
from tools.loss_curve import LossCurveResult
from tools.planner import RecommendResult
from tools.registry import TOOLS


@dataclass(frozen=True)
class ToolError:
    """A tool call that failed: the error payload the tool returned (English ``error`` and ``hint`` for the
    model; the codes in ``result`` for the user, see :meth:`text`)."""

    tool: str
    error: str
    hint: str = ""
    result: dict[str, Any] = field(default_factory=dict, compare=False)

    def text(self, language: str) -> str:
        """The failure in ``language``, naming the tool as the user knows it."""
        return failure_text(self.result or {"error": self.error}, language=language, tool=self.tool)


def errors_text(errors: Sequence[ToolError], *, language: str) -> str:
    """Every failed call of a turn in ``language``, one after the other ("no result" when there is none)."""
    texts = [error.text(language) for error in errors] or [failure_text({"code": "no_result"}, language=language)]
    return block_text("problem_separator", language=language).join(texts)


@dataclass(frozen=True)
class ToolResults:
    """The latest result of each tool in a stretch of conversation (None: not called, or failed)."""

    params: ParamsResult | None = None
    flops: FlopsResult | None = None
    chinchilla: ChinchillaResult | None = None
    gpu_time: GpuTimeResult | None = None
    memory: MemoryResult | None = None
    recommend: RecommendResult | None = None
    loss: LossCurveResult | None = None
    errors: tuple[ToolError, ...] = field(default=())

    @property
    def has_plan(self) -> bool:
        """Enough for a plan report: parameters, FLOPs and the Chinchilla analysis."""
        return self.params is not None and self.flops is not None and self.chinchilla is not None

    @property
    def empty(self) -> bool:
        return not any((self.params, self.flops, self.chinchilla, self.gpu_time, self.memory, self.recommend,
                        self.loss))


VARIANT_PREFIX = "call_cmp"
"""Tool-call ids of a comparison's variants start with this (then the variant's index): not the plan's results."""
EXAMPLE_PREFIX = "call_example"
"""Tool-call ids of a worked example for a concept (not the user's model) start with this: not the plan's results."""
_SIDE_PREFIXES = (VARIANT_PREFIX, EXAMPLE_PREFIX)
NOT_RUN = "not_run"
"""Key of the artifact of a tool call that was never run (a limit, a repeated call): not a result, not a failure."""

_FIELDS = {"count_parameters": "params", "estimate_training_flops": "flops", "chinchilla_analysis": "chinchilla",
           "project_gpu_time": "gpu_time", "estimate_training_memory": "memory",
           "recommend_configurations": "recommend",
           "predict_loss_curve": "loss"}


def raw_results(messages: list[BaseMessage], *, variant: int | None = None,
                example: bool = False) -> dict[str, dict[str, Any]]:
    """The latest JSON-ready result of each tool among ``messages`` (artifact, or the JSON content).

    Results of a comparison's variants and of worked examples are left out, unless ``variant`` asks for one
    variant or ``example`` for the examples.
    """
    found: dict[str, dict[str, Any]] = {}
    wanted = f"{VARIANT_PREFIX}{variant}_" if variant is not None else EXAMPLE_PREFIX if example else None
    for message in messages:
        if isinstance(message, ToolMessage) and message.name:
            call_id = message.tool_call_id
            skipped = not call_id.startswith(wanted) if wanted is not None else call_id.startswith(_SIDE_PREFIXES)
            if skipped:
                continue
            result = message.artifact
            if isinstance(result, dict) and NOT_RUN in result:
                continue  # a call stopped before it ran says nothing about the tool's result
            if not isinstance(result, dict):
                text = message.content if isinstance(message.content, str) else ""
                try:
                    result = json.loads(text)
                except json.JSONDecodeError:
                    result = {"error": text}
            found[message.name] = result if isinstance(result, dict) else {"error": str(result)}
    return found


def results_of(messages: list[BaseMessage], *, variant: int | None = None, example: bool = False) -> ToolResults:
    """:class:`ToolResults` of ``messages``: every plan tool's latest result, typed; failures as errors."""
    return typed_results(raw_results(messages, variant=variant, example=example))


def typed_results(raw: dict[str, dict[str, Any]]) -> ToolResults:
    """:class:`ToolResults` from JSON-ready results keyed by tool name (the tools' own output)."""
    typed: dict[str, Any] = {}
    errors: list[ToolError] = []
    for name, result in raw.items():
        if name not in _FIELDS:
            continue
        if "error" in result:
            errors.append(ToolError(name, str(result["error"]), str(result.get("hint") or ""), result=result))
            continue
        try:
            typed[_FIELDS[name]] = TOOLS[name].result_model.model_validate(result)
        except ValidationError as error:
            errors.append(ToolError(name, f"an unreadable result ({error.error_count()} invalid fields)", result={
                "code": "unreadable_result", "values": {"count": error.error_count()}}))
    return ToolResults(**typed, errors=tuple(errors))
