"""The registry's tools as LangChain tools (the only place tools meet LangChain types).

Each tool returns ``(content, artifact)`` (``response_format="content_and_artifact"``): the
content is the JSON the model reads, the artifact the same result as a dict, which travels in
the ``ToolMessage`` to the report. The schema the model sees is the pydantic input model's
JSON schema; arguments are validated by :func:`tools.registry.run_tool`, so bad arguments come
back to the model as a readable error with a hint instead of an exception.

:func:`tool_runners` are the same functions before LangChain wraps them: the offline loop
(:mod:`assistant.offline.loop`) calls them directly, and LangChain is imported only to wrap them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from prompts import glossary
from tools.registry import TOOLS, ToolSpec, run_tool

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

ToolRunner = Callable[..., tuple[str, dict[str, Any]]]
"""A tool as the agent runs it: keyword arguments in, ``(content, artifact)`` out."""


def _runner(spec: ToolSpec) -> ToolRunner:
    def run(**arguments: Any) -> tuple[str, dict[str, Any]]:
        outcome = run_tool(spec.name, arguments)
        return outcome.content, outcome.result

    return run


class ExplainConceptInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: str = Field(..., description="Glossary entry id (e.g. 'flops-6nd', 'chinchilla-ratio', 'mfu-gpu-hours') "
                                        "or the user's question")
    language: str = Field("en", description="'zh' or 'en': the user's language")


def explain_concept(topic: str, language: str = "en") -> tuple[str, dict[str, Any]]:
    """The curated, cited glossary entry for a concept (FLOPs/6ND, total vs active params, Chinchilla, MFU, …)."""
    ids = [entry.id for entry in glossary.entries()]
    entry_id = topic if topic in ids else glossary.match_concept(topic)
    if entry_id is None:
        error = {"error": f"no glossary entry for {topic!r}", "code": "unknown_concept", "values": {"topic": topic},
                 "hint": "use one of: " + ", ".join(ids)}
        return json.dumps(error, ensure_ascii=False), error
    lang = "zh" if language == "zh" else "en"
    text = glossary.render_entry(entry_id, lang=lang, plan_values=None)
    result = {"id": entry_id, "language": lang, "text": text}
    return json.dumps(result, ensure_ascii=False), result


@cache
def tool_runners() -> dict[str, ToolRunner]:
    """Every tool the agent may call, by name, in a stable order."""
    return {**{spec.name: _runner(spec) for spec in TOOLS.values()}, "explain_concept": explain_concept}


@cache
def langchain_tools() -> tuple[BaseTool, ...]:
    """Every tool the agent may call, as LangChain tools, in a stable order."""
    from langchain_core.tools import StructuredTool

    schemas = {**{spec.name: spec.json_schema() for spec in TOOLS.values()},
               "explain_concept": ExplainConceptInput.model_json_schema()}
    descriptions = {**{spec.name: spec.function.__doc__ for spec in TOOLS.values()},
                    "explain_concept": explain_concept.__doc__}
    return tuple(
        StructuredTool.from_function(func=run, name=name, description=(descriptions[name] or "").strip(),
                                     args_schema=schemas[name], response_format="content_and_artifact")
        for name, run in tool_runners().items()
    )
