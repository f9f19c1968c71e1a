"""DESCRIBE <iri> …: the same description the resource pages serve (publish/describe.py)."""


from __future__ import annotations

import time
from urllib.parse import urljoin

import pyoxigraph as ox

from regiold.errors import (
    NotAcceptable,
)
from regiold.publish import lookup
from regiold.rdf.formats import NTRIPLES
from regiold.sparql.messages import Job
from regiold.sparql.runner import serialize_graph
from regiold.sparql.screen import TOKEN


def describe_targets(query: str, prefixes: dict[str, str], base_iri: str) -> list[str] | None:
    """The IRIs of a plain ``DESCRIBE <iri> …`` (no WHERE); None for any other query.

    Prefixes declared in the query, then the endpoint's predeclared ones, expand prefixed names;
    relative IRIs resolve against ``BASE`` or the site's base IRI.
    """
    tokens = [(m.lastgroup, m.group()) for m in TOKEN.finditer(query)
              if m.lastgroup not in {"ws", "comment"}]
    declared, base = dict(prefixes), base_iri
    while len(tokens) >= 2 and tokens[0][1].upper() in {"PREFIX", "BASE"}:
        if tokens[0][1].upper() == "BASE" and tokens[1][0] == "iri":
            base, tokens = urljoin(base, tokens[1][1][1:-1]), tokens[2:]
        elif len(tokens) >= 3 and tokens[1][1].endswith(":") and tokens[2][0] == "iri":
            declared[tokens[1][1][:-1]] = urljoin(base, tokens[2][1][1:-1])
            tokens = tokens[3:]
        else:
            return None
    if not tokens or tokens[0][1].upper() != "DESCRIBE" or len(tokens) < 2:
        return None
    targets = []
    for kind, text in tokens[1:]:
        if kind == "iri":
            targets.append(urljoin(base, text[1:-1]))
        elif kind == "word" and ":" in text and "\\" not in text:
            prefix, _, local = text.partition(":")
            if prefix not in declared:
                return None
            targets.append(declared[prefix] + local)
        else:
            return None
    return targets


def describe_reply(store: object, targets: list[str], job: Job,
                    page_size: int) -> dict[str, object]:
    started = time.perf_counter()
    triples: dict[ox.Triple, None] = {}
    for iri in targets:
        found = lookup.describe(store, iri, page_size=page_size)  # type: ignore[arg-type]
        if len(targets) == 1 and job.graph_format == NTRIPLES.key and found.stable is not None \
                and len(found.triples) <= job.max_rows:
            # one resource in N-Triples: the page's own bytes (render.py serves the same text),
            # without parsing the lines into triples and writing them again (0.12 ms of 0.35);
            # over the byte limit, serialize_graph below cuts it like any answer
            body = found.stable.text.encode()
            if not job.max_bytes or len(body) <= job.max_bytes:
                return {"kind": "graph", "format": NTRIPLES.key, "body": body,
                        "truncated": False, "count": len(found.triples),
                        "elapsed": time.perf_counter() - started}
        triples.update(dict.fromkeys(found.triples))
    try:
        reply = serialize_graph(list(triples), job)
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    reply["elapsed"] = time.perf_counter() - started
    return reply
