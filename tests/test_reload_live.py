"""Reload with a real `regiold serve` (gunicorn master + 2 forked workers) on 127.0.0.1.

SIGHUP and `--watch` reload in the master, to the side; every worker switches to a valid new
version and none ever sees an invalid one. A worker killed with SIGKILL is replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from ops_live import Server, serving
from processes import wait_until

pytestmark = pytest.mark.live

ORGS = Path("data") / "orgs.ttl"


@pytest.fixture(params=["gunicorn", "granian"])
def serve(request: pytest.FixtureRequest):
    """`serving` under each server of the setting ``server``: both must behave the same."""

    def start(site: Path, *args: str, settings: dict[str, str] | None = None):
        return serving(site, *args, settings={"server": request.param, **(settings or {})})

    return start


def versions_seen(server, n: int = 24) -> set[str]:
    return {server.ready()["version"] for _ in range(n)}


def rename_beta(site: Path, name: str) -> None:
    orgs = site / ORGS
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', f'"{name}"@de'))


def wait_for_new_version(server: Server, old: str) -> str:
    """Until every worker serves one version other than ``old`` (bounded: 20 s); that version.
    One look decides: a retiring worker may still answer a moment after a look saw none."""
    seen: set[str] = set()

    def settled() -> bool:
        seen.clear()
        seen.update(versions_seen(server))
        return len(seen) == 1 and old not in seen

    wait_until(settled, 20, server.output)
    (new,) = seen
    return new


def wait_for_refused_reload(server: Server) -> None:
    """Until every worker's /ready reports the last reload as failed (bounded: 20 s)."""
    wait_until(lambda: all(server.ready().get("reload", {}).get("state") == "failed"
                           for _ in range(8)), 20, server.output)


def test_sighup_with_valid_data_switches_every_worker(mini_site: Path, serve):
    with serve(mini_site) as server:
        old_version, old_workers = server.ready()["version"], server.workers()
        old_etag = requests.get(f"{server.url}/org/alpha.ttl", timeout=10).headers["ETag"]
        assert old_version in old_etag
        rename_beta(mini_site, "Beta-Kreis Neu")
        server.hup()
        wait_until(lambda: not (server.workers() & old_workers) and len(server.workers()) == 2,
                   20, server.output)
        seen = versions_seen(server)
        assert len(seen) == 1 and old_version not in seen
        state = server.ready()["reload"]
        assert state["state"] == "reloaded" and state["version"] in seen
        (new_version,) = seen
        page = requests.get(f"{server.url}/org/alpha.ttl", timeout=10)
        assert page.status_code == 200 and new_version in page.headers["ETag"]
        assert requests.get(f"{server.url}/org/alpha.ttl", timeout=10,  # old ETags are stale
                            headers={"If-None-Match": old_etag}).status_code == 200
        void = requests.get(f"{server.url}/.well-known/void", headers={"Accept": "text/turtle"},
                            timeout=10)
        assert void.status_code == 200  # the version reaches VoID and its ETag too
        assert new_version in void.text and old_version not in void.text
        assert new_version in void.headers["ETag"]


def test_sighup_with_shacl_violation_keeps_old_version_and_logs_report(mini_site: Path, serve):
    with serve(mini_site) as server:
        old_version = server.ready()["version"]
        orgs = mini_site / ORGS
        orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
        server.hup()
        wait_for_refused_reload(server)
        assert versions_seen(server) == {old_version}
        log = server.output()
        assert "reload refused" in log
        assert "<https://w3id.org/regionen-nrw/org/beta>" in log  # the focus node
        assert "An organisation needs a German name." in log


def test_watch_reloads_on_change_and_refuses_syntax_errors(mini_site: Path, serve):
    with serve(mini_site, "--watch", settings={"watch_interval": "0.2"}) as server:
        first = server.ready()["version"]
        rename_beta(mini_site, "Beta-Kreis Beobachtet")
        second = wait_for_new_version(server, first)
        (mini_site / ORGS).write_text((mini_site / ORGS).read_text() + "\n<org/x> garbage <<\n")
        wait_for_refused_reload(server)
        assert versions_seen(server) == {second}
        assert "data/orgs.ttl:" in server.ready()["reload"]["error"]  # file:line:col


