"""CPU per first rendering in one process, no sockets (issue 12): a random sample of a site's
resources, each rendered once per format with an empty memo, by ``dataset.representation``
("render") and by a GET through the whole WSGI app ("wsgi", Flask's test client) with the first
renderings answered without Flask (``hot_responses`` 2000, the default) and with Flask only (0).
CPU time of the process (``time.process_time``), so the machine's load disturbs it little.

    python bench/first_cpu.py SITE [--sample 300] [--formats ttl,jsonld,html]

Run it with ``PYTHONPATH`` set to another tree's ``src`` for a baseline ("wsgi" needs web/first.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
from pathlib import Path

ACCEPT = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
          "html": "text/html"}


def _settings(site: Path, **overrides: object):  # noqa: ANN202
    from regiold.settings import Settings

    return Settings.load({"cache_dir": str(site / ".bench-cache"), "site_dir": str(site), **overrides},
                         environ={})


def _sample(site_obj, size: int) -> list[str]:  # noqa: ANN001
    from regiold.export.build import resource_paths
    from regiold.publish.dataset import CATALOG, DATASET

    # the dataset and the catalog are the VoID document, written when `regiold serve` starts
    paths = [p for p in resource_paths(site_obj)[0] if p not in (DATASET, CATALOG)]
    return random.Random(1).sample(paths, min(size + 20, len(paths)))


def render_cpu(site: Path, fmt_key: str, size: int) -> float:
    from regiold.errors import NotFound
    from regiold.publish import dataset
    from regiold.publish.site_loader import load_site
    from regiold.rdf.formats import RESOURCE, by_key

    loaded = load_site(_settings(site))
    fmt, sample = by_key(fmt_key, RESOURCE), _sample(loaded, size)
    for path in sample[:20]:  # imports, templates, table connections
        dataset.representation(loaded, loaded.base_iri + path, fmt, "de")
    loaded.cache.clear()
    started = time.process_time()
    for path in sample[20:]:
        with contextlib.suppress(NotFound):
            dataset.representation(loaded, loaded.base_iri + path, fmt, "de")
    return (time.process_time() - started) * 1000 / len(sample[20:])


def wsgi_cpu(site: Path, fmt_key: str, size: int, hot: int) -> float:
    from regiold import create_app

    app = create_app(_settings(site, hot_responses=hot))
    sample, client = _sample(app.extensions["regiold"].site, size), app.test_client()
    for path in sample[:20]:
        client.get("/" + path, headers={"Accept": ACCEPT[fmt_key]})
    started = time.process_time()
    for path in sample[20:]:
        client.get("/" + path, headers={"Accept": ACCEPT[fmt_key]})
    return (time.process_time() - started) * 1000 / len(sample[20:])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--formats", default=",".join(ACCEPT))
    options = parser.parse_args()
    result: dict[str, float] = {}
    for key in options.formats.split(","):
        result[f"render-{key}"] = round(render_cpu(options.site, key, options.sample), 2)
        for hot in (2000, 0):
            result[f"wsgi-{key}-hot{hot}"] = round(wsgi_cpu(options.site, key, options.sample, hot), 2)
    print("\n".join(f"{name}: {ms} ms CPU per first rendering" for name, ms in result.items()),
          file=sys.stderr)
    print(json.dumps(result))
