"""The query service: one per Site and process; screens, memoises and hands queries to the pool."""


from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from regiold.errors import (
    EndpointBusy,
    NotAcceptable,
    QueryMemoryLimit,
    QueryRefused,
    QuerySyntaxError,
    RegioldError,
    StoreUnavailable,
)
from regiold.publish.site import DEFAULT_CACHE_BYTES, Budget, Site
from regiold.rdf import formats
from regiold.rdf.namespaces import site_prefixes
from regiold.sparql.describe_form import describe_reply, describe_targets, plain_describe
from regiold.sparql.messages import Answer, Job, Request
from regiold.sparql.pattern_form import Pattern, pattern_reply, single_pattern
from regiold.sparql.pool import Pool
from regiold.sparql.runner import check_only, chosen_format, guarded, make_runner, run_on_remote
from regiold.sparql.screen import Screened, screen

MEMO_ENTRIES = 256  # answers remembered per data version and process (repeated queries: crawlers)
MEMO_MAX_BYTES = 512 * 1024  # larger answers are not remembered; all of them: ``memo_bytes``
# A plain DESCRIBE of at most this many resources is answered in the serving process (one page
# lookup each, no worker round trip); a longer list runs in a query worker, inside its limits.
DESCRIBE_HERE = 16
# Functions whose value changes from run to run: such queries are never answered from the memo.
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_VOLATILE_NAMES = ("NOW", "RAND", "UUID", "BNODE")  # STRUUID holds UUID




def _volatile(query: str) -> bool:
    """Whether the query may call a function whose value changes from run to run (never
    remembered). The scan costs 5-20 us in Python's regex engine, so it runs only on text that
    calls something and names such a function in ASCII letters of any case (the engine knows
    them only so; the one-pattern and DESCRIBE forms never get that far)."""
    if "(" not in query:
        return False
    upper = query.upper()
    return any(name in upper for name in _VOLATILE_NAMES) and _VOLATILE.search(query) is not None


