"""Crawl benchmark: first renderings. Every resource of a site is asked for once, in Turtle, JSON-LD
and HTML, over 16 keep-alive connections, from a freshly started ``regiold serve`` (default settings,
2 workers: cold caches; one server per format). In the same run Oxigraph server (in memory, the
same published triples) answers one CONSTRUCT per resource for the same list, the page query of
issue 12; Virtuoso 7 does too where ``virtuoso-t`` is installed. Also measured on the same list:
``regiold serve`` reading a remote Oxigraph server (one page CONSTRUCT per rendering), and the peer
Trifid 5.3.0 on an Oxigraph server (installed by the bench into bench/.trifid, where npm exists).
``regiold build`` is timed on the same site. All servers on 127.0.0.1; every request loop is
bounded by the list.

    python bench/crawl.py SITE [--formats ttl,jsonld,html] [--no-build] [--no-virtuoso]
                               [--no-trifid] [--no-remote] [--build-out DIR] [-s NAME VALUE]...

Prints a Markdown table on stderr and one JSON object on stdout. The client is asyncio with raw
HTTP/1.1 keep-alive (wrk cannot stop at the end of a list); it runs on the same 2 cores, and so
costs every target alike. ``--formats ""`` crawls no regiold server: Oxigraph's crawl and the
build only (the build's ratio in a shorter run).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import BASE, BIN, free_port, memory_mb, running  # noqa: E402
from sections import bench_cache, serve_args  # noqa: E402

CONNECTIONS = 16
ACCEPT = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html",
          "nt": "application/n-triples"}
SDO, RDFS = "https://schema.org/", "http://www.w3.org/2000/01/rdf-schema#"


def page_construct(iri: str) -> str:
    """What a page shows, as one CONSTRUCT (issue 12): the resource's triples, its dependent nodes',
    the names of what it links to, and its incoming links."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?v . ?n ?np ?nv . ?t <{SDO}name> ?tn . ?t <{RDFS}label> ?tl . "
            f"?x ?xp <{iri}> }} WHERE {{ {{ <{iri}> ?p ?v }} UNION {{ <{iri}> ?dp ?n . ?n ?np ?nv "
            f'FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{iri}/")) }} UNION {{ <{iri}> ?tp ?t . '
            f"FILTER(isIRI(?t)) OPTIONAL {{ ?t <{SDO}name> ?tn }} OPTIONAL {{ ?t <{RDFS}label> ?tl }} }} "
            f"UNION {{ ?x ?xp <{iri}> }} }}")


def resources(site: Path) -> list[str]:
    """Every IRI under the base that is the subject of a published triple (no hash IRIs)."""
    from regiold.ingest import sources

    parsed = sources.parse_site(site, base_iri=BASE)
    found = {q.subject.value for q in parsed.published_quads()
             if q.subject.__class__.__name__ == "NamedNode" and q.subject.value.startswith(BASE)}
    return sorted(iri for iri in found if "#" not in iri and iri != BASE)


# ------------------------------------------------------------------------------ the client

async def _worker(port: int, queue: asyncio.Queue, accept: str,
                  latencies: list[tuple[float, float]], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            try:
                target = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode())
            status, length, chunked = await _head(reader)
            if chunked:
                await _skip_chunked(reader)
            else:
                await reader.readexactly(length)
            latencies.append((started, time.perf_counter() - started))
            if status != 200:
                errors.append(f"{status} {target[:120]}")
    finally:
        writer.close()


