"""The one place for external processes in tests (and bench/): a free loopback port, waiting until
a server answers, and stopping a process for sure."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (chosen by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _poll(condition: Callable[[], bool], timeout: float, interval: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def wait_until(condition: Callable[[], bool], timeout: float,
               message: Callable[[], str] = lambda: "timed out", interval: float = 0.1) -> None:
    """Return as soon as ``condition()`` holds; fail the test with ``message()`` after ``timeout``."""
    if not _poll(condition, timeout, interval):
        raise AssertionError(message())


def answers(url: str, timeout: float = 2) -> bool:
    """Whether ``url`` answers with a success now (a refused connection or an error status: no)."""
    try:
        urllib.request.urlopen(url, timeout=timeout).close()
        return True
    except OSError:
        return False


def wait_for_http(url: str, timeout: float, *, process: subprocess.Popen[bytes] | None = None,
                  name: str = "server") -> None:
    """Wait until ``url`` answers with a success; raise at once if ``process`` exits (with the
    tail of its stderr) and after ``timeout`` seconds."""

    def answers() -> bool:
        if process is not None and process.poll() is not None:
            detail = process.stderr.read().decode(errors="replace")[-800:] if process.stderr else ""
            raise RuntimeError(f"{name} exited: {detail}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return True
        except OSError:
            return False

    if not _poll(answers, timeout, 0.05):
        raise RuntimeError(f"{name} did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:  # type: ignore[type-arg]
    """SIGTERM (a graceful stop of a master and its workers), then SIGKILL after ``timeout``."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running(argv: Sequence[str], ready_url: str, *, timeout: float,
            name: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` (stderr kept for the error message), wait until ``ready_url`` answers,
    yield the process; stop it afterwards whatever happened."""
    process = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_http(ready_url, timeout, process=process, name=name)
        yield process
    finally:
        stop(process)
