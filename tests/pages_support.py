"""Helpers for the page and content-negotiation tests: the pages fixture site, a live server on
127.0.0.1 for any app, an offline JSON-LD document loader, and graph comparison."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from flask import Flask
from rdflib.compare import isomorphic

from regiold import create_app
from regiold.settings import Settings

PAGES_SITE = Path(__file__).parent / "fixtures" / "pages-site"
BASE = "https://w3id.org/regionen-nrw/"
DME = f"{BASE}org/dme"


def copy_site(target: Path, extra: dict[str, str] | None = None) -> Path:
    """The pages fixture site under ``target``, plus ``extra`` files (relative path → Turtle)."""
    shutil.copytree(PAGES_SITE, target)
    for rel, text in (extra or {}).items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, encoding="utf-8")
    return target


def make_app(site: Path, **overrides: object) -> Flask:
    return create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache", **overrides},
                                    environ={}))



def offline_loader(shared: Path, context: dict[str, object],
                   base: str = BASE) -> Callable[..., dict[str, object]]:
    """A pyld document loader that never touches the network: the project context is
    ``context``, the document the server sends at /context.jsonld (``served_context``); the
    schema.org context comes from ../shared; anything else is an error."""
    schema_context = json.loads((shared / "vocab" / "schemaorg-30.0-context.jsonld").read_text())
    documents = {
        base + "context.jsonld": context,
        "https://schema.org": schema_context, "https://schema.org/": schema_context,
        "http://schema.org": schema_context, "http://schema.org/": schema_context,
    }

    def load(url: str, options: object = None) -> dict[str, object]:
        if url not in documents:
            raise AssertionError(f"the JSON-LD processor tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return load


def served_context(get: Callable[[str], object]) -> dict[str, object]:
    """The JSON-LD context as clients fetch it: ``get`` is a test client's or requests' get."""
    response = get("/context.jsonld")
    status = getattr(response, "status_code", None)
    assert status == 200, status
    document = response.get_json() if hasattr(response, "get_json") else response.json()
    assert isinstance(document, dict) and "@context" in document
    return document


def to_rdflib(triples: list[ox.Triple] | list[ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    nt = ox.serialize([ox.Triple(t.subject, t.predicate, t.object) for t in triples],
                      format=ox.RdfFormat.N_TRIPLES)
    return graph.parse(data=nt.decode(), format="nt")


def same_graph(a: rdflib.Graph, b: rdflib.Graph) -> bool:
    return isomorphic(a, b)
