"""Dereference benchmark: one organisation in HTML, Turtle and JSON-LD from regiold, under each
server configuration (gunicorn gthread, gunicorn sync, granian), through the fast path (web/hot.py)
and through Flask (``hot_responses 0``), against Flask returning a constant under the same server
settings, Oxigraph server answering a CONSTRUCT of the same page, and nginx serving the static
export (anchor: nginx serving a plain 5 KB file). All servers on 127.0.0.1; wrk with 16 connections
for a bounded time per run.

``python bench/deref.py SITE [SECONDS] [--servers gthread,sync,granian] [--no-nginx]``"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import BASE, BIN, free_port, memory_mb, running, wrk  # noqa: E402
from sections import _first_generated_org, bench_cache, serve_args  # noqa: E402

ACCEPT = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json"}
# Server configurations; the constant anchor runs under the same settings as regiold.
# Each configuration names its access log: the setting's default changed (now off), the names keep
# what the figures in docs/performance.md were measured with. "gthread-nolog" is regiold's default.
SERVERS = {"gthread": {"server": "gunicorn", "worker_class": "gthread", "access_log": "true"},
           "gthread-nolog": {"server": "gunicorn", "worker_class": "gthread", "access_log": "false"},
           "sync": {"server": "gunicorn", "worker_class": "sync", "access_log": "true"},
           "sync-nolog": {"server": "gunicorn", "worker_class": "sync", "access_log": "false"},
           "granian": {"server": "granian", "access_log": "true"},
           "granian-nolog": {"server": "granian", "access_log": "false"},
           "granian-nolog-1thread": {"server": "granian", "access_log": "false", "threads": "1"}}
DEFAULT_SERVERS = ("gthread-nolog", "sync-nolog", "granian-nolog")  # bench/run.py; others by --servers
# The fast path (default) and the Flask path it short-cuts.
PATHS = {"": {}, "-flaskpath": {"hot_responses": "0"}}
ORG, SDO = "http://www.w3.org/ns/org#", "https://schema.org/"


def page_construct(org: str) -> str:
    """One CONSTRUCT for what an organisation page shows: its triples, its dependent nodes',
    labels of what it links to, and the memberships pointing at it."""
    return f"""CONSTRUCT {{ <{org}> ?p ?o . ?d ?dp ?do . ?l <{SDO}name> ?ln . ?m ?mp ?mo }} WHERE {{
      {{ <{org}> ?p ?o }}
      UNION {{ <{org}> ?x ?d . ?d ?dp ?do FILTER(isIRI(?d) && STRSTARTS(STR(?d), "{org}/")) }}
      UNION {{ <{org}> ?y ?l . ?l <{SDO}name> ?ln }}
      UNION {{ ?m <{ORG}organization> <{org}> ; ?mp ?mo }} }}"""


def deref(site: Path, *, duration: float, workers: int = 2, export_site: Path | None = None,
          servers: tuple[str, ...] = DEFAULT_SERVERS, nginx: bool = True) -> dict[str, object]:
    """``export_site``: the (smaller) site whose static export nginx serves; default ``site``."""
    org = _first_generated_org(site)
    path = "/" + org.removeprefix(BASE)
    runs: dict[str, dict[str, object]] = {}
    memory: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for config in servers:
            runs[f"flask-constant-{config}"] = _constant(config, workers, duration)
            for suffix, extra in PATHS.items():
                port = free_port()
                url = f"http://127.0.0.1:{port}"
                args = serve_args(site, bench_cache(site), port, workers=workers,
                                  settings={**SERVERS[config], **extra})
                with running(args, ready_url=f"{url}/ready",
                             log=tmpdir / f"serve-{config}{suffix}.log") as (process, _):
                    for key, accept in ACCEPT.items():
                        _warm(f"{url}{path}", accept)
                        runs[f"regiold-{key}-{config}{suffix}"] = {
                            **wrk(f"{url}{path}", duration=duration, headers={"Accept": accept}).row(),
                            "config": config}
                    memory[f"{config}{suffix}"] = memory_mb(process.pid)
                    if config == servers[0] and not suffix:
                        runs["regiold-ttl-crawl"] = _crawl(url, site, tmpdir, duration)
                        memory["after-crawl"] = memory_mb(process.pid)
        from oxigraph_server import oxigraph_server
        from regiold.ingest import sources
        from regiold.store import RemoteStore

        parsed = sources.parse_site(site, base_iri=BASE)
        with oxigraph_server(None) as url:
            RemoteStore(f"{url}/query", base_iri=BASE).replace_data(parsed.published_quads(),
                                                                     version=parsed.version)
            query_url = f"{url}/query?query={quote(page_construct(org))}"
            runs["oxigraph-construct-ttl"] = wrk(query_url, duration=duration,
                                                 headers={"Accept": "text/turtle"}).row()
        if nginx:
            runs.update(_nginx(export_site or site, tmpdir, duration))
    _ratios(runs)
    return {"org": org, "duration_s": duration, "connections": 16, "workers": workers,
            "load_average": os.getloadavg(), "runs": runs, "memory_mb": memory}


def _constant(config: str, workers: int, duration: float) -> dict[str, object]:
    port = free_port()
    settings = [f"{name}={value}" for name, value in SERVERS[config].items()]
    args = [sys.executable, str(Path(__file__).parent / "const_app.py"), str(port), str(workers),
            *settings]
    with running(args, ready_url=f"http://127.0.0.1:{port}/x"):
        return {**wrk(f"http://127.0.0.1:{port}/x", duration=duration).row(), "config": config}


def _warm(url: str, accept: str) -> None:
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": accept})
    for _ in range(3):
        urllib.request.urlopen(request, timeout=120).read()


def _crawl(url: str, site: Path, tmpdir: Path, duration: float) -> dict[str, object]:
    """Distinct organisations, each asked for once or a few times: the cost of first renderings."""
    paths = []
    for file in sorted((site / "data" / "generated").glob("partners-*.ttl")):
        for line in file.read_text().splitlines():
            if line.startswith("<org/") and "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in line:
                subject = line[1:line.index(">")]
                if subject.count("/") == 1 and (not paths or paths[-1] != "/" + subject):
                    paths.append("/" + subject)
    script = tmpdir / "crawl.lua"
    listed = ",".join(f'"{p}"' for p in paths[:20000])
    script.write_text(f"""paths = {{{listed}}}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {{["Accept"] = "text/turtle"}})
