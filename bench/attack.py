"""Hostile clients against `regiold serve` with its default settings, on 127.0.0.1 only (issue 13).

    python bench/attack.py [--data DIR] [--seconds 60] [--quiet 15] [-s NAME VALUE ...] [SCENARIO ...]

One measuring client asks for pages (/health, the home page, a resource page) one after another,
each on a new connection, the whole time: first quietly, then under each scenario, then in the
second after the scenario stops. Scenarios (all by default, each bounded by --seconds):

  connections  500 idle connections plus 64 clients trickling a header line every 0.5 s
  queries      32 clients looping over worst-case queries: the cartesian COUNT, 100 triple
               patterns as JSON and as HTML, ORDER BY over a cartesian product, 6,000 nested braces
  both         the two together

Targets (printed as verdicts): no failed page request; page p99 at most 3x the quiet p99 (or
50 ms, whichever is larger); total PSS of the server's processes never above the configured bound
(quiet PSS + workers x sparql_max_concurrent x (sparql_query_max_mb + a serving worker's
anonymous memory, which a query worker inherits and may copy on write)); pages within that p99 in
the first second after the attack stops. Every client of this script comes from 127.0.0.1, so
the per-client rate limit would turn most queries away at once: give `-s rate_limit 0` to measure
the capacity limits instead (many attacking addresses), and say so next to the figures. The
attacking clients run in a child process at nice 19: on a real attack their CPU is elsewhere.

Each line also says where the CPU went, in cores: the serving processes on a CPU and waiting
for one (runnable, queued behind other tasks: what a page waits for besides the GIL), their
query workers, and "others", every task outside the server and this script: on a shared
machine their load sets the page tail more than the attack does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, free_port, memory_mb, running  # noqa: E402
from waits import children, report, waits  # noqa: E402

PAGES = ("/health", "/", "/org/regionalmanagement-duesseldorf-kreis-mettmann")
CARTESIAN = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
             "?m ?n2 ?o }")
WIDE = "SELECT * WHERE { " + " . ".join(f"?a{i} ?b{i} ?c{i}" for i in range(100)) + " }"
QUERIES = (  # (query, Accept)
    (CARTESIAN, "application/sparql-results+json"),
    (WIDE, "application/sparql-results+json"),
    (WIDE, "text/html"),
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f", "application/sparql-results+json"),
    ("SELECT * WHERE " + "{" * 6000 + " ?s ?p ?o " + "}" * 6000, "application/sparql-results+json"),
)
MAX_SOCKETS = 700  # idle + trickling + clients: bounded whatever the arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--quiet", type=float, default=15.0)
    parser.add_argument("-s", "--setting", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"))
    parser.add_argument("--waits", action="store_true",
                        help="in the middle of each phase, record 3 s of scheduling (bench/waits.py)")
    parser.add_argument("scenarios", nargs="*", default=["connections", "queries", "both"])
    args = parser.parse_args()
    seconds = min(args.seconds, 120.0)  # bounded
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = [part for pair in args.setting for part in ("-s", *pair)]
    argv = [sys.executable, "-m", "regiold", *settings, "serve", "--data", str(args.data),
            "--port", str(port)]
    env = {"PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT / "src")}  # a baseline: another src
    with running(argv, ready_url=url + "/health", env=env, log=Path("/tmp/attack-serve.log")) as (
            server, _):
        limits = _limits(args.setting)
        print(f"regiold serve on {url}, settings {dict(args.setting) or 'default'}; "
              f"limits {limits}")
        quiet = _measure(url, server.pid, args.quiet, args.waits)
        print(_line("quiet", quiet))
        # Each query worker may add query_mb to what it inherited, and may turn the inherited
        # anonymous memory (the serving worker's heap) into private copies by writing to it.
        inherited = max(_anonymous_mb(worker) for worker in children(server.pid))
        bound = quiet["pss_max"] + limits["workers"] * limits["slots"] * (limits["query_mb"]
                                                                          + inherited)
        print(f"PSS bound {bound:.0f} MB: quiet {quiet['pss_max']:.0f} + {limits['workers']} x "
              f"{limits['slots']} query workers x ({limits['query_mb']} + {inherited:.0f} MB "
              "inherited anonymous memory, copied on write)")
        for name in args.scenarios:
            attack = {"connections": _connections, "queries": _queries, "both": _both}[name]
            with _in_child(attack, url) as counts:
                result = _measure(url, server.pid, seconds, args.waits)
            after = _measure(url, server.pid, 1.0)
            print(_line(name, result, counts))
            _verdicts(quiet, result, after, bound)


def _limits(overrides: list[list[str]]) -> dict[str, int]:
    from regiold.settings import Settings

    settings = Settings.load(dict(overrides), environ={})
    return {"workers": 2, "slots": settings.sparql_max_concurrent,
            "query_mb": getattr(settings, "sparql_query_max_mb", 0)}  # 0: a baseline without it


@contextmanager
def _in_child(attack: Callable[[str], object], url: str) -> Iterator[Counter]:
    """Run ``attack`` in a forked process (its threads never take the measuring client's GIL)
    for the block; the counts it kept arrive when the block ends."""
    ready_r, ready_w = os.pipe()
    stop_r, stop_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the attacker
        code = 0
        try:
            for fd in (ready_r, stop_w, out_r):
                os.close(fd)
            os.nice(19)  # an attacker's CPU is not the server's: here it only takes what is left
            with attack(url) as counts:  # type: ignore[attr-defined]
                os.write(ready_w, b"1")
                os.read(stop_r, 1)  # until the parent closes its end
            os.write(out_w, json.dumps({str(k): v for k, v in counts.items()}).encode())
        except BaseException:  # noqa: BLE001 - report nothing, end anyway
            code = 1
        finally:
            os._exit(code)
    for fd in (ready_w, stop_r, out_w):
        os.close(fd)
    counts: Counter = Counter()
    try:
        os.read(ready_r, 1)
        yield counts
    finally:
        os.close(stop_w)
        with os.fdopen(out_r, "rb") as out:
            counts.update(json.loads(out.read() or b"{}"))
        os.waitpid(pid, 0)
        os.close(ready_r)


def _measure(url: str, pid: int, seconds: float, trace: bool = False) -> dict[str, object]:
    """Page latencies (ms) and failures for ``seconds``, with the server tree's PSS sampled and
    where its CPU time went (``_cpu``); ``trace``: who ran while the serving threads waited for a
    CPU, 3 s in the middle (bench/waits.py)."""
    host, port = url.removeprefix("http://").split(":")
    latencies, failures, pss = [], Counter(), [memory_mb(pid)["pss_total"]]
    cpu_before, started_at = _cpu(pid), time.monotonic()
    traced: list[str] = []
    if trace:
        tracer = threading.Timer(max(seconds / 2 - 1.5, 0),
                                 lambda: traced.append(report(waits(pid, min(3.0, seconds)))))
        tracer.start()
    sampler_stop = threading.Event()

    def sample() -> None:
        while not sampler_stop.wait(0.5):
            pss.append(memory_mb(pid)["pss_total"])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < deadline:
        path = PAGES[turn % len(PAGES)]
        turn += 1
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", path, headers={"Connection": "close"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status >= 500:
                failures[f"{path} {response.status}"] += 1
                continue
        except OSError as exc:
            failures[f"{path} {type(exc).__name__}"] += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    sampler_stop.set()
    sampler.join()
    elapsed, cpu_after = time.monotonic() - started_at, _cpu(pid)
    if trace:
        tracer.join()
    latencies.sort()
    return {"n": len(latencies), "failures": dict(failures),
            "cores": {k: (cpu_after[k] - cpu_before[k]) / elapsed for k in cpu_after},
            "waits": traced,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
            "max": latencies[-1] if latencies else float("nan"), "pss_max": max(pss)}


def _cpu(master: int) -> dict[str, float]:
    """CPU seconds so far of the serving processes (the master's children): on a CPU ("serving")
    and runnable but waiting for one ("serving waited", from /proc/PID/task/TID/schedstat: time
    a page or a refusal spent queued behind other tasks), and of their query workers, live or
    already reaped ("queries"); "others": every CPU's busy time not spent by the server, this
    script or its attackers (other users of a shared machine; their load is the pages' wait)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = {"serving": 0.0, "serving waited": 0.0, "queries": 0.0}
    with open("/proc/stat", encoding="ascii") as stat:  # every CPU's busy time: who else ran
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    ours = sum(_stat(master)[10:14])  # the master, and this script with its attackers
    ours += sum(_stat(os.getpid())[10:14]) + sum(sum(_stat(child)[10:12]) for child in
                                                  children(os.getpid()) if child != master)
    totals["others"] = (user + nice + system + irq + softirq + steal - ours) / ticks
    for worker in children(master):
        try:
            for task in Path(f"/proc/{worker}/task").iterdir():
                on_cpu, waited = (int(n) for n in (task / "schedstat").read_text().split()[:2])
                totals["serving"] += on_cpu / 1e9
                totals["serving waited"] += waited / 1e9
            reaped = _stat(worker)[12:14]  # cutime, cstime: query workers already waited for
            totals["queries"] += sum(reaped) / ticks
            for child in children(worker):
                totals["queries"] += sum(_stat(child)[10:12]) / ticks  # utime, stime
            totals["others"] -= sum(_stat(worker)[10:12]) / ticks
        except (OSError, ValueError):  # ended meanwhile
            continue
    totals["others"] -= totals["queries"]
    return totals


def _anonymous_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stat(pid: int) -> list[int]:
    """The numeric fields of /proc/PID/stat after the state (index 10: utime, 12: cutime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1:]
    return [int(field) for field in fields[:20]]


@contextmanager
def _connections(url: str) -> Iterator[Counter]:
    host, port = url.removeprefix("http://").split(":")
    counts: Counter = Counter()
    stop = threading.Event()
    with ExitStack() as stack:
        for _ in range(min(500, MAX_SOCKETS // 2)):
            stack.enter_context(socket.create_connection((host, int(port)), timeout=10))
        counts["idle"] = 500

        def trickle() -> None:
            while not stop.is_set():  # reconnect when the server drops us (header read timeout)
                try:
                    with socket.create_connection((host, int(port)), timeout=10) as sock:
                        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                        while not stop.wait(0.5):
                            sock.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    counts["trickle dropped"] += 1
                    stop.wait(0.5)

        threads = [threading.Thread(target=trickle, daemon=True) for _ in range(64)]
        for thread in threads:
            thread.start()
        try:
            yield counts
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=15)


@contextmanager
def _queries(url: str) -> Iterator[Counter]:
    host, port = url.removeprefix("http://").split(":")
    counts: Counter = Counter()
    stop = threading.Event()

    def client(offset: int) -> None:
        turn = offset
        while not stop.is_set():
            query, accept = QUERIES[turn % len(QUERIES)]
            turn += 1
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                conn.request("POST", "/sparql", body=urlencode({"query": query}),
                             headers={"Accept": accept, "Connection": "close",
                                      "Content-Type": "application/x-www-form-urlencoded"})
                response = conn.getresponse()
                response.read()
                conn.close()
                counts[response.status] += 1
            except OSError as exc:
                counts[type(exc).__name__] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(32)]
    for thread in threads:
        thread.start()
    try:
        yield counts
    finally:
        stop.set()  # clients end after their current query; the next scenario does not wait


@contextmanager
def _both(url: str) -> Iterator[Counter]:
    merged: Counter = Counter()
    with _connections(url) as first, _queries(url) as second:
        yield merged
        merged.update(first)
        merged.update(second)


def _line(name: str, result: dict[str, object], counts: Counter | None = None) -> str:
    text = (f"{name:12} pages {result['n']:5}  failed {sum(result['failures'].values()):3}  "
            f"p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  max {result['max']:7.1f} ms  "
            f"PSS max {result['pss_max']:7.1f} MB  cores: " +
            ", ".join(f"{k} {v:.2f}" for k, v in result["cores"].items()))
    if result["failures"]:
        text += f"  failures {result['failures']}"
    if counts is not None:
        text += f"  attack {dict(counts)}"
    return "\n    ".join([text, *result["waits"]])


def _verdicts(quiet: dict, result: dict, after: dict, bound: float) -> None:
    allowed = max(3 * quiet["p99"], 50.0)
    checks = [
        ("0 failed page requests", not result["failures"]),
        (f"page p99 {result['p99']:.1f} ms <= {allowed:.1f} ms", result["p99"] <= allowed),
        (f"PSS {result['pss_max']:.0f} MB <= bound {bound:.0f} MB", result["pss_max"] <= bound),
        (f"first second after: {after['n']} pages, p99 {after['p99']:.1f} ms, none failed",
         not after["failures"] and after["n"] > 0 and after["p99"] <= allowed),
    ]
    for text, ok in checks:
        print(f"    {'yes' if ok else 'NO '}  {text}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
