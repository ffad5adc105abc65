"""The app under load, through its own API (printed, never asserted: wall-clock tests are flaky on shared machines).

Launches the app in this process (``prevent_thread_lock=True``) on a free 127.0.0.1 port, with its own
temporary folder (``TMPDIR`` and ``GRADIO_TEMP_DIR``) so the disk the exports take can be measured. The
simulated users run in a child process, one thread and one ``gradio_client`` session each, so the clients'
own work (TLS contexts, SSE parsing) does not share the server's GIL.

1. **Warm-up.** ``--users`` sessions at once run three turns each and close; the server's resident memory after
   that is the *warm baseline*. At full concurrency, so that what a server grows once and then reuses (gradio's
   worker threads, up to 40, their stacks and allocator arenas; imported modules; caches) is in the baseline, and
   what the run leaves behind is what would grow with every visitor.
2. **At a person's pace.** ``--users`` sessions (default 50) each send a message every ``--pace`` seconds
   (default 5; the first at a random moment of the first interval), ``--turns`` messages each (a
   conversation: a plan, then follow-ups; ``/chat``, which since issue 11 also returns the conversation the
   browser keeps; before it, each turn was followed by ``/chat_exports``, which wrote every export and built the
   figures, and the bench calls it where the app has it); one download per session (the Markdown report,
   through ``/export_markdown``, made on demand, where the app has it).
   Meanwhile one more session sends a ``--heavy-chars`` message (default 20,000 characters).
   Printed: the others' time from send to the complete answer (p50, p95, max), the heavy message's, the
   step after a turn, the downloads, errors.
3. **Saturation.** Every session sends its messages back to back for ``--saturation-s`` seconds; printed:
   completed turns per second, and their p50 and p95.
4. **After.** The clients close; the server's memory is printed when the sessions have been released (or
   after ``--settle-s``), with the peak and the warm baseline; the temporary disk at its peak and at the end.

Goals (issue 11): p95 < 1 s for everyone else beside the heavy message, ≥ 20 turns/s at saturation, 0 errors,
memory back within 20% of the warm baseline, temporary disk bounded (exports expire).

Run: ``.venv/bin/python bench/bench_ui.py [--users 50] [--pace 5] [--turns 6] [--saturation-s 20] [--client wire]``.
The sessions speak Gradio's queue protocol themselves (:mod:`bench.gradio_wire`); ``--client gradio`` uses
gradio_client, whose own CPU (92 ms a turn) then limits what a 2-core machine can show of the server.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("145M 参数的 MoE，1 个共享专家 + 4 个路由专家，top-1，28.9M 条样本 × 512 字，8 张 4090",
     "如果换成 16 张卡呢？", "MFU 20%", "多少卡时？", "显存够吗？", "换成 32 张卡呢"),
    ("DeepSeek-V3, 14.8T tokens, 2048 H800, MFU 35%, $2 per GPU-hour",
     "what about 4096 GPUs?", "MFU 40%", "how many GPU-hours?", "does it fit in memory?", "what about 1024 GPUs?"),
    ("我有 8 张 4090，可以用 7 天，应该训练多大的模型？", "用第二个配置", "多少卡时？", "换成 16 张卡呢",
     "MFU 30%", "显存够吗？"),
    ("Qwen3-30B-A3B, 36T tokens: how many H800 GPU-hours?", "MFU 20%", "what about 512 GPUs?",
     "does it fit?", "MFU 30%", "what about 2048 GPUs?"),
)
HEAVY_UNIT = "4090 "  # the reader's worst case named in issue 11: a GPU name over and over


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"n={len(values)}  p50={statistics.median(values):.3f}s  p95={_percentile(values, 0.95):.3f}s  "
            f"max={max(values):.3f}s")


def _rss_mb(pid: int | None = None) -> float:
    for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _disk_mb(folder: Path) -> tuple[float, int]:
    """(MB, files) under ``folder``."""
    total, files = 0, 0
    for root, _dirs, names in os.walk(folder):  # os.walk skips folders removed while it looks
        for name in names:
            try:
                total += os.stat(os.path.join(root, name)).st_size
                files += 1
            except OSError:  # removed while we looked
                continue
    return total / 1e6, files


# --- the clients (child process) ----------------------------------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.chat: list[float] = []
        self.after: list[float] = []
        self.export: list[float] = []
        self.heavy: list[float] = []
        self.errors: list[str] = []

    def add(self, name: str, value: float) -> None:
        with self.lock:
            getattr(self, name).append(value)

    def error(self, where: str, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{where}: {type(error).__name__}: {str(error)[:200]}")


def _turn(client: Any, text: str, tally: _Tally, *, heavy: bool = False, on_demand: bool = True) -> None:
    start = time.perf_counter()
    client.predict(text, [], api_name="/chat")
    tally.add("heavy" if heavy else "chat", time.perf_counter() - start)
    if not on_demand:  # the app before issue 11: the browser's step after each turn
        start = time.perf_counter()
        client.predict(api_name="/chat_exports")
        tally.add("after", time.perf_counter() - start)


def _download(client: Any, on_demand: bool, tally: _Tally) -> None:
    start = time.perf_counter()
    if on_demand:
        client.predict(api_name="/export_markdown")
    else:
        client.predict(api_name="/chat_exports")  # the files came with the step after a turn
    tally.add("export", time.perf_counter() - start)


def _paced_user(index: int, client: Any, args: Any, on_demand: bool, start_at: float, tally: _Tally) -> None:
    rng = random.Random(index)
    conversation = CONVERSATIONS[index % len(CONVERSATIONS)]
    first = start_at + rng.uniform(0, args.pace)
    for turn in range(args.turns):
        time.sleep(max(0.0, first + turn * args.pace - time.perf_counter()))
        try:
            _turn(client, conversation[turn % len(conversation)], tally, on_demand=on_demand)
            if turn == args.turns - 1:
                _download(client, on_demand, tally)
        except Exception as error:  # noqa: BLE001 - counted and printed
            tally.error(f"user {index} turn {turn}", error)


def _heavy_user(client: Any, chars: int, start_at: float, on_demand: bool, tally: _Tally) -> None:
    time.sleep(max(0.0, start_at - time.perf_counter()))
    text = (HEAVY_UNIT * (chars // len(HEAVY_UNIT) + 1))[:chars]
    try:
        _turn(client, text, tally, heavy=True, on_demand=on_demand)
    except Exception as error:  # noqa: BLE001 - counted and printed
        tally.error("heavy message", error)


def _saturating_user(index: int, client: Any, until: float, on_demand: bool, tally: _Tally) -> None:
    conversation = CONVERSATIONS[index % len(CONVERSATIONS)]
    turn = 0
    while time.perf_counter() < until:
        try:
            _turn(client, conversation[turn % len(conversation)], tally, on_demand=on_demand)
        except Exception as error:  # noqa: BLE001 - counted and printed
            tally.error(f"user {index} saturating", error)
        turn += 1


def _threads(targets: list[tuple[Any, tuple[Any, ...]]]) -> None:
    threads = [threading.Thread(target=target, args=target_args) for target, target_args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _connect(url: str, kind: str) -> Any:
    """A session: the lean wire client (bench/gradio_wire.py) or the official ``gradio_client``."""
    if kind == "gradio":
        from gradio_client import Client

        return Client(url, verbose=False)
    from bench.gradio_wire import WireClient

    return WireClient(url)


def _has_endpoint(client: Any, api_name: str) -> bool:
    if hasattr(client, "has_endpoint"):  # the wire client
        return client.has_endpoint(api_name)
    return api_name in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def _clients(url: str, args: Any, results: Any, go: Any) -> None:
    def connect() -> Any:
        return _connect(url, args.client)

    warm = [connect() for _ in range(args.users)]  # as many at once as the run has: the worker threads exist
    warm_tally = _Tally()
    on_demand = _has_endpoint(warm[0], "/export_markdown")

    def warm_up(index: int, client: Any) -> None:
        for text in CONVERSATIONS[index % len(CONVERSATIONS)][:3]:
            _turn(client, text, warm_tally, on_demand=on_demand)

    _threads([(warm_up, (i, c)) for i, c in enumerate(warm)])
    for client in warm:
        client.close()
    results.put(("warm", len(warm_tally.errors), on_demand))
    clients = [connect() for _ in range(args.users)]
    heavy = connect()
    go.get(timeout=600)  # the server has measured its warm baseline

    tally = _Tally()
    begin = time.perf_counter() + 1.0
    paced = [(_paced_user, (i, c, args, on_demand, begin, tally)) for i, c in enumerate(clients)]
    wall = time.perf_counter()
    _threads([*paced, (_heavy_user, (heavy, args.heavy_chars, begin + 2 * args.pace, on_demand, tally))])
    paced_wall = time.perf_counter() - wall
    results.put(("paced", tally.chat, tally.heavy, tally.after, tally.export, tally.errors, paced_wall))

    saturated = _Tally()
    until = time.perf_counter() + args.saturation_s
    wall = time.perf_counter()
    _threads([(_saturating_user, (i, c, until, on_demand, saturated)) for i, c in enumerate(clients)])
    sat_wall = time.perf_counter() - wall
    results.put(("saturation", saturated.chat, saturated.after, saturated.errors, sat_wall))
    for client in [*clients, heavy]:
        client.close()
    results.put(("closed",))


# --- the server (this process) ------------------------------------------------------------------------------


class _Sampler(threading.Thread):
    """Samples the server's memory and the temporary folder's size once a second."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.peak_rss = 0.0
        self.peak_disk = (0.0, 0)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.peak_rss = max(self.peak_rss, _rss_mb())
            disk = _disk_mb(self.folder)
            if disk[0] > self.peak_disk[0]:
                self.peak_disk = disk


