"""Faults under load against a real `regiold serve` on 127.0.0.1 (each scenario bounded in time).

    python bench/faults.py [--data DIR] [--duration 20] [--clients 16] [SCENARIO ...]

Scenarios (all by default):
  kill-worker     SIGKILL one gunicorn worker a third into the run: the other keeps serving,
                  the master replaces it (requests in flight on the killed worker are lost)
  reload-valid    change the data validly and SIGHUP: no failed request, every worker switches
  reload-invalid  write a SHACL violation and SIGHUP: no failed request, the old version stays
  store-outage    remote store (Oxigraph server): stopped for a third of the run, then restarted
                  at the same address: 503 + Retry-After meanwhile, recovery without a restart

Each prints the load figures (see bench/load.py) and a verdict line per expectation.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from load import (  # noqa: E402
    Server,
    Stats,
    build_mix,
    copy_site,
    default_data,
    resource_paths,
    run_load,
    summary,
)

SCENARIOS = ("kill-worker", "reload-valid", "reload-invalid", "store-outage")


def ready(url: str) -> tuple[int, dict[str, object]]:
    import json

    try:
        with urllib.request.urlopen(url + "/ready", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}


async def under_load(server: Server, mix: list, args: argparse.Namespace,
                     fault: Callable[[], Awaitable[dict[str, object]]]) -> dict[str, object]:
    stats = Stats()
    start = time.monotonic()
    load = asyncio.create_task(run_load(server.url, mix, clients=args.clients,
                                        duration=args.duration, max_requests=10**9, stats=stats))
    await asyncio.sleep(args.duration / 3)
    observed = await fault()
    await load
    result = summary(stats, time.monotonic() - start)
    result.update(observed)
    result["timeline"] = {f"{s}s": dict(sorted((k, n) for (t, k), n in stats.timeline.items()
                                                if t == s))
                          for s in sorted({t for t, _ in stats.timeline})}
    return result


def mutate(site: Path, *, valid: bool) -> None:
    """A valid edit (one German literal gets longer) or a SHACL violation (a nameless org)."""
    if valid:
        for path in sorted((site / "data").rglob("*.ttl")):
            text = path.read_text()
            if '"@de' in text:
                path.write_text(text.replace('"@de', ' (neu)"@de', 1))
                return
        raise SystemExit("no German literal to edit in data/")
    (site / "data" / "zz-fault.ttl").write_text(
        '@prefix schema: <https://schema.org/> .\n'
        '<org/fault-test> a schema:Organization ; schema:url <https://fault.example/> .\n')


async def wait_for(predicate: Callable[[], bool], timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await asyncio.to_thread(predicate):
            return round(time.monotonic() - start, 2)
        await asyncio.sleep(0.1)
    return None


def scenario_kill(server: Server, mix: list, args: argparse.Namespace) -> dict[str, object]:
    async def fault() -> dict[str, object]:
        victim = min(server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        replaced = await wait_for(lambda: len(server.worker_pids()) == server.workers
                                  and victim not in server.worker_pids(), 30)
        return {"killed_pid": victim, "replaced_after_s": replaced}

    result = asyncio.run(under_load(server, mix, args, fault))
    result["verdict"] = {
        "worker replaced": result["replaced_after_s"] is not None,
        "no 5xx": result["server_errors"] == 0,
        "served after the kill": _served_after(result, args.duration / 3 + 1),
    }
    return result


def scenario_reload(server: Server, site: Path, mix: list, args: argparse.Namespace, *,
                    valid: bool) -> dict[str, object]:
    async def fault() -> dict[str, object]:
        _, before = await asyncio.to_thread(ready, server.url)
        mutate(site, valid=valid)
        server.signal(signal.SIGHUP)
        took = await wait_for(lambda: ready(server.url)[1].get("reload") is not None, 60)
        await asyncio.sleep(1.0)
        versions = {(await asyncio.to_thread(ready, server.url))[1].get("version")
                    for _ in range(12)}
        return {"version_before": before.get("version"), "versions_after": sorted(map(str, versions)),
                "reload_seen_after_s": took,
                "reload_state": ready(server.url)[1].get("reload", {}).get("state")}

    result = asyncio.run(under_load(server, mix, args, fault))
    switched = result["versions_after"] != [result["version_before"]] and len(
        result["versions_after"]) == 1
    result["verdict"] = {
        "no failed request": result["server_errors"] == 0 and result["dropped"] == 0,
        ("every worker on the new version" if valid else "old version stays"):
            switched if valid else result["versions_after"] == [result["version_before"]],
    }
    return result


def scenario_store(site: Path, mix: list, args: argparse.Namespace, log_dir: Path) -> dict[str, object]:
    from oxigraph_server import oxigraph_binary, oxigraph_server
    from processes import free_port
    from regiold.publish.remote_load import load_remote
    from regiold.settings import Settings

    if oxigraph_binary() is None:
        return {"skipped": "the oxigraph binary is not installed (pip install oxigraph)"}
    port, location = free_port(), log_dir / "oxigraph"
    endpoint = f"http://127.0.0.1:{port}/query"
    store = oxigraph_server(location, port=port)
    store.__enter__()
    load_remote(Settings.load({"site_dir": site, "cache_dir": log_dir / "cache", "store": endpoint},
                              environ={}))
    server = Server(site, workers=args.workers, settings={"store": endpoint}, args=[],
                    log=log_dir / "serve-remote.log")
    holder = {"store": store}

    async def fault() -> dict[str, object]:
        await asyncio.to_thread(holder["store"].__exit__, None, None, None)
        await asyncio.sleep(args.duration / 3)
        status_during, _ = await asyncio.to_thread(ready, server.url)
        retry_after = await asyncio.to_thread(_retry_after, server.url + "/ready")
        restarted = oxigraph_server(location, port=port)
        await asyncio.to_thread(restarted.__enter__)
        holder["store"] = restarted
        recovered = await wait_for(lambda: ready(server.url)[0] == 200, 30)
        return {"ready_during_outage": status_during, "retry_after": retry_after,
                "recovered_after_s": recovered}

    try:
        result = asyncio.run(under_load(server, mix, args, fault))
    finally:
        server.close()
        holder["store"].__exit__(None, None, None)
    result["verdict"] = {
        "503 while the store is gone": result["ready_during_outage"] == 503,
        "Retry-After sent": bool(result["retry_after"]),
        "recovered by itself": result["recovered_after_s"] is not None,
        "no dropped connection": result["dropped"] == 0,
        "5xx only as 503": set(result["server_error_codes"]) <= {503},
    }
    return result


def _retry_after(url: str) -> str | None:
    try:
        urllib.request.urlopen(url, timeout=5)
    except urllib.error.HTTPError as exc:
        return exc.headers.get("Retry-After")
    except OSError:
        return None
    return None


def _served_after(result: dict[str, object], second: float) -> bool:
    timeline = result["timeline"]
    return any(int(s[:-1]) > second and counts.get("ok", 0) > 0
               for s, counts in timeline.items())  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    args.duration = min(max(args.duration, 6.0), 300.0)  # bounded
    data = args.data or default_data()
    mix = build_mix(resource_paths(data), random.Random(1))
    failed = False
    for name in args.scenarios or SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            site = copy_site(data, Path(tmp) / "site")
            if name == "store-outage":
                result = scenario_store(site, mix, args, Path(tmp))
            else:
                server = Server(site, workers=args.workers, settings={}, args=[],
                                log=Path(tmp) / "serve.log")
                try:
                    result = (scenario_kill(server, mix, args) if name == "kill-worker" else
                              scenario_reload(server, site, mix, args,
                                              valid=name == "reload-valid"))
                finally:
                    server.close()
        print(f"== {name}")
        for key, value in result.items():
            if key not in {"timeline", "verdict"}:
                print(f"  {key:20} {value}")
        for check, ok in result.get("verdict", {}).items():  # type: ignore[union-attr]
            failed |= not ok
            print(f"  {'PASS' if ok else 'FAIL'}  {check}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
