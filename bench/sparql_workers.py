"""What the safe SPARQL path costs: query workers (fork once, reuse) against running pyoxigraph
in-process (the unsafe baseline: no time limit, no sandbox) and against forking per query.

    python bench/sparql_workers.py [--orgs 92,1080] [--repeat 200]

Prints milliseconds per query (median of ``--repeat`` runs) and the ratios to the baseline, for
three queries: a point lookup, the carriers join, and a COUNT over every triple. Each query's
answer is serialized to SPARQL JSON in all three ways, so the figures compare like with like.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402

import gen  # noqa: E402
from common import ROOT  # noqa: E402
from regiold.publish.site_loader import load_site  # noqa: E402
from regiold.settings import Settings  # noqa: E402
from regiold.sparql.messages import Request
from regiold.sparql.service import QueryService

QUERIES = {
    "lookup": "SELECT ?p ?o WHERE { <org/kreis-mettmann> ?p ?o }",
    "carriers": """PREFIX org: <http://www.w3.org/ns/org#> PREFIX schema: <https://schema.org/>
        SELECT ?partner ?carrier ?name WHERE { ?m org:organization ?partner ;
        org:role <def/role/traeger> ; org:member ?carrier . ?carrier schema:name ?name }""",
    "count-all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def timed(*runs, repeat: int) -> list[float]:  # noqa: ANN002 - callables
    """Median milliseconds of each callable, interleaved so that load from elsewhere on the
    machine hits all of them alike."""
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, bucket in zip(runs, samples, strict=True):
            start = time.perf_counter()
            run()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) * 1000 for bucket in samples]


def direct(db: ox.Store, base: str, query: str) -> bytes:
    result = db.query(query, base_iri=base, use_default_graph_as_union=True)
    return result.serialize(format=ox.QueryResultsFormat.JSON)


def fork_per_query(db: ox.Store, base: str, query: str) -> bytes:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            body = direct(db, base, query)
            with os.fdopen(write, "wb") as out:
                out.write(body)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as source:
        body = source.read()
    os.waitpid(pid, 0)
    return body


def measure(site_dir: Path, repeat: int) -> None:
    settings = Settings.load({"site_dir": site_dir, "cache_dir": site_dir / ".cache"}, environ={})
    site = load_site(settings)
    db, base = site.store.db, site.base_iri  # type: ignore[attr-defined]
    service = QueryService(site.store, base_iri=base, timeout=30, max_rows=10**9,
                           max_query_bytes=10**6, max_concurrent=1)
    print(f"\n{site.store.triple_count()} triples ({site_dir.name})")
    print(f"{'query':<10} {'in-process':>11} {'workers':>9} {'ratio':>6} {'fork/query':>11} {'ratio':>6}")
    for name, query in QUERIES.items():
        request = Request(query, results_format="srj", graph_format="ttl")
        service.run(request)  # start the worker
        base_ms, pool_ms = timed(lambda q=query: direct(db, base, q),
                                 lambda r=request: service.run(r), repeat=repeat)
        base_again, fork_ms = timed(lambda q=query: direct(db, base, q),
                                    lambda q=query: fork_per_query(db, base, q),
                                    repeat=max(5, repeat // 10))
        base_ms = min(base_ms, base_again)
        print(f"{name:<10} {base_ms:>9.3f}ms {pool_ms:>7.3f}ms {pool_ms / base_ms:>5.1f}x "
              f"{fork_ms:>9.3f}ms {fork_ms / base_ms:>5.1f}x")
    service.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", default="92,1080", help="partner copies per generated site")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for orgs in (int(n) for n in args.orgs.split(",")):
            site = Path(tmp) / f"site-{orgs}"
            gen.generate(ROOT, site, orgs=orgs)
            measure(site, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
