"""``EmbeddedStore``: the published quads in pyoxigraph's in-memory store (the default).

Queries see the union of all named graphs as their default graph, and relative IRIs resolve
against the base IRI. pyoxigraph's errors are translated into regiold's here.
"""


from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from regiold.errors import QuerySyntaxError, StoreUnavailable
from regiold.ingest.sources import Sources

if TYPE_CHECKING:
    pass
from regiold.store.base import Row
from regiold.store.naming import NamingTable


class EmbeddedStore:
    """pyoxigraph in memory; read-only once loaded."""

    def __init__(self, quads: Iterable[ox.Quad] | ox.Store, *, base_iri: str) -> None:
        """Serve ``quads``; a pyoxigraph Store given here is used as it is, not copied."""
        self.base_iri = base_iri
        self._count: int | None = None
        self._naming: NamingTable | None = None
        if isinstance(quads, ox.Store):
            self.db = quads
        else:
            self.db = ox.Store()
            self.db.bulk_extend(quads)

    @classmethod
    def from_sources(cls, sources: Sources, *, include_persons: bool = True) -> EmbeddedStore:
        return cls(sources.published_store(include_persons=include_persons),
                   base_iri=sources.base_iri)

    def raw_query(self, sparql: str, **options: object) -> object:
        """Run a query on pyoxigraph (union default graph, base IRI); for sparql.py and tests."""
        options.setdefault("use_default_graph_as_union", "default_graph" not in options)
        try:
            return self.db.query(sparql, base_iri=self.base_iri, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def select(self, sparql: str) -> list[Row]:
        solutions = self.raw_query(sparql)
        names = [v.value for v in solutions.variables]  # type: ignore[attr-defined]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]  # type: ignore[attr-defined]

    def ask(self, sparql: str) -> bool:
        return bool(self.raw_query(sparql))

    def construct(self, sparql: str) -> list[ox.Triple]:
        return list(self.raw_query(sparql))  # type: ignore[call-overload]

    def triple_count(self) -> int:
        # Counted once: pyoxigraph counts by scanning, and a scan in a forked worker copies the
        # store it shares with the master (docs/performance.md).
        if self._count is None:
            self._count = len(self.db)
        return self._count

    def naming_table(self) -> NamingTable:
        """Types and labels of every IRI (store/naming.py), built in memory on first use."""
        if self._naming is None:
            self._naming = NamingTable(source=self.db)
        return self._naming

    def share_naming_table(self, table: NamingTable) -> None:
        """Use ``table`` (written for the same quads, e.g. with their snapshot) instead of
        building one: the SPARQL workers read the snapshot's file instead of each building its own."""
        self._naming = table

    def add_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        name = ox.NamedNode(graph)
        self.db.remove_graph(name)
        self.db.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        self._count = None
        self._naming = None

    def ping(self, timeout: float) -> None:
        """In memory: always reachable."""


# Where ``regiold load`` records which data version the remote store holds. Not the default graph,
# so no query over the published data sees it.
