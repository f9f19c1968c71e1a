"""How a worker's memory grows while it renders distinct resources, in one process: the app under
Flask's test client (one thread, no HTTP server), RSS and the Python heap (tracemalloc) every
1,000 renderings, and the weight the memo holds (``site.MemoCache.bytes``). What RSS gains beyond
the Python heap lives below Python (pyoxigraph/RocksDB, SQLite, the allocator).

    python bench/memo_growth.py SITE [--requests 6000] [--accept text/turtle] [--setting cache_mb=0.01]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crawl  # noqa: E402
from regiold import create_app  # noqa: E402
from regiold.settings import Settings  # noqa: E402


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 1e6


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--accept", default="text/turtle")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    options = parser.parse_args()
    every = crawl.resources(options.site)
    chosen = sorted(random.Random(options.seed).sample(every, min(options.requests, len(every))))
    overrides = dict(pair.split("=", 1) for pair in options.setting)
    app = create_app(Settings.load({"site_dir": options.site, "cache_dir": crawl.bench_cache(options.site),
                                    **overrides}, environ={}))
    client = app.test_client()
    client.get("/" + chosen[0].removeprefix(crawl.BASE), headers={"Accept": options.accept})
    gc.collect()
    start = rss_mb()
    tracemalloc.start()
    for n, iri in enumerate(chosen[1:], 1):
        client.get("/" + iri.removeprefix(crawl.BASE), headers={"Accept": options.accept})
        if n % 1000 == 0:
            gc.collect()
            memo = app.extensions["regiold"].site.cache
            print(f"{n} renderings: RSS +{rss_mb() - start:.1f} MB, Python heap "
                  f"{tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB, memo {memo.bytes / 1e6:.1f} MB",
                  flush=True)
