"""``load_site``: files → parse → validate → store, the read path's start, in one function.

Also works out, while the parse is at hand, what the person-data policy withholds.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging

import pyoxigraph as ox

from regiold import validate
from regiold.errors import ConfigError, InvalidData
from regiold.ingest import privacy
from regiold.ingest import sources as sources_mod
from regiold.ingest.sources import Sources
from regiold.publish import dataset
from regiold.publish.remote_load import PERSON_NOTE, person_scope
from regiold.publish.site import WITHHELD_KEY, Site
from regiold.settings import Settings
from regiold.store import META_GRAPH, EmbeddedStore, RemoteStore, Store, open_store
from regiold.store.snapshot import open_snapshot

log = logging.getLogger("regiold.site")


def load_site(settings: Settings) -> Site:
    """Parse, validate and store the data of ``settings.site_dir``.

    :raises SourceError: a file cannot be parsed (names file:line:col).
    :raises InvalidData: SHACL violations, unless ``settings.allow_invalid``.
    """
    for rel in sources_mod.unread_files(settings.site_dir):
        log.warning("%s", sources_mod.unread_message(rel))
    sources = sources_mod.parse_site(settings.site_dir, base_iri=settings.base_iri)
    report = validate.run(sources, cache_dir=settings.cache_dir,
                          workers=settings.validate_workers)
    if report.fails() and not settings.allow_invalid:
        raise InvalidData(report)
    store = open_store(sources, settings)
    if isinstance(store, RemoteStore):
        _check_loaded(store, sources.version, person_scope(settings))
    snapshot = settings.store == "embedded" and settings.embedded_store == "disk"
    # A remote store holds the description `regiold load` generated in its default graph: the
    # stated part is read from the files, as the load did (the store's copy would add it twice).
    stated = store if settings.store == "embedded" else _files_store(sources, settings)
    described = dataset.publish(settings, sources, stated, cache_dir=settings.cache_dir,
                                write_store=settings.store == "embedded" and not snapshot)
    # Worked out while the parse is at hand: answering 451 later must not parse the files again
    # (they may have changed on disk since; the served version stays what was loaded).
    withheld = withheld_iris(settings, sources)
    sparql_store: Store | None = None
    if snapshot:
        memory = store
        try:
            store = _snapshot(settings, sources, described.void_graph)
        except OSError as exc:  # e.g. an unwritable cache folder: serve from memory instead
            log.warning("no store snapshot in %s (%s); serving the data from memory",
                        settings.cache_dir, exc)
            memory.add_graph(settings.base_iri + dataset.VOID_GRAPH, described.void_graph)
        else:
            if settings.sparql_in_memory:  # pages read the snapshot, SPARQL scans memory
                memory.add_graph(settings.base_iri + dataset.VOID_GRAPH, described.void_graph)
                memory.share_naming_table(store.naming_table())  # the same quads, one table
                sparql_store = memory
            if sparql_store is None or memory.db is not sources.dataset:
                sources.release()  # no copy of its own left (kept, it would be the SPARQL copy)
            _return_freed_memory()
    site = Site(settings, sources, report, store, sparql_store=sparql_store)
    site.cache[WITHHELD_KEY] = withheld
    dataset.remember(site, described)
    return site


def _files_store(sources: Sources, settings: Settings) -> Store:
    """The files' published data as a store, for a serving process whose data live in a remote
    store. Without person data it is a copy made for the moment: ``published_store`` would keep
    it for the life of the process."""
    if settings.publish_persons:
        return open_store(sources, include_persons=True)  # the parsed store itself, no copy
    return EmbeddedStore(sources.published_quads(include_persons=False), base_iri=sources.base_iri)


def _check_loaded(store: RemoteStore, version: str, persons: str) -> None:
    """Warn when the remote store does not hold what ``regiold load`` made of these files: every
    page would answer 404 (nothing loaded) or show other data than the files (and the ETags).

    :raises ConfigError: the store holds person data and ``publish_persons`` is off here (it
        was off for the web server only): the pages and /sparql would publish them.
    """
    notes = store.load_notes()
    loaded, held = notes.get("dataVersion"), notes.get(PERSON_NOTE)
    if held == "all" and persons == "open":
        raise ConfigError(f"the SPARQL store {store.query_url} holds person data (loaded with "
                          "publish_persons true) and publish_persons is false here: refusing to "
                          "publish them. Load as you serve: regiold -s publish_persons false load")
    if loaded != version:
        told = (f"holds no data from `regiold load` (nothing in <{META_GRAPH}>)" if loaded is None
                else f"holds data version {loaded} (from `regiold load`), the files are version {version}")
        log.warning("the SPARQL store %s %s: run `regiold load` with the same settings, then reload "
                    "(docs/STORES.md)", store.query_url, told)
    elif held != persons:
        log.warning("the SPARQL store %s was loaded with person data %s, publish_persons is %s "
                    "here: run `regiold load` with the same settings (docs/STORES.md)",
                    store.query_url, "left out" if held == "open" else "unrecorded",
                    "true" if persons == "all" else "false")


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
    scope = "all" if settings.publish_persons else "open"
    graph = ox.NamedNode(settings.base_iri + dataset.VOID_GRAPH)
    # The dataset description depends on settings as well as on the data (publisher, dumps,
    # the SPARQL endpoint): a snapshot holding another one's would serve stale pages for it.
    described = hashlib.sha256("\n".join(sorted(map(str, void))).encode()).hexdigest()[:12]
    return open_snapshot(settings.cache_dir / "store" / f"{sources.version}-{described}-{scope}",
                         base_iri=settings.base_iri,
                         published=sources.published_store(include_persons=settings.publish_persons),
                         extra=[ox.Quad(t.subject, t.predicate, t.object, graph) for t in void])


