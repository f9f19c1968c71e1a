"""Where a fresh SPARQL query's time goes inside ``regiold serve`` (issue 13, fourth pass).

    python bench/sparql_split.py SITE [--requests 300] [--queries lookup,ask,...]
    python bench/sparql_split.py --wire [--requests 2000]
    python bench/sparql_split.py --rss CACHE/store/VERSION/db IRI
    python bench/sparql_split.py --held SITE

For each query of ``bench/sections.py``'s mix: starts ``regiold serve`` (one granian worker,
``-s rate_limit 0``) with timers around the WSGI call, the SPARQL front, the query service, the
screen and the worker pool (a ``sitecustomize`` put first on the server's ``PYTHONPATH``; the
code timed is the tree's own), asks ``--requests`` fresh queries (each made distinct by a
comment) from one urllib3 client with a 1 ms pause between them, and prints the medians in µs,
the worker's own ``elapsed`` included. Run it with ``PYTHONPATH`` at another tree's ``src`` for a
baseline, alternating the trees.

``--rss DB IRI``: what the pattern lookup costs a serving worker in memory: the resident size of
this process before and after it opens the store snapshot ``DB`` (a ``store/*/db`` folder under
the cache) read-only, and after it reads ``IRI``'s triples with the store's lookup.

``--held SITE``: which processes of ``regiold serve`` hold the store snapshot's files open after
one resource page and one ``DESCRIBE`` (no query for the worker yet): the serving worker does, for
the pages' read path, before any pattern lookup.

``--wire``: the pool alone, in process: a trivial job (the reply of a lookup's size), timestamps
on both sides of the socket pair: call → sent, sent → the worker has it, → its run starts, run →
the caller has the reply, and a bare socket-pair ping between two processes for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from common import free_port, running  # noqa: E402
from sections import SPARQL_BENCH_SETTINGS, _first_generated_org, bench_cache, mix, serve_args  # noqa: E402

TIMERS = '''
import json, os, time
import regiold.serve.granian as G
import regiold.sparql.pool as P
import regiold.sparql.service as S
import regiold.web.sparql_front as F
OUT, REC = os.environ["SPARQL_SPLIT_OUT"], {}


def timed(owner, name, key):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            REC.setdefault(key, []).append(time.perf_counter() - start)
            if key == "app" and len(REC["app"]) % 20 == 0:
                with open(f"{OUT}.{os.getpid()}", "w") as out:
                    json.dump(REC, out)
    setattr(owner, name, wrapper)


timed(G._Retiring, "__call__", "app")
timed(F.SparqlFront, "__call__", "front")
timed(S.QueryService, "run", "service")
timed(S, "screen", "screen")
original_call = P.Pool.call


def pool_call(self, job, timeout):
    start = time.perf_counter()
    reply = original_call(self, job, timeout)
    REC.setdefault("pool", []).append(time.perf_counter() - start)
    REC.setdefault("worker", []).append(reply.get("elapsed", 0.0))
    return reply


P.Pool.call = pool_call
'''


def split(site: Path, name: str, requests: int) -> dict[str, float]:
    import urllib3

    query, accept = mix(_first_generated_org(site))[name]
    src = os.environ.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "sitecustomize.py").write_text(TIMERS)
        out = str(Path(tmp, "rec"))
        port = free_port()
        env = {"PYTHONPATH": os.pathsep.join(p for p in (tmp, src) if p), "SPARQL_SPLIT_OUT": out}
        http = urllib3.PoolManager(retries=False)
        walls = []
        with running(serve_args(site, bench_cache(site), port, workers=1,
                                settings=SPARQL_BENCH_SETTINGS),
                     ready_url=f"http://127.0.0.1:{port}/ready", env=env):
            url = f"http://127.0.0.1:{port}/sparql"
            for i in range(requests + 1):
                start = time.perf_counter()
                response = http.request("GET", f"{url}?query={quote(query + f'# split {i}')}",
                                        headers={"Accept": accept})
                walls.append(time.perf_counter() - start)
                if response.status != 200:
                    raise RuntimeError(f"{name}: {response.status} {response.data[:200]!r}")
                time.sleep(0.001)
            time.sleep(0.2)
            found = [f for f in os.listdir(tmp) if f.startswith("rec.")]
            with open(Path(tmp, found[0])) as saved:
                rec = json.load(saved)
    rec["wall"] = walls
    return {key: round(statistics.median(values[1:]) * 1e6, 1)  # the first run warms up
            for key, values in rec.items() if len(values) > 1}


def wire(requests: int) -> dict[str, float]:
    """The pool's round trip with a trivial job, split by timestamps on both sides."""
    from regiold.rdf.namespaces import site_prefixes
    from regiold.sparql import pool
    from regiold.sparql.messages import Job

    base = "https://w3id.org/regionen-nrw/"
    prefixes = site_prefixes(base)
    job = Job(f"SELECT ?p ?o WHERE {{ <{base}org/x> ?p ?o }}", base, prefixes, True, (), (),
              "srj", "nt", 10_000)
    seen = {"received": 0}
    receive, send = pool._receive, pool._send

    def received(sock: socket.socket, deadline: float | None) -> bytes:
        data = receive(sock, deadline)
        seen["received"] = time.perf_counter_ns()
        return data

    def sent(sock: socket.socket, payload: bytes) -> None:
        seen["sent"] = time.perf_counter_ns()
        send(sock, payload)

    pool._receive, pool._send = received, sent

    def run(job: Job) -> dict[str, object]:  # the worker tells when it had the job, and ran
        return {"kind": "bindings", "format": "srj", "body": b"x" * 2500,
                "count": seen["received"], "elapsed": time.perf_counter_ns() / 1e9}

    try:
        workers = pool.Pool(run, base_iri=base, prefixes=prefixes)
    except TypeError:  # a tree whose pool sends the prefixes with each job
        workers = pool.Pool(run)
    rows = []
    for _ in range(requests):
        start = time.perf_counter_ns()
        reply = workers.call(job, 10.0)
        rows.append((start, seen["sent"], int(reply["count"]), int(reply["elapsed"] * 1e9),
                     time.perf_counter_ns()))
        time.sleep(0.001)
    workers.close()
    pool._receive, pool._send = receive, send

    def median(pairs: list[int]) -> float:
        return round(statistics.median(pairs) / 1e3, 1)

    result = {"call_to_sent": median([b - a for a, b, c, d, e in rows]),
              "sent_to_worker_has_it": median([c - b for a, b, c, d, e in rows]),
              "to_run_start": median([d - c for a, b, c, d, e in rows]),
              "run_to_caller_has_reply": median([e - d for a, b, c, d, e in rows]),
              "whole_call": median([e - a for a, b, c, d, e in rows])}
    return {**result, "bare_socketpair_ping": _ping(requests)}


