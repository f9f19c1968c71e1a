"""The one prefix rule of every RDF output (rdf/serialize.py): a site prefix is declared when the
triples use it and every IRI under it has a plain local name; the output means the same graph."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from regiold.rdf import formats
from regiold.rdf.serialize import serialize, stable_order

BASE = "https://example.org/r/"


def _triples() -> list[ox.Triple]:
    org, name = ox.NamedNode(BASE + "org/alpha"), ox.NamedNode("https://schema.org/name")
    board = ox.NamedNode(BASE + "area/x/board")  # "x/board" is no plain local name under area:
    return [ox.Triple(org, name, ox.Literal("Alpha", language="de")),
            ox.Triple(org, ox.NamedNode("https://schema.org/subOrganization"), board),
            ox.Triple(board, name, ox.Literal("Board"))]


def _parsed(body: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=fmt)


def test_turtle_declares_only_the_prefixes_it_uses_plainly():
    body = serialize(_triples(), formats.TURTLE, BASE).decode()
    declared = sorted(line.split()[1] for line in body.splitlines() if line.startswith("@prefix"))
    assert declared == ["rm:", "schema:"]  # not rdf:, owl:, area: (x/board), person: ...
    assert "<https://example.org/r/area/x/board>" in body
    assert "\\/" not in body


def test_every_prefixed_format_means_the_same_graph():
    expected = _parsed(serialize(_triples(), formats.NTRIPLES, BASE), "nt")
    assert len(expected) == 3
    for fmt, name in ((formats.TURTLE, "turtle"), (formats.RDFXML, "xml")):
        assert isomorphic(_parsed(serialize(_triples(), fmt, BASE), name), expected), name


def test_n_triples_has_no_prefixes_and_stable_output_is_sorted():
    body = serialize(list(reversed(_triples())), formats.NTRIPLES, BASE, stable=True).decode()
    lines = body.splitlines()
    assert lines == sorted(lines)
    assert all(line.startswith("<") for line in lines)


def test_stable_order_sorts_by_subject_then_predicate_then_object():
    """The one-call sort key (the triple's N-Triples text) orders like the three terms in turn,
    also where one term's text starts with another's (literal suffixes, blank node labels)."""
    s, p = ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/p")
    tricky = [
        ox.Triple(s, p, ox.Literal("x")), ox.Triple(s, p, ox.Literal("x", language="de")),
        ox.Triple(s, p, ox.Literal("x y")), ox.Triple(s, p, ox.Literal("x\ny")),
        ox.Triple(s, p, ox.Literal("x", datatype=ox.NamedNode("https://e.org/t"))),
        ox.Triple(ox.BlankNode("b1"), p, s), ox.Triple(ox.BlankNode("b10"), p, s),
        ox.Triple(ox.NamedNode("https://e.org/a/b"), p, s), ox.Triple(s, ox.NamedNode("https://e.org/p2"), s),
        ox.Triple(ox.NamedNode("https://e.org/a b".replace(" ", "%20")), p, s), *_triples(),
    ]
    by_terms = sorted(tricky, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    for shuffled in (tricky, list(reversed(tricky))):
        assert stable_order(shuffled) == by_terms
