"""A safe, read-only SPARQL 1.1 query service over the site's store.

Threats and the protection against each (docs/SECURITY.md has the full list):

* ``SERVICE`` makes pyoxigraph open an HTTP connection to any address. Every query is screened
  by :func:`screen` *before* it reaches the engine: a word ``SERVICE`` anywhere it could be read as
  the keyword refuses the query (conservative on purpose: no lexer trick can hide it). The query
  workers additionally run under a seccomp filter that denies IPv4/IPv6 sockets (:mod:`.sandbox`).
* ``FROM``/``FROM NAMED``/``GRAPH <url>`` resolve against the store's own graphs only (pyoxigraph
  never dereferences them); an unknown graph is simply empty. ``LOAD`` and every other update are
  refused before parsing (the engine's ``query`` cannot run updates anyway).
* A query that runs too long is stopped for real: each query runs in a forked worker process that
  holds the store copy-on-write; on timeout the worker is killed (SIGKILL) and replaced.
* Result size is capped (``sparql_max_rows``), and so are query size and concurrency.

Nothing here imports Flask: :class:`QueryService` takes plain values and returns :class:`Answer`.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import pickle
import re
import resource
import signal
import socket
import struct
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from regiold.errors import (
    BadRequest,
    EndpointBusy,
    NotAcceptable,
    PayloadTooLarge,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyEndpoint,
    RegioldError,
    StoreUnavailable,
)
from regiold.publish import describe as describe_mod
from regiold.publish import search
from regiold.rdf import formats
from regiold.rdf.formats import Format
from regiold.rdf.namespaces import site_prefixes
from regiold.sparql import sandbox

QUEUE_WAIT = 2.0  # seconds a query may wait for a free worker before the client gets 503
MEMO_ENTRIES = 256  # answers remembered per data version and process (repeated queries: crawlers)
MEMO_MAX_BYTES = 512 * 1024  # larger answers are not remembered
# Functions whose value changes from run to run: such queries are never answered from the memo.
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

# ---------------------------------------------------------------------------------------------
# Screening: what the query text may contain, decided before the engine sees it.

# The keyword SERVICE can only stand where the character before it is not part of a name, IRI
# path, variable or escape. Anything else - inside a string, a comment, anywhere - is treated as
# the keyword. Keywords cannot be written with \u escapes in pyoxigraph (checked in the tests).
_SERVICE = re.compile(r"(?<![\w:/#?$@\\-])SERVICE(?![\w:-])", re.IGNORECASE)
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

# A lexer good enough to find the query form and dataset clauses (not used for safety: a wrong
# answer here only affects which default graph is used or which error message is shown). Every
# alternative is unambiguous, so it runs in linear time on any input (it runs before the time
# limit applies; tests/test_sparql_safety.py feeds it pathological text).
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<short>'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<word>(?:[\w.\-]|\\.)+(?::(?:[\w.\-:%]|\\.)*)?|:(?:[\w.\-:%]|\\.)*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Screened:
    """What the screening learnt about a query."""

    form: str | None  # SELECT | ASK | CONSTRUCT | DESCRIBE, None when not recognisable
    has_dataset_clause: bool  # FROM or FROM NAMED present


def screen(query: str, *, max_bytes: int) -> Screened:
    """Check a query before it runs.

    :raises PayloadTooLarge: the query is longer than ``max_bytes`` (UTF-8).
    :raises QueryRefused: the query uses (or could use) ``SERVICE``.
    :raises ReadOnlyEndpoint: the text is an update (``INSERT``, ``LOAD``, ``DROP`` …).
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise PayloadTooLarge(f"query of {size} bytes; this endpoint accepts at most {max_bytes}")
    found = _SERVICE.search(query)
    if found:
        line, column = _place(query, found.start())
        raise QueryRefused(
            f"SERVICE (federated query) is not allowed on this endpoint (line {line}, column "
            f"{column}). If the word is part of a string or comment, write it as servic\\u0065."
        )
    words = [w.upper() for w in _keywords(query)]
    first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
    if first in _UPDATE_KEYWORDS:
        raise ReadOnlyEndpoint(
            f"{first} is a SPARQL Update operation; this endpoint is read-only and never "
            "changes or loads data"
        )
    form = next((w for w in words if w in _FORMS), None)
    return Screened(form, "FROM" in words)


