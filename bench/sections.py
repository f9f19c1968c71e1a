"""One benchmark section per call, in a fresh process (so memory figures are its own):

    python bench/sections.py scale SITE        parse, store load, SHACL validation, RSS
    python bench/sections.py coldstart SITE [--cached-only] [--memory]
                                               `regiold serve` to /ready: first and cached start,
                                               memory before and after full scans
    python bench/sections.py sparql SITE [--repeats N] [--baseline SRC]
                                               query mix: regiold /sparql vs Oxigraph server (median
                                               of N runs, default 15, each made distinct by a
                                               comment; regiold with ``-s rate_limit 0``: one client
                                               asks hundreds of queries a minute); --baseline: also
                                               regiold from another tree's src/ (PYTHONPATH=SRC),
                                               asked in turn with the others; with each server's
                                               CPU per query (all its processes' threads)

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import BASE, BIN, free_port, memory_mb, running, tree_pids  # noqa: E402

SDO, ORG = "https://schema.org/", "http://www.w3.org/ns/org#"


def bench_cache(site: Path) -> Path:
    """The validation cache the sections share: a site validated once (by ``scale``) starts from
    the cache afterwards, as a deployment would (results are keyed by content hash)."""
    return site / ".bench-cache"


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def scale(site: Path) -> dict[str, object]:
    from regiold import validate
    from regiold.ingest import sources
    from regiold.store import EmbeddedStore

    t0, c0 = time.perf_counter(), time.process_time()
    parsed = sources.parse_site(site, base_iri=BASE)
    t1, c1 = time.perf_counter(), time.process_time()
    store = EmbeddedStore.from_sources(parsed)
    t2, c2 = time.perf_counter(), time.process_time()
    rss_loaded = peak_rss_mb()
    shutil.rmtree(bench_cache(site), ignore_errors=True)  # always a first validation here
    forked = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = validate.run(parsed, cache_dir=bench_cache(site))
    t3, c3 = time.perf_counter(), time.process_time()
    c3 += _cpu_s(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu_s(forked)  # its workers
    # CPU seconds beside wall seconds: the machine may be shared, CPU time is what the work costs
    return {"triples": store.triple_count(), "files": len(parsed.files),
            "parse_s": round(t1 - t0, 2), "store_s": round(t2 - t1, 2),
            "validate_s": round(t3 - t2, 2), "parse_cpu_s": round(c1 - c0, 2),
            "store_cpu_s": round(c2 - c1, 2), "validate_cpu_s": round(c3 - c2, 2),
            "conforms": not report.fails(),
            "peak_rss_loaded_mb": rss_loaded, "peak_rss_validated_mb": peak_rss_mb()}


def _cpu_s(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def serve_args(site: Path, cache: Path, port: int, *, workers: int = 2,
               worker_class: str = "gthread", settings: dict[str, str] | None = None) -> list[str]:
    extra = [arg for name, value in (settings or {}).items() for arg in ("-s", name, value)]
    return [str(BIN / "regiold"), "-s", "cache_dir", str(cache), "-s", "worker_class", worker_class,
            *extra, "serve", "--data", str(site), "--port", str(port), "--workers", str(workers)]


def coldstart(site: Path, *, cached_only: bool = False,
              embedded_store: str = "disk") -> dict[str, object]:
    """Seconds from `regiold serve` to an answering /ready, and memory: with an empty cache
    ("first": validation, dumps, store snapshot), then again with everything cached ("cached").
    ``cached_only`` starts from the validation cache of the ``scale`` section instead of validating
    again (for the largest size); its first start ("snapshot") writes the dumps and the snapshot.

    Memory is read once the workers have booted, and again after every SPARQL worker has run a full
    scan ("after_scans"): a scan is what copies a shared in-memory store into a process."""
    out: dict[str, object] = {"embedded_store": embedded_store}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        runs: tuple[str, ...] = ("first", "cached")
        if cached_only and bench_cache(site).is_dir():
            shutil.copytree(bench_cache(site), cache, ignore=shutil.ignore_patterns("store"))
            runs = ("snapshot", "cached")
        for run in runs:
            port = free_port()
            args = serve_args(site, cache, port)
            args[1:1] = ["-s", "embedded_store", embedded_store]
            with running(args, ready_url=f"http://127.0.0.1:{port}/ready",
                         log=Path(tmp) / f"{run}.log") as (process, seconds):
                time.sleep(1.0)  # let the workers finish booting before reading their memory
                out[run] = {"seconds": round(seconds, 2), **memory_mb(process.pid)}
                if run == "cached":
                    _full_scans(f"http://127.0.0.1:{port}/sparql", 16)
                    out["after_scans"] = memory_mb(process.pid)
    return out


def _full_scans(url: str, count: int) -> None:
    """``count`` concurrent COUNT(*) queries: each SPARQL process scans every triple."""
    from concurrent.futures import ThreadPoolExecutor

    import urllib3

    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=120))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: http.request("GET", url, fields={"query": query},
                                             headers={"Accept": "application/sparql-results+json"}),
                      range(count)))


# The bench is one client asking ~250 queries a minute; the default per-client limit (120/min)
# would answer most of them 429, so it is raised, as the figures in docs/performance.md state.
SPARQL_BENCH_SETTINGS = {"rate_limit": "0"}


def sparql(site: Path, *, repeats: int = 15, baseline: str | None = None) -> dict[str, object]:
    import urllib3

    from oxigraph_server import oxigraph_server
    from regiold.ingest import sources
    from regiold.store import RemoteStore

    parsed = sources.parse_site(site, base_iri=BASE)
    org = _first_generated_org(site)
    queries = mix(org)
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=120))
    with tempfile.TemporaryDirectory() as tmp, oxigraph_server(None) as url:  # in memory
        RemoteStore(f"{url}/query", base_iri=BASE).replace_data(
            parsed.published_quads(), version=parsed.version)
        endpoints, roots = {}, {"oxigraph": _listener_pid(url)}
        with ExitStack() as stack:
            for name, src in (("regiold", None), ("baseline", baseline)):
                if name == "baseline" and src is None:
                    continue
                port = free_port()
                process, _ = stack.enter_context(running(
                    serve_args(site, bench_cache(site), port, workers=1,
                               settings=SPARQL_BENCH_SETTINGS),
                    ready_url=f"http://127.0.0.1:{port}/ready", log=Path(tmp) / f"{name}.log",
                    env={"PYTHONPATH": src} if src else None))
                endpoints[name], roots[name] = f"http://127.0.0.1:{port}/sparql", process.pid
            # interleaved, run by run: the servers meet the same moments of a shared machine
            cpu: dict[str, dict[str, float]] = {}
            results = _time_mix(http, {**endpoints, "oxigraph": f"{url}/query"}, queries, repeats,
                                cpu=(roots, cpu))
            memo = _time_mix(http, {"regiold": endpoints["regiold"]}, queries, repeats,
                             vary=False)["regiold"]
    totals = {k: round(sum(v.values()), 2) for k, v in results.items()}
    cpu_totals = {k: round(sum(v.values()), 2) for k, v in cpu.items()}
    return {"median_ms": results, "total_ms": totals,
            "server_cpu_ms": cpu, "server_cpu_total_ms": cpu_totals,
            "cpu_ratio_total": {k: round(v / cpu_totals["oxigraph"], 2)
                                for k, v in cpu_totals.items() if cpu_totals.get("oxigraph")},
            "ratio_total": {k: round(v / totals["oxigraph"], 2) for k, v in totals.items()},
            "org": org,
            "ratios": {server: {k: round(v / results["oxigraph"][k], 2) for k, v in by.items()}
                       for server, by in results.items() if server != "oxigraph"},
            "settings": SPARQL_BENCH_SETTINGS, "repeats": repeats,
            "memo_ms": memo, "memo_total_ms": round(sum(memo.values()), 2)}


def _tree_cpu_ms(root: int) -> float:
    """CPU time of a process's and its living descendants' threads, in ms (schedstat: ns)."""
    spent = 0
    for pid in tree_pids(root):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                spent += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return spent / 1e6


def _listener_pid(url: str) -> int:
    """The process listening on ``url``'s loopback port (from /proc/net/tcp and the fds)."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                links = {os.readlink(f"/proc/{entry}/fd/{fd}") for fd in os.listdir(f"/proc/{entry}/fd")}
            except OSError:
                continue
            if any(f"socket:[{inode}]" in links for inode in inodes):
                return int(entry)
    raise RuntimeError(f"no process listens on {url}")


