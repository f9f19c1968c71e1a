"""Inside the worker: run the query and serialize at most max_rows rows/triples."""


from __future__ import annotations

import bisect
import functools
import json
import json.encoder
import re
import time
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

from regiold.errors import (
    BadRequest,
    NotAcceptable,
    QueryRefused,
    QuerySyntaxError,
)
from regiold.publish import search
from regiold.rdf import formats
from regiold.rdf.formats import Format
from regiold.rdf.namespaces import RDF_DIR_LANG_STRING, RDF_LANG_STRING, XSD_STRING
from regiold.rdf.serialize import serialize
from regiold.sparql.messages import Job
from regiold.sparql.screen import refuse_service, syntax_message

# What a client reads when the engine fails: regiold's words only; the engine's and the OS's
# (host names, paths, errno texts) stay out of the body.
ENGINE_FAILED = ("the query engine could not evaluate this query; regiold stopped it (it is not "
                 "retried)")


def make_runner(store: object, base_iri: str) -> Callable[[Job], dict[str, object]]:
    if not isinstance(getattr(store, "db", None), ox.Store):
        raise TypeError("the SPARQL endpoint needs the embedded store (pyoxigraph)")
    functions = search.sparql_functions(base_iri)

    def run(job: Job) -> dict[str, object]:
        started = time.perf_counter()

        def evaluate() -> dict[str, object]:
            check_service(job)
            def query() -> object:
                # store.db, not a handle taken before the fork: a snapshot opens one per process
                return store.db.query(job.query, **_options(job), custom_functions=functions)  # type: ignore[attr-defined]

            return _serialize(query(), job, query)

        reply = guarded(evaluate)
        reply.setdefault("elapsed", time.perf_counter() - started)
        return reply

    return run


def check_service(job: Job) -> None:
    """:func:`refuse_service` with the engine's parser, on an empty store (in the worker)."""
    refuse_service(job.query, lambda text: ox.Store().query(text, **_options(job)))


def check_only(job: Job) -> dict[str, object]:
    """The worker's job in front of a remote store: refuse SERVICE by the engine's parse."""
    return guarded(lambda: (check_service(job), {"checked": True})[1])


def guarded(evaluate: Callable[[], dict[str, object]]) -> dict[str, object]:
    """Run ``evaluate``; every failure becomes an error reply in regiold's words."""
    try:
        return evaluate()
    except QueryRefused as exc:
        return {"error": str(exc), "error_type": "refused"}
    except QuerySyntaxError as exc:
        return {"error": str(exc), "error_type": "syntax"}
    except SyntaxError as exc:
        return {"error": syntax_message(str(exc)), "error_type": "syntax"}
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    except MemoryError:
        return {"error": "", "error_type": "memory"}
    except Exception:  # noqa: BLE001 - OSError, ValueError …: the engine's text stays here
        return {"error": ENGINE_FAILED, "error_type": "refused"}
    except BaseException as exc:  # pyoxigraph's PanicException (ORDER BY over mixed terms …)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return {"error": ENGINE_FAILED, "error_type": "refused"}


def _options(job: Job) -> dict[str, object]:
    options: dict[str, object] = {"base_iri": job.base_iri, "prefixes": _used(job)}
    if job.default_graphs or job.named_graphs:
        # the request's dataset replaces the query's and the store's (SPARQL 1.1 Protocol 2.1.4),
        # as FROM and FROM NAMED would: named graphs alone leave the default graph empty
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif job.union_default:
        options["use_default_graph_as_union"] = True
    return options


def _used(job: Job) -> dict[str, str]:
    """The predeclared prefixes the query can use: those whose ``name:`` is in its text.
    pyoxigraph converts the whole dict on every call (8 us for the site's 17 prefixes, a quarter
    of a lookup's evaluation); one not in the text cannot be used. With a ``\\u`` escape in the
    text, all of them (the engine does not unescape names today, but that is its choice)."""
    query = job.query
    if "\\u" in query or "\\U" in query:
        return job.prefixes
    return {name: iri for name, iri in job.prefixes.items() if name + ":" in query}


