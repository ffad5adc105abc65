"""The agent loop on LangChain: ``create_agent`` with our tools and middleware.

* LLM mode: :class:`~assistant.lc_model.ProviderChatModel` (``ChatOpenAI`` with a deadline per model call, DeepSeek's
  reasoning sent back, cut-off tool calls refused) against any OpenAI-compatible endpoint. If the endpoint fails
  (auth, network, a hang past the deadline, repeated malformed or cut-off tool calls, tool calls written as text),
  :class:`OfflineFallbackMiddleware` tells the user why and lets the offline model answer the same question, so
  the user still gets a report.
* Offline mode: the built-in :class:`OfflinePlannerModel` in the same graph (what
  :class:`assistant.offline.loop.OfflineAgent` runs without LangGraph, and is tested against).

Middleware, outermost first:

* :class:`OfflineFallbackMiddleware` (LLM mode only): the fallback, one corrected retry of malformed or cut-off
  tool calls;
* :class:`RequestBudgetMiddleware` (LLM calls only): the system prompt with the current plan as structured
  context, the history trimmed to ``Settings.context_tokens``, ``parallel_tool_calls`` where the provider takes it;
* :class:`CallBudgetMiddleware`: the limits (:mod:`assistant.agent`), counted so that lookups do not starve the
  plan; a repeated call is not run; a stopped turn ends with a marked message the session answers from the results
  gathered;
* ``ToolErrorMiddleware``: tool exceptions reach the model as tool messages.

Imported only when a graph is built: LangChain's agent machinery (LangGraph, LangSmith, the openai SDK) is
most of the start-up time of a process that answers offline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelRequest,
    ModelResponse,
    ToolErrorMiddleware,
    hook_config,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.errors import GraphBubbleUp

from assistant.agent import (
    CALLS_AS_TEXT,
    FALLBACK_MARK,
    LOOKUP_LIMIT,
    LOOKUP_TOOLS,
    MODEL_CALL_LIMIT,
    STOP_MARK,
    TOOL_CALL_LIMIT,
    MalformedOutputError,
    ToolCallsAsTextError,
    describe_failure,
    failure_reason,
    system_prompt,
    tool_error_text,
)
from assistant.lc_tools import langchain_tools
from assistant.offline.model import OfflinePlannerModel
from assistant.plan_state import CurrentPlan
from assistant.results import NOT_RUN
from assistant.settings import Settings

log = logging.getLogger(__name__)

_NOTES = {
    "malformed": "Your last tool call had invalid JSON arguments. Call the tool again with one valid JSON object.",
    "cut_off": "Your last reply was cut off inside the tool-call arguments (the output limit), so nothing was run. "
               "Call the tools again with complete arguments: fewer calls per reply, no fields the user did not state.",
}


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured model: the provider's chat model in LLM mode, the offline planner otherwise."""
    if settings.mode == "offline":
        return OfflinePlannerModel()
    from assistant.lc_model import provider_chat_model

    return provider_chat_model(settings)


# --- the offline fallback ----------------------------------------------------------------------------------------


class OfflineFallbackMiddleware(AgentMiddleware):
    """On a failed LLM call, report why (a ``fallback`` custom event) and answer with the offline model.

    Malformed or cut-off tool-call arguments are retried once with a correcting note (the note is not kept); a
    second such answer counts as a failure, and so do tool calls written as text. The offline model plans from the
    user's words: the LLM's tool calls of the failed turn are left out of what it reads.
    """

    def __init__(self, *, settings: Settings, fallback: BaseChatModel | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.fallback = fallback or OfflinePlannerModel()

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse | AIMessage:
        if _fell_back(request.messages):  # the endpoint already failed in this turn: stay offline, tell once
            return self._offline(request, handler)
        try:
            response = _refused(handler(request))
            problem = _malformed(response)
            if problem:
                note = HumanMessage(content=_NOTES[problem])
                response = _refused(handler(request.override(messages=[*request.messages, note])))
                if _malformed(response):
                    raise MalformedOutputError(problem)
            if _calls_as_text(response):
                raise ToolCallsAsTextError(self.settings.preset.tool_parser_hint)
            return response
        except GraphBubbleUp:
            raise
        except Exception as error:  # noqa: BLE001 - any endpoint failure falls back
            reason = failure_reason(error)
            log.warning("LLM call failed, answering offline: %s", describe_failure(error, self.settings))
            _emit({"type": "fallback", "code": reason.code, "values": dict(reason.values)})
            return self._offline(request, handler)

    def _offline(self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]) -> Any:
        return _marked(handler(request.override(model=self.fallback, messages=offline_view(request.messages))))


