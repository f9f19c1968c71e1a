"""Mixed-traffic load test against a real `regiold serve` on 127.0.0.1 (bounded in time).

    python bench/load.py [--data DIR | --url URL] [--duration 60] [--clients 64] [--requests 100000]

Starts `regiold serve` (unless --url is given), then runs ``--clients`` keep-alive HTTP/1.1
connections (asyncio, one process) for ``--duration`` seconds or until ``--requests`` answers,
whichever comes first. Traffic: resource pages in every format (suffix and Accept), conditional
requests (If-None-Match with the ETag seen before), SPARQL, search, 404s, /ready.

Prints: requests, req/s, p50/p99/max latency, status classes, server errors (5xx), dropped
connections (reset or closed mid-response, or before any byte on a fresh connection), retried
requests (a kept-alive connection the server had just closed: the request never reached it and
is resent once, as HTTP clients do for idempotent requests), and the server's memory (PSS of
master + workers, kB) after warm-up and at the end. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
SUFFIXES = ("html", "ttl", "jsonld", "nt", "rdf")
ACCEPTS = ("text/html", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "*/*", "text/turtle;q=0.9, application/ld+json;q=1")
SPARQL = (
    "SELECT ?s ?name WHERE { ?s <https://schema.org/name> ?name } LIMIT 20",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s a <https://schema.org/Organization> }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://schema.org/Organization> ; ?p ?o } LIMIT 50",
)
SEARCHES = ("duesseldorf", "Mettmann", "region", "kreis", "zzz-nothing")


# -- the server under test ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_data() -> Path:
    return ROOT if (ROOT / "data").is_dir() else ROOT / "tests" / "fixtures" / "site"


def copy_site(source: Path, target: Path) -> Path:
    for kind in ("ontology", "data", "shapes"):
        shutil.copytree(source / kind, target / kind)
    return target


class Server:
    """`regiold serve` as a subprocess; stopped by ``close()``."""

    def __init__(self, data: Path, *, workers: int, settings: dict[str, str], args: list[str],
                 log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {"PATH": "/usr/bin:/bin", "HOME": str(log.parent),
               **{f"REGIOLD_{k.upper()}": v for k, v in settings.items()}}
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "regiold", "serve", "--data", str(data), "--port",
                 str(self.port), "--workers", str(workers), *args],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        self.workers = workers
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"regiold serve exited:\n{log.read_text()[-2000:]}")
            if len(self.worker_pids()) == workers and _answers(self.url + "/health"):
                return
            time.sleep(0.2)
        self.close()
        raise SystemExit("regiold serve did not start within 120 s")

    def worker_pids(self) -> list[int]:
        try:
            return [int(p) for p in Path(
                f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            return []

    def pss_kb(self) -> int:
        """Proportional set size of master + workers: shared pages counted once overall."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()]:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# -- the traffic -----------------------------------------------------------------------------

def resource_paths(data: Path, limit: int = 200) -> list[str]:
    """Paths of resources described in the data (organisations first), for page requests."""
    sys.path.insert(0, str(ROOT / "src"))
    from regiold.ingest import sources

    parsed = sources.parse_site(data, base_iri=BASE)
    subjects = sorted({q.subject.value for q in parsed.quads
                       if q.subject.value.startswith(BASE)},
                      key=lambda iri: (not iri.startswith(BASE + "org/"), iri))
    return [iri.removeprefix(BASE) for iri in subjects[:limit]] or ["org/alpha"]


