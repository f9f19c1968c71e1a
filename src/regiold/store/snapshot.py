"""The published data as a read-only pyoxigraph store on disk: one folder per data version.

Why (docs/performance.md): pyoxigraph's in-memory store is shared copy-on-write by forked workers
only until a process scans it. A full scan (a SPARQL ``COUNT``, ``GROUP BY`` or text search) touches
reference counts across the whole store, so every worker and every SPARQL query process that
scans ends up with a private copy (about 0.4 GB each at 10^6 triples). A RocksDB folder opened
read-only by each process is read through the operating system's page cache instead: one copy
for all processes, memory per process bounded, and a restart with unchanged data opens the
folder without loading anything.

Folders live under ``{cache_dir}/store/{version}-{scope}``: written to a temporary sibling and
renamed, so no process ever opens a half-built snapshot; older versions are pruned.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from regiold.errors import StoreUnavailable
from regiold.store import EmbeddedStore
from regiold.store.naming import FILE_NAME as NAMING_FILE
from regiold.store.naming import NamingTable, write_table

KEPT_VERSIONS = 3  # the current snapshot, and the previous ones a reload may still be serving
_MANIFEST = "regiold-snapshot.json"
_LOAD_TIMEOUT = 3600.0  # seconds; 10^6 triples take about 10
_FORMAT = 3  # 3: with the naming table and the documents (store/naming.py)


class SnapshotStore(EmbeddedStore):
    """An EmbeddedStore whose pyoxigraph store is a read-only folder, opened by each process on
    first use.

    RocksDB must not be used across ``fork``: its background threads stay in the parent, and a
    forked process that closes a handle waits for them for ever (a gunicorn worker would hang on
    exit), and a child that opens its own handle while the parent's is open reads through the
    parent's (closed) file descriptors. So the serving master never opens the snapshot
    (``open_snapshot`` has a fresh interpreter write it and only reads its manifest), every
    process opens its own handle, and a process drops its handle before it forks (the SPARQL
    workers).
    """

    def __init__(self, path: Path, *, base_iri: str, triples: int) -> None:
        self.base_iri = base_iri
        self.path = path
        self._triples = triples
        self._lock = threading.Lock()
        self._opened: tuple[int, ox.Store] | None = None
        self._naming = NamingTable(path / NAMING_FILE)
        _OPEN.add(self)

    def _drop_handle(self) -> None:
        self._opened = None  # a query still running keeps its own reference until it ends
        self._naming.drop_connection()

    def naming_table(self) -> NamingTable:
        """The naming table written with the snapshot, opened read-only by each process."""
        return self._naming

    @property
    def db(self) -> ox.Store:  # type: ignore[override]
        opened = self._opened
        if opened is None or opened[0] != os.getpid():
            with self._lock:
                try:
                    opened = (os.getpid(), ox.Store.read_only(str(self.path / "db")))
                except OSError as exc:
                    raise StoreUnavailable(f"cannot open the store snapshot {self.path}: {exc}") from exc
                self._opened = opened
        return opened[1]

    def triple_count(self) -> int:
        return self._triples  # counted when the snapshot was written; RocksDB would scan

    def add_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        raise StoreUnavailable("a store snapshot is read-only; graphs are added when it is built")


_OPEN: weakref.WeakSet[SnapshotStore] = weakref.WeakSet()


def _drop_handles_before_fork() -> None:
    for store in list(_OPEN):
        store._drop_handle()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_drop_handles_before_fork)


def open_snapshot(folder: Path, *, base_iri: str, published: ox.Store,
                  extra: Iterable[ox.Quad]) -> SnapshotStore:
    """The snapshot in ``folder``, written first if it is missing or damaged.

    ``published`` holds the data to serve (one named graph per source file), ``extra`` the quads
    added to it (graph/void).

    :raises OSError: when the folder cannot be written.
    """
    if _read_manifest(folder) is None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            _write(work, published, list(extra), base_iri)
            if folder.exists():  # damaged (no manifest): replace it
                shutil.rmtree(folder, ignore_errors=True)
            os.rename(work, folder)
        except (OSError, sqlite3.Error) as exc:  # SQLite says a full disk in its own words
            shutil.rmtree(work, ignore_errors=True)
            if _read_manifest(folder) is None:  # not another process that finished first
                raise OSError(f"cannot write the store snapshot {folder}: {exc}") from exc
        prune_versions(folder, keep=KEPT_VERSIONS)
    triples = _read_manifest(folder)
    if triples is None:
        raise OSError(f"cannot write the store snapshot {folder}")
    return SnapshotStore(folder, base_iri=base_iri, triples=triples)


# Runs in a fresh interpreter: RocksDB writes from a forked process hang when the parent has
# used RocksDB before (its background threads are not forked), and a serving master must not
# start RocksDB at all (see SnapshotStore).
_LOADER = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
print(len(store))
"""


def _write(work: Path, published: ox.Store, extra: list[ox.Quad], base_iri: str) -> None:
    """Write the snapshot into ``work``: N-Quads from pyoxigraph to a file, loaded by a child."""
    extra_store = ox.Store()
    extra_store.extend(extra)
    write_table(work / NAMING_FILE, [published, extra_store], base_iri)  # from memory, no RocksDB
    data = work / "data.nq"
    with data.open("wb") as out:
        published.dump(out, ox.RdfFormat.N_QUADS)  # Rust to file: no Python object per triple
        ox.serialize(extra, out, ox.RdfFormat.N_QUADS)
    try:
        done = subprocess.run([sys.executable, "-c", _LOADER, str(work / "db"), str(data)],
                              capture_output=True, text=True, timeout=_LOAD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OSError(f"writing the store snapshot took more than {_LOAD_TIMEOUT} s") from exc
    finally:
        data.unlink(missing_ok=True)
    if done.returncode != 0:
        raise OSError(f"writing the store snapshot failed: {done.stderr.strip()[-2000:]}")
    manifest = {"format": _FORMAT, "triples": int(done.stdout.split()[-1])}
    (work / _MANIFEST).write_text(json.dumps(manifest))


def _read_manifest(folder: Path) -> int | None:
    try:
        raw = json.loads((folder / _MANIFEST).read_text())
        complete = (folder / "db").is_dir() and (folder / NAMING_FILE).is_file()
        return int(raw["triples"]) if raw.get("format") == _FORMAT and complete else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prune_versions(current: Path, *, keep: int) -> None:
    """Remove sibling folders of older data versions, keeping the newest ``keep`` (current
    included); hidden work folders are left to their writers."""
    try:
        folders = sorted((p for p in current.parent.iterdir() if p.is_dir() and p != current
                          and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    except OSError:
        return
    for old in folders[: max(0, len(folders) - (keep - 1))]:
        shutil.rmtree(old, ignore_errors=True)
