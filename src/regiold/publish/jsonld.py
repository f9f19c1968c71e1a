"""Compacted JSON-LD written straight from the description's triples, with the project context.

No rdflib graph and no general JSON-LD compaction per request: the context is fixed, so the
compaction it implies is worked out once per base IRI (``_Compactor``) and each document is one
pass over its triples. The output is ordinary compacted JSON-LD that every processor expands to
exactly the served triples (tests/test_pages_rdf.py expands it with pyld):
- one node object per subject in ``@graph``, sorted (IRIs first, then blank nodes);
- ``@type`` for ``rdf:type``; a property with a readable term uses it (values of ``@id`` terms
  are plain IRI strings), any other property its prefixed name;
- literals: a plain string for ``xsd:string``, ``@value`` with ``@language`` or ``@type``
  otherwise (never a JSON number, which could change the lexical form).
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring

import pyoxigraph as ox

from regiold.rdf.namespaces import RDF_TYPE, XSD_STRING

Node = dict[str, object]
# Local names kept plain (``rm:x``, not ``rm:x/board``): dependent nodes keep their full IRI.
_NOT_LOCAL = re.compile(r"[/#?&=:]")


class _Compactor:
    """What the project context means, read once: prefixes, literal terms, ``@id`` terms."""

    def __init__(self, ctx: dict[str, object]) -> None:
        self.prefixes = sorted(((name, value) for name, value in ctx.items()
                                if isinstance(value, str) and value.endswith(("/", "#"))
                                and "://" in value), key=lambda item: -len(item[1]))
        self.plain: dict[str, str] = {}  # IRI → term whose values keep their own kind
        self.ids: dict[str, str] = {}  # IRI → term whose string values are IRIs
        for name, value in ctx.items():
            if name.startswith("@") or (name, value) in self.prefixes:
                continue
            if isinstance(value, str):
                self.plain.setdefault(self.expand(value), name)
            elif isinstance(value, dict) and value.get("@type") == "@id" and len(value) == 2:
                self.ids.setdefault(self.expand(str(value["@id"])), name)
        # The longest namespace an IRI starts with, in one regex match (alternatives longest first),
        # and for each namespace the shorter ones it starts with: tried in turn when the local
        # name under the longer one is not plain.
        self._longest = re.compile("|".join(re.escape(ns) for _, ns in self.prefixes)) \
            if self.prefixes else None
        self._under = {ns: [(name, outer) for name, outer in self.prefixes if ns.startswith(outer)]
                       for _, ns in self.prefixes}

    def expand(self, text: str) -> str:
        prefix, colon, local = text.partition(":")
        if colon and not local.startswith("//"):
            for name, namespace in self.prefixes:
                if name == prefix:
                    return namespace + local
        return text

    def iri(self, iri: str) -> str:
        """``iri`` as a compact IRI when a prefix fits (document-relative position: no terms):
        the longest namespace whose local name is plain (no ``/ # ? & = :``)."""
        found = self._longest.match(iri) if self._longest is not None else None
        if found is None:
            return iri
        for name, namespace in self._under[found.group()]:
            local = iri[len(namespace):]
            if local and not _NOT_LOCAL.search(local):
                return f"{name}:{local}"
        return iri

    def vocab(self, iri: str) -> str:
        """``iri`` in a vocabulary position (a key, a type): its term, else a compact IRI."""
        return self.plain.get(iri) or self.iri(iri)


_COMPACTORS: dict[str, _Compactor] = {}  # by base IRI: a handful per process, never more


def document(triples: list[ox.Triple], ctx: dict[str, object], *, base_iri: str) -> dict[str, object]:
    """The compacted JSON-LD document of ``triples`` (without its ``@context``); ``ctx`` is the
    project context of ``base_iri``."""
    compactor = _COMPACTORS.get(base_iri)
    if compactor is None:
        compactor = _COMPACTORS[base_iri] = _Compactor(ctx)
    nodes: dict[str, dict[str, list[object]]] = {}
    for t in triples:
        subject = _node_id(t.subject, compactor)
        properties = nodes.setdefault(subject, {})
        key, value = _entry(t.predicate.value, t.object, compactor)
        properties.setdefault(key, []).append(value)
    graph = []
    for subject in sorted(nodes, key=lambda s: (s.startswith("_:"), s)):
        node: Node = {"@id": subject}
        for key in sorted(nodes[subject]):
            values = sorted(nodes[subject][key], key=_sort_key)
            node[key] = values[0] if len(values) == 1 else values
        graph.append(node)
    return {"@graph": graph}


def _node_id(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
             compactor: _Compactor) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return compactor.iri(term.value)  # type: ignore[union-attr]


def _entry(predicate: str, obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
           compactor: _Compactor) -> tuple[str, object]:
    if isinstance(obj, ox.Literal):
        key = compactor.plain.get(predicate) or compactor.iri(predicate)
        if obj.language:
            return key, {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if datatype == XSD_STRING:
            return key, obj.value
        return key, {"@value": obj.value, "@type": compactor.vocab(datatype)}
    target = _node_id(obj, compactor)
    if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
        return "@type", compactor.vocab(obj.value)
    if predicate in compactor.ids:
        return compactor.ids[predicate], target
    return compactor.plain.get(predicate) or compactor.iri(predicate), {"@id": target}


def _sort_key(value: object) -> tuple[str, str]:
    if isinstance(value, dict):
        return (str(value.get("@id", value.get("@value", ""))), str(sorted(value.items())))
    return (str(value), "")


def dumps(data: object, indent: int) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=indent)``, the same text, written for the
    shapes documents have (dicts with string keys, lists, strings, numbers, booleans, None) without
    the standard library's general pure-Python indenting encoder (most of a JSON-LD rendering's
    cost). Anything else is handed to ``json.dumps``."""
    out: list[str] = []
    try:
        _write(data, out, "\n", " " * indent)
    except _Unusual:
        return json.dumps(data, ensure_ascii=False, indent=indent)
    return "".join(out)


class _Unusual(Exception):
    """A value ``dumps`` leaves to ``json.dumps`` (non-string keys, NaN, other types)."""


def _write(value: object, out: list[str], newline: str, step: str) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner, separator = newline + step, "{"
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            out.append(f"{separator}{inner}{encode_basestring(key)}: ")
            _write(item, out, inner, step)
            separator = ","
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner, separator = newline + step, "["
        for item in value:
            out.append(separator + inner)
            _write(item, out, inner, step)
            separator = ","
        out.append(newline + "]")
    elif value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        out.append(float.__repr__(value))
    else:
        raise _Unusual
