"""Dereference benchmark: one organisation in HTML, Turtle and JSON-LD from regiold (gunicorn),
against Flask returning a constant (same gunicorn settings), Oxigraph server answering a CONSTRUCT
of the same page, and nginx serving the static export (anchor: nginx serving a plain 5 KB file).
All servers on 127.0.0.1; wrk with 16 connections for a bounded time per run."""

from __future__ import annotations

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
ORG, SDO = "http://www.w3.org/ns/org#", "https://schema.org/"


def page_construct(org: str) -> str:
    """One CONSTRUCT for what an organisation page shows: its triples, its dependent nodes',
    labels of what it links to, and the memberships pointing at it."""
    return f"""CONSTRUCT {{ <{org}> ?p ?o . ?d ?dp ?do . ?l <{SDO}name> ?ln . ?m ?mp ?mo }} WHERE {{
      {{ <{org}> ?p ?o }}
      UNION {{ <{org}> ?x ?d . ?d ?dp ?do FILTER(isIRI(?d) && STRSTARTS(STR(?d), "{org}/")) }}
      UNION {{ <{org}> ?y ?l . ?l <{SDO}name> ?ln }}
      UNION {{ ?m <{ORG}organization> <{org}> ; ?mp ?mo }} }}"""


def deref(site: Path, *, duration: float, workers: int = 2,
          export_site: Path | None = None) -> dict[str, object]:
    """``export_site``: the (smaller) site whose static export nginx serves; default ``site``."""
    org = _first_generated_org(site)
    path = "/" + org.removeprefix(BASE)
    runs: dict[str, dict[str, object]] = {}
    memory: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for worker_class in ("gthread", "sync"):
            port = free_port()
            with running(_const_args(port, worker_class, workers), ready_url=f"http://127.0.0.1:{port}/x"):
                runs[f"flask-constant-{worker_class}"] = wrk(f"http://127.0.0.1:{port}/x",
                                                             duration=duration).row()
        for worker_class in ("gthread", "sync"):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            args = serve_args(site, bench_cache(site), port, workers=workers, worker_class=worker_class)
            with running(args, ready_url=f"{url}/ready",
                         log=tmpdir / f"serve-{worker_class}.log") as (process, _):
                for key, accept in ACCEPT.items():
                    _warm(f"{url}{path}", accept)
                    runs[f"regiold-{key}-{worker_class}"] = wrk(
                        f"{url}{path}", duration=duration, headers={"Accept": accept}).row()
                memory[worker_class] = memory_mb(process.pid)
                if worker_class == "gthread":
                    runs["regiold-ttl-crawl-gthread"] = _crawl(url, site, tmpdir, duration)
                    memory["after-crawl"] = memory_mb(process.pid)
        from oxigraph_server import oxigraph_server
        from regiold import sources
        from regiold.store import RemoteStore

        parsed = sources.load(site, base_iri=BASE)
        with oxigraph_server(None) as url:
            RemoteStore(f"{url}/query", base_iri=BASE).replace_data(parsed.published_quads(),
                                                                     version=parsed.version)
            query_url = f"{url}/query?query={quote(page_construct(org))}"
            runs["oxigraph-construct-ttl"] = wrk(query_url, duration=duration,
                                                 headers={"Accept": "text/turtle"}).row()
        runs.update(_nginx(export_site or site, tmpdir, duration))
    _ratios(runs)
    return {"org": org, "duration_s": duration, "connections": 16, "workers": workers,
            "runs": runs, "memory_mb": memory}


def _const_args(port: int, worker_class: str, workers: int) -> list[str]:
    return [sys.executable, str(Path(__file__).parent / "const_app.py"), str(port), worker_class,
            str(workers)]


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
    for name, row in runs.items():
        if name.startswith("regiold-") and "crawl" not in name:
            worker_class = name.rsplit("-", 1)[1]
            anchor = runs.get(f"flask-constant-{worker_class}")
            row["ratio_vs_flask_constant"] = _ratio(row, anchor)
            row["ratio_vs_oxigraph_construct"] = _ratio(row, runs.get("oxigraph-construct-ttl"))
        if name.startswith("nginx-export"):
            row["ratio_vs_nginx_plain"] = _ratio(row, runs.get("nginx-plain-5k"))
        if name == "regiold-ttl-crawl-gthread":
            row["ratio_vs_oxigraph_construct"] = _ratio(row, runs.get("oxigraph-construct-ttl"))


def _ratio(row: dict[str, object], anchor: dict[str, object] | None) -> float | None:
    if not anchor or not anchor.get("rps"):
        return None
    return round(float(row["rps"]) / float(anchor["rps"]), 2)  # type: ignore[arg-type]


if __name__ == "__main__":
    import json

    print(json.dumps(deref(Path(sys.argv[1]), duration=float(sys.argv[2]) if len(sys.argv) > 2 else 3)))
