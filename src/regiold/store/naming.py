"""The naming table: the types and labels of every IRI, worked out once per data version.

A page names everything it links to (labels and types of some 30-70 IRIs per page). Looked up
triple by triple on the RocksDB snapshot this costs more than the rest of the page: every term of
every quad is decoded through RocksDB (about 5 us a quad, docs/performance.md). So the naming
triples of each IRI are written once per data version as N-Triples into an SQLite file beside the
snapshot, and each process opens it read-only: one copy in the page cache for all workers, no
Python object per entry in any process until a page asks for it.

An in-memory store (``embedded_store = memory``, the SPARQL copy) builds its table in memory on
first use, in the process that uses it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import FOAF_NS as FOAF
from regiold.rdf.namespaces import RDF_TYPE
from regiold.rdf.namespaces import RDFS_NS as RDFS
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import SKOS_NS as SKOS
from regiold.rdf.namespaces import VCARD_NS as VCARD

# Properties whose values are labels, in order of preference (publish/describe.py and the view
# read them from here).
LABEL_PROPERTIES: tuple[str, ...] = (
    f"{SKOS}prefLabel", f"{SDO}name", f"{RDFS}label", f"{DCT}title", f"{FOAF}name",
    f"{VCARD}fn", f"{SDO}alternateName",
)
NAMING_PROPERTIES: tuple[str, ...] = (RDF_TYPE, *LABEL_PROPERTIES)
FILE_NAME = "naming.sqlite"
_BATCH = 500  # IRIs per SELECT … IN (…): SQLite allows 32766 parameters, smaller is friendlier


def write_table(path: Path, stores: Sequence[ox.Store]) -> None:
    """Write the naming table of the union of ``stores`` to ``path`` (a new file)."""
    connection = sqlite3.connect(path)
    try:
        _fill(connection, stores)
    finally:
        connection.close()


def _fill(connection: sqlite3.Connection, stores: Sequence[ox.Store]) -> None:
    rows: dict[str, dict[ox.Triple, None]] = {}
    for store in stores:
        for prop in NAMING_PROPERTIES:
            for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
                if isinstance(quad.subject, ox.NamedNode):
                    rows.setdefault(quad.subject.value, {})[
                        ox.Triple(quad.subject, quad.predicate, quad.object)] = None
    connection.execute("CREATE TABLE naming (iri TEXT PRIMARY KEY, nt BLOB) WITHOUT ROWID")
    connection.executemany("INSERT INTO naming VALUES (?, ?)", (
        (iri, ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES))
        for iri, triples in rows.items()))
    connection.commit()


class NamingTable:
    """Read-only access to a naming table; one SQLite connection per process (never across fork)."""

    def __init__(self, path: Path | None = None, *, source: ox.Store | None = None) -> None:
        """``path``: a table written by ``write_table``; else one is built in memory from
        ``source`` when first used."""
        self.path = path
        self._source = source
        self._lock = threading.Lock()
        self._opened: tuple[int, sqlite3.Connection] | None = None

    def _connection(self) -> sqlite3.Connection:
        opened = self._opened
        if opened is None or opened[0] != os.getpid():
            with self._lock:
                opened = self._opened
                if opened is None or opened[0] != os.getpid():
                    opened = (os.getpid(), self._open())
                    self._opened = opened
        return opened[1]

    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(connection, [self._source] if self._source is not None else [])
        return connection

    def naming(self, iris: Iterable[str]) -> list[ox.Triple]:
        """The ``rdf:type`` and label triples of ``iris`` (in no particular order)."""
        wanted = list(iris)
        if not wanted:
            return []
        connection = self._connection()
        blobs: list[bytes] = []
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start:start + _BATCH]
            blobs += [row[0] for row in connection.execute(
                f"SELECT nt FROM naming WHERE iri IN ({','.join('?' * len(chunk))})", chunk)]
        if not blobs:
            return []
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(b"".join(blobs), format=ox.RdfFormat.N_TRIPLES)]

    def drop_connection(self) -> None:
        self._opened = None
