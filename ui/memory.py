"""The server process's memory: fewer allocator arenas, and freed memory given back to the system.

glibc's malloc gives each thread that allocates its own arena (up to eight per core), and keeps what is freed in
them until trimmed, so a server with gradio's forty worker threads would hold the memory of its busiest moment
long after its pages closed. Both calls are glibc's (``mallopt``, ``malloc_trim``); elsewhere they do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
SERVER_ARENAS = 2  # arenas for the whole process: worker threads share them instead of keeping one each


@cache
def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:  # no C library by that name: not glibc
        return None


def limit_arenas() -> None:
    """At most :data:`SERVER_ARENAS` malloc arenas (call before the server's threads start)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, SERVER_ARENAS)


def give_back_freed_memory() -> None:
    """Collect reference cycles, then return the allocator's free pages to the system."""
    libc = _libc()
    if libc is not None:
        gc.collect()
        libc.malloc_trim(0)
