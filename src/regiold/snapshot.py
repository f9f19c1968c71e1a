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
import tempfile
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreUnavailable
from .store import EmbeddedStore

KEPT_VERSIONS = 3  # the current snapshot, and the previous ones a reload may still be serving
_MANIFEST = "regiold-snapshot.json"
_FORMAT = 1


class SnapshotStore(EmbeddedStore):
    """An EmbeddedStore whose pyoxigraph store is a read-only folder, opened by each process on
    first use.

    RocksDB must not be used across ``fork``: its background threads stay in the parent, and a
    forked process that closes a handle waits for them for ever (a gunicorn worker would hang on
    exit), and a child that opens its own handle while the parent's is open reads through the
    parent's (closed) file descriptors. So the serving master never opens the snapshot
    (``open_snapshot`` writes it in a child process and only reads its manifest), every process
    opens its own handle, and a process drops its handle before it forks (the SPARQL workers).
    """

    def __init__(self, path: Path, *, base_iri: str, triples: int) -> None:
        self.base_iri = base_iri
        self.path = path
        self._triples = triples
        self._lock = threading.Lock()
        self._opened: tuple[int, ox.Store] | None = None
        _OPEN.add(self)

    def _drop_handle(self) -> None:
        self._opened = None  # a query still running keeps its own reference until it ends

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
                  graphs: Iterable[str], extra: Iterable[ox.Quad]) -> SnapshotStore:
    """The snapshot in ``folder``, written first if it is missing or damaged.

    ``published`` holds the data to serve; only its named ``graphs`` (the source files) are copied,
    plus the ``extra`` quads (graph/void).
    """
    if _read_manifest(folder) is None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            _in_child(lambda: _write(work, published, list(graphs), list(extra)))
            if folder.exists():  # damaged (no manifest): replace it
                shutil.rmtree(folder, ignore_errors=True)
            os.rename(work, folder)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            if _read_manifest(folder) is None:  # not another process that finished first
                raise
        prune_versions(folder, keep=KEPT_VERSIONS)
    triples = _read_manifest(folder)
    if triples is None:
        raise OSError(f"cannot write the store snapshot {folder}")
    return SnapshotStore(folder, base_iri=base_iri, triples=triples)


def _write(work: Path, published: ox.Store, graphs: list[str], extra: list[ox.Quad]) -> None:
    disk = ox.Store(str(work / "db"))
    for graph in graphs:  # N-Triples from Rust to Rust: no Python object per triple
        name = ox.NamedNode(graph)
        disk.bulk_load(published.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name),
                       ox.RdfFormat.N_TRIPLES, to_graph=name)
    disk.extend(extra)
    triples = len(disk)
    disk.flush()
    del disk  # closes RocksDB before the folder is renamed
    (work / _MANIFEST).write_text(json.dumps({"format": _FORMAT, "triples": triples}))


def _in_child(work: Callable[[], None]) -> None:
    """Run ``work`` in a forked process, so this one never starts RocksDB (see SnapshotStore).

    :raises OSError: when the work failed (its traceback went to stderr).
    """
    if not hasattr(os, "fork"):
        work()
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its effect is checked by the tests
        code = 1
        try:
            work()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError("writing the store snapshot failed (see the error above)")


def _read_manifest(folder: Path) -> int | None:
    try:
        raw = json.loads((folder / _MANIFEST).read_text())
        return int(raw["triples"]) if raw.get("format") == _FORMAT and (folder / "db").is_dir() else None
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