def mix(org: str) -> dict[str, tuple[str, str]]:
    """name → (query, Accept)."""
    rows = "application/sparql-results+json"
    return {
        "lookup": (f"SELECT ?p ?o WHERE {{ <{org}> ?p ?o }}", rows),
        "ask": (f"ASK {{ <{org}> a <{SDO}Organization> }}", rows),
        "filter": (f'SELECT (COUNT(?a) AS ?n) WHERE {{ ?a <{SDO}postalCode> ?c '
                   f'FILTER(STRSTARTS(?c, "4")) }}', rows),
        "group_by": (f"SELECT ?org (COUNT(?s) AS ?n) WHERE {{ ?s <{SDO}provider> ?org }} "
                     "GROUP BY ?org ORDER BY DESC(?n) ?org LIMIT 20", rows),
        "join_3hop": (f"SELECT ?org ?city WHERE {{ ?m <{ORG}organization> <{BASE}org/regionen-nrw> ; "
                      f"<{ORG}member> ?org . ?org <{SDO}address> ?a . ?a <{SDO}addressLocality> ?city }} "
                      "ORDER BY ?org LIMIT 100", rows),
        "text_search": (f'SELECT ?s ?n WHERE {{ ?s <{SDO}name> ?n '
                        f'FILTER(CONTAINS(LCASE(STR(?n)), "mettmann 00001")) }} LIMIT 50', rows),
        "describe": (f"DESCRIBE <{org}>", "application/n-triples"),
    }


