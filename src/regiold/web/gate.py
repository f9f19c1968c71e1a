"""The page gate: at most ``page_concurrency`` requests of a worker run their Python at once, the
others wait their turn in arrival order (issue 12, the crawl's tail).

Each worker runs the app on ``threads`` blocking threads (granian, gunicorn gthread), and they
share one GIL. With 8 page renderings at once the interpreter switches between them every few
milliseconds, so each takes about 8 times its own CPU: a large page (org/regionen-nrw, 1,485
triples, 5-12 ms of CPU) then takes 20-50 times a median page, and the crawl's p99 is that
multiple of its p50. Served one after the other, a request waits for the pages ahead of it and
then runs alone: every latency is a sum of several requests' costs, so a large page adds its own
cost once instead of multiplying it (docs/performance.md, "Fourth pass").

Only GET and HEAD outside ``/sparql`` pass through the gate. A query's request spends its time
waiting for a query worker (with its own capacity, ``sparql_max_concurrent``, and its own 503),
and a page must never wait behind it (issue 13); a request with a body could hold the turn while
a slow client sends it. With a remote store there is no gate (create_app): a page's time is then
a round trip, during which the other pages should run.

The turn is handed to the longest-waiting request (FIFO), not to whichever thread runs first
after a release (``threading.Semaphore`` lets a newcomer take it): with barging, a request can be
overtaken again and again, which is the tail this exists to cut.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

from regiold.web.fastpath import StartResponse, WsgiApp

UNGATED = ("/sparql",)  # paths with a capacity of their own (web/sparql_front.py)
GATED_METHODS = ("GET", "HEAD")  # no body to wait for


class FifoGate:
    """A counting semaphore that serves its waiters in arrival order."""

    def __init__(self, permits: int) -> None:
        self._free = permits
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """Requests waiting for their turn now."""
        return len(self._waiting)

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the release() that hands this request the permit

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # the permit passes on, never freed between
            else:
                self._free += 1

    def __enter__(self) -> FifoGate:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


class PageGate:
    """WSGI middleware: a GET or HEAD outside ``UNGATED`` paths runs ``app`` holding the gate. What
    ``app`` returns is sent after the turn: a list of bytes for every page, a file for a dump
    (send_file), so only the sending, without Python work, runs outside it."""

    def __init__(self, app: WsgiApp, permits: int) -> None:
        self.app, self.gate = app, FifoGate(permits)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in GATED_METHODS or any(
                path == prefix or path.startswith(prefix + "/") for prefix in UNGATED):
            return self.app(environ, start_response)
        with self.gate:
            return self.app(environ, start_response)
