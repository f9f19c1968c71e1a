"""The page gate: at most ``page_concurrency`` requests of a worker run their Python at once, the
others wait their turn in arrival order; large pages have a lane of their own (issue 12, the
crawl's tail).

Each worker runs the app on ``threads`` blocking threads (granian, gunicorn gthread), and they
share one GIL. With 8 page renderings at once the interpreter switches between them every few
milliseconds, so each takes about 8 times its own CPU: a large page (org/regionen-nrw, 1,485
triples, 5-14 ms of CPU) then takes 20-50 times a median page, and the crawl's p99 is that
multiple of its p50. Served one after the other, a request waits for the pages ahead of it and
then runs alone, so every latency is a sum of a few requests' costs.

A large page would still hold up every request queued behind it for its whole cost. So a page
whose stored incoming links are large (``LARGE_INCOMING_BYTES``: most of a large page is its
incoming links and what they bring) waits in a second lane, one at a time, and runs beside the
ordinary pages, which never queue behind it: while it runs, the ordinary page beside it shares
the GIL with one thread, not seven. Large pages queue behind large pages only
(docs/performance.md, "Fourth pass").

Only GET and HEAD outside ``/sparql`` and ``/search`` pass through the gate. A query's request
spends its time waiting for a query worker (with its own capacity, ``sparql_max_concurrent``, and
its own 503), and a page must never wait behind it (issue 13); a search costs what its words match,
not what a page costs (``UNGATED``); a request with a body could hold the turn while a slow client
sends it. With a remote store there is no gate (create_app): a page's time is then
a round trip, during which the other pages should run.

The turn is handed to the longest-waiting request (FIFO), not to whichever thread runs first
after a release (``threading.Semaphore`` lets a newcomer take it): with barging, a request can be
overtaken again and again, which is the tail this exists to cut.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

from regiold.publish.lookup import incoming_size
from regiold.publish.site import SiteHolder
from regiold.web.fastpath import StartResponse, WsgiApp
from regiold.web.negotiate import split_suffix

# Paths that never take a page's turn: /sparql has a capacity of its own (web/sparql_front.py);
# a search's cost grows with the data and the words asked for (100-200 ms of CPU at 10^5 for
# "e e e e"), and held in turn it would stall every page of its worker: it shares the interpreter
# with the pages instead, rate-limited per client.
UNGATED = ("/sparql", "/search")
# A page whose stored incoming links are larger than this takes the lane of large pages. At 10^4
# (bench/gen.py) the pages over it are the six of 1,100-1,600 triples and 9-13 ms of Turtle CPU
# (20-50x a median page; the smallest of them, def/role/mitglied, has 19 KB) and
# def/Regionalmanagement (19 KB, 4 ms); the next ones, 10 KB and less, cost at most 3.5 ms
# (docs/performance.md, "Fourth pass").
LARGE_INCOMING_BYTES = 16_384
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
    """WSGI middleware: a GET or HEAD outside ``UNGATED`` paths runs ``app`` holding its lane's
    turn. What ``app`` returns is sent after the turn: a list of bytes for every page, a file for
    a dump (send_file), so only the sending, without Python work, runs outside it."""

    def __init__(self, app: WsgiApp, holder: SiteHolder, permits: int,
                 large_bytes: int = LARGE_INCOMING_BYTES) -> None:
        self.app, self.holder, self.large_bytes = app, holder, large_bytes
        self.gate, self.large = FifoGate(permits), FifoGate(1)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in GATED_METHODS or any(
                path == prefix or path.startswith(prefix + "/") for prefix in UNGATED):
            return self.app(environ, start_response)
        with self.large if self._large(path) else self.gate:
            return self.app(environ, start_response)

    def _large(self, path: str) -> bool:
        """Whether ``path`` is a large resource page: its IRI's stored incoming links are over
        ``large_bytes`` (one indexed read of a length, ~10 us)."""
        if not path.startswith("/") or not path.isascii():
            return False
        site = self.holder.site
        stem, _ = split_suffix(path[1:])
        try:
            return incoming_size(site.store, site.base_iri + stem) > self.large_bytes
        except Exception:  # noqa: BLE001 - a guess only: the request itself meets the error
            return False