def _time_mix(http, endpoints: dict[str, str], queries: dict[str, tuple[str, str]],
              repeats: int, *, vary: bool = True,
              cpu: tuple[dict[str, int], dict[str, dict[str, float]]] | None = None,
              ) -> dict[str, dict[str, float]]:
    """Median ms per endpoint and query, the endpoints asked in turn for each run. With ``vary``
    each run differs by a trailing comment, so it is evaluated, not answered from regiold's memo
    of answers (timed with ``vary=False``). ``cpu``: (server → root pid, out): fills ``out`` with
    the CPU ms per query each server's processes (workers, query workers) spent, a figure the
    machine's load moves far less than the wall clock."""
    samples: dict[str, dict[str, list[float]]] = {e: {q: [] for q in queries} for e in endpoints}
    for name, (query, accept) in queries.items():
        before: dict[str, float] = {}
        for i in range(repeats + 1):
            if i == 1 and cpu:  # after the warm-up run (which may start a query worker)
                before = {s: _tree_cpu_ms(root) for s, root in cpu[0].items()}
            text = query + (f"\n# run {i}" if vary else "")
            for server, endpoint in endpoints.items():
                url = f"{endpoint}?query={quote(text)}"
                start = time.perf_counter()
                response = http.request("GET", url, headers={"Accept": accept})
                elapsed = (time.perf_counter() - start) * 1000
                if response.status != 200:
                    raise RuntimeError(f"{endpoint} {name}: {response.status} "
                                       f"{response.data[:300]!r}")
                if i:  # the first run warms caches
                    samples[server][name].append(elapsed)
        for server, spent in before.items():
            cpu[1].setdefault(server, {})[name] = round(  # type: ignore[index]
                (_tree_cpu_ms(cpu[0][server]) - spent) / repeats, 3)  # type: ignore[index]
    return {server: {name: round(statistics.median(values), 2) for name, values in by.items()}
            for server, by in samples.items()}


def _first_generated_org(site: Path) -> str:
    first = next((site / "data" / "generated").glob("partners-*.ttl"))
    for line in first.read_text().splitlines():
        if line.startswith("<org/"):
            return BASE + line[1:line.index(">")]
    raise RuntimeError("no generated organisation")


if __name__ == "__main__":
    section, site_arg = sys.argv[1], Path(sys.argv[2])
    if section == "coldstart":
        result = coldstart(site_arg, cached_only="--cached-only" in sys.argv,
                           embedded_store="memory" if "--memory" in sys.argv else "disk")
    elif section == "sparql":
        repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 15
        baseline = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
        result = sparql(site_arg, repeats=repeats, baseline=baseline)
    else:
        result = {"scale": scale}[section](site_arg)
    print(json.dumps(result))
