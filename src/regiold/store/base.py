"""The ``Store`` protocol every backend implements, and the row type its queries return."""


from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

if TYPE_CHECKING:
    pass

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


class Store(Protocol):
    """What the rest of regiold needs from a store."""

    base_iri: str

    def select(self, sparql: str) -> list[Row]:
        """Rows of a SELECT query (unbound variables are absent from a row)."""
        ...

    def ask(self, sparql: str) -> bool: ...

    def construct(self, sparql: str) -> list[ox.Triple]: ...

    def triple_count(self) -> int: ...

    def add_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace the named graph ``graph`` with ``triples`` (generated metadata such as VoID)."""
        ...

    def ping(self, timeout: float) -> None:
        """Answer a trivial query within ``timeout`` seconds or raise StoreUnavailable (/ready)."""
        ...