def test_killed_worker_is_replaced_while_the_other_serves(mini_site: Path, serve):
    with serve(mini_site) as server:
        for _ in range(10):  # start the workers' SPARQL helper processes (sparql.py forks them)
            requests.get(f"{server.url}/sparql?query=ASK%7B%7D", timeout=10,
                         headers={"Connection": "close"})
        workers = server.workers()
        victim = max(workers, key=lambda pid: (len(children_of(pid)), -pid))
        helpers = children_of(victim)  # they must not outlive their worker
        os.kill(victim, signal.SIGKILL)
        for _ in range(20):  # the survivor answers at once, on fresh connections
            assert requests.get(f"{server.url}/health", timeout=5,
                                headers={"Connection": "close"}).status_code == 200
        wait_until(lambda: len(server.workers()) == 2 and victim not in server.workers(), 20,
                   server.output)
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)
                                   for pid in helpers), 10,
                   lambda: f"helpers of the killed worker survive: {helpers}")


def children_of(pid: int) -> set[int]:
    """Children forked by any thread of ``pid`` (a request thread forks the SPARQL helpers)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def tree_state(site: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(site)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for kind in ("data", "ontology", "shapes") for p in sorted((site / kind).rglob("*"))
            if p.is_file()}


def test_serving_reloading_and_crashing_never_write_the_data(mini_site: Path, serve):
    before = tree_state(mini_site)
    with serve(mini_site, "--watch", settings={"watch_interval": "0.2"}) as server:
        for path in ("/", "/health", "/ready", "/org/alpha", "/org/alpha.ttl", "/nope",
                     "/../data/orgs.ttl", "/sparql?query=ASK%7B%7D"):
            requests.get(server.url + path, timeout=5)
        server.hup()
        wait_until(lambda: "reload" in server.ready(), 20, server.output)
        os.kill(min(server.workers()), signal.SIGKILL)
        wait_until(lambda: len(server.workers()) == 2, 20, server.output)
        workers = server.workers()
        server.proc.kill()  # the master crashes too: its workers must not live on as orphans
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z"
                                   for pid in workers), 15, server.output)
    assert tree_state(mini_site) == before


def test_sigterm_stops_master_and_workers_gracefully(mini_site: Path, serve):
    with serve(mini_site) as server:
        assert requests.get(f"{server.url}/org/alpha.ttl", timeout=10).status_code == 200
        workers = server.workers()
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=20) == 0
        assert not any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in workers)


def test_serve_refuses_to_start_on_a_syntax_error_naming_the_place(mini_site: Path):
    (mini_site / ORGS).write_text('@prefix schema: <https://schema.org/> .\n'
                                  '<org/x> schema:name "unterminated .\n')
    result = subprocess.run([sys.executable, "-m", "regiold", "serve", "--data", str(mini_site),
                             "--port", "1"], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "data/orgs.ttl:2:" in result.stderr
    assert "serving on" not in result.stdout


def test_granian_workers_retiring_on_reload_close_kept_alive_connections(mini_site: Path):
    with serving(mini_site, settings={"server": "granian"}) as server, requests.Session() as client:
        old_workers = server.workers()
        assert client.get(f"{server.url}/health", timeout=5).status_code == 200  # kept alive
        server.hup()
        closes, deadline = 0, time.monotonic() + 120  # a generous bound on the whole reload
        while server.workers() & old_workers and time.monotonic() < deadline:
            closes += client.get(f"{server.url}/health", timeout=5).headers.get("Connection") == "close"
        assert not server.workers() & old_workers, server.output()  # the reload finished
        assert closes > 0  # kept-alive clients were told to reconnect before the old workers left


def holder(server: Server, client: socket.socket) -> int | None:
    """The worker holding the server side of ``client``'s connection (None while it is still
    queued on the listening socket, unaccepted): from the kernel's TCP table and /proc/PID/fd."""
    port, peer = int(server.url.rsplit(":", 1)[1]), client.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == peer:
            inodes.add(f"socket:[{fields[9]}]")
    for pid in server.workers():
        with contextlib.suppress(OSError):
            if inodes & {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}:
                return pid
    return None


