"""The lean read path (publish/lookup.py: pattern lookups, the naming table and documents) gives the very
description the SPARQL path (publish/describe.py, which remote stores use) gives, on every resource
of the test sites and every page of paged incoming links, from the in-memory store and from the
RocksDB snapshot alike."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from regiold.ingest import sources
from regiold.publish import describe, lookup
from regiold.rdf.formats import NQUADS, RDFXML, TRIG, TURTLE
from regiold.rdf.serialize import prefixes_of, serialize
from regiold.store import EmbeddedStore
from regiold.store.naming import FILE_NAME
from regiold.store.snapshot import open_snapshot

BASE = "https://w3id.org/regionen-nrw/"
FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parents[1]


def _sites() -> list[Path]:
    found = [FIXTURES / "site", FIXTURES / "pages-site"]
    return [*found, REPO] if (REPO / "data" / "partners").is_dir() else found


@pytest.fixture(scope="module", params=_sites(), ids=lambda p: p.name)
def parsed(request: pytest.FixtureRequest) -> sources.Sources:
    return sources.parse_site(request.param, base_iri=BASE)


def _subjects(store: EmbeddedStore) -> list[str]:
    return sorted({q.subject.value for q in store.db.quads_for_pattern(None, None, None, None)
                   if isinstance(q.subject, ox.NamedNode)})


def _objects(store: EmbeddedStore) -> list[str]:
    """IRIs only linked to, inside the base and outside (schema:Organization, web pages)."""
    return sorted({q.object.value for q in store.db.quads_for_pattern(None, None, None, None)
                   if isinstance(q.object, ox.NamedNode)} - set(_subjects(store)))


def _same(got: describe.Description, expected: describe.Description) -> None:
    assert sorted(map(str, got.triples)) == sorted(map(str, expected.triples)), got.iri
    assert len(got.triples) == len(set(got.triples)), got.iri  # no triple twice
    assert (got.dependents, got.page, got.pages, got.incoming_total) == (
        expected.dependents, expected.page, expected.pages, expected.incoming_total), got.iri
    assert {k: sorted(map(str, v)) for k, v in got.term_labels.items()} == \
        {k: sorted(map(str, v)) for k, v in expected.term_labels.items()}, got.iri
    assert got.source_dates == expected.source_dates, got.iri  # the pages' "Stand" dates


def test_every_description_equals_the_sparql_one_in_memory_and_on_the_snapshot(
        parsed: sources.Sources, tmp_path: Path) -> None:
    memory = EmbeddedStore.from_sources(parsed)
    snapshot = open_snapshot(tmp_path / "snapshot", base_iri=BASE,
                             published=parsed.published_store(), extra=[])
    iris = _subjects(memory)
    assert len(iris) >= 5
    for iri in iris + _objects(memory)[:40]:
        expected = describe.describe(memory, iri)
        _same(lookup.describe(memory, iri), expected)
        _same(lookup.describe(snapshot, iri), expected)


def test_the_description_as_text_is_what_pyoxigraph_writes(parsed: sources.Sources,
                                                           tmp_path: Path) -> None:
    """A description is collected as N-Triples lines: its text (served as N-Triples), its sorted
    triples (given to the Turtle writer) and its IRIs (which choose the prefixes) are what
    pyoxigraph's own writer and the triples say, on every resource of the test sites."""
    snapshot = open_snapshot(tmp_path / "snapshot", base_iri=BASE,
                             published=parsed.published_store(), extra=[])
    for iri in _subjects(snapshot):
        found = lookup.describe(snapshot, iri)
        ordered = sorted(found.triples, key=str)
        assert found.stable is not None and list(found.stable.triples) == ordered, iri
        assert found.stable.text == ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES).decode(), iri
        named = {term.value for t in ordered for term in (t.subject, t.predicate, t.object)
                 if isinstance(term, ox.NamedNode)}
        assert found.stable.iris == named, iri


