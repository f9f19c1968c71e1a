"""A reload that fails for a reason other than the data keeps the server whole.

Before, only a syntax error or a SHACL violation was caught by the reload hook. Anything else
raised while loading (here: the remote store gone during a SIGHUP; also a data file named with a
space, or a shape pyshacl could not apply) left granian's serve loop in the master with a
traceback: the master supervised no worker, reloaded no more and ignored SIGTERM, so `regiold
serve` could be stopped only with SIGKILL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ops_live import serving
from oxigraph_server import loaded_stoppable_store
from processes import wait_until

pytestmark = [pytest.mark.live, pytest.mark.remote]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and \
        Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_reload_while_the_store_is_gone_keeps_serving_and_stops_on_sigterm(
        mini_site: Path, tmp_path: Path) -> None:
    with loaded_stoppable_store(mini_site, tmp_path) as store, \
            serving(mini_site, settings={"store": store.endpoint}) as server:
        store.stop()  # the store goes away
        orgs = mini_site / "data" / "orgs.ttl"
        orgs.write_text(orgs.read_text().replace("Regionalmanagement Alpha", "Alpha Neu"))
        server.hup()  # this reload cannot read the store
        wait_until(lambda: "still serving" in server.output() or "Traceback" in
                   server.output(), 60, server.output)
        assert "Traceback" not in server.output()
        assert "reload refused, still serving" in server.output()
        store.start()  # back: the old version is served
        wait_until(lambda: server.ready().get("status") == "ready", 30, server.output)
        ready = server.ready()
        assert ready["reload"]["state"] == "failed"
        assert ready["version"] != ready["reload"]["attempted"]
        workers = server.workers()
        server.proc.terminate()
        server.proc.wait(timeout=60)  # before: the master ignored SIGTERM
        wait_until(lambda: not any(_alive(pid) for pid in workers), 30,
                   lambda: f"workers left running: {workers}")
