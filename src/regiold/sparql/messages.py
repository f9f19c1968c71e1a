"""What a query run asks for and returns: the values passed between the web layer, the
service and its workers."""


from __future__ import annotations

import marshal
import struct
from dataclasses import dataclass, field

from regiold.rdf.formats import Format


@dataclass(frozen=True)
class Request:
    """One query to run, with the protocol's dataset and the negotiated output formats."""

    query: str
    results_format: str | None  # Format.key for SELECT/ASK; None: not acceptable to the client
    graph_format: str | None  # Format.key for CONSTRUCT/DESCRIBE
    default_graphs: tuple[str, ...] = ()  # protocol default-graph-uri
    named_graphs: tuple[str, ...] = ()  # protocol named-graph-uri
    max_cells: int = 0  # rows × columns a SELECT answer may hold (the HTML page's budget; 0: any)


@dataclass(frozen=True)
class Answer:
    kind: str  # "bindings" | "boolean" | "graph"
    format: Format
    body: bytes
    truncated: bool = False  # the result had more than max_rows rows/triples (or bytes)
    count: int = 0  # rows or triples in the body (1 for a boolean)
    elapsed: float = 0.0  # seconds spent in the worker
    # ETags of ``body`` by data version, filled by the web layer when it first sends the answer
    # (web/sparql_routes.answer_headers): a remembered answer is hashed once, not per request
    tags: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Job:
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
    max_bytes: int = 0  # bytes of the serialized answer at most (0: any)
    extra: dict[str, object] = field(default_factory=dict)


# The pool's wire format (sparql/pool.py). A job goes to the worker as a marshalled tuple of plain
# values, without the base IRI and the prefixes, which are the same for every job of a pool and
# which the worker holds from its start (pickling the prefixes was most of a job's 10 us).
def job_bytes(job: Job) -> bytes:
    return marshal.dumps((job.query, job.union_default, job.default_graphs, job.named_graphs,
                          job.results_format, job.graph_format, job.max_rows, job.max_bytes,
                          job.extra))


def job_of(data: bytes, base_iri: str, prefixes: dict[str, str]) -> Job:
    """A job from :func:`job_bytes` (in the worker: the bytes come from its own parent)."""
    query, union, default, named, results, graph, max_rows, max_bytes, extra = marshal.loads(data)
    return Job(query, base_iri, prefixes, union, default, named, results, graph, max_rows,
               max_bytes=max_bytes, extra=extra)


# A reply comes back from the sandboxed worker, so the serving process decodes it as data, never
# as code (no pickle): fixed fields, three short strings, the error message and the body.
_REPLY = struct.Struct("!dqBHHHI")  # elapsed, count, flags, len kind/format/error_type, len error
_TRUNCATED, _RETIRED, _ERROR = 1, 2, 4


def reply_bytes(reply: dict[str, object]) -> bytes:
    """A worker's reply dict (``kind``, ``format``, ``body``, ``truncated``, ``count``,
    ``elapsed``, ``error``, ``error_type``, ``retired``) as bytes."""
    kind, fmt, etype = (str(reply.get(k) or "").encode() for k in ("kind", "format", "error_type"))
    error = reply.get("error")
    message = str(error).encode("utf-8", "replace") if error is not None else b""
    flags = ((_TRUNCATED if reply.get("truncated") else 0) | (_RETIRED if reply.get("retired") else 0)
             | (_ERROR if error is not None else 0))
    body = reply.get("body") or b""
    head = _REPLY.pack(float(reply.get("elapsed") or 0.0), int(reply.get("count") or 0),  # type: ignore[call-overload]
                       flags, len(kind), len(fmt), len(etype), len(message))
    return b"".join((head, kind, fmt, etype, message, body))  # type: ignore[arg-type]


def reply_of(data: bytes) -> dict[str, object]:
    """The reply dict of :func:`reply_bytes`.

    :raises ValueError: the bytes are not a reply (a broken worker).
    """
    try:
        elapsed, count, flags, n_kind, n_fmt, n_etype, n_error = _REPLY.unpack_from(data)
    except struct.error as exc:
        raise ValueError("not a reply") from exc
    at = _REPLY.size
    ends = (at + n_kind, at + n_kind + n_fmt, at + n_kind + n_fmt + n_etype,
            at + n_kind + n_fmt + n_etype + n_error)
    if ends[3] > len(data):
        raise ValueError("a reply cut short")
    reply: dict[str, object] = {
        "kind": data[at:ends[0]].decode("ascii", "replace"),
        "format": data[ends[0]:ends[1]].decode("ascii", "replace"),
        "body": data[ends[3]:], "truncated": bool(flags & _TRUNCATED), "count": count,
        "elapsed": elapsed}
    if flags & _RETIRED:
        reply["retired"] = True
    if flags & _ERROR:
        reply["error"] = data[ends[2]:ends[3]].decode("utf-8", "replace")
        reply["error_type"] = data[ends[1]:ends[2]].decode("ascii", "replace")
    return reply
