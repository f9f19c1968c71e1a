"""CPU per first rendering against the page's size (issue 12, the crawl's tail): every resource
of a site rendered once per format in one process (``dataset.representation``, empty memo), its
CPU time set against its triples (the lines of its N-Triples). Prints, per format, the median
page, a least-squares line ``fixed + per triple``, and the costliest pages with their cost per
triple, so a large page's cost can be told apart into its size and its cost per triple.

    python bench/page_costs.py SITE [--formats ttl,nt,jsonld,html] [--top 8]

CPU time of the process (``time.process_time``): the machine's load disturbs it little. The
collector is set as in a serving worker (serve/warm.py: the loaded data frozen, rare full
collections); a page fault or a young collection still lands on whichever page runs then.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from first_cpu import _settings  # noqa: E402


def costs(site: Path, formats: list[str], top: int) -> None:
    from regiold.errors import NotFound
    from regiold.export.build import resource_paths
    from regiold.publish import dataset
    from regiold.publish.dataset import CATALOG, DATASET
    from regiold.publish.site_loader import load_site
    from regiold.rdf.formats import RESOURCE, by_key
    from regiold.serve.warm import GC_THRESHOLDS

    loaded = load_site(_settings(site))
    gc.set_threshold(*GC_THRESHOLDS)  # as in a worker: else full collections (walking the loaded
    gc.freeze()  # data) land on single pages, 20-50 ms each
    # the dataset and the catalog are the VoID document, written when `regiold serve` starts
    paths = [p for p in resource_paths(loaded)[0] if p not in (DATASET, CATALOG)]
    size: dict[str, int] = {}
    for path in paths:
        with contextlib.suppress(NotFound):
            nt = dataset.representation(loaded, loaded.base_iri + path, by_key("nt", RESOURCE), "de")
            size[path] = nt.body.count(b"\n")
    for key in formats:
        fmt = by_key(key, RESOURCE)
        rows: list[tuple[int, float, str]] = []
        for run in range(2):  # the first run warms the process; the second is measured
            loaded.cache.clear()
            for path, triples in size.items():
                started = time.process_time()
                dataset.representation(loaded, loaded.base_iri + path, fmt, "de")
                if run:
                    rows.append((triples, (time.process_time() - started) * 1000, path))
        slope, fixed = statistics.linear_regression([r[0] for r in rows], [r[1] for r in rows])
        print(f"{key}: {len(rows)} pages; median {statistics.median(r[1] for r in rows):.3f} ms at "
              f"{statistics.median(r[0] for r in rows):.0f} triples, "
              f"{statistics.median(r[1] / r[0] * 1000 for r in rows if r[0]):.1f} us per triple; "
              f"fit {fixed:.3f} ms + {slope * 1000:.2f} us per triple")
        for triples, ms, path in sorted(rows, key=lambda r: -r[1])[:top]:
            per = ms / max(triples, 1) * 1000
            print(f"  {ms:7.2f} ms  {triples:5} triples  {per:6.2f} us/triple  {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--formats", default="ttl,nt,jsonld,html")
    parser.add_argument("--top", type=int, default=8)
    options = parser.parse_args()
    costs(options.site, options.formats.split(","), options.top)