def _settled_rss(seconds: float) -> float:
    """The server's memory once it stops falling (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    last = _rss_mb()
    while time.monotonic() < deadline:
        time.sleep(2.0)
        gc.collect()
        now = _rss_mb()
        if abs(now - last) < 1.0:
            return now
        last = now
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=("wire", "gradio"), default="wire",
                        help="the simulated sessions: 'wire', Gradio's queue protocol on one kept-alive connection "
                             "each (bench/gradio_wire.py, default), or 'gradio', gradio_client (92 ms of client CPU "
                             "per turn, three times the server's: on 2 cores it measures itself)")
    parser.add_argument("--users", type=int, default=50, help="sessions at a person's pace (default 50)")
    parser.add_argument("--pace", type=float, default=5.0, help="seconds between a user's messages (default 5)")
    parser.add_argument("--turns", type=int, default=6, help="messages per user at that pace (default 6)")
    parser.add_argument("--heavy-chars", type=int, default=20_000, help="the heavy message's length (default 20,000)")
    parser.add_argument("--saturation-s", type=float, default=20.0, help="seconds of back-to-back turns (default 20)")
    parser.add_argument("--settle-s", type=float, default=90.0,
                        help="how long to wait for the memory to settle after the clients close (default 90)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    os.environ["GRADIO_TEMP_DIR"] = str(folder / "gradio")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    logging.disable(logging.WARNING)

    from assistant.settings import Settings
    from ui.app import build_app, launch_options, tune_gradio_queue

    tune_gradio_queue()
    demo = build_app(settings=Settings(force_offline=True))
    _, url, _ = demo.launch(server_port=_free_port(), prevent_thread_lock=True, quiet=True, **launch_options())
    started_rss = _rss_mb()
    sampler = _Sampler(folder)
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Queue()
    child = context.Process(target=_clients, args=(url, args, results, go))
    try:
        child.start()
        _, warm_errors, on_demand = results.get(timeout=600)
        baseline = _settled_rss(30.0)
        sampler.start()
        go.put(True)
        _, chats, heavy, after, exports, errors, paced_wall = results.get(timeout=3600)
        server_cpu_s = time.process_time()
        _, sat_chats, sat_after, sat_errors, sat_wall = results.get(timeout=3600)
        server_cpu_s = time.process_time() - server_cpu_s
        results.get(timeout=600)
        child.join(timeout=60)
        settled = _settled_rss(args.settle_s)
        sampler.stopped.set()
        end_disk = _disk_mb(folder)
    finally:
        demo.close()
        shutil.rmtree(folder, ignore_errors=True)

    client = "gradio_client" if args.client == "gradio" else "the wire client (bench/gradio_wire.py)"
    print(f"UI load bench: {os.cpu_count()} CPUs, offline, {client} in a child process; downloads "
          f"{'on demand (/export_markdown)' if on_demand else 'with the step after each turn (/chat_exports)'}")
    print(f"  {args.users} sessions × {args.turns} messages, one every {args.pace:g} s, "
          f"beside one {args.heavy_chars:,}-character message ({paced_wall:.0f} s):")
    print(f"    others, send → full answer:      {_summary(chats)}")
    print(f"    the heavy message:               {_summary(heavy)}")
    if after:
        print(f"    step after a turn (/chat_exports): {_summary(after)}")
    print(f"    a download (Markdown):           {_summary(exports)}")
    print(f"    errors: {len(errors)} (warm-up {warm_errors})")
    for line in errors[:5]:
        print(f"      {line}")
    print(f"  saturation, {args.users} sessions back to back for {sat_wall:.0f} s:")
    print(f"    turns/s: {len(sat_chats) / sat_wall:.1f}  (send → full answer {_summary(sat_chats)}"
          + (f"; after-turn step {_summary(sat_after)})" if sat_after else ")"))
    print(f"    server CPU per turn: {1000 * server_cpu_s / max(1, len(sat_chats)):.1f} ms (the rest of the two cores "
          f"is the clients')")
    print(f"    errors: {len(sat_errors)}")
    for line in sat_errors[:5]:
        print(f"      {line}")
    change = (settled - baseline) / baseline
    print(f"  server memory: started {started_rss:.0f} MB, warm baseline {baseline:.0f} MB, peak "
          f"{sampler.peak_rss:.0f} MB, after the clients closed {settled:.0f} MB ({change:+.0%} of the baseline)")
    print(f"  temporary disk: peak {sampler.peak_disk[0]:.1f} MB in {sampler.peak_disk[1]} files; at the end "
          f"{end_disk[0]:.1f} MB in {end_disk[1]} files")
    p95 = _percentile(chats, 0.95) if chats else float("inf")
    goals = [("p95 < 1 s beside the heavy message", p95 < 1.0),
             ("≥ 20 turns/s at saturation", len(sat_chats) / sat_wall >= 20),
             ("0 errors", not errors and not sat_errors and not warm_errors),
             ("memory within 20% of the warm baseline", change <= 0.2),
             ("temporary disk back under 1 MB (exports expire)", end_disk[0] < 1.0)]
    print("  goals: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in goals))


if __name__ == "__main__":
    main()
