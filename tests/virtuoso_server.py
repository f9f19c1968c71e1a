"""Start and stop a real OpenLink Virtuoso 7 (Debian package ``virtuoso-opensource``) on 127.0.0.1
for tests and bench/: a minimal ini in a temp folder (database, temp database and log there), free
ports for SQL and HTTP, ``SPARQL_UPDATE`` granted to the ``SPARQL`` user, stopped afterwards."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import free_port, stop, wait_for_http

PUBLISHED_GRAPH = "https://w3id.org/regionen-nrw/graph/published"  # as docs/STORES.md sets it
_STARTUP_S = 120.0  # about 20 s on an idle machine


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def _ini(folder: Path, sql_port: int, http_port: int) -> str:
    db = folder / "db"
    return f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
MaxClientConnections = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[dict[str, str]]:
    """Run ``virtuoso-t +foreground`` with its files in ``folder``; yield the three store settings
    docs/STORES.md gives for Virtuoso (``store``, ``store_update``, ``store_data``)."""
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("virtuoso-t is missing (Debian package virtuoso-opensource)")
    (folder / "db").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_ini(folder, sql_port, http_port))
    url = f"http://127.0.0.1:{http_port}"
    with (folder / "stdout.log").open("wb") as log:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(f"{url}/sparql?query=ASK%7B%7D", _STARTUP_S, process=process,
                          name="virtuoso")
            subprocess.run(["isql-vt", str(sql_port), "dba", "dba",
                            'exec=GRANT SPARQL_UPDATE TO "SPARQL";'], check=True,
                           capture_output=True, timeout=60)
            yield {"store": f"{url}/sparql?default-graph-uri={PUBLISHED_GRAPH}",
                   "store_update": f"{url}/sparql", "store_data": f"{url}/sparql-graph-crud"}
        finally:
            stop(process, timeout=30)