end
""")
    result = wrk(f"{url}/", duration=duration, script=script).row()
    result["distinct_paths"] = min(len(paths), 20000)
    return result


def _nginx(site: Path, tmpdir: Path, duration: float) -> dict[str, dict[str, object]]:
    from nginx_server import nginx_binary, nginx_serving

    if nginx_binary() is None:
        return {}
    path = "/" + _first_generated_org(site).removeprefix(BASE)
    out = tmpdir / "export"
    started = time.perf_counter()
    subprocess.run([str(BIN / "regiold"), "-s", "cache_dir", str(bench_cache(site)), "build", "--data",
                    str(site), "--out", str(out)], check=True, capture_output=True, timeout=7200)
    export_seconds = time.perf_counter() - started
    (out / "anchor-5k.txt").write_bytes(b"x" * 5120)
    runs = {}
    with nginx_serving(out, tmpdir / "nginx", base_iri=BASE) as url:
        runs["nginx-plain-5k"] = wrk(f"{url}/anchor-5k.txt", duration=duration).row()
        for key, accept in ACCEPT.items():
            runs[f"nginx-export-{key}"] = wrk(f"{url}{path}", duration=duration,
                                              headers={"Accept": accept}).row()
    runs["nginx-plain-5k"]["export_seconds"] = round(export_seconds, 1)
    runs["nginx-plain-5k"]["export_site"] = site.name
    return runs


def _ratios(runs: dict[str, dict[str, object]]) -> None:
    """Each figure as a ratio against its anchor from the same run."""
    oxigraph = runs.get("oxigraph-construct-ttl")
    for name, row in runs.items():
        if name.startswith("regiold-"):
            if "config" in row:
                row["ratio_vs_flask_constant"] = _ratio(row, runs.get(f"flask-constant-{row['config']}"))
            row["ratio_vs_oxigraph_construct"] = _ratio(row, oxigraph)
        if name.startswith("nginx-export"):
            row["ratio_vs_nginx_plain"] = _ratio(row, runs.get("nginx-plain-5k"))


def _ratio(row: dict[str, object], anchor: dict[str, object] | None) -> float | None:
    if not anchor or not anchor.get("rps"):
        return None
    return round(float(row["rps"]) / float(anchor["rps"]), 2)  # type: ignore[arg-type]


def deref_table(result: dict[str, object]) -> str:
    """The runs as a Markdown table (also used by bench/run.py)."""
    lines = ["| target | req/s | ratio vs anchor | p50 ms | p99 ms | worst ms | errors |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, row in result["runs"].items():  # type: ignore[attr-defined]
        ratio = " / ".join(f"{k.removeprefix('ratio_vs_')} {v}" for k, v in row.items()
                           if k.startswith("ratio_vs_") and v is not None)
        lines.append(f"| {name} | {row['rps']:.0f} | {ratio} | {row['p50_ms']} "
                     f"| {row['p99_ms']} | {row['max_ms']} | {row['errors']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("seconds", type=float, nargs="?", default=3)
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                        help=f"comma-separated, of: {', '.join(SERVERS)}")
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--export-site", type=Path,
                        help="the smaller site whose static export nginx serves (default: site)")
    options = parser.parse_args()
    outcome = deref(options.site, duration=options.seconds, servers=tuple(options.servers.split(",")),
                    nginx=not options.no_nginx, export_site=options.export_site)
    print(deref_table(outcome), file=sys.stderr)
    print(json.dumps(outcome))