class QueryService:
    """Runs screened queries in a small pool of forked worker processes.

    Created lazily per process (a worker pool cannot cross ``fork``); :meth:`close` stops the
    workers, and it runs by itself when the service is garbage-collected. At most
    ``max_concurrent`` queries run at once (:meth:`slot`); one more is refused at once, so the
    serving threads beyond those stay free for pages. In front of a remote store the workers only
    check the query (SERVICE, by the engine's parse) before the remote store runs it.
    """

    def __init__(
        self,
        store: object,
        *,
        base_iri: str,
        timeout: float,
        max_rows: int,
        max_query_bytes: int,
        max_concurrent: int,
        page_size: int = 200,
        worker_max_mb: int = 0,
        query_max_mb: int = 0,
        max_result_bytes: int = 0,
        memo_bytes: int = DEFAULT_CACHE_BYTES,
        pages: Site | None = None,
    ) -> None:
        self.base_iri = base_iri
        self.page_size = page_size
        self.timeout, self.max_rows, self.max_result_bytes = timeout, max_rows, max_result_bytes
        self.max_query_bytes = max_query_bytes
        self.prefixes = site_prefixes(base_iri)
        # a count under a lock, not a BoundedSemaphore: the slot is only ever tried, never waited
        # for, and the semaphore's Condition costs a few microseconds per query in Python
        self._slots, self._taken = max(1, max_concurrent), 0
        self._slots_lock = threading.Lock()
        self._store = store
        self._memo: OrderedDict[Request, Answer] = OrderedDict()
        self._memo_budget = Budget(MEMO_ENTRIES, memo_bytes)  # the setting cache_mb
        self._memo_lock = threading.Lock()
        self._embedded = isinstance(getattr(store, "db", None), ox.Store)
        # the pages' Site: DESCRIBE reads its memo of descriptions (not on a remote store, whose
        # answers are never kept: it can be reloaded behind our back). A weak reference: the Site's
        # memo holds this service, and a cycle would keep an old version's workers until the
        # collector ran, instead of ending them when the version is dropped
        self._pages = weakref.ref(pages) if pages is not None and self._embedded else None
        self._pool = Pool(_embedded_runner(store, base_iri, page_size) if self._embedded
                          else check_only, retire_mb=worker_max_mb, memory_mb=query_max_mb,
                          base_iri=base_iri, prefixes=self.prefixes)
        self._finalizer = weakref.finalize(self, self._pool.close)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``max_concurrent`` query slots of this process for the block: reading
        the request body, running, serializing and rendering the answer.

        :raises EndpointBusy: every slot is taken (no waiting: the client gets 503 at once).
        """
        with self._slots_lock:
            if self._taken >= self._slots:
                raise EndpointBusy("all query workers are busy; try again shortly")
            self._taken += 1
        try:
            yield
        finally:
            with self._slots_lock:
                self._taken -= 1

    def run(self, request: Request, *, looked_up: bool = False) -> Answer:
        """Screen, run and serialize one query (``looked_up``: the caller has just found no
        remembered answer for it).

        :raises PayloadTooLarge, QueryRefused, ReadOnlyEndpoint: see :func:`screen`.
        :raises QuerySyntaxError: the engine cannot parse the query (message with line:column).
        :raises NotAcceptable: the result kind has no format the client accepts.
        :raises QueryTimeout: the query ran longer than the time limit and was stopped.
        :raises QueryMemoryLimit: the query needed more memory than its limit.
        """
        known = None if looked_up else self.remembered(request)
        if known is not None:
            return known
        strict = self._strict(request)
        screened = screen(request.query, max_bytes=self.max_query_bytes) if strict is None \
            else _STRICT_FORMS[strict.form if isinstance(strict, Pattern) else "DESCRIBE"]
        answer = self._run(request, screened, strict)
        # A remote store can be reloaded (or go away) behind our back: its answers are not kept.
        if self._embedded and len(answer.body) <= MEMO_MAX_BYTES and not _volatile(request.query):
            with self._memo_lock:
                self._remember(request, answer)
        return answer

    def _remember(self, request: Request, answer: Answer) -> None:
        """Keep ``answer`` as the newest, within ``MEMO_ENTRIES`` and ``memo_bytes`` (the oldest
        go first); the caller holds the lock."""
        dropped = self._memo_budget.admit(request, len(answer.body) + len(request.query))
        if dropped is None:  # heavier than the whole budget
            return
        self._memo[request] = answer
        self._memo.move_to_end(request)
        for key in dropped:
            self._memo.pop(key, None)  # type: ignore[call-overload]

    def remembered(self, request: Request) -> Answer | None:
        """The answer this data version keeps for ``request``, else None. It needs no query slot
        (the SPARQL front answers it before taking one), and its query passed the screen when it
        ran."""
        with self._memo_lock:
            answer = self._memo.get(request)
            if answer is not None:
                self._remember(request, answer)  # the newest again
            return answer

    def _strict(self, request: Request) -> Pattern | list[str] | None:
        """The query as one of the strict forms the serving process answers on the embedded
        store, recognised before the screen: one triple pattern (:func:`single_pattern`), or a
        plain ``DESCRIBE <iri> …`` (the targets); None for anything else. Text of these forms
        holds no update, SERVICE, nesting or dataset clause (what the screen looks for), so it
        is not screened; it is at most a quarter of ``max_query_bytes`` characters long (at most
        4 bytes each in UTF-8: within the limit), a longer text takes the screen's way."""
        query = request.query
        if not self._embedded or request.default_graphs or request.named_graphs \
                or len(query) > self.max_query_bytes // 4:
            return None
        return single_pattern(query, self.prefixes) or plain_describe(query, self.base_iri)

    def _run(self, request: Request, screened: Screened,
             strict: Pattern | list[str] | None = None) -> Answer:
        job = Job(
            query=request.query,
            base_iri=self.base_iri,
            prefixes=self.prefixes,
            union_default=not (screened.has_dataset_clause or request.default_graphs),
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            results_format=request.results_format,
            graph_format=request.graph_format,
            max_rows=self.max_rows,
            max_bytes=self.max_result_bytes,
            extra={"max_cells": request.max_cells} if request.max_cells else {},
        )
        reply = self._without_engine(job, screened.form, strict)
        if reply is None and self._embedded:
            reply = self._pool.call(job, self.timeout)
        elif reply is None:
            checked = self._pool.call(job, self.timeout)
            reply = checked if "error" in checked else run_on_remote(self._store, job,
                                                                       screened.form)
        if reply.get("error_type") == "memory":
            raise QueryMemoryLimit(self._pool.memory_message())
        return _answer(reply)

    def _without_engine(self, job: Job, form: str | None,
                        strict: Pattern | list[str] | None) -> dict[str, object] | None:
        """The reply of a query the serving process answers with the pages' read path, no
        engine: ``DESCRIBE <iri>`` (exactly the resource page's triples, page 1) and, on the
        embedded store, one triple pattern about a resource (``strict``, from :meth:`_strict`;
        None: any other query, or a pattern with more solutions than the lookup gives). A
        DESCRIBE of more than ``DESCRIBE_HERE`` resources is marked for a worker instead, which
        makes the same lookups within the query limits (on a remote store the store's own
        DESCRIBE answers it)."""
        if isinstance(strict, Pattern):
            return pattern_reply(self._store, strict, job)
        if form == "DESCRIBE":
            targets = strict or describe_targets(job.query, self.prefixes, self.base_iri)
            targets = list(dict.fromkeys(targets)) if targets else None  # each resource once
            if not targets:
                return None
            if len(targets) <= DESCRIBE_HERE:
                pages = self._pages() if self._pages is not None else None
                return describe_reply(self._store, targets, job, self.page_size, pages)
            if self._embedded:
                job.extra[DESCRIBE_KEY] = targets  # the worker's job: these lookups, time-limited
            return None
        return None  # one triple pattern was looked for in _strict, where it can apply

    def close(self) -> None:
        self._finalizer()

    def worker_pids(self) -> list[int]:
        """Process ids of the idle workers (for operations and tests)."""
        return self._pool.pids() if self._embedded else []


