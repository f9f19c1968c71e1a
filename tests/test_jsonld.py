"""JSON-LD written straight from the triples (publish/jsonld.py): the same bytes whatever order the
store returned the triples in (a remote store's order differs from the embedded one's), and every
kind of term expands back to itself with an independent processor (pyld)."""

from __future__ import annotations

import json
import random

import pyoxigraph as ox
from pyld import jsonld

from conftest import shared_dir
from pages_support import offline_loader, served_context
from regiold.publish import render

BASE = "https://w3id.org/regionen-nrw/"
SDO = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _triples() -> list[ox.Triple]:
    org, blank = ox.NamedNode(f"{BASE}org/x"), ox.BlankNode("b1")
    return [
        ox.Triple(org, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(f"{SDO}Organization")),
        ox.Triple(org, ox.NamedNode(f"{SDO}name"), ox.Literal("Iks", language="de")),
        ox.Triple(org, ox.NamedNode(f"{SDO}name"), ox.Literal("Ex", language="en")),
        ox.Triple(org, ox.NamedNode(f"{SDO}foundingDate"), ox.Literal("2001-02-03",
                                                                      datatype=ox.NamedNode(f"{XSD}date"))),
        ox.Triple(org, ox.NamedNode(f"{SDO}url"), ox.NamedNode("https://x.example/")),
        ox.Triple(org, ox.NamedNode(f"{SDO}url"), ox.Literal("not an IRI, a text")),  # @id term, literal
        ox.Triple(org, ox.NamedNode(f"{SDO}identifier"), ox.Literal("007")),
        ox.Triple(org, ox.NamedNode(f"{SDO}address"), ox.NamedNode(f"{BASE}org/x/address/main")),
        ox.Triple(org, ox.NamedNode("https://example.org/vocab#odd"), blank),
        ox.Triple(blank, ox.NamedNode(f"{SDO}name"), ox.Literal('quote " and \\ and ü')),
        # escaped in N-Triples (the lines JSON-LD is read from): controls, line breaks, a backslash-u
        ox.Triple(org, ox.NamedNode(f"{SDO}description"),
                  ox.Literal("tab\t new\nline \r \x01 \x7f \u2028 \\u0041 \\\" é", language="de")),
        ox.Triple(org, ox.NamedNode(f"{SDO}numberOfEmployees"), ox.Literal("05",
                                                                           datatype=ox.NamedNode(f"{XSD}integer"))),
    ]


def test_the_bytes_do_not_depend_on_the_order_of_the_triples() -> None:
    triples = _triples()
    first = render.jsonld_bytes(triples, BASE)
    for seed in range(5):
        shuffled = triples[:]
        random.Random(seed).shuffle(shuffled)
        assert render.jsonld_bytes(shuffled, BASE) == first


def test_every_kind_of_term_expands_back_to_itself(mini_app) -> None:
    document = json.loads(render.jsonld_bytes(_triples(), BASE))
    context = served_context(mini_app.test_client().get)  # as clients fetch it, not render.context()
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                      "documentLoader": offline_loader(shared_dir(), context)})
    expanded = {ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)}
    expected = set(_triples())
    named = {t for t in expected if not isinstance(t.subject, ox.BlankNode)
             and not isinstance(t.object, ox.BlankNode)}
    assert named <= expanded and len(expanded) == len(expected)
    blank_name = [t for t in expanded if isinstance(t.subject, ox.BlankNode)]
    assert [t.object for t in blank_name] == [ox.Literal('quote " and \\ and ü')]


def test_the_json_text_is_the_standard_librarys() -> None:
    """``jsonld.dumps`` writes what ``json.dumps(..., ensure_ascii=False, indent=n)`` writes, for
    every kind of value a document holds (escapes, non-ASCII, empty containers, numbers)."""
    from regiold.publish.jsonld import dumps

    documents = [
        {"@context": {"@version": 1.1, "schema": SDO, "url": {"@id": "schema:url", "@type": "@id"}},
         "@graph": [{"@id": "rm:x", "name": ['quote " \\ </script> ü \u2028 \x01 \t', {"@value": "05"}],
                     "empty": {}, "none": [], "n": [1, -2, 3.25, 1e100], "flags": [True, False, None]}]},
        [], {}, "text", 7, [[{"a": [{}]}]],
        render.jsonld_bytes(_triples(), BASE).decode(),  # a whole document, as a string value
    ]
    for data in documents:
        for indent in (1, 2):
            assert dumps(data, indent) == json.dumps(data, ensure_ascii=False, indent=indent)
    odd = {1: "non-string key", "nan": float("nan")}
    assert dumps(odd, 2) == json.dumps(odd, ensure_ascii=False, indent=2)  # handed over whole
