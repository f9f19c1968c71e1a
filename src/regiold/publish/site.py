"""A ``Site`` is one loaded, validated version of the data: settings, sources, store, report.

The web app holds the current Site in a ``SiteHolder`` and swaps it atomically on reload: requests
that started on the old version finish on it, a failed reload keeps the old one online.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from regiold import validate
from regiold.errors import ConfigError, InvalidData
from regiold.ingest import privacy
from regiold.ingest import sources as sources_mod
from regiold.ingest.sources import Sources
from regiold.settings import Settings
from regiold.store import Store, open_store

log = logging.getLogger("regiold.site")


@dataclass
class Site:
    settings: Settings
    sources: Sources
    report: validate.Report
    store: Store
    cache: dict[object, object] = field(default_factory=lambda: MemoCache())  # per-version memo
    sparql_store: Store | None = None  # where /sparql evaluates, when not ``store`` (sparql_in_memory)

    def __post_init__(self) -> None:
        if isinstance(self.cache, MemoCache):
            self.cache.limit = self.settings.cache_entries

    @property
    def version(self) -> str:
        return self.sources.version

    @property
    def base_iri(self) -> str:
        return self.settings.base_iri

    @property
    def query_store(self) -> Store:
        """The store SPARQL queries run on."""
        return self.sparql_store or self.store


class MemoCache(dict):  # type: ignore[type-arg]
    """The per-version memo of a Site. Entries keyed ``("repr", …)`` or ``("describe", …)`` — one
    per resource, format and page — are bounded: beyond ``limit`` the oldest go first, so a crawler
    walking every resource cannot grow a worker without end (docs/performance.md). Other entries
    (indexes, services, dataset metadata) stay for the life of the version."""

    BOUNDED = frozenset({"repr", "describe"})

    def __init__(self, limit: int = 2000) -> None:
        super().__init__()
        self.limit = limit
        self._order: deque[object] = deque()
        self._lock = threading.Lock()

    def __setitem__(self, key: object, value: object) -> None:
        with self._lock:
            if isinstance(key, tuple) and key and key[0] in self.BOUNDED and key not in self:
                self._order.append(key)
                while len(self._order) > max(self.limit, 0):
                    super().pop(self._order.popleft(), None)
            super().__setitem__(key, value)


def load_site(settings: Settings) -> Site:
    """Parse, validate and store the data of ``settings.site_dir``.

    :raises SourceError: a file cannot be parsed (names file:line:col).
    :raises InvalidData: SHACL violations, unless ``settings.allow_invalid``.
    :raises ConfigError: an unknown ``embedded_store``.
    """
    sources = sources_mod.load(settings.site_dir, base_iri=settings.base_iri)
    report = validate.run(sources, cache_dir=_cache_dir(settings),
                          workers=settings.validate_workers)
    if report.fails() and not settings.allow_invalid:
        raise InvalidData(report)
    from regiold.publish import dataset  # imports site.py for its types

    store = open_store(sources, settings)
    if settings.embedded_store not in {"disk", "memory"}:
        raise ConfigError(f"setting embedded_store: {settings.embedded_store!r} is not 'disk' or 'memory'")
    snapshot = settings.store == "embedded" and settings.embedded_store == "disk"
    described = dataset.publish(settings, sources, store, cache_dir=_cache_dir(settings),
                                write_store=settings.store == "embedded" and not snapshot)
    # Worked out while the parse is at hand: answering 451 later must not parse the files again
    # (they may have changed on disk since; the served version stays what was loaded).
    withheld = withheld_iris(settings, sources)
    sparql_store: Store | None = None
    if snapshot:
        memory = store
        try:
            store = _snapshot(settings, sources, described.triples)
        except OSError as exc:  # e.g. an unwritable cache folder: serve from memory instead
            log.warning("no store snapshot in %s (%s); serving the data from memory",
                        _cache_dir(settings), exc)
            memory.add_graph(settings.base_iri + dataset.VOID_GRAPH, described.triples)
        else:
            if settings.sparql_in_memory:  # pages read the snapshot, SPARQL scans memory
                memory.add_graph(settings.base_iri + dataset.VOID_GRAPH, described.triples)
                sparql_store = memory
            if sparql_store is None or memory.db is not sources.dataset:
                sources.release()  # no copy of its own left (kept, it would be the SPARQL copy)
            _return_freed_memory()
    site = Site(settings, sources, report, store, sparql_store=sparql_store)
    site.cache[WITHHELD_KEY] = withheld
    dataset.remember(site, described)
    return site


WITHHELD_KEY = "withheld-iris"


def withheld_iris(settings: Settings, sources: Sources) -> frozenset[str]:
    """The own IRIs the person-data policy keeps out (none when persons are published)."""
    if settings.publish_persons:
        return frozenset()
    return privacy.withheld_iris(sources.quads, sources.published_quads(include_persons=False),
                                 base_iri=settings.base_iri)


def _return_freed_memory() -> None:
    """Hand the freed heap back to the system (glibc keeps it otherwise): at 10^6 triples the
    released parse left 0.39 GB resident in the master, which every forked worker then shares,
    and 0.06 GB after the trim (docs/performance.md)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def _snapshot(settings: Settings, sources: Sources, void: list[ox.Triple]) -> Store:
    from regiold.publish import dataset
    from regiold.store.snapshot import open_snapshot

    scope = "all" if settings.publish_persons else "open"
    graph = ox.NamedNode(settings.base_iri + dataset.VOID_GRAPH)
    return open_snapshot(_cache_dir(settings) / "store" / f"{sources.version}-{scope}",
                         base_iri=settings.base_iri,
                         published=sources.published_store(include_persons=settings.publish_persons),
                         extra=[ox.Quad(t.subject, t.predicate, t.object, graph) for t in void])


def _cache_dir(settings: Settings) -> Path:
    cache = settings.cache_dir
    return cache if cache.is_absolute() else settings.site_dir / cache


class SiteHolder:
    """The current Site; replaced whole, never mutated."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._lock = threading.Lock()

    @property
    def site(self) -> Site:
        return self._site

    def swap(self, site: Site) -> None:
        with self._lock:
            self._site = site