async def _head(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
    return status, int(fields.get("content-length", 0)), fields.get("transfer-encoding") == "chunked"


async def _skip_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        if size == 0:
            return


def crawl(port: int, targets: list[str], accept: str) -> dict[str, object]:
    """Each target once, over CONNECTIONS keep-alive connections; req/s and latency percentiles.
    Where the tail lies: the p99 without the first ``2 * CONNECTIONS`` requests sent (the start
    burst, when every connection's first request arrives at once), and the places, in the order
    they were sent, of the slowest 1 %."""
    async def run() -> tuple[float, list[tuple[float, float]], list[str]]:
        queue: asyncio.Queue = asyncio.Queue()
        for target in targets:
            queue.put_nowait(target)
        latencies: list[tuple[float, float]] = []
        errors: list[str] = []
        started = time.perf_counter()
        await asyncio.gather(*(_worker(port, queue, accept, latencies, errors)
                               for _ in range(CONNECTIONS)))
        return time.perf_counter() - started, latencies, errors

    seconds, sent, errors = asyncio.run(run())
    latencies = [latency for _, latency in sorted(sent)]  # in the order they were sent
    cuts = _percentiles(latencies)
    later = _percentiles(latencies[2 * CONNECTIONS:])
    slowest = sorted(range(len(latencies)), key=latencies.__getitem__)[-max(1, len(latencies) // 100):]
    return {"requests": len(latencies), "seconds": round(seconds, 2),
            "rps": round(len(latencies) / seconds, 1), "p50_ms": round(cuts[49] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1), "p99_ms_after_start": round(later[98] * 1000, 1),
            "slowest_sent_at": sorted(slowest)[:30], "errors": len(errors), "first_errors": errors[:3]}


def _percentiles(latencies: list[float]) -> list[float]:
    return statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99


# ------------------------------------------------------------------------------ the targets

def regiold_crawl(site: Path, iris: list[str], fmt: str, tmp: Path, *,
                  settings: dict[str, str] | None = None, name: str = "") -> dict[str, object]:
    port = free_port()
    args = serve_args(site, bench_cache(site), port, settings=settings)  # default settings, 2 workers
    ready = f"http://127.0.0.1:{port}/ready"
    with running(args, ready_url=ready, log=tmp / f"serve-{name or fmt}.log") as (process, _):
        rest = memory_mb(process.pid)["pss_total"]
        cpu_before = _cpu_seconds(process.pid)
        result = crawl(port, ["/" + iri.removeprefix(BASE) for iri in iris], ACCEPT[fmt])
        result["server_cpu_ms_per_request"] = round(
            (_cpu_seconds(process.pid) - cpu_before) * 1000 / max(1, result["requests"]), 3)  # type: ignore[operator]
        result["memory_rest_mb"] = rest
        result["memory_after_mb"] = memory_mb(process.pid)["pss_total"]
    return result


def _cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its descendants (from /proc)."""
    from common import tree_pids

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def store_crawl(port: int, query_path: str, iris: list[str], extra: str = "") -> dict[str, object]:
    targets = [f"{query_path}?{extra}query={quote(page_construct(iri))}" for iri in iris]
    return crawl(port, targets, "text/turtle")


def oxigraph_crawl(site: Path, iris: list[str]) -> dict[str, object]:
    from oxigraph_server import oxigraph_server
    from regiold.ingest import sources
    from regiold.store import RemoteStore

    parsed = sources.parse_site(site, base_iri=BASE)
    with oxigraph_server(None) as url:
        RemoteStore(f"{url}/query", base_iri=BASE).replace_data(parsed.published_quads(),
                                                                 version=parsed.version)
        return store_crawl(int(url.rsplit(":", 1)[1]), "/query", iris)


def remote_regiold_crawl(site: Path, iris: list[str], formats: list[str],
                         tmp: Path) -> dict[str, dict[str, object]]:
    """``regiold serve`` (default settings, 2 workers) reading a remote Oxigraph server (in memory,
    the same triples, loaded as ``regiold load`` loads it): query by query (the default) and with one
    page CONSTRUCT per first rendering (setting ``remote_page_query``)."""
    from oxigraph_server import oxigraph_server
    from regiold.ingest import sources
    from regiold.store import RemoteStore

    parsed = sources.parse_site(site, base_iri=BASE)
    out: dict[str, dict[str, object]] = {}
    with oxigraph_server(None) as url:
        RemoteStore(f"{url}/query", base_iri=BASE).replace_data(parsed.published_quads(),
                                                                 version=parsed.version)
        for reading, one_query in (("queries", False), ("construct", True)):
            for fmt in formats:  # one fresh server per format: cold caches
                name = f"remote-{reading}-{fmt}"
                out[f"regiold-{name}"] = regiold_crawl(
                    site, iris, fmt, tmp, name=name,
                    settings={"store": f"{url}/query", "remote_page_query": str(one_query).lower()})
    return out


TRIFID = Path(__file__).resolve().parent / ".trifid"  # bench-local, gitignored: not `make test`'s


def trifid_installed() -> Path | None:
    """npm ``trifid`` 5.3.0 and its entity renderer in bench/.trifid (installed on first use from
    bench/trifid/package.json); None where npm is missing or the install fails."""
    server = TRIFID / "node_modules" / "trifid" / "server.js"
    if not server.exists():
        if shutil.which("npm") is None:
            return None
        TRIFID.mkdir(exist_ok=True)
        shutil.copy(TRIFID.parent / "trifid" / "package.json", TRIFID / "package.json")
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=TRIFID, capture_output=True, timeout=900, check=False)
        if done.returncode != 0 or not server.exists():
            print(f"trifid not installed: {done.stderr.decode()[-500:]}", file=sys.stderr)
            return None
    return server


def trifid_crawl(site: Path, iris: list[str], formats: list[str],
                 tmp: Path) -> dict[str, dict[str, object]]:
    """The peer Trifid 5.3.0 (entity renderer, ``datasetBaseUrl`` the base IRI) on an Oxigraph
    server holding the same triples: the same list in each format, as it renders them."""
    from oxigraph_server import oxigraph_server
    from regiold.ingest import sources
    from regiold.store import RemoteStore

    server = trifid_installed()
    if server is None:
        return {}
    parsed = sources.parse_site(site, base_iri=BASE)
    out: dict[str, dict[str, object]] = {}
    with oxigraph_server(None) as url:
        RemoteStore(f"{url}/query", base_iri=BASE).replace_data(parsed.published_quads(),
                                                                 version=parsed.version)
        for fmt in formats:
            port = free_port()
            config = tmp / f"trifid-{fmt}.json"
            config.write_text(json.dumps({
                "server": {"listener": {"host": "127.0.0.1", "port": port}, "logLevel": "warn"},
                "globals": {"datasetBaseUrl": BASE, "endpoints": {"default": {"url": f"{url}/query"}}},
                "plugins": {"entity-renderer": {"module": "@zazuko/trifid-entity-renderer"}}}))
            targets = ["/" + iri.removeprefix(BASE) for iri in iris]
            with running(["node", str(server), "-c", str(config)], env={"OTEL_SDK_DISABLED": "true"},
                         ready_url=f"http://127.0.0.1:{port}{targets[0]}",
                         log=tmp / f"trifid-{fmt}.log") as (process, _):
                cpu_before = _cpu_seconds(process.pid)
                result = crawl(port, targets, ACCEPT[fmt])
                result["server_cpu_ms_per_request"] = round(
                    (_cpu_seconds(process.pid) - cpu_before) * 1000 / max(1, result["requests"]), 3)  # type: ignore[operator]
            out[f"trifid-{fmt}"] = result
    return out


def virtuoso_crawl(site: Path, iris: list[str], tmp: Path) -> dict[str, object] | None:
    from regiold.ingest import sources
    from regiold.store import RemoteStore
    from virtuoso_server import PUBLISHED_GRAPH, virtuoso_binary, virtuoso_server

    if virtuoso_binary() is None:
        return None
    parsed = sources.parse_site(site, base_iri=BASE)
    with virtuoso_server(tmp / "virtuoso") as urls:
        started = time.perf_counter()
        RemoteStore(urls["store"], base_iri=BASE, update_url=urls["store_update"],
                    data_url=urls["store_data"], timeout=600).replace_data(
            parsed.published_quads(), version=parsed.version)
        loaded = time.perf_counter() - started
        port = int(urls["store_update"].split(":")[2].split("/")[0])
        result = store_crawl(port, "/sparql", iris, f"default-graph-uri={quote(PUBLISHED_GRAPH)}&")
        return {**result, "load_seconds": round(loaded, 1)}


def build_timing(site: Path, tmp: Path, parent: Path | None = None) -> dict[str, object]:
    """``regiold build`` into a new folder under ``parent`` (default: the run's temporary folder),
    timed from start to exit; and what creating one empty file cost there just before the build
    (``create_ms``). On this machine's ext4 (no journal) that cost is the kernel's scan past the
    inodes freed in the folder's block group in the last minute (six while their inode table
    block is unwritten: ``recently_deleted`` in fs/ext4/ialloc.c, found with ``perf record``):
    0.01 ms to over 1 ms a file, and a build creates ten files per resource. So nothing is deleted
    under ``parent`` before the build (the probe's files and the export are removed after it)."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="export-", dir=parent or tmp))
    probe = Path(tempfile.mkdtemp(prefix="create-", dir=parent or tmp))
    try:
        create_ms = create_cost(probe)
        started = time.perf_counter()
        subprocess.run([str(BIN / "regiold"), "-s", "cache_dir", str(bench_cache(site)), "build",
                        "--data", str(site), "--out", str(out)], check=True, capture_output=True,
                       timeout=7200)
        seconds = time.perf_counter() - started
        files = sum(1 for p in out.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(probe, ignore_errors=True)
    return {"seconds": round(seconds, 1), "files": files, "files_per_s": round(files / seconds, 1),
            "out": str(out.parent), "create_ms": create_ms}


def create_cost(folder: Path, files: int = 300) -> float:
    """CPU milliseconds to create one empty file in ``folder`` (left there: deleting them would
    make the next files dearer, see ``build_timing``)."""
    started = time.process_time()
    for number in range(files):
        os.close(os.open(folder / f"f{number}", os.O_WRONLY | os.O_CREAT, 0o644))
    return round((time.process_time() - started) * 1000 / files, 3)


def snapshot_mb(site: Path) -> dict[str, float]:
    """Disk size of the newest store snapshot: the RocksDB folder and the per-version tables."""
    folders = sorted((p for p in (bench_cache(site) / "store").glob("*") if p.is_dir()
                      and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    if not folders:
        return {}
    size = lambda path: sum(f.stat().st_size for f in path.rglob("*") if f.is_file())  # noqa: E731
    return {"rocksdb": round(size(folders[-1] / "db") / 1e6, 1),
            "tables": round(size(folders[-1]) / 1e6 - size(folders[-1] / "db") / 1e6, 1)}


def run(site: Path, formats: list[str], *, build: bool, virtuoso: bool, trifid: bool = True,
        remote: bool = True, build_out: Path | None = None,
        settings: dict[str, str] | None = None) -> dict[str, object]:
    iris = resources(site)
    result: dict[str, object] = {"site": site.name, "resources": len(iris), "connections": CONNECTIONS,
                                 "settings": settings or {}, "load_average_start": os.getloadavg(),
                                 "runs": {}}
    runs: dict[str, dict[str, object]] = result["runs"]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        runs["oxigraph-construct"] = oxigraph_crawl(site, iris)
        for fmt in formats:
            runs[f"regiold-{fmt}"] = regiold_crawl(site, iris, fmt, tmp, settings=settings)
        if remote:
            runs.update(remote_regiold_crawl(site, iris, formats, tmp))
        if trifid:
            runs.update(trifid_crawl(site, iris, [f for f in formats if f in {"ttl", "html"}], tmp))
        if virtuoso:
            found = virtuoso_crawl(site, iris, tmp)
            if found is not None:
                runs["virtuoso-construct"] = found
        if build:
            result["build"] = build_timing(site, tmp, build_out)
    anchor = float(runs["oxigraph-construct"]["rps"])  # type: ignore[arg-type]
    for row in runs.values():
        row["ratio_vs_oxigraph"] = round(float(row["rps"]) / anchor, 2)  # type: ignore[arg-type]
    if "build" in result:
        result["build"]["ratio_vs_oxigraph"] = round(  # type: ignore[index]
            float(result["build"]["files_per_s"]) / anchor, 2)  # type: ignore[index]
    result["snapshot_mb"] = snapshot_mb(site)
    result["load_average_end"] = os.getloadavg()
    return result


def _tail(row: dict[str, object]) -> str:
    """p99 / p50, with and without the start burst (issue 12: at most 4)."""
    p50 = float(row["p50_ms"]) or 1e-9  # type: ignore[arg-type]
    return (f"{float(row['p99_ms']) / p50:.1f} "  # type: ignore[arg-type]
            f"({float(row.get('p99_ms_after_start', 0)) / p50:.1f})")  # type: ignore[arg-type]


def table(result: dict[str, object]) -> str:
    lines = [f"{result['site']}: {result['resources']} resources, {result['connections']} connections",
             "| target | req/s | ratio vs Oxigraph | p50 ms | p99 ms | p99 after start | p99/p50 (after "
             "start) | server CPU ms/req | errors |", "|" + " --- |" * 9]
    for name, row in result["runs"].items():  # type: ignore[attr-defined]
        lines.append(f"| {name} | {row['rps']} | {row['ratio_vs_oxigraph']} | {row['p50_ms']} "
                     f"| {row['p99_ms']} | {row.get('p99_ms_after_start', '')} | {_tail(row)} "
                     f"| {row.get('server_cpu_ms_per_request', '')} | {row['errors']} |")
    if "build" in result:
        b = result["build"]
        lines.append(f"\nregiold build: {b['files']} files in {b['seconds']} s = {b['files_per_s']} "  # type: ignore[index]
                     f"files/s ({b['ratio_vs_oxigraph']}x Oxigraph's pages/s), into {b['out']} "  # type: ignore[index]
                     f"(an empty file costs {b['create_ms']} ms CPU to create there)")  # type: ignore[index]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--formats", default=",".join(ACCEPT))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--no-trifid", action="store_true")
    parser.add_argument("--no-remote", action="store_true", help="skip regiold on a remote Oxigraph")
    parser.add_argument("--build-out", type=Path, help="folder to build into (default: a temporary one)")
    parser.add_argument("-s", "--setting", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a setting of the regiold servers")
    options = parser.parse_args()
    outcome = run(options.site, [fmt for fmt in options.formats.split(",") if fmt],
                  build=not options.no_build,
                  virtuoso=not options.no_virtuoso, trifid=not options.no_trifid,
                  remote=not options.no_remote, build_out=options.build_out,
                  settings=dict(options.setting))
    print(table(outcome), file=sys.stderr)
    print(json.dumps(outcome))
