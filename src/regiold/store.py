"""Where the published quads live, behind one small interface.

``EmbeddedStore`` keeps them in pyoxigraph's in-memory store (the default). Queries see the union
of all named graphs as their default graph, and relative IRIs resolve against the base IRI.
Backend errors are translated here into regiold's errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

from .errors import QuerySyntaxError, StoreUnavailable
from .sources import Sources


class Store(Protocol):
    """What the rest of regiold needs from a store."""

    base_iri: str

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Rows of a SELECT query (unbound variables are absent from a row)."""
        ...

    def ask(self, sparql: str) -> bool: ...

    def construct(self, sparql: str) -> list[ox.Triple]: ...

    def triple_count(self) -> int: ...


class EmbeddedStore:
    """pyoxigraph in memory; read-only once loaded."""

    def __init__(self, quads: Iterable[ox.Quad], *, base_iri: str) -> None:
        self.base_iri = base_iri
        self.db = ox.Store()
        self.db.bulk_extend(quads)

    @classmethod
    def from_sources(cls, sources: Sources, *, include_persons: bool = True) -> EmbeddedStore:
        return cls(sources.published_quads(include_persons=include_persons),
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

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        solutions = self.raw_query(sparql)
        names = [v.value for v in solutions.variables]  # type: ignore[attr-defined]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]  # type: ignore[attr-defined]

    def ask(self, sparql: str) -> bool:
        return bool(self.raw_query(sparql))

    def construct(self, sparql: str) -> list[ox.Triple]:
        return list(self.raw_query(sparql))  # type: ignore[call-overload]

    def triple_count(self) -> int:
        return len(self.db)


def open_store(sources: Sources, *, include_persons: bool = True) -> EmbeddedStore:
    """The store for a site; a remote store comes with the ``store`` setting (see docs)."""
    return EmbeddedStore.from_sources(sources, include_persons=include_persons)
