"""What the memo's entries hold against what ``site.MemoCache`` weighs them (issue 12, "Memos
bounded in bytes"): a random sample of a site's resources, each described and rendered once per
format in one process and kept, as a worker's memo keeps them; the process's resident memory
before and after (``malloc_trim`` first, so freed memory is not counted) against the sum of the
entries' ``nbytes``; each format in a fresh process. A ratio below 1 means the memo weighs more
than it holds (its bound is then conservative); above 1, that it holds more than ``cache_mb`` says.

    python bench/memo_weights.py SITE [--sample 1300] [--formats nt,ttl,jsonld,html]

Run it with ``PYTHONPATH`` set to another tree's ``src`` for a baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from first_cpu import _sample, _settings  # noqa: E402

_LIBC = ctypes.CDLL("libc.so.6")


def _resident() -> int:
    gc.collect()
    _LIBC.malloc_trim(0)
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def weights(site_dir: Path, formats: list[str], size: int) -> dict[str, dict[str, float]]:
    from regiold.errors import NotFound
    from regiold.publish import dataset, render
    from regiold.publish.site_loader import load_site
    from regiold.rdf.formats import RESOURCE, by_key

    site = load_site(_settings(site_dir))
    iris = [site.base_iri + path for path in _sample(site, size)]
    for iri in iris[:20]:  # imports, templates, tables
        for key in formats:
            with contextlib.suppress(NotFound):
                dataset.representation(site, iri, by_key(key, RESOURCE), "de")
    result: dict[str, dict[str, float]] = {}
    for key in formats:
        fmt = by_key(key, RESOURCE)
        site.cache.clear()
        before = _resident()
        kept = []
        for iri in iris[20:]:
            with contextlib.suppress(NotFound):
                kept.append((render.description(site, iri), dataset.representation(site, iri, fmt, "de")))
        site.cache.clear()  # only ``kept`` holds them now
        held = _resident() - before
        weighed = sum(found.nbytes + rep.nbytes for found, rep in kept)
        result[key] = {"held_bytes_per_resource": round(held / len(kept)),
                       "weighed_bytes_per_resource": round(weighed / len(kept)),
                       "held_per_weighed": round(held / weighed, 2),
                       "triples_per_resource": round(sum(len(f.triples) for f, _ in kept) / len(kept))}
        del kept
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=1300)
    parser.add_argument("--formats", default="nt,ttl,jsonld,html")
    options = parser.parse_args()
    keys = options.formats.split(",")
    if len(keys) == 1:
        found = weights(options.site, keys, options.sample)
    else:  # each format in a fresh process: what one format freed would serve the next
        found = {}
        for key in keys:
            out = subprocess.run([sys.executable, __file__, str(options.site), "--formats", key,
                                  "--sample", str(options.sample)], capture_output=True, check=True)
            found.update(json.loads(out.stdout))
    for key, row in found.items():
        print(f"{key}: holds {row['held_bytes_per_resource']} B a resource, weighed "
              f"{row['weighed_bytes_per_resource']} B: {row['held_per_weighed']}", file=sys.stderr)
    print(json.dumps(found))
