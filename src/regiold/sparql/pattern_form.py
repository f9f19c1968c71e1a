"""One triple pattern about a resource, answered by the store's own pattern lookup.

``SELECT ?p ?o WHERE { <iri> ?p ?o }`` and ``ASK { <iri> a <Class> }`` are what Linked Data
clients ask most. Such a query needs no query engine: the store's index lookup
(``quads_for_pattern``, the call the resource pages' read path makes in the serving process)
gives its solutions, one per quad in the union of the graphs, as the engine's union default graph
does. No SPARQL text is evaluated in the serving process, so nothing of the engine that the
sandboxed workers contain (sorting, expressions, federation) runs here, and it reads at most
``LOOKUP_ROWS + 1`` quads: a larger answer goes to the worker (its time limit, its lower CPU
priority). It saves the round trip to a worker and the engine's parse (about 0.14 ms of the
0.38 ms a fresh lookup costs the serving process: docs/performance.md, "Fourth pass").

Only a strict form is taken, recognised on regiold's own tokens (``screen.TOKEN``): an optional
prologue of ``PREFIX`` declarations with absolute IRIs; ``SELECT`` with distinct variables or
``*``, or ``ASK``; an optional ``WHERE``; one triple pattern of absolute IRIs, prefixed names
(predeclared or declared), ``a`` and distinct variables, with the subject or the object an IRI;
an optional ``LIMIT``. Anything else (literals, blank nodes, relative IRIs, ``BASE``, modifiers,
filters, several patterns, dataset clauses) goes to the worker unchanged.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from regiold.errors import NotAcceptable
from regiold.rdf import formats
from regiold.rdf.namespaces import RDF_TYPE_NODE
from regiold.sparql.messages import Job
from regiold.sparql.runner import (
    bindings_json,
    chosen_format,
    row_budget,
    serialize_bindings,
    serialize_boolean,
)

# What the serving process gives at most this way: a resource's own triples (an organisation has
# 20-60); a larger answer (a pattern that many quads match) goes to the worker.
LOOKUP_ROWS = 256
# The strict form as one regular expression (matched in C: a query that is not of the form costs
# a few microseconds). ASCII names only (SPARQL allows more, Python's \w more than SPARQL): the
# rest goes to the engine, which decides. Comments only at the end (the rest: to the engine).
_IRI = r"<[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*>"  # absolute: no base needed
_PN_PREFIX = r"(?:[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?"
_PNAME = _PN_PREFIX + r":(?:[A-Za-z0-9_][A-Za-z0-9_\-]*)?"
_VAR = r"[?$][A-Za-z0-9_]+"
_TERM = rf"({_IRI}|{_VAR}|{_PNAME}|a(?![\w:]|[^\x00-\x7f]))"
# re.ASCII: keywords match only their ASCII letters and \s only ASCII white space, as the SPARQL
# grammar reads them (Unicode case folding would take 'ASK' with a Kelvin sign for K, or 'ſELECT',
# and \s a no-break space: text the engine refuses as a syntax error).
_PREFIX = re.compile(rf"\s*(?i:PREFIX)\s+({_PN_PREFIX}):\s*({_IRI})", re.ASCII)
_FORM = re.compile(
    rf"\s*(?:(?i:SELECT)\s+(\*|(?:{_VAR}\s*)+)|((?i:ASK)))\s*(?:(?i:WHERE)\s*)?"
    rf"\{{\s*{_TERM}\s*{_TERM}\s*{_TERM}\s*\.?\s*\}}"
    rf"(?:\s*(?i:LIMIT)\s+([0-9]+))?(?:\s*#[^\r\n]*)*\s*", re.ASCII)
_VARIABLES = re.compile(_VAR)
Term = ox.NamedNode | str  # an IRI, or a variable's name


@dataclass(frozen=True)
class Pattern:
    """A query of the strict form: ``form`` SELECT or ASK, the projected variables (SELECT), the
    pattern's three positions, and the ``LIMIT`` (None: none)."""

    form: str
    variables: tuple[str, ...]
    terms: tuple[Term, Term, Term]
    limit: int | None


