"""A remote SPARQL store (a real Oxigraph server on 127.0.0.1) gives every resource the same
description, and so the same pages, as the embedded store: describe.py speaks plain SPARQL 1.1."""

from __future__ import annotations

import pytest

from pages_support import BASE, PAGES_SITE, same_graph, to_rdflib
from regiold.ingest import sources
from regiold.publish import describe
from regiold.publish.view import build_view
from regiold.store import EmbeddedStore, RemoteStore

pytestmark = pytest.mark.remote


def test_remote_and_embedded_stores_describe_alike(oxigraph_url: str) -> None:
    parsed = sources.parse_site(PAGES_SITE, base_iri=BASE)
    embedded = EmbeddedStore.from_sources(parsed)
    remote = RemoteStore(f"{oxigraph_url}/query", base_iri=BASE)
    remote.replace_data(parsed.published_quads(), version=parsed.version)
    subjects = sorted({q.subject.value for q in parsed.published_quads() if q.subject.value.startswith(BASE)})
    assert len(subjects) > 15
    for iri in subjects:
        here = describe.describe(embedded, iri, page_size=2)
        there = describe.describe(remote, iri, page_size=2)
        assert same_graph(to_rdflib(here.triples), to_rdflib(there.triples)), iri
        assert (here.pages, here.incoming_total) == (there.pages, there.incoming_total), iri
        assert build_view(here, base_iri=BASE, lang="de") == build_view(there, base_iri=BASE, lang="de"), iri
