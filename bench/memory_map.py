"""Where a worker's memory goes during a crawl: ``regiold serve`` (as ``crawl_sample.py
--regiold-only`` starts it: default settings, 2 workers) crawls a random sample once in one format,
and each process's ``/proc/PID/smaps`` is summed per kind of mapping (glibc's per-thread arenas,
the main heap, CPython's object arenas, other anonymous maps, the snapshot's files, libraries) at
rest and after the crawl: PSS / RSS / anonymous MB. ``--trim`` then has gdb call ``malloc_trim(0)``
in each worker and reads them again (what is still free memory kept by glibc).

    python bench/memory_map.py SITE [--format ttl] [--sample 4000] [--setting NAME=VALUE]
                                    [--env NAME=VALUE] [--trim]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crawl  # noqa: E402
from common import free_port, running, tree_pids  # noqa: E402
from sections import bench_cache, serve_args  # noqa: E402

HEAD = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
ARENA = 64 << 20  # glibc's heaps of per-thread arenas: 64 MB, aligned to their size
Kinds = dict[str, list[int]]  # kind → [PSS, RSS, anonymous] kB


def _mappings(pid: int) -> list[dict]:
    found: list[dict] = []
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = HEAD.match(line)
        if head:
            found.append({"start": int(head[1], 16), "end": int(head[2], 16), "perms": head[3],
                          "path": head[4]})
        elif found and line.endswith(" kB"):
            key, _, value = line.partition(":")
            found[-1][key] = int(value.split()[0])
    return found


def _kind(mapping: dict) -> str:
    path, size = mapping["path"], mapping["end"] - mapping["start"]
    if path.endswith(".sst") or "/db/" in path:
        return "snapshot RocksDB files"
    if path.endswith(".sqlite"):
        return "snapshot SQLite file"
    if path == "[heap]":
        return "main heap (brk)"
    if path.startswith("/"):
        return "libraries and other files"
    if path:
        return path
    if mapping["perms"].startswith("---"):
        return "reserved (no access)"
    if mapping["start"] % ARENA == 0 and size <= ARENA:
        return "glibc per-thread arenas"
    if size == 1 << 20:
        return "CPython object arenas (1 MB)"
    return "other anonymous maps"


def snapshot(root: int) -> dict[int, Kinds]:
    out: dict[int, Kinds] = {}
    for pid in tree_pids(root):
        try:
            mappings = _mappings(pid)
        except OSError:
            continue
        kinds: Kinds = {}
        for mapping in mappings:
            sums = kinds.setdefault(_kind(mapping), [0, 0, 0])
            for i, key in enumerate(("Pss", "Rss", "Anonymous")):
                sums[i] += mapping.get(key, 0)
        out[pid] = kinds
    return out


def _total(snap: dict[int, Kinds]) -> float:
    return sum(v[0] for kinds in snap.values() for v in kinds.values()) / 1024


def show(title: str, before: dict[int, Kinds], after: dict[int, Kinds], master: int) -> None:
    print(f"== {title}: PSS of all processes {_total(before):.1f} -> {_total(after):.1f} MB")
    for pid, kinds in after.items():
        old = before.get(pid, {})
        role = "master" if pid == master else "child"
        print(f"  {role} {pid}: PSS {_total({0: old}):.1f} -> {_total({0: kinds}):.1f} MB")
        for kind in sorted(kinds, key=lambda k: -kinds[k][0]):
            now, was = kinds[kind], old.get(kind, [0, 0, 0])
            if max(now[0], was[0]) >= 1024:
                print(f"    {kind:30s} PSS {was[0] / 1024:6.1f} -> {now[0] / 1024:6.1f}  "
                      f"RSS {was[1] / 1024:6.1f} -> {now[1] / 1024:6.1f}  "
                      f"anon {was[2] / 1024:6.1f} -> {now[2] / 1024:6.1f}")


def settled(root: int, rounds: int = 60) -> dict[int, Kinds]:
    """A snapshot once the total has stopped moving (the workers finished starting)."""
    last, snap = None, snapshot(root)
    for _ in range(rounds):
        total = _total(snap)
        if last is not None and abs(total - last) < 2:
            break
        last = total
        time.sleep(2)
        snap = snapshot(root)
    return snap


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--format", default="ttl", choices=sorted(crawl.ACCEPT))
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable of the server, e.g. MALLOC_ARENA_MAX=1")
    parser.add_argument("--trim", action="store_true")
    options = parser.parse_args()
    every = crawl.resources(options.site)
    chosen = sorted(random.Random(options.seed).sample(every, min(options.sample, len(every))))
    settings = dict(pair.split("=", 1) for pair in options.setting) or None
    env = dict(pair.split("=", 1) for pair in options.env)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        args = serve_args(options.site, bench_cache(options.site), port, settings=settings)
        with running(args, ready_url=f"http://127.0.0.1:{port}/ready", env=env,
                     log=Path(tmp) / "serve.log") as (process, _):
            rest = settled(process.pid)
            result = crawl.crawl(port, ["/" + iri.removeprefix(crawl.BASE) for iri in chosen],
                                 crawl.ACCEPT[options.format])
            after = snapshot(process.pid)
            show(f"{options.format}, settings {settings}, env {env}, load {os.getloadavg()[0]:.1f}, "
                 f"{result['rps']} req/s", rest, after, process.pid)
            if options.trim:
                for pid in after:
                    if pid != process.pid:
                        subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call (int)malloc_trim(0)"],
                                       capture_output=True, timeout=120, check=False)
                show("after malloc_trim(0) in each child", after, snapshot(process.pid), process.pid)