def single_pattern(query: str, prefixes: dict[str, str]) -> Pattern | None:
    """The query as a :class:`Pattern`, or None when it is not of the strict form."""
    declared, at = prefixes, 0
    while (prologue := _PREFIX.match(query, at)) is not None:
        declared = {**declared, prologue.group(1): prologue.group(2)[1:-1]}
        at = prologue.end()
    found = _FORM.fullmatch(query, at)
    if found is None:
        return None
    selected, ask, *spelled, limit = found.groups()
    if ask is not None and limit is not None:
        return None
    try:
        terms = tuple(_term(text, declared) for text in spelled)
    except (KeyError, ValueError):  # an undeclared prefix, not an IRI: the engine says so
        return None
    variables = [t for t in terms if isinstance(t, str)]
    projected = [v[1:] for v in _VARIABLES.findall(selected)] if selected not in {None, "*"} else []
    if (len(set(variables)) != len(variables) or len(set(projected)) != len(projected)
            or any(name not in variables for name in projected)
            or not any(isinstance(terms[k], ox.NamedNode) for k in (0, 2))
            or "a" in (spelled[0], spelled[2])):  # 'a' is rdf:type only as a predicate
        return None
    return Pattern("ASK" if ask else "SELECT", tuple(projected or variables),
                   terms, int(limit) if limit is not None else None)  # type: ignore[arg-type]


def _term(text: str, declared: dict[str, str]) -> Term:
    if text[0] in "?$":
        return text[1:]
    if text[0] == "<":
        return ox.NamedNode(text[1:-1])
    if text == "a":
        return RDF_TYPE_NODE
    prefix, _, local = text.partition(":")
    return ox.NamedNode(declared[prefix] + local)


def pattern_reply(store: object, pattern: Pattern, job: Job) -> dict[str, object] | None:
    """The answer of ``pattern`` over the union of the store's graphs, in the job's format and
    row cap, as the worker's reply (``runner``'s serialisers); None when it has more than
    ``LOOKUP_ROWS`` solutions to give (a large answer is the worker's: its time limit, its lower
    CPU priority), after reading at most ``LOOKUP_ROWS + 1`` quads."""
    started = time.perf_counter()
    lookup = [None if isinstance(t, str) else t for t in pattern.terms]
    quads = store.db.quads_for_pattern(*lookup, None)  # type: ignore[attr-defined]
    try:
        if pattern.form == "ASK":
            reply = serialize_boolean(next(iter(quads), None) is not None, job)
        else:
            rows = row_budget(job, len(pattern.variables))
            wanted = rows + 1 if pattern.limit is None else min(pattern.limit, rows + 1)
            taken = list(islice(quads, min(wanted, LOOKUP_ROWS + 1)))
            if len(taken) > LOOKUP_ROWS and wanted > LOOKUP_ROWS:
                return None
            positions = {t: k for k, t in enumerate(pattern.terms) if isinstance(t, str)}
            if chosen_format(job.results_format, formats.SPARQL_SELECT) is formats.SPARQL_JSON:
                reply = _json_reply(pattern.variables, positions, taken, rows)
                if job.max_bytes and len(reply["body"]) > job.max_bytes:  # type: ignore[arg-type]
                    return None  # the worker cuts it to whole rows within the limit
            else:
                solutions = [{name: quad[positions[name]] for name in pattern.variables}
                             for quad in taken]
                reply = serialize_bindings(list(pattern.variables), solutions,
                                            dataclasses.replace(job, max_rows=rows))
    except NotAcceptable as exc:
        return {"error": ", ".join(exc.offered), "error_type": "not-acceptable"}
    reply["elapsed"] = time.perf_counter() - started
    return reply


def _json_reply(variables: tuple[str, ...], positions: dict[str, int], quads: list[ox.Quad],
                rows: int) -> dict[str, object]:
    """SPARQL JSON of at most ``rows`` solutions (``runner.bindings_json``, the engine's
    spelling): every solution binds every variable of one triple pattern."""
    kept = quads[:rows]
    body = bindings_json(variables, kept, [positions[name] for name in variables])
    return {"kind": "bindings", "format": formats.SPARQL_JSON.key, "body": body,
            "truncated": len(quads) > rows, "count": len(kept)}