def _keywords(query: str) -> Iterator[str]:
    """Bare words outside strings, comments and IRIs (prefixed names and variables excluded)."""
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "word" and ":" not in match.group():
            yield match.group()


def _place(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------------------------------------
# What a query run asks for and returns.


@dataclass(frozen=True)
class Request:
    """One query to run, with the protocol's dataset and the negotiated output formats."""

    query: str
    results_format: str | None  # Format.key for SELECT/ASK; None: not acceptable to the client
    graph_format: str | None  # Format.key for CONSTRUCT/DESCRIBE
    default_graphs: tuple[str, ...] = ()  # protocol default-graph-uri
    named_graphs: tuple[str, ...] = ()  # protocol named-graph-uri


@dataclass(frozen=True)
class Answer:
    kind: str  # "bindings" | "boolean" | "graph"
    format: Format
    body: bytes
    truncated: bool = False  # the result had more than max_rows rows/triples
    count: int = 0  # rows or triples in the body (1 for a boolean)
    elapsed: float = 0.0  # seconds spent in the worker


@dataclass
class _Job:
    """What crosses into the worker process (plain values only)."""

    query: str
    base_iri: str
    prefixes: dict[str, str]
    union_default: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    results_format: str | None
    graph_format: str | None
    max_rows: int
    extra: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# The service: one per Site and process.


class QueryService:
    """Runs screened queries in a small pool of forked worker processes.

    Created lazily per process (a worker pool cannot cross ``fork``); :meth:`close` stops the
    workers, and it runs by itself when the service is garbage-collected.
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
    ) -> None:
        self.base_iri = base_iri
        self.page_size = page_size
        self.timeout, self.max_rows = timeout, max_rows
        self.max_query_bytes = max_query_bytes
        self.prefixes = site_prefixes(base_iri)
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self._store = store
        self._memo: OrderedDict[Request, Answer] = OrderedDict()
        self._memo_lock = threading.Lock()
        embedded = isinstance(getattr(store, "db", None), ox.Store)
        self._pool = _Pool(_make_runner(store, base_iri), retire_mb=worker_max_mb) if embedded else None
        self._finalizer = weakref.finalize(self, self._pool.close if self._pool else _nothing)

    def run(self, request: Request) -> Answer:
        """Screen, run and serialize one query.

        :raises PayloadTooLarge, QueryRefused, ReadOnlyEndpoint: see :func:`screen`.
        :raises QuerySyntaxError: the engine cannot parse the query (message with line:column).
        :raises NotAcceptable: the result kind has no format the client accepts.
        :raises QueryTimeout: the query ran longer than the time limit and was stopped.
        :raises EndpointBusy: every worker stayed busy for longer than the queue wait.
        """
        screened = screen(request.query, max_bytes=self.max_query_bytes)
        with self._memo_lock:
            if request in self._memo:
                self._memo.move_to_end(request)
                return self._memo[request]
        answer = self._run(request, screened)
        # A remote store can be reloaded (or go away) behind our back: its answers are not kept.
        if (self._pool is not None and len(answer.body) <= MEMO_MAX_BYTES
                and not _VOLATILE.search(request.query)):
            with self._memo_lock:
                self._memo[request] = answer
                while len(self._memo) > MEMO_ENTRIES:
                    self._memo.popitem(last=False)
        return answer

    def _run(self, request: Request, screened: Screened) -> Answer:
        job = _Job(
            query=request.query,
            base_iri=self.base_iri,
            prefixes=self.prefixes,
            union_default=not (screened.has_dataset_clause or request.default_graphs),
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            results_format=request.results_format,
            graph_format=request.graph_format,
            max_rows=self.max_rows,
        )
        if not self._slots.acquire(timeout=min(QUEUE_WAIT, self.timeout)):  # read at call time
            raise EndpointBusy("all query workers are busy; try again shortly")
        targets = describe_targets(request.query, self.prefixes, self.base_iri) \
            if screened.form == "DESCRIBE" else None
        try:
            if targets:  # DESCRIBE <iri>: exactly the resource page's triples (page 1)
                reply = _describe_reply(self._store, targets, job, self.page_size)
            elif self._pool is None:
                reply = _run_on_remote(self._store, job, screened.form)
            else:
                reply = self._pool.call(job, self.timeout)
        finally:
            self._slots.release()
        return _answer(reply)

    def close(self) -> None:
        self._finalizer()

    def worker_pids(self) -> list[int]:
        """Process ids of the idle workers (for operations and tests)."""
        return self._pool.pids() if self._pool else []


def _nothing() -> None:
    pass


def _answer(reply: dict[str, object]) -> Answer:
    error = reply.get("error")
    if error is not None:
        raise _rebuild_error(str(reply.get("error_type")), str(error))
    fmt = formats.by_key(str(reply["format"]), formats.ALL_SPARQL)
    assert fmt is not None
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


# ---------------------------------------------------------------------------------------------
# DESCRIBE <iri> …: the same description the resource pages serve (describe.py).


def describe_targets(query: str, prefixes: dict[str, str], base_iri: str) -> list[str] | None:
    """The IRIs of a plain ``DESCRIBE <iri> …`` (no WHERE); None for any other query.

    Prefixes declared in the query, then the endpoint's predeclared ones, expand prefixed names;
    relative IRIs resolve against ``BASE`` or the site's base IRI.
    """
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query)
              if m.lastgroup not in {"ws", "comment"}]
    declared, base = dict(prefixes), base_iri
    while len(tokens) >= 2 and tokens[0][1].upper() in {"PREFIX", "BASE"}:
        if tokens[0][1].upper() == "BASE" and tokens[1][0] == "iri":
            base, tokens = urljoin(base, tokens[1][1][1:-1]), tokens[2:]
        elif len(tokens) >= 3 and tokens[1][1].endswith(":") and tokens[2][0] == "iri":
            declared[tokens[1][1][:-1]] = urljoin(base, tokens[2][1][1:-1])
            tokens = tokens[3:]
        else:
            return None
    if not tokens or tokens[0][1].upper() != "DESCRIBE" or len(tokens) < 2:
        return None
    targets = []
    for kind, text in tokens[1:]:
        if kind == "iri":
            targets.append(urljoin(base, text[1:-1]))
        elif kind == "word" and ":" in text and "\\" not in text:
            prefix, _, local = text.partition(":")
            if prefix not in declared:
                return None
            targets.append(declared[prefix] + local)
        else:
            return None
    return targets


def _describe_reply(store: object, targets: list[str], job: _Job,
                    page_size: int) -> dict[str, object]:
    started = time.perf_counter()
    triples: dict[ox.Triple, None] = {}
    for iri in targets:
        found = describe_mod.describe(store, iri, page_size=page_size)  # type: ignore[arg-type]
        triples.update(dict.fromkeys(found.triples))
    try:
        reply = _serialize_graph(list(triples), job)
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    reply["elapsed"] = time.perf_counter() - started
    return reply


# ---------------------------------------------------------------------------------------------
# Inside the worker: run the query and serialize at most max_rows rows/triples.


def _make_runner(store: object, base_iri: str) -> Callable[[_Job], dict[str, object]]:
    if not isinstance(getattr(store, "db", None), ox.Store):
        raise TypeError("the SPARQL endpoint needs the embedded store (pyoxigraph)")
    functions = search.sparql_functions(base_iri)

    def run(job: _Job) -> dict[str, object]:
        started = time.perf_counter()
        try:  # store.db, not a handle taken before the fork: a snapshot opens one per process
            result = store.db.query(job.query, **_options(job), custom_functions=functions)  # type: ignore[attr-defined]
            reply = _serialize(result, job)
        except SyntaxError as exc:
            return {"error": str(exc), "error_type": "syntax"}
        except NotAcceptable as exc:
            return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
        except OSError as exc:  # also what SERVICE hits inside the sandbox
            return {"error": f"the query could not be evaluated: {exc}", "error_type": "refused"}
        except (ValueError, TypeError, RuntimeError) as exc:
            return {"error": f"the query could not be evaluated: {exc}", "error_type": "refused"}
        reply["elapsed"] = time.perf_counter() - started
        return reply

    return run


def _options(job: _Job) -> dict[str, object]:
    options: dict[str, object] = {"base_iri": job.base_iri, "prefixes": job.prefixes}
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union_default:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    return options


def _serialize(result: object, job: _Job) -> dict[str, object]:
    """Engine results → the chosen format, at most ``max_rows`` rows/triples, at Rust speed.

    pyoxigraph writes one row per line in TSV (and one triple per line in N-Triples; newlines
    inside literals are escaped in both), so a writer that stops after ``max_rows`` lines caps the
    result without a Python loop over it; pyoxigraph then converts those lines to the format.
    """
    if isinstance(result, ox.QueryBoolean):
        return _serialize_boolean(bool(result), job)
    if isinstance(result, ox.QuerySolutions):
        fmt = _chosen(job.results_format, formats.SPARQL_SELECT)
        if not result.variables:  # SELECT * WHERE {}: rows without columns, not TSV-expressible
            return _serialize_bindings([], result, job)
        lines, truncated = _capped_lines(result, ox.QueryResultsFormat.TSV, job.max_rows + 1)
        if fmt.key == "tsv" and not truncated:
            body = lines
        else:
            parsed = ox.parse_query_results(lines, ox.QueryResultsFormat.TSV)
            body = parsed.serialize(format=_results_format(fmt))
        return {"kind": "bindings", "format": fmt.key, "body": body, "truncated": truncated,
                "count": lines.count(b"\n") - 1}
    fmt = _chosen(job.graph_format, formats.SPARQL_GRAPH)
    lines, truncated = _capped_lines(result, ox.RdfFormat.N_TRIPLES, job.max_rows)
    assert fmt.oxigraph is not None
    if fmt.key == "nt":
        body = lines
    else:
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(lines, ox.RdfFormat.N_TRIPLES)]
        body = ox.serialize(triples, format=fmt.oxigraph,
                            prefixes=_used_prefixes(job.prefixes, fmt)) or b""
    return {"kind": "graph", "format": fmt.key, "body": body, "truncated": truncated,
            "count": lines.count(b"\n")}


class _Enough(Exception):
    """Raised by _LineCap to stop the serializer."""


class _LineCap(io.RawIOBase):
    """A sink that keeps whole lines and stops the writer after ``limit`` of them."""

    def __init__(self, limit: int) -> None:
        self.data, self.limit, self.lines = bytearray(), limit, 0

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        self.lines += bytes(chunk).count(b"\n")
        if self.lines > self.limit:
            raise _Enough
        return len(chunk)


def _capped_lines(result: object, fmt: object, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` lines of ``result`` serialized in ``fmt``, and whether more existed."""
    sink = _LineCap(limit)
    try:
        result.serialize(sink, format=fmt)  # type: ignore[attr-defined]
    except _Enough:
        pass
    except OSError as exc:  # pyoxigraph may wrap the writer's exception
        if not isinstance(exc.__cause__ or exc.__context__, _Enough) and sink.lines <= limit:
            raise
    data = bytes(sink.data)
    truncated = sink.lines > limit
    if truncated:  # keep exactly `limit` lines
        cut = -1
        for _ in range(limit):
            cut = data.index(b"\n", cut + 1)
        data = data[: cut + 1]
    return data, truncated


def _serialize_boolean(value: bool, job: _Job) -> dict[str, object]:
    fmt = _chosen(job.results_format, formats.SPARQL_SELECT)
    parsed = ox.parse_query_results(json.dumps({"head": {}, "boolean": value}),
                                    ox.QueryResultsFormat.JSON)
    body = parsed.serialize(format=_results_format(fmt))
    return {"kind": "boolean", "format": fmt.key, "body": body, "truncated": False, "count": 1}


def _serialize_bindings(variables: list[str], solutions: Iterable[object],
                        job: _Job) -> dict[str, object]:
    fmt = _chosen(job.results_format, formats.SPARQL_SELECT)
    rows = _take(solutions, job.max_rows)
    truncated = len(rows) > job.max_rows
    rows = rows[: job.max_rows]
    if variables:  # the fast path: terms in N-Triples syntax, re-serialized by pyoxigraph
        parsed = ox.parse_query_results(_bindings_tsv(variables, rows), ox.QueryResultsFormat.TSV)
    else:  # SELECT * WHERE {}: rows without columns, which TSV cannot express
        parsed = ox.parse_query_results(_bindings_json(variables, rows), ox.QueryResultsFormat.JSON)
    body = parsed.serialize(format=_results_format(fmt))
    return {"kind": "bindings", "format": fmt.key, "body": body, "truncated": truncated,
            "count": len(rows)}


def _serialize_graph(result: Iterable[ox.Triple], job: _Job) -> dict[str, object]:
    fmt = _chosen(job.graph_format, formats.SPARQL_GRAPH)
    triples = _take(result, job.max_rows)
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    assert fmt.oxigraph is not None
    body = ox.serialize(triples, format=fmt.oxigraph, prefixes=_used_prefixes(job.prefixes, fmt))
    return {"kind": "graph", "format": fmt.key, "body": body or b"", "truncated": truncated,
            "count": len(triples)}


def _run_on_remote(store: object, job: _Job, form: str | None) -> dict[str, object]:
    """A remote store runs the query itself (its own timeout); the row cap applies here."""
    if job.default_graphs or job.named_graphs:
        raise BadRequest("default-graph-uri and named-graph-uri need the embedded store")
    started = time.perf_counter()
    try:
        if form == "ASK":
            reply = _serialize_boolean(store.ask(job.query), job)  # type: ignore[attr-defined]
        elif form in {"CONSTRUCT", "DESCRIBE"}:
            reply = _serialize_graph(store.construct(job.query), job)  # type: ignore[attr-defined]
        else:
            rows = store.select(job.query)  # type: ignore[attr-defined]
            variables = list(dict.fromkeys(name for row in rows for name in row))
            reply = _serialize_bindings(variables, rows, job)
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    reply["elapsed"] = time.perf_counter() - started
    return reply


def _chosen(key: str | None, offered: tuple[Format, ...]) -> Format:
    fmt = formats.by_key(key, offered) if key else None
    if fmt is None:
        raise NotAcceptable([f.media_type for f in offered if f is not formats.HTML])
    return fmt


def _results_format(fmt: Format) -> ox.QueryResultsFormat:
    found = ox.QueryResultsFormat.from_media_type(fmt.media_type)
    assert found is not None, fmt
    return found


def _used_prefixes(prefixes: dict[str, str], fmt: Format) -> dict[str, str] | None:
    return prefixes if fmt.key in {"ttl", "trig", "rdf"} else None


def _take(items: Iterable[object], max_rows: int) -> list[object]:
    taken: list[object] = []
    for item in items:
        taken.append(item)
        if len(taken) > max_rows:
            break
    return taken


def _bindings_tsv(variables: list[str], rows: list[object]) -> bytes:
    """SPARQL TSV of the rows; ``str(term)`` is N-Triples syntax with tabs and newlines escaped."""
    lines = ["\t".join("?" + name for name in variables)]
    for row in rows:
        if isinstance(row, dict):
            terms = (row.get(name) for name in variables)
        else:
            terms = (row[name] for name in variables)  # type: ignore[index]
        lines.append("\t".join("" if term is None else str(term) for term in terms))
    return ("\n".join(lines) + "\n").encode()


def _bindings_json(variables: list[str], rows: list[object]) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            term = row.get(name) if isinstance(row, dict) else row[name]  # type: ignore[attr-defined]
            if term is not None:
                binding[name] = _term_json(term)
        bindings.append(binding)
    return json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
    ).encode()


