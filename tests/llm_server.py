"""A scripted, OpenAI-compatible chat-completions server for tests (standard library only).

A test scripts the "model" as a list of turns; every ``POST .../chat/completions`` consumes the next one::

    server.script([ToolCalls([ToolCall("count_parameters", {"n_layers": 12})]), Reply("done")])
    ChatOpenAI(base_url=server.base_url, api_key="sk-test", model="m", use_responses_api=False)

A turn is a `Reply`, `ToolCalls`, `Error`, `Delay`, or a callable ``(request_json) -> turn``. Answers are plain
JSON or, with ``"stream": true``, server-sent events shaped like OpenAI's, or like another provider's
(``dialect``):

* ``"openai"``: OpenAI's chunks (a role chunk, text deltas, each tool call as a header then argument fragments,
  each with its ``index``, a finish chunk);
* ``"dashscope"``: Qwen on DashScope: ``"content": null`` beside tool calls and reasoning, every tool call whole in
  the last chunk (with the finish reason), without ``index``;
* ``"vllm-no-tool-parser"``: a vLLM server started without ``--enable-auto-tool-choice``: the model's tool calls
  arrive as ``<tool_call>{...}</tool_call>`` text with finish reason "stop".

A turn's ``reasoning`` is streamed first as ``reasoning_content`` deltas (DeepSeek's thinking mode, Qwen3's);
``require_reasoning_content`` makes the server answer 400, as DeepSeek does in thinking mode, when an assistant
message with tool calls comes back without its ``reasoning_content``. Every request is recorded with its
Authorization header redacted; `saw_api_key` checks a key against a SHA-256 digest, never the stored text.

Connections are HTTP/1.0 (one request each): a stream simply ends when the socket closes, and `stop` joins every
handler thread, cutting `Delay` waits short.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
MODELS_PATHS = ("/v1/models", "/models")
_REDACTED_HEADERS = ("authorization", "api-key")


@dataclass(frozen=True)
class Reply:
    """The assistant answers with text (``finish_reason`` "stop" unless given), after its ``reasoning`` if any."""

    text: str
    reasoning: str = ""
    finish_reason: str | None = None


@dataclass(frozen=True)
class ToolCall:
    """One function call. A dict ``arguments`` is sent as JSON; a string is sent as is (malformed on purpose, say).

    Without an ``id`` the server assigns ``call_1``, ``call_2``… in the order it answers.
    """

    name: str
    arguments: str | Mapping[str, Any] = "{}"
    id: str | None = None


@dataclass(frozen=True)
class ToolCalls:
    """One or several (parallel) tool calls, with optional text alongside, after the ``reasoning`` if any.

    ``finish_reason`` is "tool_calls" unless given: "length" with arguments cut short is a reply that hit the
    output-token limit inside the arguments.
    """

    calls: Sequence[ToolCall]
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None


@dataclass(frozen=True)
class Error:
    """An HTTP error. ``body`` is a dict (sent as JSON) or a string; by default OpenAI's ``{"error": {...}}``."""

    status: int
    body: Mapping[str, Any] | str | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` before answering with ``then`` (for client timeouts). `stop` ends the wait early."""

    seconds: float
    then: Turn


Turn = Reply | ToolCalls | Error | Delay | Callable[[dict], "Turn"]
Dialect = Literal["openai", "dashscope", "vllm-no-tool-parser"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received; header names lower-cased, authorization and api-key redacted (``"Bearer ***"``)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when absent or unparsable


def estimate_prompt_tokens(body: Mapping[str, Any]) -> int:
    """An *estimate*, not a tokenizer: ``len(json.dumps(messages + tools)) // 4``, about four characters a token."""
    return len(json.dumps(list(body.get("messages") or []) + list(body.get("tools") or []))) // 4


def error_body(message: str, type_: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """OpenAI's error envelope."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ScriptedLLMServer:
    """An OpenAI-compatible endpoint on 127.0.0.1 that replays scripted turns; see the module docstring.

    ``round_trips`` counts chat-completions requests received (auth failures, errors and SDK retries included);
    ``prompt_tokens_total`` sums `estimate_prompt_tokens` over the same requests. A request rejected for its API key
    consumes no turn. When the script runs out the answer is a 500 "script exhausted" (with ``x-should-retry:
    false`` so the SDK fails at once), unless ``repeat_last`` replays the last turn for ever.
    """

    def __init__(
        self,
        turns: Iterable[Turn] = (),
        *,
        repeat_last: bool = False,
        expected_api_key: str | None = None,
        models: Sequence[str] = ("scripted-model",),
        dialect: Dialect = "openai",
        require_reasoning_content: bool = False,
    ) -> None:
        self.expected_api_key = expected_api_key  # None: any key (or none) is accepted
        self.models = tuple(models)
        self.dialect: Dialect = dialect
        self.require_reasoning_content = require_reasoning_content
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._log: list[str] = []
        self._key_digests: set[bytes] = set()
        self._round_trips = self._prompt_tokens_total = self._call_ids = 0
        self.script(turns, repeat_last=repeat_last)
        self._httpd = _HTTPServer(("127.0.0.1", 0), self)  # port 0: the OS picks a free one
        self._thread: threading.Thread | None = None

    def script(self, turns: Iterable[Turn], *, repeat_last: bool = False) -> ScriptedLLMServer:
        """Replace the remaining turns."""
        with self._lock:
            self._turns, self._repeat_last, self._last = list(turns), repeat_last, None
        return self

    def start(self) -> ScriptedLLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end pending delays, and join every handler thread."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ScriptedLLMServer {self.base_url} round_trips={self.round_trips}>"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_bodies(self) -> list[Any]:
        """The JSON bodies of the chat-completions requests, in order."""
        return [r.body for r in self.requests if urlsplit(r.path).path.rstrip("/") in CHAT_PATHS]

    @property
    def log(self) -> list[str]:
        """Everything the server logged (one line per response; no headers)."""
        with self._lock:
            return list(self._log)

    @property
    def round_trips(self) -> int:
        return self._round_trips  # written under the lock; reading an int is atomic

    @property
    def prompt_tokens_total(self) -> int:
        return self._prompt_tokens_total

    def saw_api_key(self, key: str) -> bool:
        """Whether any request presented ``key`` (as ``Bearer`` or ``api-key``); compared by digest."""
        with self._lock:
            return _digest(key) in self._key_digests

    def _note(self, line: str) -> None:
        with self._lock:
            self._log.append(line)
        log.debug("scripted LLM server: %s", line)

    def _record(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> None:
        kept = {}
        for name, value in headers.items():
            if name.lower() in _REDACTED_HEADERS:
                scheme, _, secret = value.partition(" ") if name.lower() == "authorization" else ("", "", value)
                if not secret:  # a bare token, without "Bearer"
                    scheme, secret = "", scheme
                with self._lock:
                    self._key_digests.add(_digest(secret))
                value = f"{scheme} ***".strip()
            kept[name.lower()] = value
        with self._lock:
            self._requests.append(RecordedRequest(method, path, kept, body))

    def _auth_error(self, headers: Mapping[str, str]) -> Error | None:
        if self.expected_api_key is None:
            return None
        auth = headers.get("Authorization") or ""
        if auth == f"Bearer {self.expected_api_key}" or headers.get("api-key") == self.expected_api_key:
            return None
        return Error(401, error_body("Incorrect API key provided.", code="invalid_api_key"))

    def _count(self, body: Mapping[str, Any]) -> tuple[int, int]:
        prompt_tokens = estimate_prompt_tokens(body)
        with self._lock:
            self._round_trips += 1
            self._prompt_tokens_total += prompt_tokens
            return self._round_trips, prompt_tokens

    def _next_turn(self, n: int) -> Turn:
        with self._lock:
            if self._turns:
                self._last = self._turns.pop(0)
            elif not (self._repeat_last and self._last is not None):
                message = f"script exhausted: no scripted turn left for chat request #{n}"
                return Error(500, error_body(message, "server_error"), {"x-should-retry": "false"})
            return self._last

    def _missing_reasoning(self, body: Mapping[str, Any]) -> Error | None:
        """DeepSeek's 400 for an assistant tool-call message sent back without its ``reasoning_content``."""
        if not self.require_reasoning_content:
            return None
        for index, message in enumerate(body.get("messages") or []):
            if message.get("role") == "assistant" and message.get("tool_calls") and "reasoning_content" not in message:
                return Error(400, error_body(f"Missing `reasoning_content` field in the assistant message at message "
                                             f"index {index}.", code="invalid_request_error"))
        return None

    def _call_id(self) -> str:
        with self._lock:
            self._call_ids += 1
            return f"call_{self._call_ids}"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined by server_close()
    block_on_close = True

    def __init__(self, address: tuple[str, int], owner: ScriptedLLMServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (timeouts, cancelled streams); log anything else without printing."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            log.exception("scripted LLM server: unexpected error")


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"
    timeout = 10  # seconds a silent client may hold a handler thread

    def log_message(self, format: str, *args: Any) -> None:
        self.server.owner._note(format % args)

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._record("GET", self.path, self.headers, None)
        if urlsplit(self.path).path.rstrip("/") not in MODELS_PATHS:
            return self._send_error(Error(404, error_body(f"no route for GET {self.path}")))
        if denied := owner._auth_error(self.headers):
            return self._send_error(denied)
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "scripted"} for m in owner.models]
        self._send_json(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        owner = self.server.owner
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        owner._record("POST", self.path, self.headers, body)
        if urlsplit(self.path).path.rstrip("/") not in CHAT_PATHS:
            return self._send_error(Error(404, error_body(f"no route for POST {self.path}")))
        if not isinstance(body, dict):
            return self._send_error(Error(400, error_body("request body must be a JSON object")))
        n, prompt_tokens = owner._count(body)
        turn = owner._auth_error(self.headers) or owner._missing_reasoning(body) or owner._next_turn(n)
        while callable(turn) or isinstance(turn, Delay):
            if isinstance(turn, Delay):
                if owner._stopping.wait(turn.seconds):
                    return
                turn = turn.then
            else:
                try:
                    turn = turn(body)
                except Exception as exc:  # a broken script must fail the test loudly, not hang it
                    turn = Error(500, error_body(f"scripted callable raised {exc!r}", "server_error"))
        if isinstance(turn, Error):
            return self._send_error(turn)
        if not isinstance(turn, Reply | ToolCalls):
            return self._send_error(Error(500, error_body(f"not a turn: {turn!r}", "server_error")))
        text = turn.text
        calls = [] if isinstance(turn, Reply) else [_wire_call(c, c.id or owner._call_id()) for c in turn.calls]
        if calls and owner.dialect == "vllm-no-tool-parser":  # the chat template's tool-call text, unparsed
            text += "".join(f"<tool_call>\n{json.dumps(_hermes(call))}\n</tool_call>" for call in calls)
            calls = []
        completion_tokens = max(1, (len(text) + sum(len(json.dumps(c)) for c in calls)) // 4)
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
        usage["total_tokens"] = prompt_tokens + completion_tokens
        head = {"id": f"chatcmpl-{n}", "created": int(time.time()), "model": body.get("model", owner.models[0])}
        finish = turn.finish_reason or ("tool_calls" if calls else "stop")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            shape = _dashscope_chunks if owner.dialect == "dashscope" else _chunks
            return self._send_stream(shape(head, text, calls, finish, usage if include_usage else None,
                                           turn.reasoning))
        message: dict[str, Any] = {"role": "assistant", "content": text or None, "refusal": None}
        if turn.reasoning:
            message["reasoning_content"] = turn.reasoning
        if calls:
            message["tool_calls"] = calls
        choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
        self._send_json(200, {**head, "object": "chat.completion", "choices": [choice], "usage": usage})

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, error: Error) -> None:
        kind = "server_error" if error.status >= 500 else "invalid_request_error"
        body = error.body if error.body is not None else error_body(f"scripted HTTP {error.status}", kind)
        self._send_json(error.status, body, error.headers)

    def _send_stream(self, chunks: Iterable[dict]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")


def _wire_call(call: ToolCall, call_id: str) -> dict[str, Any]:
    args = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
    return {"id": call_id, "type": "function", "function": {"name": call.name, "arguments": args}}


def _hermes(call: dict) -> dict:
    """A tool call as Qwen's chat template writes it between ``<tool_call>`` tags."""
    arguments = call["function"]["arguments"]
    try:
        arguments = json.loads(arguments)
    except ValueError:
        pass
    return {"name": call["function"]["name"], "arguments": arguments}


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


def _chunker(head: dict, usage: dict | None) -> Callable[..., dict]:
    def chunk(delta: dict, finish_reason: str | None = None) -> dict:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        extra = {"usage": None} if usage else {}
        return {**head, "object": "chat.completion.chunk", "choices": [choice], **extra}

    return chunk


def _chunks(head: dict, text: str, calls: list[dict], finish: str, usage: dict | None,
            reasoning: str = "") -> Iterator[dict]:
    """OpenAI's streaming shape: a role chunk, text in word-sized deltas, each tool call as a header (index, id, type,
    name, empty arguments) then argument fragments, a finish chunk, and with ``usage`` a last chunk with no choices.
    ``reasoning`` comes first, as DeepSeek streams it (``reasoning_content`` deltas, ``content`` null)."""
    chunk = _chunker(head, usage)
    yield chunk({"role": "assistant", "content": ""})
    for piece in _words(reasoning):
        yield chunk({"content": None, "reasoning_content": piece})
    for piece in _words(text):
        yield chunk({"content": piece})
    for index, call in enumerate(calls):
        header = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
        yield chunk({"tool_calls": [{"index": index, **header}]})
        args = call["function"]["arguments"]
        for start in range(0, len(args), 8):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": args[start : start + 8]}}]})
    yield chunk({}, finish)
    if usage:
        yield {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage}


def _dashscope_chunks(head: dict, text: str, calls: list[dict], finish: str, usage: dict | None,
                      reasoning: str = "") -> Iterator[dict]:
    """DashScope's shape: ``content`` null (not "") beside reasoning and tool calls, and every tool call whole, without
    ``index``, in the last chunk with the finish reason; usage as OpenAI's."""
    chunk = _chunker(head, usage)
    yield chunk({"role": "assistant", "content": None if reasoning or calls else ""})
    for piece in _words(reasoning):
        yield chunk({"content": None, "reasoning_content": piece})
    for piece in _words(text):
        yield chunk({"content": piece, "reasoning_content": None})
    if calls:
        yield chunk({"content": None, "tool_calls": calls}, finish)
    else:
        yield chunk({"content": ""}, finish)
    if usage:
        yield {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage}
