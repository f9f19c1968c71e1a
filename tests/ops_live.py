"""A real `regiold serve` (gunicorn, preload + fork) on 127.0.0.1 for the ops tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from processes import answers, free_port, stop, wait_until


class Server:
    def __init__(self, proc: subprocess.Popen[str], url: str, log: Path) -> None:
        self.proc, self.url, self.log = proc, url, log

    def workers(self) -> set[int]:
        """Worker pids: the gunicorn master's children."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def hup(self) -> None:
        self.proc.send_signal(signal.SIGHUP)

    def ready(self) -> dict[str, object]:
        # a fresh connection each time, so requests spread over the workers; no retry: a reload
        # must answer every connection (test_requests_during_reloads_never_fail)
        return requests.get(f"{self.url}/ready", timeout=5, headers={"Connection": "close"}).json()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def command(site: Path, *args: str, settings: dict[str, str] | None = None,
            workers: int = 2) -> tuple[dict[str, str], list[str]]:
    """Environment and argv of `regiold serve` (REGIOLD_* settings, no developer variables)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(site.parent)}
    if os.environ.get("PYTHONPATH"):  # a worktree or a mutated copy (tests/mutate.py): its code
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update({f"REGIOLD_{k.upper()}": v for k, v in (settings or {}).items()})
    return env, [sys.executable, "-m", "regiold", "serve", "--data", str(site),
                 "--workers", str(workers), *args]


@contextmanager
def serving(site: Path, *args: str, settings: dict[str, str] | None = None,
            workers: int = 2, boot_timeout: float = 30) -> Iterator[Server]:
    port = free_port()
    env, argv = command(site, "--port", str(port), *args, settings=settings, workers=workers)
    log = site.parent / f"serve-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=site.parent)  # the default cache_dir lands beside the site
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    try:
        wait_until(lambda: answers(f"{server.url}/health") and len(server.workers()) == workers,
                   boot_timeout, lambda: f"server did not start:\n{server.output()}")
        yield server
    finally:
        stop(proc, timeout=15)


