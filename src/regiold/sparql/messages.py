"""What a query run asks for and returns: the values passed between the web layer, the
service and its workers."""


from __future__ import annotations

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
