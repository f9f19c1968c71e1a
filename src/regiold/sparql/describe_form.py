"""DESCRIBE <iri> …: the same description the resource pages serve (publish/describe.py).

With the pages' Site at hand (the serving process, embedded store), a description comes from the
pages' own per-version memo (``render.description``), and one resource in N-Triples is the page's
own memoised bytes (``render.representation``): a page and a DESCRIBE of the same resource are
read and written once, and cannot differ."""


from __future__ import annotations

import re
import time
from urllib.parse import urljoin

import pyoxigraph as ox

from regiold.errors import (
    NotAcceptable,
    NotFound,
)
from regiold.publish import lookup, render
from regiold.publish.describe import Description
from regiold.publish.site import Site
from regiold.rdf.formats import NTRIPLES
from regiold.sparql.messages import Job
from regiold.sparql.runner import serialize_graph
from regiold.sparql.screen import TOKEN

# ``DESCRIBE <iri> …`` with nothing else but white space and comments after it: what
# describe_targets reads from the same text (IRI tokens as screen.TOKEN spells them), found by one
# match in C. re.ASCII: the keyword's ASCII letters and ASCII white space only (anything else
# takes describe_targets' way).
_PLAIN = re.compile(r"\s*(?i:DESCRIBE)((?:\s*<[^<>\"{}|^`\\\x00-\x20]*>)+)(?:\s+|#[^\r\n]*)*",
                    re.ASCII)
_IRI_TOKEN = re.compile(r"<([^>]*)>")


def plain_describe(query: str, base_iri: str) -> list[str] | None:
    """The IRIs of ``DESCRIBE <iri> …`` without a prologue (what :func:`describe_targets` gives
    for it), None for any other text. Such a query holds no update, nesting or dataset clause,
    which is all the screen looks for."""
    found = _PLAIN.fullmatch(query)
    if found is None:
        return None
    return [urljoin(base_iri, iri) for iri in _IRI_TOKEN.findall(found.group(1))]


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
                    page_size: int, pages: Site | None = None) -> dict[str, object]:
    """The answer of ``DESCRIBE`` of ``targets``: each resource's page-1 description, read from
    ``pages``' memo when given (the serving process), else looked up in ``store`` (a worker)."""
    started = time.perf_counter()
    triples: dict[ox.Triple, None] = {}
    for iri in targets:
        found, page = _described(store, iri, page_size, pages)
        if len(targets) == 1 and job.graph_format == NTRIPLES.key and found.stable is not None \
                and len(found.triples) <= job.max_rows:
            # one resource in N-Triples: the page's own bytes (render.py serves the same text),
            # without parsing the lines into triples and writing them again (0.12 ms of 0.35);
            # over the byte limit, serialize_graph below cuts it like any answer
            body = (render.representation(page, iri, NTRIPLES).body if page is not None
                    else found.stable.text.encode())
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


def _described(store: object, iri: str, page_size: int,
               pages: Site | None) -> tuple[Description, Site | None]:
    """``iri``'s description, and the Site whose memo holds it (None: looked up here). What no
    page serves (nothing is known about it, or it is not an IRI a page can have) is looked up
    in ``store``, as before the memo: its incoming links, if any, are still described."""
    if pages is not None:
        try:
            return render.description(pages, iri), pages
        except NotFound:
            pass
    return lookup.describe(store, iri, page_size=page_size), None  # type: ignore[arg-type]
