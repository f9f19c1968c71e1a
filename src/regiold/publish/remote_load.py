"""``regiold load``: validate the site's data, then push it to a remote SPARQL store atomically.

The store's published graph is replaced in one SPARQL Update request (see
``RemoteStore.replace_data``): readers see the old data or the new, never a mix.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import pyoxigraph as ox

from regiold import validate
from regiold.errors import ConfigError, InvalidData
from regiold.ingest import sources as sources_mod
from regiold.publish import dataset
from regiold.settings import Settings
from regiold.store import EmbeddedStore, RemoteStore

PERSON_NOTE = "personData"  # recorded with the data version: whether person data went in


def person_scope(settings: Settings) -> str:
    """``all`` (person data published) or ``open`` (``publish_persons`` off): what a store holds."""
    return "all" if settings.publish_persons else "open"


@dataclass(frozen=True)
class LoadResult:
    version: str
    triples: int
    seconds: float
    report: validate.Report


def load_remote(settings: Settings) -> LoadResult:
    """Parse and validate ``settings.site_dir``, then replace the data in ``settings.store``.

    :raises ConfigError: ``store`` is not an endpoint URL.
    :raises SourceError: a file cannot be parsed (file:line:col).
    :raises InvalidData: SHACL violations (nothing is sent to the store).
    :raises StoreUnavailable: the store cannot be reached or refuses the data.
    """
    if settings.store == "embedded":
        raise ConfigError("regiold load needs a remote store: --endpoint URL or -s store URL")
    store = RemoteStore.from_settings(settings)
    parsed = sources_mod.parse_site(settings.site_dir, base_iri=settings.base_iri)
    report = validate.run(parsed, cache_dir=settings.cache_dir,
                          workers=settings.validate_workers)
    if report.fails():
        raise InvalidData(report)
    start = time.perf_counter()
    published = EmbeddedStore.from_sources(parsed, include_persons=settings.publish_persons)
    # Described from the local data, before the swap, so that the description goes in with the
    # data: the embedded store's queries see graph/void in their default graph (the union), and
    # the pages of the dataset, its versions and the terms it counts are read from there.
    described = dataset.publish(settings, parsed, published, cache_dir=settings.cache_dir,
                                write_store=False)
    void = [ox.Quad(t.subject, t.predicate, t.object) for t in described.void_graph]
    sent = store.replace_data(
        itertools.chain(parsed.published_quads(include_persons=settings.publish_persons), void),
        version=parsed.version, notes={PERSON_NOTE: person_scope(settings)})
    store.add_graph(settings.base_iri + dataset.VOID_GRAPH, described.void_graph)  # also by name
    return LoadResult(parsed.version, sent, time.perf_counter() - start, report)