def get_health(client: socket.socket) -> bytes:
    """One request on a raw connection, and its whole answer head (read until the blank line)."""
    client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return answer_head(client)


def answer_head(client: socket.socket) -> bytes:
    """The head of the next answer on a raw connection (read until the blank line)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = client.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def test_granian_retiring_worker_accepts_no_new_connection(mini_site: Path):
    """While an old worker finishes a request after a reload, every new connection goes to a
    fresh worker and is answered, and so is the request in flight. Under granian's own SIGTERM
    the old worker could take a new connection and close it unanswered (docs/OPERATIONS.md)."""
    with serving(mini_site, settings={"server": "granian"}) as server, \
            contextlib.ExitStack() as stack:
        port = int(server.url.rsplit(":", 1)[1])

        def connect() -> tuple[socket.socket, int]:
            client = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=60))
            wait_until(lambda: holder(server, client) is not None, 10, server.output)
            return client, holder(server, client)

        # a query whose body is still to come: a request in flight that keeps its worker busy
        pending, old = connect()
        pending.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n"
                        b"Content-Type: application/sparql-query\r\n"
                        b"Accept: application/sparql-results+json\r\n\r\n")
        probe = None
        for _ in range(60):  # a second connection to the same worker, to see when it retires
            probe, pid = connect()
            if pid == old:
                break
        assert probe is not None and pid == old
        assert get_health(probe).startswith(b"HTTP/1.1 200")
        server.hup()
        wait_until(lambda: b"connection: close" in get_health(probe).lower(), 20, server.output)
        fresh = []
        for _ in range(20):
            client, pid = connect()
            fresh.append(pid)
            assert get_health(client).startswith(b"HTTP/1.1 200")
        assert old in server.workers(), "the old worker left before the check"
        assert old not in fresh  # none of the new connections went to the retiring worker
        pending.sendall(b"ASK {}")
        assert answer_head(pending).startswith(b"HTTP/1.1 200")  # the request in flight


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and _state(pid) != "Z"


def closed_unanswered(client: socket.socket) -> bool:
    """Whether the server closed ``client``'s connection without a byte of answer."""
    client.settimeout(0)
    try:
        return client.recv(1) == b""
    except BlockingIOError:  # still open, nothing sent
        return False
    except ConnectionResetError:
        return True


def test_granian_kills_a_retiring_worker_whose_request_never_ends(mini_site: Path):
    """A client holds a request open on a worker (its body never comes), and SIGHUP retires that
    worker: the reload completes and fresh workers answer while it drains; then, once SIGTERM has
    not stopped it within ``graceful_timeout`` (docs/OPERATIONS.md), the master kills it. Without
    that kill the old worker lives as long as the client holds the request."""
    settings = {"server": "granian", "graceful_timeout": "1",
                "body_read_timeout": "600"}  # no 408 meanwhile: the request stays unanswered
    with serving(mini_site, settings=settings) as server, \
            socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])),
                                     timeout=10) as stuck:
        stuck.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n"
                      b"Content-Type: application/sparql-query\r\n\r\n")
        wait_until(lambda: holder(server, stuck) is not None, 10, server.output)
        old, old_workers = holder(server, stuck), server.workers()
        old_version = server.ready()["version"]
        rename_beta(mini_site, "Beta-Kreis Neu")
        server.hup()
        new_version = wait_for_new_version(server, old_version)  # the reload completed
        served = 0
        deadline = time.monotonic() + 120  # generous: the bound is 15 s of drain + 1 s
        while alive(old) and time.monotonic() < deadline:
            answer = requests.get(f"{server.url}/health", timeout=5, headers={"Connection": "close"})
            served += answer.status_code == 200  # by a fresh worker: the old one accepts none
        assert not alive(old), f"the retiring worker {old} was never killed\n{server.output()}"
        assert served > 0
        # the request dies with its worker, unanswered (its last thread may end a moment later)
        wait_until(lambda: closed_unanswered(stuck), 10, server.output)
        killed = f"worker {old} still running its requests graceful_timeout after SIGTERM: killed"
        wait_until(lambda: killed in server.output(), 10, server.output)  # the master says so
        assert len(server.workers()) == 2 and not server.workers() & old_workers
        assert versions_seen(server) == {new_version}
        assert server.ready()["reload"]["state"] == "reloaded"


