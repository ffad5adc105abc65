"""The conversation's current plan, as structured state: what the latest successful tool calls said about the run.

An LLM re-runs what a follow-up changes and nothing else ("what if 16 GPUs?" is one ``project_gpu_time`` call), so
the last turn's results alone make no report, and an older report would keep 8 GPUs. :class:`CurrentPlan` merges
the arguments of every successful plan-tool call, in order: the latest ``model``, ``data`` and ``hardware`` objects
(each replaced whole by a later call that gives one) and each tool's own options (``attention``, ``zero_stage``,
``fractions``, …). :meth:`CurrentPlan.results` runs every plan tool the conversation has used on the merged
plan, so the report, the plots and the exports all describe the same, latest plan; :meth:`CurrentPlan.context`
is the same plan as JSON for the system prompt, so a trimmed history loses no plan.

Calls of a comparison's variants and of worked examples (:data:`assistant.results.VARIANT_PREFIX`,
:data:`~assistant.results.EXAMPLE_PREFIX`) are not the plan; nor are calls that failed or never ran.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from assistant.results import EXAMPLE_PREFIX, NOT_RUN, VARIANT_PREFIX, ToolResults, typed_results
from tools.registry import SHARED, TOOLS, run_tool

PLAN_TOOLS = ("count_parameters", "estimate_training_flops", "chinchilla_analysis", "project_gpu_time",
              "estimate_training_memory", "recommend_configurations", "predict_loss_curve")
"""The tools whose results make a report, in the order a report reads them."""


@dataclass(frozen=True)
class CurrentPlan:
    """The shared objects and each plan tool's own options, from the latest successful calls."""

    specs: dict[str, Any] = field(default_factory=dict)  # "model" / "data" / "hardware" -> the object as sent
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool -> its other arguments
    tools: tuple[str, ...] = ()  # plan tools used, in the order first used

    @property
    def empty(self) -> bool:
        return not self.tools

    @classmethod
    def of(cls, messages: Sequence[BaseMessage]) -> CurrentPlan:
        """The plan ``messages`` make: every successful plan-tool call's arguments, merged in order."""
        calls = {call["id"]: call for m in messages if isinstance(m, AIMessage) for call in m.tool_calls}
        plan = cls()
        for message in messages:
            if isinstance(message, ToolMessage) and succeeded(message) and message.name in PLAN_TOOLS:
                call = calls.get(message.tool_call_id)
                if call is not None and not message.tool_call_id.startswith((VARIANT_PREFIX, EXAMPLE_PREFIX)):
                    plan = plan.merged(call["name"], call["args"])
        return plan

    def merged(self, tool: str, arguments: dict[str, Any]) -> CurrentPlan:
        """This plan after a successful call of ``tool`` with ``arguments``."""
        specs = dict(self.specs)
        options = {name: value for name, value in arguments.items() if name not in SHARED}
        for name in SHARED:
            if isinstance(arguments.get(name), dict):
                specs[name] = arguments[name]
        tools = self.tools if tool in self.tools else (*self.tools, tool)
        return CurrentPlan(specs=specs, options={**self.options, tool: options}, tools=tools)

    def arguments(self, tool: str) -> dict[str, Any] | None:
        """The arguments for ``tool`` on this plan, or None when the plan lacks an object it requires."""
        fields = TOOLS[tool].input_model.model_fields
        options = dict(self.options.get(tool) or {})
        if tool == "project_gpu_time" and options.get("training_flops") is not None:
            arguments = {**options, "hardware": self.specs.get("hardware")}  # FLOPs given: no model and data
        else:
            arguments = {**options, **{name: self.specs[name] for name in SHARED
                                       if name in fields and name in self.specs}}
        missing = [name for name in SHARED if name in fields and fields[name].is_required() and name not in arguments]
        return None if missing or arguments.get("hardware", {}) is None else arguments

    def results(self) -> ToolResults:
        """Every plan tool the conversation used, run again on this plan (typed, like the tools' own results)."""
        return typed_results(_rerun(self.key()))

    def key(self) -> str:
        """This plan as canonical JSON (the cache key of :meth:`results`)."""
        return json.dumps({"specs": self.specs, "options": self.options, "tools": self.tools}, sort_keys=True,
                          ensure_ascii=False)

    def context(self) -> str:
        """The plan for the system prompt: the shared objects and the tools' options, as compact JSON."""
        if self.empty:
            return ""
        options = {tool: value for tool, value in self.options.items() if value}
        return json.dumps({**self.specs, **({"options": options} if options else {})}, ensure_ascii=False)


@lru_cache(maxsize=64)
def _rerun(key: str) -> dict[str, dict[str, Any]]:
    plan = json.loads(key)
    state = CurrentPlan(specs=plan["specs"], options=plan["options"], tools=tuple(plan["tools"]))
    found = {}
    for tool in state.tools:
        arguments = state.arguments(tool)
        if arguments is not None:
            found[tool] = run_tool(tool, arguments).result
    return found


def succeeded(message: ToolMessage) -> bool:
    """A tool message with a result: not an error, not a call that never ran."""
    artifact = message.artifact
    return message.status != "error" and isinstance(artifact, dict) and "error" not in artifact \
        and NOT_RUN not in artifact