def build_mix(paths: list[str], rng: random.Random) -> list[tuple[str, dict[str, str]]]:
    """One shuffled round of requests: (target, headers); conditional ones filled in later."""
    mix: list[tuple[str, dict[str, str]]] = []
    for path in paths:
        mix.append((f"/{path}.{rng.choice(SUFFIXES)}", {}))
        mix.append((f"/{path}", {"Accept": rng.choice(ACCEPTS)}))
        mix.append((f"/{path}", {"Accept": "text/turtle", "If-None-Match": "?"}))  # conditional
    for query in SPARQL:
        mix.append(("/sparql?" + urllib.parse.urlencode({"query": query}),
                    {"Accept": "application/sparql-results+json, text/turtle"}))
    for term in SEARCHES:
        mix.append((f"/search?q={term}", {"Accept": rng.choice(("text/html", "application/ld+json"))}))
    mix += [("/does-not-exist", {}), ("/org/no-such-org", {}), ("/org/no-such.ttl", {}),
            ("/ready", {}), ("/health", {}), ("/", {})]
    rng.shuffle(mix)
    return mix


def kind_of(target: str, headers: dict[str, str]) -> str:
    """The traffic class of a request, for per-class latency."""
    path = target.split("?")[0]
    if path.startswith(("/sparql", "/search")):
        return path.strip("/")
    if "If-None-Match" in headers:
        return "conditional"
    if path in {"/ready", "/health", "/"}:
        return "ops+index"
    if "no-such" in path or "does-not-exist" in path:
        return "404"
    return "page-suffix" if "." in path.rsplit("/", 1)[-1] else "page-accept"


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    dropped: int = 0
    retried: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    timeline: Counter[tuple[int, str]] = field(default_factory=Counter)  # (second, kind)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class Dropped(Exception):
    pass


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    line = await reader.readline()
    if not line:
        raise EOFError
    try:
        status = int(line.split()[1])
    except (IndexError, ValueError):
        raise Dropped(f"bad status line {line[:60]!r}") from None
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            raise Dropped("closed in headers")
        if raw in (b"\r\n", b"\n"):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await reader.readline()
                    break
                body += await reader.readexactly(size + 2)
            return status, headers, bytes(body)
        length = int(headers.get("content-length", "0"))
        return status, headers, await reader.readexactly(length)
    except (asyncio.IncompleteReadError, ValueError) as exc:
        raise Dropped(f"closed in body: {exc}") from None