def _serialize(result: object, job: Job, again: Callable[[], object] | None = None,
               ) -> dict[str, object]:
    """Engine results → the chosen format, at most ``max_rows`` rows/triples and ``max_bytes``
    bytes, at Rust speed.

    pyoxigraph writes one row per line in TSV (and one triple per line in N-Triples; newlines
    inside literals are escaped in both), so a writer that stops after ``max_rows`` lines caps the
    result without a Python loop over it; pyoxigraph then converts those lines to the format.
    SPARQL JSON, the format most clients ask for, is written directly (:func:`_capped_json`);
    ``again`` evaluates the query anew for the rare answer that cannot be capped that way.
    """
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean(bool(result), job)
    if isinstance(result, ox.QuerySolutions):
        fmt = chosen_format(job.results_format, formats.SPARQL_SELECT)
        if not result.variables:  # SELECT * WHERE {}: rows without columns, not TSV-expressible
            return serialize_bindings([], result, job)
        rows = row_budget(job, len(result.variables))
        if fmt is formats.SPARQL_JSON and again is not None:
            direct = _capped_json(result, rows, job.max_bytes)
            if direct is not None:
                return {"kind": "bindings", "format": fmt.key, "body": direct[0],
                        "truncated": direct[1], "count": direct[2]}
            result = again()  # the TSV way below, which also cuts the answer to max_bytes
        lines, truncated = _capped_lines(result, ox.QueryResultsFormat.TSV, rows + 1,
                                         job.max_bytes)

        def results(count: int) -> bytes:
            if fmt.key == "tsv" and not truncated and count == total:
                return lines
            parsed = ox.parse_query_results(_first_lines(lines, count + 1),
                                            ox.QueryResultsFormat.TSV)
            return parsed.serialize(format=results_format(fmt))

        total = lines.count(b"\n") - 1
        count, body, cut = _fit(total, results, job.max_bytes)
        return {"kind": "bindings", "format": fmt.key, "body": body,
                "truncated": truncated or cut, "count": count}
    fmt = chosen_format(job.graph_format, formats.SPARQL_GRAPH)
    lines, truncated = _capped_lines(result, ox.RdfFormat.N_TRIPLES, job.max_rows, job.max_bytes)
    assert fmt.oxigraph is not None

    def graph(count: int) -> bytes:
        if fmt.key == "nt":
            return _first_lines(lines, count)
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(_first_lines(lines, count), ox.RdfFormat.N_TRIPLES)]
        return serialize(triples, fmt, job.base_iri)

    count, body, cut = _fit(lines.count(b"\n"), graph, job.max_bytes)
    return {"kind": "graph", "format": fmt.key, "body": body, "truncated": truncated or cut,
            "count": count}


def _fit(rows: int, convert: Callable[[int], bytes], max_bytes: int) -> tuple[int, bytes, bool]:
    """How many of ``rows`` rows fit into ``max_bytes`` (0: any) once converted, the converted
    first rows, and whether rows were dropped. ``convert(n)`` is the answer of the first ``n``
    rows. The answer can be several times the size of the lines it comes from (JSON and XML
    spell out every term), so the cut is made on what the client gets; each round keeps a share
    of the rows in proportion to the overshoot, so it ends after a few rounds."""
    body = convert(rows)
    kept = rows
    while max_bytes and len(body) > max_bytes and kept > 0:
        kept = min(kept - 1, int(kept * max_bytes / len(body) * 0.95))
        body = convert(kept)
    return kept, body, kept < rows


