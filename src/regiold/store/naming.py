"""Per-version tables for the read path: the naming table and the documents.

A page names everything it links to (types and labels of some 30-70 IRIs). Looked up triple by
triple on the RocksDB snapshot this costs more than the rest of the page, and a first lookup of a
node there decodes RocksDB blocks and every term (0.1-0.3 ms for an organisation's own triples).
So, once per data version, the snapshot is accompanied by one SQLite file holding
- ``naming``: the ``rdf:type`` and label triples of every IRI, as N-Triples;
- ``outgoing`` / ``incoming``: the N-Triples of every node's own triples and of every IRI's
  incoming links (the documents ``publish/lookup.py`` walks).
Each process opens it read-only: one copy in the page cache for all workers, and no Python object
per entry in any process until a page asks for it (Python objects built before the fork would be
copied into each worker as soon as reference counting touches them).

An in-memory store (``embedded_store = memory``, the SPARQL copy without a snapshot) builds only
the naming table, in memory, on first use; its own pattern lookups are fast.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from regiold.rdf import ntriples
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


def write_table(path: Path, stores: Sequence[ox.Store], base_iri: str) -> None:
    """Write the tables of the union of ``stores`` to ``path`` (a new file): the naming table and
    the documents (each node's outgoing triples; the incoming ones of each IRI under ``base_iri``,
    the only ones with pages: a class like ``schema:Organization`` would copy every typed node)."""
    connection = sqlite3.connect(path)
    try:
        _fill(connection, stores)
        _fill_documents(connection, stores, path.parent, f"<{base_iri}")
    finally:
        connection.close()


def _fill(connection: sqlite3.Connection, stores: Sequence[ox.Store]) -> None:
    rows: dict[str, dict[ox.Triple, None]] = {}
    for store in stores:
        for prop in NAMING_PROPERTIES:
            for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
                if isinstance(quad.subject, ox.NamedNode):
                    rows.setdefault(quad.subject.value, {})[
                        quad.triple] = None
    connection.execute("CREATE TABLE naming (iri TEXT PRIMARY KEY, nt BLOB)")
    connection.executemany("INSERT INTO naming VALUES (?, ?)", (
        (iri, ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES))
        for iri, triples in rows.items()))
    connection.commit()


def _fill_documents(connection: sqlite3.Connection, stores: Sequence[ox.Store], work: Path,
                    own: str) -> None:
    """``outgoing``: N-Triples of each subject (key: its N-Triples term); ``incoming``: of each IRI
    object. Grouped by SQLite from one line per triple, so no Python object per triple is kept."""
    connection.execute("CREATE TEMP TABLE lines (side INTEGER, node TEXT, line TEXT)")
    dump = work / "documents.nt"
    for store in stores:
        for graph in [ox.DefaultGraph(), *store.named_graphs()]:
            with dump.open("wb") as out:
                store.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)  # Rust: fast
            with dump.open(encoding="utf-8") as lines:
                connection.executemany("INSERT INTO lines VALUES (?, ?, ?)", _sides(lines, own))
    dump.unlink(missing_ok=True)
    for side, table in ((0, "outgoing"), (1, "incoming")):
        connection.execute(f"CREATE TABLE {table} (node TEXT PRIMARY KEY, nt BLOB)")  # rowid: big rows
        connection.execute(f"INSERT INTO {table} SELECT node, CAST(group_concat(line, '') AS BLOB) "
                           f"FROM (SELECT DISTINCT node, line FROM lines WHERE side = {side}) "
                           "GROUP BY node")
    connection.execute("DROP TABLE lines")
    connection.commit()


def _sides(lines: Iterable[str], own: str) -> Iterable[tuple[int, str, str]]:
    """(0, subject, line) for every N-Triples line, and (1, object, line) when the object is an
    IRI starting with ``own``. Terms hold no space before the object (IRIs and blank node labels
    cannot)."""
    for line in lines:
        subject_end = line.index(" ")
        yield 0, line[:subject_end], line
        if line.endswith("> .\n"):
            start = line.index(" ", subject_end + 1) + 1
            if line.startswith(own, start):
                yield 1, line[start:-3], line


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
        return ntriples.triples(self.naming_nt(iris))

    def naming_nt(self, iris: Iterable[str]) -> bytes:
        """``naming`` as the stored N-Triples text (publish/lookup.py works on the lines)."""
        wanted = list(iris)
        if not wanted:
            return b""
        connection = self._connection()
        blobs: list[bytes] = []
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start:start + _BATCH]
            blobs += [row[0] for row in connection.execute(
                f"SELECT nt FROM naming WHERE iri IN ({','.join('?' * len(chunk))})", chunk)]
        return b"".join(blobs)

    def first_iris(self, prefix: str, count: int) -> list[str]:
        """The first ``count`` named IRIs starting with ``prefix``, in code point order."""
        rows = self._connection().execute(
            "SELECT iri FROM naming WHERE iri >= ? AND iri < ? ORDER BY iri LIMIT ?",
            (prefix, prefix + "\U0010ffff", count))
        return [row[0] for row in rows]

    def documents(self) -> bool:
        """Whether the table holds the documents (the snapshot's does; an in-memory one not)."""
        return self.path is not None

    def outgoing(self, node: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        return ntriples.triples(self.document_nt("outgoing", str(node)))

    def incoming(self, node: ox.NamedNode) -> list[ox.Triple]:
        return ntriples.triples(self.document_nt("incoming", str(node)))

    def document_nt(self, table: str, key: str) -> bytes:
        """The stored N-Triples of ``key`` (a node in N-Triples form) in ``table``, ``outgoing``
        or ``incoming``; empty when it has none."""
        row = self._connection().execute(f"SELECT nt FROM {table} WHERE node = ?", (key,)).fetchone()
        return b"" if row is None else row[0]

    def document_size(self, table: str, key: str) -> int:
        """The length in bytes of ``document_nt`` (0: none), without reading the document."""
        row = self._connection().execute(f"SELECT length(nt) FROM {table} WHERE node = ?",
                                         (key,)).fetchone()
        return 0 if row is None else row[0]

    def documents_nt(self, table: str, keys: Sequence[str]) -> dict[str, bytes]:
        """``document_nt`` of several nodes at once (one query per 500): by key, those that have one."""
        connection = self._connection()
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start:start + _BATCH]
            found.update(connection.execute(
                f"SELECT node, nt FROM {table} WHERE node IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def close_connection(self) -> None:
        """Close this process's connection to a table on disk, to reopen it on the next read.
        Only where no other thread can be using it: serve/warm.py, in the master before the
        workers fork (sqlite3 keeps a connection alive through its own statement cache, so
        dropping the reference would leave the file open in the master and in every worker)."""
        opened, self._opened = self._opened, None
        if opened is not None and opened[0] == os.getpid() and self.path is not None:
            opened[1].close()

    def drop_connection(self) -> None:
        self._opened = None
