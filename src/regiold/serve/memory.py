"""A serving worker gives the memory its requests freed back to the system (glibc's malloc).

Why (docs/performance.md, "Memory after a crawl"): each thread that allocates gets one of glibc's
per-thread arenas, and an arena keeps the pages its requests freed (it returns only a free block
at its very top, rarely free in a heap shared by eight busy threads). At 10^6 triples a worker
that rendered 4,000 distinct pages held 73 MB in its arenas, of which 43 MB was free; one
``malloc_trim(0)`` gave it back. So each worker runs a thread that calls ``malloc_trim(0)`` once
a second after it has used CPU (served requests): an idle worker is never woken into work, and
a burst's freed pages go back within a second of it. The memos (``cache_mb``) and whatever else
is in use stay: ``malloc_trim`` releases only free pages.

Not glibc (e.g. musl): nothing to do, ``start_trimming`` returns None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

TRIM_INTERVAL = 1.0  # seconds between checks
BUSY_CPU = 0.01  # CPU seconds used since the last trim that count as "it served something"
THREAD_NAME = b"regiold-trim"  # what `ps -T` and /proc/PID/task/*/comm show for the thread
_PR_SET_NAME = 15  # linux/prctl.h


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc  # ctypes releases the GIL during a call: requests go on meanwhile


class Trimmer(threading.Thread):
    """Calls ``malloc_trim(0)`` every ``interval`` seconds in which the process used CPU."""

    def __init__(self, libc: ctypes.CDLL, interval: float = TRIM_INTERVAL) -> None:
        super().__init__(name=THREAD_NAME.decode(), daemon=True)
        self.libc, self.interval = libc, interval
        self.trims = 0  # how many trims ran (tests read it)

    def run(self) -> None:
        if hasattr(self.libc, "prctl"):
            self.libc.prctl(_PR_SET_NAME, THREAD_NAME, 0, 0, 0)  # visible to operators and tests
        used = time.process_time()
        while True:
            time.sleep(self.interval)
            now = time.process_time()
            if now - used >= BUSY_CPU:
                self.libc.malloc_trim(0)
                self.trims += 1
                used = time.process_time()  # the trim's own CPU is no sign of requests


_started: Trimmer | None = None


def start_trimming(interval: float = TRIM_INTERVAL) -> Trimmer | None:
    """In a freshly forked worker: start its trimming thread (once per process; threads do not
    survive a fork, so a worker starts its own). None where the C library has no malloc_trim."""
    global _started
    if _started is not None and _started.is_alive():
        return _started
    libc = _libc()
    if libc is None:
        return None
    _started = Trimmer(libc, interval)
    _started.start()
    return _started