class Client:
    def __init__(self, host: str, port: int, stats: Stats, etags: dict[str, str],
                 started: float) -> None:
        self.host, self.port, self.stats, self.etags, self.started = host, port, stats, etags, started
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0  # requests sent on the current connection

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.used = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, target: str, headers: dict[str, str]) -> None:
        headers = dict(headers)
        if headers.get("If-None-Match") == "?":
            etag = self.etags.get(target)
            if etag is None:
                headers.pop("If-None-Match")
            else:
                headers["If-None-Match"] = etag
        for attempt in (1, 2):
            if self.writer is None:
                await self.connect()
            reused = self.used > 0
            start = time.perf_counter()
            try:
                head = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n" + "".join(
                    f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
                self.writer.write(head.encode())  # type: ignore[union-attr]
                self.used += 1
                await self.writer.drain()  # type: ignore[union-attr]
                status, response_headers, _ = await asyncio.wait_for(
                    read_response(self.reader), 30)  # type: ignore[arg-type]
            except (EOFError, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if reused and attempt == 1 and isinstance(exc, EOFError | BrokenPipeError):
                    self.stats.retried += 1  # closed kept-alive connection: never reached the app
                    self._mark("retried")
                    continue
                self._drop(repr(exc))
                return
            except (TimeoutError, Dropped, OSError) as exc:
                self.close()
                self._drop(repr(exc)[:80])
                return
            elapsed = time.perf_counter() - start
            self.stats.latencies.append(elapsed)
            self.stats.by_kind.setdefault(kind_of(target, headers), []).append(elapsed)
            self.stats.statuses[status] += 1
            self._mark("5xx" if status >= 500 else "ok")
            if "etag" in response_headers and status == 200:
                self.etags[target] = response_headers["etag"]
            if response_headers.get("connection", "").lower() == "close":
                self.close()
            return

    def _drop(self, reason: str) -> None:
        self.stats.dropped += 1
        self.stats.errors[reason.split("(")[0]] += 1
        self._mark("dropped")

    def _mark(self, kind: str) -> None:
        self.stats.timeline[(int(time.monotonic() - self.started), kind)] += 1


async def run_load(url: str, mix: list[tuple[str, dict[str, str]]], *, clients: int,
                   duration: float, max_requests: int, stats: Stats | None = None,
                   on_tick: object = None) -> Stats:
    """Drive ``clients`` connections over ``mix`` until the time or request budget is spent."""
    parts = urllib.parse.urlsplit(url)
    stats = stats or Stats()
    etags: dict[str, str] = {}
    started = time.monotonic()
    deadline = started + duration
    counter = iter(range(max_requests))

    async def one(index: int) -> None:
        client = Client(parts.hostname or "127.0.0.1", parts.port or 80, stats, etags, started)
        position = index * 7
        try:
            while time.monotonic() < deadline and next(counter, None) is not None:
                target, headers = mix[position % len(mix)]
                position += 1
                await client.request(target, headers)
        finally:
            client.close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    return stats


async def sampled(load: Awaitable[Stats], server: Server | None, samples: list[int]) -> Stats:
    """Run ``load`` while sampling the server's PSS every 10 s (to tell growth from warm-up)."""
    task = asyncio.ensure_future(load)
    while server is not None and not task.done():
        await asyncio.wait({task}, timeout=10)
        samples.append(server.pss_kb())
    return await task


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(stats: Stats, seconds: float) -> dict[str, object]:
    classes = Counter(f"{status // 100}xx" for status in stats.statuses.elements())
    return {
        "requests": stats.answered, "seconds": round(seconds, 1),
        "req_per_s": round(stats.answered / seconds, 1) if seconds else None,
        "p50_ms": round(percentile(stats.latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(stats.latencies, 0.99) * 1000, 2),
        "max_ms": round(max(stats.latencies, default=0) * 1000, 2),
        "status_classes": dict(sorted(classes.items())),
        "server_errors": stats.server_errors,
        "server_error_codes": {s: n for s, n in sorted(stats.statuses.items()) if s >= 500},
        "dropped": stats.dropped,
        "retried": stats.retried, "drop_reasons": dict(stats.errors),
        "p50/p99_ms_by_kind": {
            kind: f"{percentile(v, 0.5) * 1000:.1f}/{percentile(v, 0.99) * 1000:.1f} (n={len(v)})"
            for kind, v in sorted(stats.by_kind.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--url", help="an already running server (no memory figures)")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.duration = min(args.duration, 600.0)  # bounded, whatever is asked
    data = args.data or default_data()
    mix = build_mix(resource_paths(data), random.Random(args.seed))
    server = None
    if args.url is None:
        log_dir = Path(subprocess.check_output(["mktemp", "-d"], text=True).strip())
        server = Server(data, workers=args.workers, settings={}, args=[], log=log_dir / "serve.log")
        url = server.url
    else:
        url = args.url
    try:
        # warm-up: every request of the mix several times, so each worker has built its
        # per-version caches before memory is measured
        warm = asyncio.run(run_load(url, mix, clients=16, duration=120,
                                    max_requests=len(mix) * 4 * args.workers))
        pss_start = server.pss_kb() if server else None
        samples: list[int] = []
        start = time.monotonic()
        stats = asyncio.run(sampled(run_load(url, mix, clients=args.clients,
                                             duration=args.duration, max_requests=args.requests),
                                    server, samples))
        result = summary(stats, time.monotonic() - start)
        result["warmup_requests"] = warm.answered
        if server and pss_start:
            pss_end = server.pss_kb()
            result.update(pss_start_kb=pss_start, pss_end_kb=pss_end,
                          pss_growth_pct=round(100 * (pss_end - pss_start) / pss_start, 1),
                          pss_every_10s_mb=[round(kb / 1024, 1) for kb in samples],
                          workers=args.workers)
        result.update(clients=args.clients, data=str(data), mix_size=len(mix))
    finally:
        if server:
            server.close()
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:18} {value}")


if __name__ == "__main__":
    main()