def _fell_back(messages: list[Any]) -> bool:
    """Whether the offline fallback already answered since the last user message."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return False
        if isinstance(message, AIMessage) and message.response_metadata.get(FALLBACK_MARK):
            return True
    return False


def offline_view(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """``messages`` as the offline fallback reads them: this turn from the fallback's first message on, without the
    LLM's tool calls before it (the planner plans from the user's words, not from a half-finished round)."""
    start = _turn_start(messages)
    turn = list(messages[start:])
    first = next((i for i, m in enumerate(turn) if isinstance(m, AIMessage) and m.response_metadata.get(
        FALLBACK_MARK)), len(turn))
    return [*messages[:start], *turn[first:]]


def _turn_start(messages: Sequence[BaseMessage]) -> int:
    """The index after the last user message (0 without one)."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index + 1
    return 0


def _marked(response: Any) -> Any:
    for message in getattr(response, "result", None) or []:
        if isinstance(message, AIMessage):
            message.response_metadata[FALLBACK_MARK] = True
    return response


def _last_ai(response: Any) -> AIMessage | None:
    messages = getattr(response, "result", None) or []
    return messages[-1] if messages and isinstance(messages[-1], AIMessage) else None


def _refused(response: Any) -> Any:
    """``response`` with cut-off tool calls made invalid, so never run (:func:`assistant.lc_model.refuse_cut_calls`)."""
    from assistant.lc_model import refuse_cut_calls

    last = _last_ai(response)
    if last is not None:
        response.result[-1] = refuse_cut_calls(last)
    return response


def _malformed(response: Any) -> str | None:
    """"cut_off" or "malformed" when the reply's tool calls cannot be run, else None."""
    from assistant.lc_model import CUT_OFF

    last = _last_ai(response)
    if last is None or not last.invalid_tool_calls or last.tool_calls:
        return None
    return "cut_off" if any(CUT_OFF in str(call.get("error")) for call in last.invalid_tool_calls) else "malformed"


def _calls_as_text(response: Any) -> bool:
    last = _last_ai(response)
    return last is not None and not last.tool_calls and any(mark in _text(last) for mark in CALLS_AS_TEXT)


