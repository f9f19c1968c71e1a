"""Where the published quads live, behind one small interface.

``EmbeddedStore`` keeps them in pyoxigraph's in-memory store (the default). Queries see the union
of all named graphs as their default graph, and relative IRIs resolve against the base IRI.

``RemoteStore`` speaks the SPARQL 1.1 Protocol to any endpoint (Oxigraph server, Fuseki,
Virtuoso; see docs/STORES.md). The published triples live in the endpoint's default graph (or
the graph named by ``default-graph-uri`` in the endpoint URL), so a load can stage new data in a
graph no query sees and swap it in with one SPARQL Update request (``replace_data``).

Backend errors are translated into regiold's errors in each backend's module; no pyoxigraph or
HTTP exception leaves this package, and the results are pyoxigraph terms whichever store answered.

| module | what |
| --- | --- |
| `base.py` | the ``Store`` protocol |
| `embedded.py` | ``EmbeddedStore`` (pyoxigraph in memory) |
| `snapshot.py` | ``SnapshotStore`` (a read-only RocksDB folder per data version) |
| `remote.py` | ``RemoteStore`` (any SPARQL 1.1 endpoint) |
| `naming.py` | the naming table: types and labels of every IRI, once per data version (SQLite) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regiold.ingest.sources import Sources
from regiold.store.base import Row, Store
from regiold.store.embedded import EmbeddedStore
from regiold.store.remote import META_GRAPH, RemoteStore

if TYPE_CHECKING:
    from regiold.settings import Settings

__all__ = ["META_GRAPH", "EmbeddedStore", "RemoteStore", "Row", "Store", "open_store"]


def open_store(sources: Sources, settings: Settings | None = None, *,
               include_persons: bool | None = None) -> Store:
    """The store chosen by the ``store`` setting: embedded (loaded from ``sources``) or remote.

    A remote store is filled by ``regiold load``, not here; this only connects to it.

    :raises ConfigError: the ``store`` setting is neither "embedded" nor an http(s) URL.
    """
    persons = include_persons if include_persons is not None else (
        settings.publish_persons if settings is not None else True)
    if settings is None or settings.store == "embedded":
        return EmbeddedStore.from_sources(sources, include_persons=persons)
    return RemoteStore.from_settings(settings)
