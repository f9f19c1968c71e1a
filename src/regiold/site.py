"""A ``Site`` is one loaded, validated version of the data: settings, sources, store, report.

The web app holds the current Site in a ``SiteHolder`` and swaps it atomically on reload: requests
that started on the old version finish on it, a failed reload keeps the old one online.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from . import sources as sources_mod
from . import validate
from .errors import InvalidData
from .settings import Settings
from .sources import Sources
from .store import Store, open_store


@dataclass
class Site:
    settings: Settings
    sources: Sources
    report: validate.Report
    store: Store
    cache: dict[object, object] = field(default_factory=lambda: MemoCache())  # per-version memo

    def __post_init__(self) -> None:
        if isinstance(self.cache, MemoCache):
            self.cache.limit = self.settings.cache_entries

    @property
    def version(self) -> str:
        return self.sources.version

    @property
    def base_iri(self) -> str:
        return self.settings.base_iri


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
    """
    sources = sources_mod.load(settings.site_dir, base_iri=settings.base_iri)
    report = validate.run(sources, cache_dir=_cache_dir(settings),
                          workers=settings.validate_workers)
    if report.fails() and not settings.allow_invalid:
        raise InvalidData(report)
    store = open_store(sources, settings)
    site = Site(settings, sources, report, store)
    from . import dataset  # imports site.py for its types

    dataset.remember(site, dataset.publish(settings, sources, store, cache_dir=_cache_dir(settings),
                                             write_store=settings.store == "embedded"))
    return site


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