def test_requests_during_reloads_never_fail(mini_site: Path, serve):
    """Clients hammer the server while it reloads valid data three times, then invalid data:
    two keep their connections alive, two open a new connection for every request (so some
    land on a worker in the instant it retires). Not one request may fail, under either server."""
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client(server: Server, fresh: bool) -> None:
        headers = {"Connection": "close"} if fresh else {}
        with requests.Session() as session:
            while not stop.is_set():
                for path in ("/org/alpha.ttl", "/health", "/org/alpha", "/nope"):
                    try:
                        response = session.get(server.url + path, timeout=10, headers=headers)
                        if response.status_code >= 500:
                            failures.append(f"{path}: {response.status_code}")
                        answered[0] += 1
                    except requests.RequestException as exc:
                        failures.append(f"{path}: {exc!r}")

    with serve(mini_site) as server:
        version = server.ready()["version"]
        threads = [threading.Thread(target=client, args=(server, fresh))
                   for fresh in (False, False, True, True)]
        for thread in threads:
            thread.start()
        try:
            for n in range(3):
                orgs = mini_site / ORGS
                orgs.write_text(orgs.read_text().replace("Beta-Kreis", f"Beta-Kreis {n}", 1))
                old_workers = server.workers()
                server.hup()
                version = wait_for_new_version(server, version)
                wait_until(lambda old=old_workers: not server.workers() & old, 60, server.output)
            orgs = mini_site / ORGS
            orgs.write_text(orgs.read_text().replace("schema:name", "schema:alternateName"))
            server.hup()
            wait_for_refused_reload(server)
            assert versions_seen(server) == {version}
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
    assert failures == []
    assert answered[0] > 50


def drop_beta_name(site: Path) -> None:
    orgs = site / ORGS
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))


def test_serve_refuses_to_start_on_a_shacl_violation_with_the_report(mini_site: Path):
    """docs/OPERATIONS.md, "Running": exit 1 with the SHACL report, nothing served."""
    drop_beta_name(mini_site)
    env = {"PATH": "/usr/bin:/bin", **({"PYTHONPATH": os.environ["PYTHONPATH"]}
                                       if os.environ.get("PYTHONPATH") else {})}
    result = subprocess.run([sys.executable, "-m", "regiold", "serve", "--data", str(mini_site),
                             "--port", "1"], capture_output=True, text=True, timeout=120,
                            env=env, cwd=mini_site.parent)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "<https://w3id.org/regionen-nrw/org/beta>" in output  # the focus node
    assert "An organisation needs a German name." in output
    assert "serving on" not in output and "Traceback" not in output


def test_serve_allow_invalid_serves_data_that_violates_the_shapes(mini_site: Path):
    """`--allow-invalid` (README.md): the data is served anyway, the start says it violates; a
    reload accepts another violation too, but never a syntax error (docs/OPERATIONS.md)."""
    drop_beta_name(mini_site)
    with serving(mini_site, "--allow-invalid") as server:
        page = requests.get(f"{server.url}/org/beta.ttl", timeout=10)
        assert page.status_code == 200 and "Beta-Kreis" not in page.text
        first = server.ready()["version"]
        orgs = mini_site / ORGS
        orgs.write_text(orgs.read_text() + "\n<org/nameless> a <https://schema.org/Organization> .\n")
        server.hup()
        second = wait_for_new_version(server, first)  # a second violation: reloaded all the same
        assert requests.get(f"{server.url}/org/nameless.ttl", timeout=10).status_code == 200
        orgs.write_text(orgs.read_text() + "\n<org/x> garbage <<\n")
        server.hup()
        wait_for_refused_reload(server)
        assert versions_seen(server) == {second}
    assert "1 violation(s)" in server.output()