def _text(message: BaseMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else "".join(
        part.get("text", "") for part in content if isinstance(part, dict))


def _emit(payload: dict[str, Any]) -> None:
    try:
        from langgraph.config import get_stream_writer

        get_stream_writer()(payload)
    except Exception:  # noqa: BLE001 - outside a streaming run there is nobody to tell
        pass


# --- what a request carries ----------------------------------------------------------------------------------------


class RequestBudgetMiddleware(AgentMiddleware):
    """An LLM request: the system prompt with the current plan, the history within the budget, parallel calls.

    The history is trimmed only when the request would exceed ``Settings.context_tokens`` (estimated as the
    scripted test server and the round-trip bench count: four characters of the JSON a token): first the tool calls
    and results of earlier turns go (the plan they made is in the system prompt, as structured state), then the
    oldest turns, whole. The current turn is always sent whole. The conversation itself keeps everything.
    """

    def __init__(self, *, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse | AIMessage:
        if isinstance(request.model, OfflinePlannerModel):
            return handler(request)
        plan = CurrentPlan.of(request.messages)
        system = SystemMessage(content=system_prompt(self.settings, plan=plan.context()))
        fixed = estimate_tokens([system]) + _tools_tokens(tuple(getattr(t, "name", str(t)) for t in request.tools))
        messages = fit_history(request.messages, budget=self.settings.context_tokens - fixed)
        model_settings = dict(request.model_settings)
        if self.settings.preset.parallel_tool_calls is not None and request.tools:
            model_settings["parallel_tool_calls"] = self.settings.preset.parallel_tool_calls
        return handler(request.override(system_message=system, messages=messages, model_settings=model_settings))


def estimate_tokens(messages: Sequence[BaseMessage]) -> int:
    """Messages as the endpoint receives them, at four characters of JSON a token (an estimate, not a tokenizer)."""
    return len(json.dumps([_on_the_wire(m) for m in messages])) // 4


def _on_the_wire(message: BaseMessage) -> dict[str, Any]:
    """A message as a chat-completions request carries it (near enough to count its characters)."""
    role = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}.get(message.type, message.type)
    wire: dict[str, Any] = {"role": role, "content": message.content}
    if isinstance(message, AIMessage) and message.tool_calls:
        wire["tool_calls"] = [{"id": call["id"], "type": "function",
                               "function": {"name": call["name"], "arguments": json.dumps(call["args"])}}
                              for call in message.tool_calls]
    if isinstance(message, ToolMessage):
        wire["tool_call_id"] = message.tool_call_id
    return wire


@cache
def _tools_tokens(names: tuple[str, ...]) -> int:
    """The schemas of the named tools as a request carries them, in estimated tokens."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return len(json.dumps([convert_to_openai_tool(tool) for tool in langchain_tools() if tool.name in names])) // 4


def fit_history(messages: Sequence[BaseMessage], *, budget: int) -> list[BaseMessage]:
    """``messages`` within ``budget`` estimated tokens: whole when they fit; else earlier turns without their tool
    rounds, then without the oldest turns; the current turn (from the last user message) is never cut."""
    if estimate_tokens(messages) <= budget:
        return list(messages)
    start = max(_turn_start(messages) - 1, 0)
    current = list(messages[start:])
    earlier = [_spoken(turn) for turn in _turns(messages[:start])]
    while earlier and estimate_tokens([m for turn in earlier for m in turn] + current) > budget:
        earlier.pop(0)
    return [m for turn in earlier for m in turn] + current


def _turns(messages: Sequence[BaseMessage]) -> list[list[BaseMessage]]:
    turns: list[list[BaseMessage]] = []
    for message in messages:
        if isinstance(message, HumanMessage) or not turns:
            turns.append([])
        turns[-1].append(message)
    return turns


def _spoken(turn: list[BaseMessage]) -> list[BaseMessage]:
    """A turn as it was said: the user's message and the answers, without tool calls and their results."""
    return [m for m in turn if isinstance(m, HumanMessage) or (
        isinstance(m, AIMessage) and not m.tool_calls and not m.invalid_tool_calls and _text(m).strip())]


# --- the limits ----------------------------------------------------------------------------------------------------


class CallBudgetMiddleware(AgentMiddleware):
    """Limits per turn that let a model calling one tool per round finish, and stop a loop early.

    * at most ``MODEL_CALL_LIMIT`` model calls;
    * at most ``TOOL_CALL_LIMIT`` plan-tool calls and, apart from them, ``LOOKUP_LIMIT`` lookups (``list_presets``,
      ``describe_gpu``, ``explain_concept``): looking names up does not use the plan's budget;
    * a call that repeats one of an earlier round with the same arguments is not run (its result is already there);
      a round of only such calls, or only calls past a limit, ends the turn.

    A call that is not run gets a tool message whose artifact says why (:data:`assistant.results.NOT_RUN`); the
    turn then ends with an empty message marked :data:`assistant.agent.STOP_MARK` (the code and the limit), which
    the session answers from the results gathered, in the user's language.
    """

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:  # noqa: ARG002
        stop = stop_reason(_this_turn(state["messages"]))
        if stop is None:
            return None
        return {"jump_to": "end", "messages": [AIMessage(content="", response_metadata={STOP_MARK: stop})]}

    def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:  # noqa: ARG002
        turn = _this_turn(state["messages"])
        if not turn or not isinstance(turn[-1], AIMessage) or not turn[-1].tool_calls:
            return None
        earlier = [call for m in turn[:-1] if isinstance(m, AIMessage) for call in m.tool_calls]
        blocked = []
        seen = {_call_key(call) for call in earlier}
        lookups = sum(call["name"] in LOOKUP_TOOLS for call in earlier)
        plan_calls = len(earlier) - lookups
        for call in turn[-1].tool_calls:
            if _call_key(call) in seen:
                blocked.append((call, "repeated", {}))
            elif call["name"] in LOOKUP_TOOLS and lookups >= LOOKUP_LIMIT:
                blocked.append((call, "lookups", {"limit": LOOKUP_LIMIT}))
            elif call["name"] not in LOOKUP_TOOLS and plan_calls >= TOOL_CALL_LIMIT:
                blocked.append((call, "tool_calls", {"limit": TOOL_CALL_LIMIT}))
            else:
                lookups += call["name"] in LOOKUP_TOOLS
                plan_calls += call["name"] not in LOOKUP_TOOLS
        if not blocked:
            return None
        return {"messages": [_not_run(call, code, values) for call, code, values in blocked]}


def _this_turn(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    return list(messages[_turn_start(messages):])


def _call_key(call: dict[str, Any]) -> str:
    return json.dumps([call["name"], call["args"]], sort_keys=True, default=str)


def _not_run(call: dict[str, Any], code: str, values: dict[str, Any]) -> ToolMessage:
    why = {"repeated": "the same call was already made in this turn; its result is above",
           "tool_calls": f"this turn's limit of {TOOL_CALL_LIMIT} tool calls was reached",
           "lookups": f"this turn's limit of {LOOKUP_LIMIT} lookups was reached"}[code]
    content = json.dumps({"error": f"not run: {why}", "code": NOT_RUN, "hint": "answer from the results you have"})
    return ToolMessage(content=content, artifact={NOT_RUN: code, "values": values}, tool_call_id=call["id"],
                       name=call["name"])


def stop_reason(turn: Sequence[BaseMessage]) -> dict[str, Any] | None:
    """Why this turn must stop before the next model call (a code and its values), or None."""
    answers = [m for m in turn if isinstance(m, AIMessage)]
    if len(answers) >= MODEL_CALL_LIMIT:
        return {"code": "model_calls", "values": {"limit": MODEL_CALL_LIMIT}}
    last = answers[-1] if answers else None
    if last is None or not last.tool_calls:
        return None
    results = {m.tool_call_id: m for m in turn if isinstance(m, ToolMessage)}
    skipped = [results.get(call["id"]) for call in last.tool_calls]
    if all(isinstance(m, ToolMessage) and isinstance(m.artifact, dict) and NOT_RUN in m.artifact for m in skipped):
        first = skipped[0].artifact
        return {"code": first[NOT_RUN], "values": dict(first.get("values") or {})}
    return None


def _tool_error_text(error: Exception, request: Any) -> str:
    return tool_error_text(error, request.tool_call["name"])


def build_graph(settings: Settings, *, model: BaseChatModel | None = None) -> Any:
    """The compiled agent graph for ``settings`` (``model`` overrides the configured one, for tests)."""
    model = model or chat_model(settings)
    middleware: list[AgentMiddleware] = []
    if not isinstance(model, OfflinePlannerModel):
        middleware += [OfflineFallbackMiddleware(settings=settings), RequestBudgetMiddleware(settings=settings)]
    middleware += [CallBudgetMiddleware(), ToolErrorMiddleware(on_error=_tool_error_text)]
    return create_agent(model, tools=list(langchain_tools()), system_prompt=system_prompt(settings),
                        middleware=middleware)
