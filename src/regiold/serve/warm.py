"""Warm the read path once in the master, before the workers fork, and forget what it rendered.

A process's first renderings cost far more than the later ones: modules imported on first use,
regular expressions and lookup tables built lazily (serialize._matcher, the JSON-LD compactor, the
project context), Python's adaptive interpreter specialising the hot functions. Done in each
worker, this lands on the first requests a crawler sends, all at once (16 connections): they were
the slowest of a crawl (docs/performance.md, "The tail"). Done here, in the master, the workers
inherit it with the rest of the loaded data, copy-on-write.

Nothing rendered is kept: the memo entries of the warmed resources and the fast path's table are
dropped, so a crawler's first request for any resource is still a first rendering. Only the RDF
formats are warmed there: an HTML page reads its sources' dates from the RocksDB snapshot, which
the serving master never opens (store/snapshot.py); and the naming table's connection, which the
master opened to read, is closed again before the workers fork. HTML is warmed the same way in
each worker after the fork, before it accepts a request (``warm_worker``).
"""

from __future__ import annotations

import logging
import time

from flask import Flask

from regiold.publish import lookup, render
from regiold.publish.dataset import CATALOG, DATASET
from regiold.publish.site import Site, SiteHolder
from regiold.rdf.formats import HTML, RESOURCE, Format
from regiold.store import EmbeddedStore
from regiold.store.snapshot import SnapshotStore
from regiold.web.fastpath import EXTENSION_KEY, HotResponses

RESOURCES = 4  # resources rendered, each in every RDF format of a resource page
# The collector's thresholds in the workers: Python's (700, 10, 10) but a full collection only
# after a hundred middle ones instead of ten. A full collection walks every object the worker
# keeps (the memo of descriptions and the fast path's table, up to cache_mb each): in a crawl at
# 10^5 each worker ran five of them, of 25-190 ms (at load 17), and each stalled every request
# the worker held. The young collections, which free what a request leaves in cycles (werkzeug's
# URL matcher leaves eight objects), stay as they were.
GC_THRESHOLDS = (700, 10, 100)
log = logging.getLogger("regiold.serve")


def warm(app: Flask) -> float:
    """Request a few resources in every RDF format through the whole WSGI stack, in the master;
    the seconds it took. Never fails: warming is an optimisation, a failure here is left for the
    real request to meet."""
    started = time.perf_counter()
    site = _render(app, [fmt for fmt in RESOURCE if fmt is not HTML])
    if isinstance(site.store, EmbeddedStore):
        site.store.naming_table().close_connection()
    return time.perf_counter() - started


def warm_worker(app: Flask) -> float:
    """The same for HTML, in a worker after the fork and before it accepts a request (the
    servers' worker hook): its first HTML page opens the RocksDB snapshot, which the master must
    not (store/snapshot.py), and compiles the templates, about 60 ms of CPU (100 ms at 10^4 by
    the clock), and every request of the crawl's first burst waited behind it (docs/performance.md,
    "Fourth pass"). The seconds it took; never fails."""
    started = time.perf_counter()
    site = _render(app, [HTML])
    if isinstance(site.store, SnapshotStore):
        try:
            site.store.db  # noqa: B018 - opened now, whether or not those pages cited a source
        except Exception:  # noqa: BLE001 - the first request that needs it meets the error
            log.warning("opening the store snapshot while warming failed", exc_info=True)
    return time.perf_counter() - started


def _render(app: Flask, formats: list[Format]) -> Site:
    """Ask for ``resources`` in ``formats`` through the app, then forget what was rendered."""
    holder: SiteHolder = app.extensions["regiold"]
    site = holder.site
    client = app.test_client()  # through the whole WSGI stack, as served
    try:
        for iri in resources(site):
            for fmt in formats:
                client.get("/" + iri.removeprefix(site.base_iri), headers={"Accept": fmt.media_type})
            render.forget(site, iri)
    except Exception:  # noqa: BLE001 - see warm's docstring
        log.warning("warming the read path failed", exc_info=True)
    fast: HotResponses | None = app.extensions.get(EXTENSION_KEY)
    if fast is not None:
        fast.forget()
    return site


def resources(site: Site) -> list[str]:
    """The resources ``warm`` renders: a few IRIs with pages of their own (not the dataset and the
    catalog, whose RDF is the VoID document, nor hash IRIs)."""
    skip = {DATASET, CATALOG}
    return [iri for iri in lookup.some_resources(site.store, 64)
            if iri.removeprefix(site.base_iri) not in skip and "#" not in iri][:RESOURCES]

