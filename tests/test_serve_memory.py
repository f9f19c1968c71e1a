"""A serving worker gives back the memory its request threads freed (serve/memory.py).

The child process below does what a worker's request threads do to glibc's allocator: several
threads allocate blocks of the size of page bodies and N-Triples documents (64 KB, below
malloc's mmap threshold, so they come from the threads' arenas), each keeps one small block
allocated after them (as a memo entry does), and then frees the large ones. glibc keeps those
pages: the small block at the top pins each arena's heap. The test first checks that this is so
(otherwise it would prove nothing), then that the worker's trimming thread hands them back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from pages_support import BASE, copy_site, make_app
from regiold.export.build import resource_paths
from regiold.ingest import sources

CHILD = r"""
import sys, threading, time
from regiold.serve import memory

def anonymous_kb():
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("Anonymous:"):
            return int(line.split()[1])

kept = []
def burst():
    blocks = []
    for n in range(256):  # 16 MB per thread, from its arena
        blocks.append(bytes(64 << 10))
        if n % 16 == 15:
            kept.append(bytes(1024))  # outlives the burst, between the freed blocks
    del blocks

before = anonymous_kb()
threads = [threading.Thread(target=burst) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(before, anonymous_kb(), flush=True)
trimmer = memory.start_trimming(interval=0.2)
print("trimming" if trimmer is not None else "no malloc_trim", flush=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline and trimmer is not None and trimmer.trims == 0:
    sum(range(200_000))  # a busy worker: CPU spent between two checks
time.sleep(3600)  # stopped by the test
"""
ALLOCATED_KB = 4 * 256 * 64


def _anonymous_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1])
    raise AssertionError("no Anonymous line")


def test_a_worker_gives_back_what_its_request_threads_freed():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        before, after_burst = map(int, child.stdout.readline().split())  # type: ignore[union-attr]
        # the pattern holds memory without the trimmer: a good part of the freed 64 MB is still
        # there (about half, with glibc 2.36)
        assert after_burst - before > ALLOCATED_KB // 4, (before, after_burst)
        assert child.stdout.readline().strip() == "trimming"  # type: ignore[union-attr]
        deadline = time.monotonic() + 60
        while _anonymous_kb(child.pid) - before > ALLOCATED_KB // 16 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _anonymous_kb(child.pid) - before <= ALLOCATED_KB // 16, (before, after_burst)
    finally:
        child.kill()
        child.wait(timeout=30)


def _snapshot_files_open(db: Path) -> int:
    """How many of this process's file descriptors point into the RocksDB folder ``db``."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            count += Path(os.readlink(fd)).is_relative_to(db)
        except OSError:
            continue
    return count


def test_rdf_pages_never_open_the_snapshots_rocksdb(tmp_path):
    """Turtle and JSON-LD pages are read from the per-version tables (store/naming.py): a worker
    serving them never opens the snapshot's RocksDB, which costs each process that opens it
    about 5 MB of its own at 10^6 (docs/performance.md, "Memory after a crawl")."""
    site_dir = copy_site(tmp_path / "site")
    app = make_app(site_dir)
    db = app.extensions["regiold"].site.store.path / "db"
    # the resources, from the files: the export's list would query the snapshot itself
    quads = sources.parse_site(site_dir, base_iri=BASE).published_quads()
    paths = sorted({q.subject.value.removeprefix(BASE) for q in quads if isinstance(q.subject, ox.NamedNode)
                    and q.subject.value.startswith(BASE) and "#" not in q.subject.value} - {""})
    client = app.test_client()
    assert _snapshot_files_open(db) == 0
    for path in paths:
        for accept in ("text/turtle", "application/ld+json"):
            assert client.get(f"/{path}", headers={"Accept": accept}).status_code == 200
    assert _snapshot_files_open(db) == 0
    # the probe does see an open snapshot: the export's list of resources queries it
    assert resource_paths(app.extensions["regiold"].site)[0]
    assert _snapshot_files_open(db) > 0
