"""A lean load-test client for a Gradio app: its queue protocol (``sse_v3``) spoken over one kept-alive httpx
connection per session.

Why not ``gradio_client``: it opens a new ``httpx`` client (and TLS context) for every request and a heartbeat
thread per session. Measured on the 2-core machine (bench_ui, 20 sessions back to back), it spent 92 ms of CPU per
turn against the server's 27 ms, so in a bench where clients and server share the two cores it measured itself.
This client spends a few ms per turn; ``bench_ui.py --client gradio`` still runs the official one.

What it does per call, as gradio_client does: the endpoint's inputs in order, a ``gr.State`` input as None
(the server keeps it per session), the given values for the other inputs in order, then the inputs' default
values; ``POST {api}/queue/join`` with the session hash, then ``GET {api}/queue/data`` read as server-sent events
until this event's ``process_completed``. The session's state lives on the server under the session hash, as it
does for a browser tab, and like a tab the session keeps ``GET {api}/heartbeat/{session_hash}`` open (its own
connection, on a thread that only waits): closing it is how the server learns the page closed and runs its
``unload`` handlers.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from typing import Any

import httpx


class AppError(RuntimeError):
    """The app answered the call with an error."""


class WireClient:
    """One session of a Gradio app (one browser tab's worth of server state)."""

    def __init__(self, url: str, *, timeout_s: float = 600.0) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout_s)
        config = self.http.get("/config").raise_for_status().json()
        self.api = config.get("api_prefix", "/gradio_api")
        self.components = {component["id"]: component for component in config["components"]}
        self.endpoints = {dep["api_name"]: dep for dep in config["dependencies"] if dep.get("api_name")}
        self.session_hash = uuid.uuid4().hex[:11]
        self._heartbeat_http = httpx.Client(base_url=url.rstrip("/"), timeout=None)
        self._heartbeat = threading.Thread(target=self._keep_alive, daemon=True)
        self._heartbeat.start()

    def _keep_alive(self) -> None:
        with contextlib.suppress(httpx.HTTPError, RuntimeError), self._heartbeat_http.stream(
                "GET", f"{self.api}/heartbeat/{self.session_hash}") as beats:
            for _ in beats.iter_lines():  # "data: ALIVE" every 15 s until the connection closes
                pass

    def _data(self, endpoint: dict[str, Any], given: tuple[Any, ...]) -> list[Any]:
        values = list(given)
        data: list[Any] = []
        for component_id in endpoint["inputs"]:
            component = self.components[component_id]
            if component["type"] == "state":
                data.append(None)
            elif values:
                data.append(values.pop(0))
            else:
                data.append(component.get("props", {}).get("value"))
        return data

    def has_endpoint(self, api_name: str) -> bool:
        return api_name.lstrip("/") in self.endpoints

    def predict(self, *given: Any, api_name: str) -> list[Any]:
        """The endpoint's final outputs (a list, one per output component)."""
        endpoint = self.endpoints[api_name.lstrip("/")]
        join = self.http.post(f"{self.api}/queue/join", json={
            "data": self._data(endpoint, given), "fn_index": endpoint["id"], "trigger_id": None,
            "session_hash": self.session_hash, "event_data": None})
        join.raise_for_status()
        event_id = join.json()["event_id"]
        with self.http.stream("GET", f"{self.api}/queue/data", params={"session_hash": self.session_hash}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                    continue
                output = message.get("output") or {}
                if not message.get("success", False) or "error" in output:
                    raise AppError(str(output.get("error") or message)[:300])
                return output.get("data") or []
        raise AppError(f"the stream ended before {api_name} completed")

    def close(self) -> None:
        """Close the session as a closing tab does: the heartbeat connection ends."""
        self.http.close()
        self._heartbeat_http.close()
        self._heartbeat.join(timeout=5)