def _first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` lines of ``data`` (each ending in a newline)."""
    if data.count(b"\n") <= count:
        return data
    end = -1
    for _ in range(count):
        end = data.index(b"\n", end + 1)
    return data[: end + 1]


def row_budget(job: Job, columns: int) -> int:
    """``max_rows``, fewer when the answer feeds an HTML page with a cell budget: that page is
    built in the serving process, so its size is decided here, inside the worker's limits."""
    cells = int(job.extra.get("max_cells", 0))  # type: ignore[call-overload]
    return min(job.max_rows, max(1, cells // max(1, columns))) if cells else job.max_rows


class _Enough(Exception):
    """Raised by _LineCap to stop the serializer."""


class _LineCap:
    """A sink that keeps whole lines and stops the writer after ``limit`` of them, or once it
    holds more than ``max_bytes`` (0: any). The writer needs only ``write`` and ``flush`` (a plain
    object: an ``io.RawIOBase`` cost 3 us to make, a tenth of a small query's serialisation)."""

    __slots__ = ("data", "full", "limit", "lines", "max_bytes")

    def __init__(self, limit: int, max_bytes: int = 0) -> None:
        self.data, self.limit, self.lines = bytearray(), limit, 0
        self.max_bytes, self.full = max_bytes, False

    def flush(self) -> None:
        pass

    def write(self, chunk: bytes) -> int:
        data = self.data
        data += chunk
        self.lines += data.count(b"\n", len(data) - len(chunk))
        self.full = bool(self.max_bytes) and len(data) > self.max_bytes
        if self.lines > self.limit or self.full:
            raise _Enough
        return len(chunk)


def _capped_lines(result: object, fmt: object, limit: int,
                  max_bytes: int = 0) -> tuple[bytes, bool]:
    """The first ``limit`` lines of ``result`` serialized in ``fmt``, no more than ``max_bytes``
    of them (0: any), and whether more existed."""
    sink = _LineCap(limit, max_bytes)
    _write_until_enough(result, sink, fmt)
    data = bytes(sink.data)
    if sink.full:  # the whole lines that fit
        data = data[: data.rfind(b"\n", 0, max_bytes + 1) + 1]
    if data.count(b"\n") > limit:  # keep exactly `limit` lines
        data = _first_lines(data, limit)
    return data, sink.full or sink.lines > limit


def _write_until_enough(result: object, sink: _LineCap, fmt: object) -> None:
    """``result`` serialized into ``sink`` until the sink has enough (it raises ``_Enough``)."""
    try:
        result.serialize(sink, format=fmt)  # type: ignore[attr-defined]
    except _Enough:
        pass
    except OSError as exc:  # pyoxigraph may wrap the writer's exception
        if not isinstance(exc.__cause__ or exc.__context__, _Enough) and not (
                sink.full or sink.lines > sink.limit):
            raise


# Where a row starts in pyoxigraph's SPARQL JSON: it writes no spaces, and a string escapes every
# quote, so '[{"' and ',{"' occur only where a row object with a binding opens (a term opens
# after a colon, a row's second binding after a comma with a quote). A row without any binding
# is '{}', which a string may also hold: with '{}' anywhere the count is not sure.
_ROW_STARTS = (b'[{"', b',{"')
_EMPTY_ROW = b"{}"
_ROW_START = re.compile(rb'\[\{"|,\{"')


class _RowCap(_LineCap):
    """A sink for SPARQL JSON that stops the writer once more than ``limit`` rows (as counted by
    ``_ROW_STARTS``, or any '{}') have come, or once it holds more than ``max_bytes``."""

    __slots__ = ()

    def write(self, chunk: bytes) -> int:
        data = self.data
        old = len(data)
        data += chunk
        start = max(old - 2, 0)  # a row start may be split over two chunks; a '{}' wholly in
        # those two bytes was counted with the chunk before
        self.lines += (data.count(_ROW_STARTS[0], start) + data.count(_ROW_STARTS[1], start)
                       + data.count(_EMPTY_ROW, start) - data.count(_EMPTY_ROW, start, old))
        self.full = bool(self.max_bytes) and len(data) > self.max_bytes
        if self.lines > self.limit or self.full:
            raise _Enough
        return len(chunk)


def _capped_json(result: object, limit: int, max_bytes: int = 0) -> tuple[bytes, bool, int] | None:
    """SPARQL JSON of at most ``limit`` rows written by the engine itself (no TSV in between:
    0.03-0.05 ms less for a small answer) and cut to the most whole rows that fit into
    ``max_bytes`` (0: any), whether rows were left out, and the count. None when the answer holds
    a '{}' (a row without bindings, or those characters in a string: the count is not sure) or
    not even its head fits: the caller then evaluates the query again and takes the TSV way.
    (An answer over the limit used to take that way too: evaluated twice, and cut to fewer rows
    than fit.)"""
    sink = _RowCap(limit, max_bytes)
    _write_until_enough(result, sink, ox.QueryResultsFormat.JSON)
    data = bytes(sink.data)
    if _EMPTY_ROW in data:
        return None
    if not sink.full and sink.lines <= limit:  # the writer finished: every row is there
        return data, False, sink.lines
    # more than `limit` rows, or more than `max_bytes`: keep the most whole rows that fit (the
    # last row in `data` may be cut short), cut where the next one starts, close as the writer
    # does. Row k + 1 starts at starts[k]; keeping no row keeps the '[' of starts[0].
    starts = [found.start() for found in _ROW_START.finditer(data)]
    keep = min(limit, len(starts) - 1 if sink.full else limit)
    if sink.full:  # the body must stay within max_bytes, "]}}" included
        keep = min(keep, bisect.bisect_right(starts, max_bytes - 3) - 1)
    if keep < 0 or not starts or (keep == 0 and starts[0] + 4 > max_bytes > 0):
        return None  # not even the head fits (a tiny limit): the TSV way says what fits
    cut = starts[0] + 1 if keep == 0 else starts[keep]
    return data[:cut] + b"]}}", True, keep


def serialize_boolean(value: bool, job: Job) -> dict[str, object]:
    fmt = chosen_format(job.results_format, formats.SPARQL_SELECT)
    body = _boolean_body(value, fmt.key)
    return {"kind": "boolean", "format": fmt.key, "body": body, "truncated": False, "count": 1}


@functools.cache
def _boolean_body(value: bool, key: str) -> bytes:
    """An ASK answer's bytes: two per format, written by the engine's own serializer once."""
    fmt = formats.by_key(key, formats.SPARQL_SELECT)
    assert fmt is not None
    parsed = ox.parse_query_results(json.dumps({"head": {}, "boolean": value}),
                                    ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=results_format(fmt))


def serialize_bindings(variables: list[str], solutions: Iterable[object],
                        job: Job) -> dict[str, object]:
    fmt = chosen_format(job.results_format, formats.SPARQL_SELECT)
    rows = _take(solutions, job.max_rows)
    truncated = len(rows) > job.max_rows

    def results(count: int) -> bytes:
        if variables:  # the fast path: terms in N-Triples syntax, re-serialized by pyoxigraph
            parsed = ox.parse_query_results(_bindings_tsv(variables, rows[:count]),
                                            ox.QueryResultsFormat.TSV)
        else:  # SELECT * WHERE {}: rows without columns, which TSV cannot express
            parsed = ox.parse_query_results(bindings_json((), [() for _ in rows[:count]]),
                                            ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=results_format(fmt))

    count, body, cut = _fit(min(len(rows), job.max_rows), results, job.max_bytes)
    return {"kind": "bindings", "format": fmt.key, "body": body, "truncated": truncated or cut,
            "count": count}


def serialize_graph(result: Iterable[ox.Triple], job: Job) -> dict[str, object]:
    fmt = chosen_format(job.graph_format, formats.SPARQL_GRAPH)
    triples = _take(result, job.max_rows)
    truncated = len(triples) > job.max_rows
    assert fmt.oxigraph is not None
    count, body, cut = _fit(min(len(triples), job.max_rows),
                            lambda n: serialize(triples[:n], fmt, job.base_iri), job.max_bytes)
    return {"kind": "graph", "format": fmt.key, "body": body, "truncated": truncated or cut,
            "count": count}


def run_on_remote(store: object, job: Job, form: str | None) -> dict[str, object]:
    """A remote store runs the query itself (its own timeout); the row cap applies here."""
    if job.default_graphs or job.named_graphs:
        raise BadRequest("default-graph-uri and named-graph-uri need the embedded store")
    started = time.perf_counter()
    try:
        if form == "ASK":
            reply = serialize_boolean(store.ask(job.query), job)  # type: ignore[attr-defined]
        elif form in {"CONSTRUCT", "DESCRIBE"}:
            reply = serialize_graph(store.construct(job.query), job)  # type: ignore[attr-defined]
        else:
            rows = store.select(job.query)  # type: ignore[attr-defined]
            variables = list(dict.fromkeys(name for row in rows for name in row))
            reply = serialize_bindings(variables, rows, job)
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    reply["elapsed"] = time.perf_counter() - started
    return reply


def chosen_format(key: str | None, offered: tuple[Format, ...]) -> Format:
    """The format ``key`` names among ``offered``.

    :raises NotAcceptable: none (the client accepts no format of this kind).
    """
    fmt = _format_of(key, offered) if key else None
    if fmt is None:
        raise NotAcceptable([f.media_type for f in offered if f is not formats.HTML])
    return fmt


@functools.lru_cache(maxsize=64)
def _format_of(key: str, offered: tuple[Format, ...]) -> Format | None:
    """``formats.by_key``, remembered: twice per query (worker, serving process), a few keys."""
    return formats.by_key(key, offered)


def results_format(fmt: Format) -> ox.QueryResultsFormat:
    found = ox.QueryResultsFormat.from_media_type(fmt.media_type)
    assert found is not None, fmt
    return found


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


def bindings_json(variables: Sequence[str], rows: Iterable[Sequence[object]],
                  columns: Sequence[int] | None = None) -> bytes:
    """SPARQL JSON of ``rows``, written as the engine writes it (compact, the keys in its order:
    tests/test_sparql_fixed_cost.py compares the bytes): ``row[columns[k]]`` (default: ``row[k]``)
    is the term of ``variables[k]``, None when unbound. The one writer of SPARQL JSON outside the
    engine: the one-pattern lookup's answers (``pattern_form``) and rows without columns."""
    keys = [(encode_json_string(name) + ":", at) for name, at in
            zip(variables, columns if columns is not None else range(len(variables)), strict=True)]
    body = ",".join(["{" + ",".join([key + term_json(row[at]) for key, at in keys
                                     if row[at] is not None]) + "}" for row in rows])
    head = ",".join([encode_json_string(name) for name in variables])
    return f'{{"head":{{"vars":[{head}]}},"results":{{"bindings":[{body}]}}}}'.encode()


encode_json_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C: quotes, escapes
_PLAIN_TYPES = frozenset({XSD_STRING, RDF_LANG_STRING, RDF_DIR_LANG_STRING})


def term_json(term: object) -> str:
    """One RDF term as a SPARQL JSON object, compact (the engine's spelling)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + encode_json_string(term.value) + "}"  # type: ignore[attr-defined]
    if kind is ox.Literal:
        value = encode_json_string(term.value)  # type: ignore[attr-defined]
        if term.language:  # type: ignore[attr-defined]
            head = '{"type":"literal","value":' + value + ',"xml:lang":' + encode_json_string(term.language)  # type: ignore[attr-defined]
            direction = term.direction  # type: ignore[attr-defined]
            if direction is not None:
                return head + ',"its:dir":' + encode_json_string(
                    str(direction).lower().rsplit(".", 1)[-1]) + "}"
            return head + "}"
        datatype = term.datatype.value  # type: ignore[attr-defined]
        if datatype in _PLAIN_TYPES:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + encode_json_string(datatype) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + encode_json_string(term.value) + "}"  # type: ignore[attr-defined]
    if kind is ox.Triple:
        return ('{"type":"triple","value":{"subject":' + term_json(term.subject)  # type: ignore[attr-defined]
                + ',"predicate":' + term_json(term.predicate)  # type: ignore[attr-defined]
                + ',"object":' + term_json(term.object) + "}}")  # type: ignore[attr-defined]
    raise TypeError(f"unexpected term {term!r}")
