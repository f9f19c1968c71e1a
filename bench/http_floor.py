"""The loopback HTTP floor under `regiold serve` (granian): what a request costs that does no work.

    python bench/http_floor.py SITE [--requests N] [--seconds S] [--cache DIR]
                                    [--variant NAME='{"granian_kwarg": value}'] ...

    python bench/http_floor.py --in-process SITE [--cache DIR]

(``--in-process``: the same memo'd query and page through ``create_app`` called as a WSGI app,
median µs of 3,000 calls back to back and of 2,000 calls each after a 0.3 ms sleep, which lets
other work run and cool the caches, as a serving thread waiting for its next request does.
``--cache``: the validation cache, default SITE/.bench-cache as in bench/sections.py; a new DIR
starts as a copy of that one.)

Side by side in one run, all on 127.0.0.1, each server with 2 workers:
- ``trivial``: a WSGI function returning a constant ``[bytes]``, under regiold's own granian
  configuration (``serve_wsgi``, as ``bench/const_app.py`` does for Flask);
- ``sparql-memo``: regiold's ``/sparql`` answering a repeated lookup from its per-version memo;
- ``page``: an organisation's HTML page from the fast path (``HotResponses``' table);
- ``oxigraph``: Oxigraph server evaluating the same lookup over the same data.
Each ``--variant`` also serves the trivial app, the memo'd query and the page with the ``_Granian(...)``
keyword arguments replaced by the JSON given (e.g. ``'{"runtime_threads": 2}'``), to find which
server setting moves the floor; its key ``"src"`` instead runs that variant's servers from another
tree's ``src/`` (``PYTHONPATH``), e.g. ``--variant 'main={"src": "/work/main/src"}'``: a baseline.

``oxigraph (urllib3)`` asks Oxigraph again with urllib3, the client of ``bench/sections.py``.

Sequential: one client, one kept-alive connection per target, the targets asked in turn request
by request (so they meet the same moments of the machine), median and 90th percentile of N, the
client's CPU per request and the server's (all its processes, from /proc; each regiold
answers the query and the page, so its figure is for the pair); the client is a raw socket (no
HTTP library time in the figure: ``bench/sections.py`` uses urllib3, which adds its own).
Throughput: wrk, 16 connections, S seconds per target, one target after the other.
Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import BASE, free_port, running, wrk  # noqa: E402
from sections import _first_generated_org  # noqa: E402

BODY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
JSON_ROWS = "application/sparql-results+json"


def trivial(environ: dict, start_response) -> list[bytes]:  # noqa: ANN001
    start_response("200 OK", [("Content-Type", JSON_ROWS), ("Content-Length", str(len(BODY)))])
    return [BODY]


def _patch_granian(overrides: dict[str, object], timings: Path) -> None:
    """Replace keyword arguments of regiold's ``_Granian(...)`` call (bench variants only), and
    time the app inside the worker: ``_Retiring.__call__`` is where granian hands the request to
    regiold; each worker appends the median wall and CPU µs of every 500 requests per path to
    ``timings`` (what granian, the kernel and the client add is the round trip minus this)."""
    from regiold.serve import granian

    original, call = granian._Granian.__init__, granian._Retiring.__call__
    samples: dict[str, list[tuple[float, float]]] = {}

    def init(self, *args: object, **kwargs: object) -> None:  # noqa: ANN001
        original(self, *args, **{**kwargs, **overrides})

    def timed(self, environ: dict, start_response) -> object:  # noqa: ANN001
        t0, c0 = time.perf_counter(), time.thread_time()
        body = call(self, environ, start_response)
        seen = samples.setdefault(environ.get("PATH_INFO", ""), [])
        seen.append(((time.perf_counter() - t0) * 1e6, (time.thread_time() - c0) * 1e6))
        if len(seen) == 500:
            with timings.open("a") as out:
                out.write(json.dumps([environ.get("PATH_INFO", ""),
                                      statistics.median(w for w, _ in seen),
                                      statistics.median(c for _, c in seen)]) + "\n")
            seen.clear()
        return body

    granian._Granian.__init__, granian._Retiring.__call__ = init, timed


def _serve_trivial(port: int, overrides: dict[str, object], timings: Path) -> None:
    from regiold.serve.gunicorn import serve_wsgi
    from regiold.settings import Settings

    _patch_granian(overrides, timings)
    serve_wsgi(trivial, Settings.load({}, environ={}), host="127.0.0.1", port=port, workers=2)


def _serve_regiold(overrides: dict[str, object], timings: Path, argv: list[str]) -> None:
    from regiold.cli import cli

    _patch_granian(overrides, timings)
    cli(args=argv, prog_name="regiold")


class Client:
    """One kept-alive connection; ``get`` sends a prepared request and reads one response whole
    (Content-Length or chunked), returning its status."""

    def __init__(self, port: int, path: str, accept: str) -> None:
        self.request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n"
                        "\r\n").encode()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self) -> int:
        self.sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
        if "content-length" in headers:
            self._take(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                while b"\r\n" not in self.buffer:
                    self._read()
                size_line, self.buffer = self.buffer.split(b"\r\n", 1)
                size = int(size_line, 16)
                self._take(size + 2)
                if not size:
                    break
        return int(lines[0].split()[1])

    def _take(self, n: int) -> None:
        while len(self.buffer) < n:
            self._read()
        self.buffer = self.buffer[n:]

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


class Urllib3Client:
    """The client of ``bench/sections.py sparql`` (urllib3), to show what it adds to the floor."""

    def __init__(self, port: int, path: str, accept: str) -> None:
        import urllib3

        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=30))
        self.url, self.headers = f"http://127.0.0.1:{port}{path}", {"Accept": accept}

    def get(self) -> int:
        return int(self.http.request("GET", self.url, headers=self.headers).status)

    def close(self) -> None:
        self.http.clear()


def sequential(targets: dict[str, tuple[int, str, str]], n: int) -> dict[str, dict[str, float]]:
    clients: dict[str, Client | Urllib3Client] = {
        name: (Urllib3Client if name.endswith("(urllib3)") else Client)(*target)
        for name, target in targets.items()}
    samples: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, float] = dict.fromkeys(targets, 0.0)
    try:
        for i in range(n + 50):  # the first 50 rounds warm connections, caches and the memo
            for name, client in clients.items():
                c0, t0 = time.process_time(), time.perf_counter()
                status = client.get()
                elapsed, used = time.perf_counter() - t0, time.process_time() - c0
                if status != 200:
                    raise RuntimeError(f"{name}: status {status}")
                if i >= 50:
                    samples[name].append(elapsed * 1000)
                    cpu[name] += used
    finally:
        for client in clients.values():
            client.close()
    return {name: {"median_ms": round(statistics.median(v), 3),
                   "p90_ms": round(statistics.quantiles(v, n=10)[-1], 3),
                   "client_cpu_us": round(cpu[name] / n * 1e6, 1)}
            for name, v in samples.items()}


def _server_cpu(pgid: int) -> float:
    """CPU seconds so far of every thread of the processes in process group ``pgid`` (the server:
    master, workers, query sandboxes), from schedstat (nanoseconds, not 10 ms ticks); a negative
    ``pgid``: the one process -pgid (Oxigraph server, which runs in the bench's own group)."""
    if pgid < 0:  # its threads per connection end with them: the process's total, in ticks
        fields = Path(f"/proc/{-pgid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[2]) != pgid:
                continue
            for task in os.listdir(f"/proc/{entry}/task"):
                total += int(Path(f"/proc/{entry}/task/{task}/schedstat").read_text().split()[0])
        except (OSError, ValueError):
            continue  # gone meanwhile
    return total / 1e9


def _oxigraph_pid(port: int) -> int:
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with suppress(OSError):
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            if b"serve" in argv and f"127.0.0.1:{port}".encode() in argv:
                return int(entry)
    raise RuntimeError(f"no Oxigraph server process on port {port}")


def main(site: Path, *, n: int, seconds: float, cache: Path,
         variants: dict[str, dict[str, object]]) -> dict[str, object]:
    from oxigraph_server import oxigraph_server
    from regiold.ingest import sources
    from regiold.store import RemoteStore

    parsed = sources.parse_site(site, base_iri=BASE)
    org = _first_generated_org(site)
    query = quote(f"SELECT ?p ?o WHERE {{ <{org}> ?p ?o }}")
    page = "/" + org.removeprefix(BASE)
    me = [sys.executable, str(Path(__file__).resolve())]
    targets: dict[str, tuple[int, str, str]] = {}
    pgids: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = stack.enter_context(oxigraph_server(None))
        RemoteStore(f"{url}/query", base_iri=BASE).replace_data(
            parsed.published_quads(), version=parsed.version)
        targets["oxigraph"] = (int(url.rsplit(":", 1)[1]), f"/query?query={query}", JSON_ROWS)
        targets["oxigraph (urllib3)"] = targets["oxigraph"]
        pgids["oxigraph"] = -_oxigraph_pid(targets["oxigraph"][0])
        for label, spec in {"": {}, **variants}.items():
            suffix = f"[{label}]" if label else ""
            overrides = {k: v for k, v in spec.items() if k != "src"}
            env = {"PYTHONPATH": str(spec["src"])} if "src" in spec else None
            port = free_port()
            proc, _ = stack.enter_context(running(
                [*me, "--trivial", str(port), json.dumps(overrides), f"{tmp}/trivial{label}.jsonl"],
                ready_url=f"http://127.0.0.1:{port}/", timeout=60, env=env))
            targets[f"trivial{suffix}"] = (port, "/", JSON_ROWS)
            pgids[f"trivial{suffix}"] = proc.pid
            port = free_port()
            argv = ["-s", "cache_dir", str(cache), "-s", "rate_limit", "0", "serve", "--data",
                    str(site), "--port", str(port), "--workers", "2"]
            proc, _ = stack.enter_context(running(
                [*me, "--regiold", json.dumps(overrides), f"{tmp}/regiold{label}.jsonl", *argv],
                ready_url=f"http://127.0.0.1:{port}/ready", log=Path(tmp) / f"regiold{label}.log",
                env=env))
            targets[f"sparql-memo{suffix}"] = (port, f"/sparql?query={query}", JSON_ROWS)
            pgids[f"sparql-memo{suffix}"] = proc.pid
            targets[f"page{suffix}"] = (port, page, "text/html")
        load = os.getloadavg()
        cpu0 = {name: _server_cpu(pgid) for name, pgid in pgids.items()}
        seq = sequential(targets, n)
        for name, pgid in pgids.items():  # all processes of the server (master, workers, sandboxes)
            used = round((_server_cpu(pgid) - cpu0[name]) / (n + 50) * 1e6, 1)
            # a regiold answers both the memo'd query and the page: CPU of the pair
            pair = name.startswith("sparql-memo")
            if name == "oxigraph":  # asked twice a round: raw socket and urllib3
                used = round(used / 2, 1)
            seq[name]["server_cpu_us_with_page" if pair else "server_cpu_us"] = used
        for name, (_, path, _) in targets.items():
            if not name.startswith("oxigraph"):
                seq[name].update(_in_worker(Path(tmp), name, path.split("?")[0]))
        throughput = {}
        for name, (port, path, accept) in targets.items():
            if name.endswith("(urllib3)"):
                continue
            pgid = pgids.get(name.replace("page", "sparql-memo"))  # wrk: one target at a time
            cpu0 = _server_cpu(pgid) if pgid else 0.0
            result = wrk(f"http://127.0.0.1:{port}{path}", duration=seconds,
                         headers={"Accept": accept})
            row = result.row()
            if pgid:
                row["server_cpu_us"] = round((_server_cpu(pgid) - cpu0) / result.requests * 1e6, 1)
            throughput[name] = row
        load_after = os.getloadavg()
    return {"sequential": seq, "wrk_c16": throughput, "requests": n, "seconds": seconds,
            "variants": variants, "loadavg_before": load, "loadavg_after": load_after,
            "client_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _in_worker(tmp: Path, name: str, path: str) -> dict[str, float]:
    """The app's own time inside the worker for ``name``'s path (median over the windows)."""
    label = name[name.index("[") + 1:-1] if "[" in name else ""
    server = "trivial" if name.startswith("trivial") else "regiold"
    file = tmp / f"{server}{label}.jsonl"
    rows = [json.loads(line) for line in file.read_text().splitlines()] if file.exists() else []
    rows = [row for row in rows if row[0] == path]
    if not rows:
        return {}
    return {"app_wall_us": round(statistics.median(r[1] for r in rows), 1),
            "app_cpu_us": round(statistics.median(r[2] for r in rows), 1)}


def in_process(site: Path, cache: Path) -> dict[str, dict[str, float]]:
    import io

    from regiold import create_app
    from regiold.cli import with_site_dir
    from regiold.settings import Settings

    settings = Settings.load({"cache_dir": str(cache), "rate_limit": "0"}, environ={})
    app = create_app(with_site_dir(settings, site))
    org = _first_generated_org(site)
    cases = {"sparql-memo": ("/sparql", "query=" + quote(f"SELECT ?p ?o WHERE {{ <{org}> ?p ?o }}"),
                             JSON_ROWS),
             "page": ("/" + org.removeprefix(BASE), "", "text/html")}

    def call(path: str, query: str, accept: str) -> float:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                   "wsgi.input": io.BytesIO(b""), "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": accept}
        start = time.perf_counter()
        app(environ, lambda status, headers, *exc: None)
        return (time.perf_counter() - start) * 1e6

    result = {}
    for name, case in cases.items():
        for _ in range(50):
            call(*case)
        hot = [call(*case) for _ in range(3000)]
        cold = []
        for _ in range(2000):
            time.sleep(0.0003)
            cold.append(call(*case))
        result[name] = {"hot_us": round(statistics.median(hot), 1),
                        "after_sleep_us": round(statistics.median(cold), 1)}
    return result


if __name__ == "__main__":
    if sys.argv[1] == "--in-process":
        rest = sys.argv[3:]
        cache_arg = Path(rest[rest.index("--cache") + 1]) if "--cache" in rest else None
        site_arg = Path(sys.argv[2])
        print(json.dumps({**in_process(site_arg, cache_arg or site_arg / ".bench-cache"),
                          "loadavg": os.getloadavg()}))
    elif sys.argv[1] == "--trivial":
        _serve_trivial(int(sys.argv[2]), json.loads(sys.argv[3]), Path(sys.argv[4]))
    elif sys.argv[1] == "--regiold":
        _serve_regiold(json.loads(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:])
    else:
        args = sys.argv[2:]

        def option(name: str, default: str) -> str:
            return args[args.index(name) + 1] if name in args else default

        named = [args[i + 1] for i, a in enumerate(args) if a == "--variant"]
        variants = {v.split("=", 1)[0]: json.loads(v.split("=", 1)[1]) for v in named}
        site_dir = Path(sys.argv[1])
        cache_dir = Path(option("--cache", str(site_dir / ".bench-cache")))
        if not cache_dir.exists() and (site_dir / ".bench-cache").exists():  # a site not to write into
            shutil.copytree(site_dir / ".bench-cache", cache_dir)
        print(json.dumps(main(site_dir, n=int(option("--requests", "2000")),
                              seconds=float(option("--seconds", "4")), cache=cache_dir,
                              variants=variants), indent=1))
