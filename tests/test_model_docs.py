"""docs/MODEL.md runs as code: its worked example is the real data, its queries answer."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from regiold.ingest import sources
from regiold.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
MODEL = (ROOT / "docs" / "MODEL.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", MODEL, flags=re.S)


@pytest.fixture(scope="module")
def loaded() -> sources.Sources:
    return sources.parse_site(ROOT, base_iri=BASE)


def test_worked_example_is_the_real_data(loaded: sources.Sources):
    (example,) = blocks("turtle")
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(example.encode(), ox.RdfFormat.TURTLE, base_iri=BASE)]
    assert len(triples) > 60
    data = {ox.Triple(q.subject, q.predicate, q.object) for q in loaded.quads}
    abridged = [t for t in triples if isinstance(t.object, ox.Literal) and "…" in t.object.value]
    for triple in triples:
        if triple in abridged:
            # an abridged literal: the same subject and predicate exist with a longer value
            assert any(d.subject == triple.subject and d.predicate == triple.predicate
                       and d.object.language == triple.object.language for d in data), triple
        else:
            assert triple in data, triple


def test_example_queries_answer(loaded: sources.Sources):
    store = EmbeddedStore.from_sources(loaded)
    (text,) = blocks("sparql")
    prologue, *queries = re.split(r"\n(?=# )", text)
    assert len(queries) == 2
    carriers = store.select(prologue + "\n" + queries[0])
    board = store.select(prologue + "\n" + queries[1])
    assert len(carriers) == 61  # 3 + 7 + 6 + 8 + 16 + 15 + 6 carriers of the members
    assert {row["office"].value for row in board} == {
        "Oberbürgermeister der Landeshauptstadt Düsseldorf", "Landrat des Kreises Mettmann",
        "Hauptgeschäftsführer der Industrie- und Handelskammer zu Düsseldorf"}
