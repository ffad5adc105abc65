"""Concurrent offline chats through the Gradio app's API (printed, never asserted).

Launches the app in this process (``prevent_thread_lock=True``) on a free 127.0.0.1 port. The
simulated users run in a child process (one thread and one gradio_client session each), so the
clients' own work (the SDK makes a TLS context per request, SSE parsing) does not share the
server's GIL; ``--same-process`` runs them here instead. Each round sends every user's chat at
the same moment (a barrier) and times each ``/chat`` call from send to the complete answer.
With ``--exports`` each user also calls ``/chat_exports`` (files + plots) right after.

Target on the 2-core machine: 20 concurrent chats, p95 < 1 s.

Run: ``.venv/bin/python bench/bench_ui.py [--users 20] [--rounds 3] [--exports]``.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import queue
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from ui.app import build_app, launch_options, tune_gradio_queue  # noqa: E402
from ui.strings import EXAMPLES  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _round(clients: list[Client], exports: bool) -> tuple[list[float], list[float], int]:
    barrier = threading.Barrier(len(clients))
    chat_s: list[float] = []
    export_s: list[float] = []
    failures = 0
    lock = threading.Lock()

    def user(index: int, client: Client) -> None:
        nonlocal failures
        text = EXAMPLES[index % len(EXAMPLES)]
        barrier.wait()
        try:
            start = time.perf_counter()
            client.predict(text, [], api_name="/chat")
            took = time.perf_counter() - start
            took_exports = None
            if exports:
                start = time.perf_counter()
                client.predict(api_name="/chat_exports")
                took_exports = time.perf_counter() - start
        except Exception as error:  # noqa: BLE001 - count it and go on
            with lock:
                failures += 1
            print(f"  user {index}: {type(error).__name__}: {error}", file=sys.stderr)
            return
        with lock:
            chat_s.append(took)
            if took_exports is not None:
                export_s.append(took_exports)

    threads = [threading.Thread(target=user, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return chat_s, export_s, failures


def _users(url: str, users: int, rounds: int, exports: bool, results: Any) -> None:
    """All rounds (after one warm-up) for ``users`` clients; puts (chats, exports, failures, wall_s)."""
    clients = [Client(url, verbose=False) for _ in range(users)]
    _round(clients, exports)  # warm-up: imports, caches, first figures
    chats: list[float] = []
    exported: list[float] = []
    failures = 0
    start = time.perf_counter()
    for _ in range(rounds):
        c, e, f = _round(clients, exports)
        chats += c
        exported += e
        failures += f
    results.put((chats, exported, failures, time.perf_counter() - start))


def _summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no samples"
    return (f"{label}: n={len(values)}  p50={statistics.median(values):.3f}s  p95={_percentile(values, 0.95):.3f}s  "
            f"max={max(values):.3f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent chats per round (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds after one warm-up round (default 3)")
    parser.add_argument("--exports", action="store_true", help="also time /chat_exports after each chat")
    parser.add_argument("--same-process", action="store_true", help="run the clients in the server's process")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    tune_gradio_queue()
    demo = build_app(settings=Settings(force_offline=True))
    _, url, _ = demo.launch(server_port=_free_port(), prevent_thread_lock=True, quiet=True, **launch_options())
    try:
        if args.same_process:
            results: Any = queue.Queue()
            _users(url, args.users, args.rounds, args.exports, results)
        else:
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            child = context.Process(target=_users, args=(url, args.users, args.rounds, args.exports, results))
            child.start()
        chats, exports, failures, wall = results.get(timeout=1800)
        where = "in this process" if args.same_process else "in a child process"
        print(f"UI bench: {args.users} concurrent offline chats × {args.rounds} rounds, clients {where}, "
              f"{os.cpu_count()} CPUs")
        print("  " + _summary("/chat (send → full answer)", chats))
        if args.exports:
            print("  " + _summary("/chat_exports (files + plots)", exports))
        print(f"  throughput: {len(chats) / wall:.1f} chats/s; failures: {failures}")
        target = "met" if chats and _percentile(chats, 0.95) < 1.0 else "NOT met"
        print(f"  target p95 < 1 s at 20 concurrent chats: {target}")
    finally:
        demo.close()


if __name__ == "__main__":
    main()
