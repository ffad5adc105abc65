"""Session events as chat messages: a pure ``render(event)`` and a pure fold ``apply(history, event)``.

* ``tool_start`` → a collapsible message titled "🛠 tool_name", status "pending", the arguments
  as a JSON block, identified by the call id;
* ``tool_result`` → the same id, status "done", with the duration and a compact result (or the
  failure, in the conversation's language); :func:`apply` puts it in place of the pending message,
  arguments kept;
* ``notice`` / ``flag`` / ``error`` → an assistant message with the event's text;
* ``progress`` → "⏳ waiting for the model (20 s)…" as a pending titled message, replaced by the next one and gone
  at the next event of any other kind;
* ``text`` → a chunk of the answer being streamed (marked ``status: pending`` without a title,
  which the chatbot shows as a plain message); ``final`` → the whole answer, which replaces it, and the
  full report under it as a titled message, folded like a tool call (Gradio's sanitizer drops ``<details>``).

Nothing here formats a number: values are shown as the tools returned them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.answer import full_report_title
from assistant.session import Event

TOOL_ICON = "🛠"
STREAMING: dict[str, str] = {"status": "pending"}
PROGRESS_ID = "progress"
_COMPACT_MAX_CHARS = 80  # a result field longer than this (as JSON) is left out of the compact view


def _json_block(value: Any) -> str:
    return "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"


def compact_result(result: dict[str, Any]) -> dict[str, Any]:
    """The short scalar fields of a tool result, as returned (lists, tables and long texts left out)."""
    shown = {}
    for key, value in result.items():
        if isinstance(value, str | int | float | bool) or value is None:
            if len(json.dumps(value, ensure_ascii=False)) <= _COMPACT_MAX_CHARS:
                shown[key] = value
    return shown


def _tool_title(tool: str | None) -> str:
    return f"{TOOL_ICON} {tool or 'tool'}"


def render(event: Event) -> gr.ChatMessage | None:
    """The chat message for one event, or None when the event shows nothing."""
    if event.kind == "tool_start":
        return gr.ChatMessage(role="assistant", content=_json_block(event.arguments or {}),
                              metadata={"title": _tool_title(event.tool), "id": event.call_id, "status": "pending"})
    if event.kind == "tool_result":
        result = event.result or {}
        if event.ok and event.text:  # a call that never ran (a limit, a repeated call): why, in the user's language
            content = f"⏭ {event.text}"
        elif event.ok:
            content = _json_block(compact_result(result))
        else:
            # event.text says the failure in the conversation's language; the English error and hint are the model's
            content = f"❌ {event.text or result.get('error') or result.get('text')}"
            if result.get("hint") and not event.text:
                content += f"\n\n💡 {result['hint']}"
        metadata: dict[str, Any] = {"title": _tool_title(event.tool), "id": event.call_id, "status": "done"}
        if event.duration_s is not None:
            metadata["duration"] = event.duration_s
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


def apply(history: Sequence[gr.ChatMessage | dict[str, Any]], event: Event) -> list[gr.ChatMessage]:
    """The message list after ``event`` (a new list; ``history`` is not changed)."""
    messages = [m for m in map(as_message, history) if (m.metadata or {}).get("id") != PROGRESS_ID]
    rendered = render(event)
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
    if event.kind == "tool_result":
        for index in range(len(messages) - 1, _turn_start(messages) - 1, -1):
            pending = messages[index]
            if (pending.metadata or {}).get("id") == event.call_id and event.call_id is not None:
                content = f"{message_text(pending.content)}\n\n{message_text(rendered.content)}"
                messages[index] = gr.ChatMessage(role="assistant", content=content, metadata=rendered.metadata)
                return messages
        return [*messages, rendered]
    if event.kind == "final":
        folded = [m for m in (full_report_message(event),) if m is not None]
        start = _turn_start(messages)
        for index in range(len(messages) - 1, start - 1, -1):
            if _is_streaming(messages[index]):
                messages[index] = _settled(messages[index], event.text or None)
                return [*_settle_all(messages), *folded]
        return [*messages, *([rendered] if rendered is not None else []), *folded]
    if event.kind == "error":
        messages = _settle_all(messages)
    return [*messages, rendered] if rendered is not None else messages
