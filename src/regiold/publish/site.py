"""A ``Site`` is one loaded, validated version of the data: settings, sources, store, report.
``site_loader.load_site`` builds it.

The web app holds the current Site in a ``SiteHolder`` and swaps it atomically on reload: requests
that started on the old version finish on it, a failed reload keeps the old one online.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from regiold import validate
from regiold.ingest.sources import Sources
from regiold.settings import Settings
from regiold.store import Store

DEFAULT_CACHE_BYTES = Settings().cache_bytes  # the cache_mb default, for memos made outside an app


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
            self.cache.budget = Budget(self.settings.cache_entries, self.settings.cache_bytes)

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


class Budget:
    """Which entries a bounded table keeps: at most ``limit`` of them and ``max_bytes`` of their
    weight, the oldest dropped first; an entry heavier than the whole budget is not kept, and
    nothing is dropped for it. Used by ``MemoCache`` and the fast path's table (web/fastpath.py).
    Not thread-safe: its owner holds a lock."""

    def __init__(self, limit: int, max_bytes: int) -> None:
        self.limit, self.max_bytes = limit, max_bytes
        self.bytes = 0  # the summed weight of the kept entries
        self._weights: OrderedDict[object, int] = OrderedDict()  # oldest first

    def admit(self, key: object, weight: int) -> list[object] | None:
        """Count ``key`` in (replacing its old weight): the keys to drop now (``key`` itself only
        when ``limit`` is 0), or None when ``key`` is too heavy to keep at all."""
        if weight > self.max_bytes:
            return None
        self.forget(key)
        self._weights[key] = weight
        self.bytes += weight
        dropped = []
        while self._weights and (len(self._weights) > max(self.limit, 0) or self.bytes > self.max_bytes):
            old, old_weight = self._weights.popitem(last=False)
            self.bytes -= old_weight
            dropped.append(old)
        return dropped

    def forget(self, key: object) -> None:
        self.bytes -= self._weights.pop(key, 0)


class MemoCache(dict):  # type: ignore[type-arg]
    """The per-version memo of a Site. Entries keyed ``("repr", …)`` or ``("describe", …)`` — one
    per resource, format and page — are bounded by a ``Budget``: beyond ``limit`` entries or
    ``max_bytes`` (their ``nbytes``, an estimate of what they hold) the oldest go first, so a crawler
    walking every resource cannot grow a worker without end (docs/performance.md). A crawler asks
    each resource once, so the bound is in bytes: what a large page weighs, not how many pages.
    Other entries (indexes, services, dataset metadata) stay for the life of the version."""

    BOUNDED = frozenset({"repr", "describe"})

    def __init__(self, limit: int = 2000, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        super().__init__()
        self.budget = Budget(limit, max_bytes)
        self._lock = threading.Lock()

    def __setitem__(self, key: object, value: object) -> None:
        with self._lock:
            if isinstance(key, tuple) and key and key[0] in self.BOUNDED:
                dropped = self.budget.admit(key, weight_of(value))
                if dropped is None:
                    return
                for old in dropped:
                    super().pop(old, None)
                if key in dropped:
                    return
            super().__setitem__(key, value)

    def pop(self, key: object, *default: object) -> object:
        with self._lock:
            self.budget.forget(key)
            return super().pop(key, *default)


def weight_of(value: object) -> int:
    """The bytes ``value`` holds, as far as it says (``nbytes``); 1 KB for anything else."""
    return int(getattr(value, "nbytes", 1024))


WITHHELD_KEY = "withheld-iris"  # Site.cache key: IRIs the person-data policy keeps out


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
