"""CPU per ``POST /sparql`` in one process, no sockets (issue 13, slow bodies): the same small
query (``ASK { ?s ?p ?o }``, answered from the memo after the warm-up) POSTed as
application/sparql-query through the whole WSGI app (Flask's test client), so the figure is the
front's and Flask's own cost, body reading included. CPU time of the process
(``time.process_time``), so the machine's load disturbs it little.

    python bench/post_cpu.py SITE [--requests 3000]

Run it with ``PYTHONPATH`` set to another tree's ``src`` for a baseline, alternating the trees.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

QUERY = b"ASK { ?s ?p ?o }"
HEADERS = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="site folder (copied: nothing is written into it)")
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    from regiold import create_app
    from regiold.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns(".cache", ".bench-cache"))
        app = create_app(Settings.load({"site_dir": str(site), "cache_dir": str(site / ".cache"),
                                        "rate_limit": 0}, environ={}))
        client = app.test_client()
        for _ in range(200):  # warm: the memo holds the answer
            assert client.post("/sparql", data=QUERY, headers=HEADERS).status_code == 200
        start = time.process_time()
        for _ in range(args.requests):
            client.post("/sparql", data=QUERY, headers=HEADERS)
        spent = time.process_time() - start
    print(f"{spent / args.requests * 1e6:.0f} us CPU per POST /sparql ({args.requests} requests)")


if __name__ == "__main__":
    main()