def test_a_writer_fed_from_the_text_writes_what_it_writes_from_the_triples(
        parsed: sources.Sources, tmp_path: Path) -> None:
    """Turtle, RDF/XML, TriG and N-Quads of a description whose triples nobody parsed yet are
    written from pyoxigraph's parser straight into its writer (ntriples.Document.for_writer); the
    bytes equal those written from the sorted triples, on every resource of the test sites."""
    snapshot = open_snapshot(tmp_path / "snapshot", base_iri=BASE,
                             published=parsed.published_store(), extra=[])
    for iri in _subjects(snapshot):
        fresh = lookup.describe(snapshot, iri)
        assert fresh.stable is not None
        streamed = fresh.stable.for_writer()
        assert not isinstance(streamed, list), iri  # no list of triples built for the writer
        ordered = sorted(lookup.describe(snapshot, iri).triples, key=str)
        prefixes = prefixes_of(fresh.stable.iris, BASE)
        for fmt in (TURTLE, RDFXML, TRIG, NQUADS):  # the last two in the resource's graph
            expected = serialize(ordered, fmt, BASE, prefixes=prefixes, graph=iri)
            assert serialize(fresh.stable.for_writer(), fmt, BASE, prefixes=prefixes,
                             graph=iri) == expected, iri
        assert list(fresh.stable.triples) == ordered  # parsed now: the writer gets the list
        assert fresh.stable.for_writer() is fresh.stable.triples, iri


def test_paged_incoming_links_are_the_same_pages() -> None:
    memory = EmbeddedStore.from_sources(sources.parse_site(FIXTURES / "pages-site", base_iri=BASE))
    firsts = [describe.describe(memory, iri, page_size=1) for iri in _subjects(memory)]
    first = max(firsts, key=lambda found: found.pages)
    busiest = first.iri
    assert first.pages >= 2, busiest
    for page in range(1, first.pages + 2):  # one past the last page too: empty, as before
        _same(lookup.describe(memory, busiest, page=page, page_size=1),
              describe.describe(memory, busiest, page=page, page_size=1))


def test_an_unknown_iri_has_an_empty_description(parsed: sources.Sources) -> None:
    memory = EmbeddedStore.from_sources(parsed)
    found = lookup.describe(memory, f"{BASE}org/nobody-at-all")
    assert not found.exists and found.incoming_total == 0
    assert not lookup.describe(memory, f"{BASE}org/\ufffd\ufffd").exists  # /org/%ff%fe: not an IRI


def test_the_snapshot_carries_its_naming_table_and_an_old_snapshot_is_rebuilt(
        parsed: sources.Sources, tmp_path: Path) -> None:
    folder = tmp_path / "snapshot"
    open_snapshot(folder, base_iri=BASE, published=parsed.published_store(), extra=[])
    table = sqlite3.connect(folder / FILE_NAME)
    named = {row[0] for row in table.execute("SELECT iri FROM naming")}
    table.close()
    typed = {q.subject.value for q in parsed.published_store().quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None)
        if isinstance(q.subject, ox.NamedNode)}
    assert typed and typed <= named
    documents = sqlite3.connect(folder / FILE_NAME)
    subjects = {row[0] for row in documents.execute("SELECT node FROM outgoing")}
    documents.close()
    assert {f"<{iri}>" for iri in typed} <= subjects  # every typed IRI has its document
    (folder / FILE_NAME).unlink()  # a snapshot written before the table existed
    again = open_snapshot(folder, base_iri=BASE, published=parsed.published_store(), extra=[])
    assert (folder / FILE_NAME).is_file()
    some = sorted(typed)[0]
    _same(lookup.describe(again, some), describe.describe(EmbeddedStore.from_sources(parsed), some))


def test_blank_nodes_hanging_off_a_resource_are_described_alike() -> None:
    """The site's data has no blank nodes; a store that has some (two levels, off a dependent)
    gets the same description on both paths (the SPARQL path asks for them separately)."""
    turtle = f"""
        @prefix s: <https://schema.org/> .
        <{BASE}org/a> s:name "A" ; s:address <{BASE}org/a/address> ; s:founder [ s:name "F" ;
            s:knows [ s:name "K" ; s:worksFor <{BASE}org/b> ] ] .
        <{BASE}org/a/address> s:geo [ s:latitude "51.2" ] .
        <{BASE}org/b> a s:Organization ; s:name "B" .
        s:Organization s:name "Organisation"@de ."""
    quads = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    memory = EmbeddedStore(list(quads), base_iri=BASE)
    for iri in (f"{BASE}org/a", f"{BASE}org/a/address", f"{BASE}org/b"):
        expected = lookup.describe(memory, iri)
        _same(describe.describe(memory, iri), expected)
    assert sum(isinstance(t.subject, ox.BlankNode) for t in expected.triples) == 0  # org/b
    blank_subjects = {t.subject for t in lookup.describe(memory, f"{BASE}org/a").triples
                      if isinstance(t.subject, ox.BlankNode)}
    assert len(blank_subjects) == 3  # founder, whom the founder knows, the address's geo