def _term_json(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).lower().rsplit(".", 1)[-1]
        elif term.datatype.value not in {_XSD_STRING, _RDF_LANG_STRING, _RDF_DIR_LANG_STRING}:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        }}
    raise TypeError(f"unexpected term {term!r}")


# ---------------------------------------------------------------------------------------------
# The worker pool: forked processes that hold the store copy-on-write and can be killed.

_HEADER = struct.Struct("!Q")


class _WorkerDied(Exception):
    pass


class _Worker:
    def __init__(self, run: Callable[[_Job], dict[str, object]], retire_mb: int = 0) -> None:
        parent, child = socket.socketpair()
        parent_pid = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured by the tests from outside
            code = 0
            try:
                parent.close()
                _child_main(child, run, parent_pid, retire_mb)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child.close()
        self.pid, self.sock = pid, parent

    def call(self, job: _Job, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        try:
            _send(self.sock, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            return pickle.loads(_receive(self.sock, deadline))  # noqa: S301 - our own child
        except (BrokenPipeError, ConnectionError, EOFError, pickle.UnpicklingError) as exc:
            raise _WorkerDied(str(exc)) from exc

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.sock.close()


class _Pool:
    def __init__(self, run: Callable[[_Job], dict[str, object]], *, retire_mb: int = 0) -> None:
        self._run = run
        self._retire_mb = retire_mb
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False

    def call(self, job: _Job, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        for attempt in (1, 2):
            worker = self._checkout()
            try:
                reply = worker.call(job, max(deadline - time.monotonic(), 0.001))
            except TimeoutError:
                worker.kill()
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped"
                ) from None
            except _WorkerDied:
                worker.kill()
                # An idle worker may have died since its last job (a fork from a threaded
                # server is fragile): queries are read-only, so one fresh worker may retry.
                if attempt == 1 and time.monotonic() < deadline:
                    continue
                raise StoreUnavailable("the query worker stopped unexpectedly") from None
            except BaseException:
                worker.kill()
                raise
            if reply.pop("retired", False):  # it copied too much of the shared store: gone
                worker.kill()
            else:
                self._checkin(worker)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # inherited across fork: those workers are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return _Worker(self._run, self._retire_mb)

    def _checkin(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed or self._pid != os.getpid():
                worker.kill()
            else:
                self._idle.append(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._idle]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        if self._pid == os.getpid():
            for worker in workers:
                worker.kill()


def _child_main(sock: socket.socket, run: Callable[[_Job], dict[str, object]],
                parent_pid: int, retire_mb: int = 0) -> None:
    """The worker's life: drop what it inherited, sandbox itself, answer jobs until EOF, or until
    a job left it holding more than ``retire_mb`` of memory of its own (0: no limit).

    Why a limit: an in-memory store is shared with the serving process copy-on-write only until
    it is read; a full scan touches reference counts across the whole store, so the worker ends up
    with a private copy (about 0.4 GB at 10^6 triples). Keeping that copy makes its next scans
    fast (a fresh worker pays the copy again); the limit bounds what each worker may keep
    (docs/performance.md)."""
    gc.disable()  # short-lived work; and the collector would touch (copy) every shared page
    keep = sock.fileno()
    os.closerange(3, keep)  # client connections, listening sockets, other workers' pipes
    os.closerange(keep + 1, _max_fd())
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGCHLD, signal.SIGWINCH):
        signal.signal(signum, signal.SIG_DFL)
    _exit_with_parent(parent_pid)
    sandbox.deny_network()
    while True:
        try:
            job = pickle.loads(_receive(sock, None))  # noqa: S301 - from our own parent
        except (EOFError, ConnectionError):
            return
        reply = run(job)
        retire = retire_mb > 0 and _copied_mb() > retire_mb
        if retire:
            reply["retired"] = True
        _send(sock, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        if retire:
            return


def _copied_mb() -> float:
    """Memory this process has made its own since the fork, from its minor page faults (each is
    a page copied on write or newly touched): a cheap upper bound, unlike reading
    /proc/self/smaps_rollup (8-16 ms at 10^6 triples)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt * _PAGE / (1 << 20)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when the serving process is gone, even in the middle of a query.

    (PR_SET_PDEATHSIG would follow the forking *thread*, which ends with its request; the
    engine releases the GIL while it evaluates, so a watchdog thread runs meanwhile.)
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="regiold-parent-watch", daemon=True).start()


def _max_fd() -> int:
    try:
        return min(int(os.sysconf("SC_OPEN_MAX")), 1 << 20)
    except (ValueError, OSError):
        return 4096


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _receive(sock: socket.socket, deadline: float | None) -> bytes:
    (size,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size, deadline))
    return _read_exactly(sock, size, deadline)


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
        try:
            chunk = sock.recv(min(remaining, 1 << 20))
        except TimeoutError:
            raise
        except OSError as exc:
            raise ConnectionError(str(exc)) from exc
        if not chunk:
            raise EOFError("worker closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# The SPARQL 1.1 Service Description.

SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def service_description(
    endpoint_url: str, graphs: Iterable[tuple[str, int]], *, base_iri: str
) -> list[ox.Triple]:
    """``sd:Service`` for ``endpoint_url``: language, result formats, functions and dataset."""
    service, dataset, default = ox.NamedNode(endpoint_url), ox.BlankNode(), ox.BlankNode()
    sd = _namespace(SD)
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
    ]
    for fmt in (*formats.SPARQL_RESULTS, *formats.RDF):
        iri = _W3C_FORMATS.get(fmt.key) or (fmt.oxigraph or _results_format(fmt)).iri
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)))
    for name in search.SPARQL_FUNCTION_NAMES:
        triples.append(ox.Triple(service, sd("extensionFunction"), ox.NamedNode(base_iri + name)))
    total = 0
    for graph, count in graphs:
        named, described = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph)),
            ox.Triple(named, sd("graph"), described),
            ox.Triple(described, _RDF_TYPE, sd("Graph")),
            ox.Triple(described, ox.NamedNode(_VOID + "triples"), ox.Literal(count)),
        ]
        total += count
    triples.append(ox.Triple(default, ox.NamedNode(_VOID + "triples"), ox.Literal(total)))
    return triples


_W3C_FORMATS = {"jsonld": "http://www.w3.org/ns/formats/JSON-LD"}  # pyoxigraph names another IRI


def _namespace(base: str) -> Callable[[str], ox.NamedNode]:
    return lambda local: ox.NamedNode(base + local)


def graph_sizes(store: object) -> list[tuple[str, int]]:
    """(graph IRI, triple count) of every named graph in the store, sorted by IRI."""
    rows = store.select(  # type: ignore[attr-defined]
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return [(row["g"].value, int(row["n"].value)) for row in rows]


def serialize_triples(triples: list[ox.Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    assert fmt.oxigraph is not None, fmt
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=_used_prefixes(prefixes, fmt)) or b""


# ---------------------------------------------------------------------------------------------
# The editor: example queries and a result table for browsers.


@dataclass(frozen=True)
class Example:
    name: str  # file stem, e.g. "carriers-of-each-partner"
    title: str  # the first comment line
    query: str


def load_examples(site_dir: Path) -> list[Example]:
    """The example queries of ``{site_dir}/docs/queries/*.rq``; the first ``#`` line is the title."""
    folder = Path(site_dir) / "docs" / "queries"
    examples = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        examples.append(Example(path.stem, title, text))
    return examples


def default_query(prefixes: dict[str, str]) -> str:
    """What the editor shows first: the site's prefixes and a query that lists organisations."""
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()
             if name in {"schema", "org", "rdfs", "rgo", "rm"}]
    return "\n".join([*lines, "", "SELECT ?org ?name WHERE {",
                      "  ?org a schema:Organization ; schema:name ?name .",
                      "} ORDER BY ?name LIMIT 100", ""])


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # a link for IRIs
    note: str = ""  # language tag or datatype of a literal


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None = None


def results_table(answer: Answer, *, base_iri: str) -> Table:
    """A SELECT/ASK answer in SPARQL JSON as a table for the HTML page."""
    data = json.loads(answer.body)
    if "boolean" in data:
        return Table([], [], bool(data["boolean"]))
    columns = list(data["head"]["vars"])
    rows = [[_cell(binding.get(name), base_iri) for name in columns]
            for binding in data["results"]["bindings"]]
    return Table(columns, rows)


def _cell(term: dict[str, object] | None, base_iri: str) -> Cell | None:
    if term is None:
        return None
    value = str(term.get("value"))
    if term["type"] == "uri":
        href = "/" + value[len(base_iri):] if value.startswith(base_iri) else value
        safe = href if href.startswith(("/", "http://", "https://", "mailto:", "tel:")) else None
        return Cell(value, safe)
    if term["type"] == "bnode":
        return Cell("_:" + value)
    if term["type"] == "literal":
        note = f"@{term['xml:lang']}" if "xml:lang" in term else ""
        if "datatype" in term:
            note = "^^" + str(term["datatype"]).rsplit("#", 1)[-1]
        return Cell(value, None, note)
    return Cell(json.dumps(term["value"]))
