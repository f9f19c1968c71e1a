"""Helpers for the benchmarks: processes on loopback, wrk, memory. Every process started here is
stopped by its own id (its process group, which it leads) when its ``with`` block ends."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BASE = "https://w3id.org/regionen-nrw/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, *, timeout: float = 600.0, process: subprocess.Popen | None = None) -> float:
    """Poll ``url`` until it answers 2xx; return the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 300:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def running(args: Sequence[str], *, ready_url: str | None = None, env: dict[str, str] | None = None,
            log: Path | None = None, timeout: float = 900.0) -> Iterator[tuple[subprocess.Popen, float]]:
    """Start a server in its own process group; yield (process, seconds until ready); stop it."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    start = time.monotonic()
    process = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        waited = wait_http(ready_url, timeout=timeout, process=process) if ready_url else 0.0
        yield process, time.monotonic() - start if ready_url else waited
    finally:
        _stop(process)
        if log:
            out.close()  # type: ignore[union-attr]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the group this process leads: it and its workers
        process.wait(timeout=20)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---------------------------------------------------------------------------------------- memory

def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def memory_mb(root: int) -> dict[str, float]:
    """RSS and PSS (shared pages divided among sharers) of a process and its descendants, in MB."""
    rss = pss = 0
    per = []
    for pid in tree_pids(root):
        try:
            fields = dict(line.split(":", 1) for line in
                          Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
        except OSError:
            continue
        r, p = int(fields["Rss"].split()[0]), int(fields["Pss"].split()[0])
        rss, pss = rss + r, pss + p
        per.append(round(r / 1024, 1))
    return {"rss_total": round(rss / 1024, 1), "pss_total": round(pss / 1024, 1),
            "rss_per_process": per, "processes": len(per)}


# ------------------------------------------------------------------------------------------ wrk

@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int  # socket errors + non-2xx/3xx
    bytes_per_request: float

    def row(self) -> dict[str, object]:
        return asdict(self)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def wrk(url: str, *, duration: float, connections: int = 16, threads: int = 2,
        headers: dict[str, str] | None = None, script: Path | None = None) -> WrkResult:
    """Run wrk against a loopback URL for a bounded time and parse its latency report."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks run on loopback only")
    args = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
            "--timeout", "10s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60,
                         check=True).stdout
    number = r"([\d.]+(?:us|ms|s))"
    latency = re.search(rf"Latency\s+{number}\s+{number}\s+{number}", out)
    p50 = re.search(rf"50%\s+{number}", out)
    p99 = re.search(rf"99%\s+{number}", out)
    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not (latency and p50 and p99 and total and rps):
        raise RuntimeError(f"unreadable wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(total[1])
    size = float(total[2]) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}.get(total[3], 1)
    return WrkResult(rps=float(rps[1]), p50_ms=_ms(p50[1]), p99_ms=_ms(p99[1]),
                     max_ms=_ms(latency[3]), requests=requests,
                     errors=errors + (int(non2xx[1]) if non2xx else 0),
                     bytes_per_request=round(size / max(1, requests)))


def save(results: dict[str, object], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def versions() -> dict[str, str]:
    import flask
    import gunicorn
    import pyoxigraph
    import pyshacl
    import rdflib

    def tool(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "missing"

    return {"python": sys.version.split()[0], "pyoxigraph": pyoxigraph.__version__,
            "rdflib": rdflib.__version__, "pyshacl": pyshacl.__version__,
            "flask": flask.__version__, "gunicorn": gunicorn.__version__,
            "oxigraph": tool([str(BIN / "oxigraph"), "--version"]), "wrk": tool(["wrk", "-v"]),
            "nginx": tool(["nginx", "-v"])}


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem,
            "kernel": os.uname().release}