# What the screen would say of the strict forms (_strict): the form, no dataset clause.
_STRICT_FORMS = {form: Screened(form, False) for form in ("SELECT", "ASK", "DESCRIBE")}
DESCRIBE_KEY = "describe"  # Job.extra: the resources of a plain DESCRIBE, for the worker


def _embedded_runner(store: object, base_iri: str,
                     page_size: int) -> Callable[[Job], dict[str, object]]:
    """The worker's job on the embedded store: a query, or a long plain DESCRIBE list answered
    with the resource pages' triples (as :func:`describe_reply` in the serving process)."""
    run = make_runner(store, base_iri)

    def run_job(job: Job) -> dict[str, object]:
        targets = job.extra.get(DESCRIBE_KEY)
        if targets:
            return guarded(lambda: describe_reply(store, targets, job, page_size))  # type: ignore[arg-type]
        return run(job)

    return run_job


def _answer(reply: dict[str, object]) -> Answer:
    error = reply.get("error")
    if error is not None:
        raise _rebuild_error(str(reply.get("error_type")), str(error))
    fmt = chosen_format(str(reply["format"]), formats.ALL_SPARQL)  # a key the runner chose
    return Answer(
        kind=str(reply["kind"]),
        format=fmt,
        body=reply["body"],  # type: ignore[arg-type]
        truncated=bool(reply["truncated"]),
        count=int(reply["count"]),  # type: ignore[call-overload]
        elapsed=float(reply["elapsed"]),  # type: ignore[arg-type]
    )


_ERRORS: dict[str, type[RegioldError]] = {
    "syntax": QuerySyntaxError,
    "refused": QueryRefused,
    "store": StoreUnavailable,
}


def _rebuild_error(kind: str, message: str) -> RegioldError:
    if kind == "not-acceptable":
        return NotAcceptable(message.split(", "))
    return _ERRORS.get(kind, RegioldError)(message)
