"""Session events as chat messages: a pure ``render(event, language)`` and a pure fold ``apply(history, event,
language)``.

* the tool calls of a turn are one folded group: a message titled "🛠 5 tools · 0.06 s" (while they run,
  "🛠 5 tools …", pending), and under it (``parent_id``) one message per call, titled with the tool's name in
  the conversation's language, its arguments as short quantities ("total parameters 145M · top-k 1"), then a
  few of its results (or the failure, in the conversation's language) and its duration;
* ``notice`` / ``flag`` / ``error`` → an assistant message with the event's text;
* ``progress`` → "⏳ waiting for the model (20 s)…" as a pending titled message, replaced by the next one and gone
  at the next event of any other kind;
* ``text`` → a chunk of the answer being streamed (marked ``status: pending`` without a title,
  which the chatbot shows as a plain message); ``final`` → the whole answer, which replaces it, and the
  full report under it as a titled message, folded like a tool call (Gradio's sanitizer drops ``<details>``).

Nothing here formats a number: the texts of a tool call come from :mod:`assistant.tool_view`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.answer import full_report_title
from assistant.session import Event
from assistant.tool_view import arguments_text, group_title, result_text, seconds_text, tool_name

STREAMING: dict[str, str] = {"status": "pending"}
GROUP_ID_PREFIX = "tools-"
PROGRESS_ID = "progress"
_SECONDS = "tool_seconds"  # a call's duration, kept beside its text for the group's total (Gradio drops the key)


def _failure(event: Event) -> str:
    result = event.result or {}
    # event.text says the failure in the conversation's language; the English error and hint are the model's
    content = f"❌ {event.text or result.get('error') or result.get('text')}"
    if result.get("hint") and not event.text:
        content += f"\n\n💡 {result['hint']}"
    return content


def render(event: Event, language: str = "en") -> gr.ChatMessage | None:
    """The chat message for one event, or None when the event shows nothing (a tool call's message is placed
    under its turn's group by :func:`apply`)."""
    if event.kind == "tool_start":
        return gr.ChatMessage(role="assistant", content=arguments_text(event.arguments, language),
                              metadata={"title": tool_name(event.tool, language), "id": event.call_id,
                                        "status": "pending"})
    if event.kind == "tool_result":
        if event.ok and event.text:  # a call that never ran (a limit, a repeated call): why, in the user's language
            content = f"⏭ {event.text}"
        else:
            content = result_text(event.tool, event.result, language) if event.ok else _failure(event)
        metadata: dict[str, Any] = {"title": tool_name(event.tool, language), "id": event.call_id, "status": "done"}
        if event.duration_s is not None:
            metadata["log"] = seconds_text(event.duration_s, language)
        return gr.ChatMessage(role="assistant", content=content, metadata=metadata)
    if not event.text:
        return None
    if event.kind == "progress":
        return gr.ChatMessage(role="assistant", content="", metadata={"title": event.text, "id": PROGRESS_ID,
                                                                      "status": "pending"})
    if event.kind == "text":
        return gr.ChatMessage(role="assistant", content=event.text, metadata=dict(STREAMING))
    if event.kind in ("final", "notice", "flag", "error"):
        return gr.ChatMessage(role="assistant", content=event.text)
    return None


REPORT_ICON = "📄"


def full_report_message(event: Event) -> gr.ChatMessage | None:
    """The full report under a final answer, folded like a tool call (one click away); None when the answer
    already is the report or there is none."""
    report = event.report
    if event.kind != "final" or report is None or event.text.strip() == report.markdown.strip():
        return None
    return gr.ChatMessage(role="assistant", content=report.markdown,
                          metadata={"title": f"{REPORT_ICON} {full_report_title(report.language)}", "status": "done"})


# --- the fold -------------------------------------------------------------------------------------


def message_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list (the chatbot's own format)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, Sequence):
        return "".join(message_text(part) for part in content)
    return ""


def as_message(item: gr.ChatMessage | dict[str, Any]) -> gr.ChatMessage:
    """A gr.ChatMessage from a message or a message dict (as the chatbot sends its value back)."""
    if isinstance(item, gr.ChatMessage):
        return item
    metadata = {k: v for k, v in (item.get("metadata") or {}).items() if v is not None}
    return gr.ChatMessage(role=item.get("role", "assistant"), content=message_text(item.get("content")),
                          metadata=metadata)


def _is_streaming(message: gr.ChatMessage) -> bool:
    metadata = message.metadata or {}
    return message.role == "assistant" and not metadata.get("title") and metadata.get("status") == "pending"


def _settled(message: gr.ChatMessage, content: str | None = None) -> gr.ChatMessage:
    metadata = {k: v for k, v in (message.metadata or {}).items() if k != "status"}
    return gr.ChatMessage(role=message.role, content=message.content if content is None else content,
                          metadata=metadata)


def _turn_start(messages: list[gr.ChatMessage]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index + 1
    return 0


def _settle_all(messages: list[gr.ChatMessage]) -> list[gr.ChatMessage]:
    return [_settled(m) if _is_streaming(m) else m for m in messages]


def _group_index(messages: list[gr.ChatMessage]) -> int | None:
    """Where the current turn's group of tool calls is, if it has one."""
    for index in range(_turn_start(messages), len(messages)):
        if str((messages[index].metadata or {}).get("id") or "").startswith(GROUP_ID_PREFIX):
            return index
    return None


def _with_group(messages: list[gr.ChatMessage], language: str) -> tuple[list[gr.ChatMessage], str]:
    """``messages`` with the current turn's group (added when the turn has none), and the group's id."""
    index = _group_index(messages)
    if index is not None:
        return messages, str(messages[index].metadata["id"])
    group_id = f"{GROUP_ID_PREFIX}{len(messages)}"
    group = gr.ChatMessage(role="assistant", content="",
                           metadata={"title": group_title([], running=True, language=language), "id": group_id,
                                     "status": "pending"})
    return [*_settle_all(messages), group], group_id


def _retitled(messages: list[gr.ChatMessage], language: str, *, settle: bool = False) -> list[gr.ChatMessage]:
    """The group's title and status from its calls: running while one is pending (unless ``settle``), else the
    count and the calls' durations summed."""
    index = _group_index(messages)
    if index is None:
        return messages
    group_id = messages[index].metadata["id"]
    calls = [m.metadata for m in messages[index + 1:] if (m.metadata or {}).get("parent_id") == group_id]
    running = not settle and any(call.get("status") == "pending" for call in calls)
    title = group_title([call.get(_SECONDS) for call in calls], running=running, language=language)
    messages[index] = gr.ChatMessage(role="assistant", content="", metadata={
        "title": title, "id": group_id, "status": "pending" if running else "done"})
    return messages


def _tool_event(messages: list[gr.ChatMessage], event: Event, rendered: gr.ChatMessage,
                language: str) -> list[gr.ChatMessage]:
    messages, group_id = _with_group(messages, language)
    metadata = {**rendered.metadata, "parent_id": group_id}
    if event.kind == "tool_result":
        metadata[_SECONDS] = event.duration_s
        for index in range(len(messages) - 1, _turn_start(messages) - 1, -1):
            pending = messages[index]
            if event.call_id is not None and (pending.metadata or {}).get("id") == event.call_id:
                content = "\n\n".join(text for text in (message_text(pending.content), message_text(rendered.content))
                                       if text)
                messages[index] = gr.ChatMessage(role="assistant", content=content, metadata=metadata)
                return _retitled(messages, language)
    return _retitled([*messages, gr.ChatMessage(role="assistant", content=rendered.content, metadata=metadata)],
                     language)


def apply(history: Sequence[gr.ChatMessage | dict[str, Any]], event: Event, language: str = "en"
          ) -> list[gr.ChatMessage]:
    """The message list after ``event`` (a new list; ``history`` is not changed). ``language`` is the
    conversation's: the words of the tool calls follow it."""
    messages = [m for m in map(as_message, history) if (m.metadata or {}).get("id") != PROGRESS_ID]
    rendered = render(event, language)
    if event.kind == "progress":  # the wait so far replaces the wait said before
        return [*messages, rendered] if rendered is not None else messages
    if event.kind == "text":
        if rendered is None:
            return messages
        if messages and _is_streaming(messages[-1]):
            last = messages[-1]
            messages[-1] = gr.ChatMessage(role="assistant", content=message_text(last.content) + event.text,
                                          metadata=dict(STREAMING))
            return messages
        return [*_settle_all(messages), rendered]
    if event.kind in ("tool_start", "tool_result") and rendered is not None:
        return _tool_event(messages, event, rendered, language)
    if event.kind == "final":
        messages = _retitled(messages, language, settle=True)
        folded = [m for m in (full_report_message(event),) if m is not None]
        start = _turn_start(messages)
        for index in range(len(messages) - 1, start - 1, -1):
            if _is_streaming(messages[index]):
                messages[index] = _settled(messages[index], event.text or None)
                return [*_settle_all(messages), *folded]
        return [*messages, *([rendered] if rendered is not None else []), *folded]
    if event.kind == "error":
        messages = _settle_all(_retitled(messages, language, settle=True))
    return [*messages, rendered] if rendered is not None else messages
