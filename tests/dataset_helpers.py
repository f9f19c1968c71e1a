"""Helpers for the dataset tests: a fixture site with static dataset metadata, independent parsing."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import rdflib
from flask import Flask
from werkzeug.serving import make_server

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/regionen-nrw/"
VOID_GRAPH = BASE + "graph/void"
DCAT_AP_DE_SHAPES = ("semic-dcat-ap-3.0.0-SHACL.ttl", "dcat-ap-SHACL-DE.ttl",
                     "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-controlledvocabularies.ttl",
                     "dcat-ap-de-deprecated.ttl")
DCAT_AP_DE_DATA = ("dcat-ap-de-licenses-open.rdf", "vcard.ttl", "foaf.rdf")


def make_dataset_site(target: Path) -> Path:
    """The tiny fixture site plus static dataset metadata (like the real data/dataset.ttl)."""
    shutil.copytree(FIXTURES / "site", target)
    shutil.copy(FIXTURES / "dataset" / "dataset.ttl", target / "data" / "dataset.ttl")
    return target


def source_graph(site: Path, *, include_persons: bool = True) -> rdflib.Graph:
    """The published triples, parsed by rdflib straight from the files (independent of regiold)."""
    graph = rdflib.Graph()
    for kind in ("ontology", "data"):
        for path in sorted((site / kind).rglob("*.ttl")):
            if not include_persons and "people" in path.relative_to(site).parts:
                continue
            graph.parse(path, format="turtle", publicID=BASE)
    return graph


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS), stopped on exit."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
