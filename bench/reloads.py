"""Failed requests while `regiold serve` reloads, each server side by side (127.0.0.1 only).

    python bench/reloads.py [--data DIR] [--reloads 10] [--clients 4] [--baseline-src DIR]
                            [SERVER ...]

For each server (granian and gunicorn by default): `regiold serve` with 2 workers on a copy of
the data, and 2 x --clients threads asking for pages the whole time: half keep their connection
alive, half open a new connection for every request (some of those reach a worker in the instant
it retires). Meanwhile the data is changed validly and the master gets SIGHUP --reloads times;
each reload counts as done once every old worker has gone (at most 60 s). No request is retried.
Prints per server: requests, failed requests (no answer or 5xx) and seconds per reload.
--baseline-src runs granian once more from another checkout's src/ (e.g. main before a change).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from faults import mutate  # noqa: E402
from load import copy_site, default_data, resource_paths  # noqa: E402
from ops_live import serving  # noqa: E402
from processes import wait_until  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"


_LOCK = threading.Lock()


def hammer(url: str, paths: list[str], *, fresh: bool, stop: threading.Event,
           counts: dict[str, int], failures: list[str]) -> None:
    headers = {"Connection": "close"} if fresh else {}
    with requests.Session() as session:
        while not stop.is_set():
            for path in paths:
                try:
                    status = session.get(url + path, headers=headers, timeout=30).status_code
                    ok = status < 500
                    detail = str(status)
                except requests.RequestException as exc:
                    ok, detail = False, type(exc).__name__
                with _LOCK:
                    counts["requests"] += 1
                    if not ok:
                        counts["failed"] += 1
                        failures.append(f"{path}: {detail}")


def run(server_name: str, src: Path, data: Path, args: argparse.Namespace) -> dict[str, object]:
    os.environ["PYTHONPATH"] = str(src)  # ops_live passes it to `regiold serve`
    counts, failures, took = {"requests": 0, "failed": 0}, [], []
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        site = copy_site(data, Path(tmp) / "site")
        paths = ["/health", "/", *(f"/{path}" for path in resource_paths(site, limit=2))]
        with serving(site, settings={"server": server_name}, boot_timeout=180) as server:
            threads = [threading.Thread(target=hammer, args=(server.url, paths),
                                        kwargs={"fresh": fresh, "stop": stop, "counts": counts,
                                                "failures": failures})
                       for fresh in (False, True) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            try:
                for _ in range(args.reloads):
                    old, start = server.workers(), time.monotonic()
                    mutate(site, valid=True)
                    server.hup()
                    wait_until(lambda old=old: not server.workers() & old
                               and len(server.workers()) == 2, 60, server.output)
                    took.append(time.monotonic() - start)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=60)
    return {"requests": counts["requests"], "failed": counts["failed"],
            "s_per_reload": f"{min(took):.2f}-{max(took):.2f}" if took else "-",
            "first_failures": failures[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("servers", nargs="*", default=["granian", "gunicorn"], metavar="SERVER")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--reloads", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--baseline-src", type=Path, default=None)
    args = parser.parse_args()
    args.reloads, args.clients = min(max(args.reloads, 1), 50), min(max(args.clients, 1), 16)
    data = args.data or default_data()
    runs = [(name, name, SRC) for name in args.servers]
    if args.baseline_src:
        runs.append(("granian (baseline)", "granian", args.baseline_src.resolve()))
    for label, name, src in runs:
        result = run(name, src, data, args)
        print(f"== {label} ({src})")
        for key, value in result.items():
            print(f"  {key:15} {value}")


if __name__ == "__main__":
    main()