def _ping(requests: int) -> float:
    here, there = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the echoing child
        here.close()
        while data := there.recv(64):
            there.send(data)
        os._exit(0)
    there.close()
    times = []
    for _ in range(requests):
        start = time.perf_counter_ns()
        here.send(b"x")
        here.recv(64)
        times.append(time.perf_counter_ns() - start)
        time.sleep(0.001)
    here.close()
    os.waitpid(pid, 0)
    return round(statistics.median(times) / 1e3, 1)


def rss(db: str, iri: str) -> dict[str, float]:
    import pyoxigraph as ox

    def resident_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    before = resident_mb()
    store = ox.Store.read_only(db)
    opened = resident_mb()
    count = sum(1 for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None, None))
    return {"before_mb": round(before, 1), "opened_mb": round(opened, 1),
            "after_lookup_mb": round(resident_mb(), 1), "quads": count}


def held(site: Path) -> dict[str, int]:
    import urllib3

    from common import tree_pids

    org = _first_generated_org(site)
    port = free_port()
    http = urllib3.PoolManager(retries=False)
    with running(serve_args(site, bench_cache(site), port, workers=1,
                            settings=SPARQL_BENCH_SETTINGS),
                 ready_url=f"http://127.0.0.1:{port}/ready") as (process, _):
        url = f"http://127.0.0.1:{port}"
        http.request("GET", url + "/" + org.split("/", 3)[3].split("/", 1)[1],
                     headers={"Accept": "text/html"})
        http.request("GET", f"{url}/sparql?query={quote(f'DESCRIBE <{org}>')}",
                     headers={"Accept": "application/n-triples"})
        found = {}
        for pid in tree_pids(process.pid):
            role = "master" if pid == process.pid else "serving worker"
            found[f"{role} {pid}"] = sum(1 for fd in _fds(pid) if "/store/" in fd)
    return found


def _fds(pid: int) -> list[str]:
    names = []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                names.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                continue
    except OSError:
        pass
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, nargs="?")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--queries", default="lookup,ask,filter,group_by,join_3hop,text_search,describe")
    parser.add_argument("--wire", action="store_true")
    parser.add_argument("--rss", nargs=2, metavar=("DB", "IRI"))
    parser.add_argument("--held", action="store_true")
    args = parser.parse_args()
    if args.held:
        print(json.dumps(held(args.site)))
        return
    if args.rss:
        print(json.dumps(rss(*args.rss)))
        return
    if args.wire:
        print(json.dumps(wire(args.requests)))
        return
    print(json.dumps({name: split(args.site, name, args.requests)
                      for name in args.queries.split(",")}))


if __name__ == "__main__":
    main()
