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
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import TypeVar

import pyoxigraph as ox

from regiold.rdf import ntriples
from regiold.rdf.namespaces import RDF_TYPE, XSD_STRING

Node = dict[str, object]
_T = TypeVar("_T")
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
_MEMO_LIMIT = 1 << 16  # compacted terms kept per base IRI (IRIs recur from page to page)
_RDF_TYPE_TERM = f"<{RDF_TYPE}>"
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def document(triples: Iterable[ox.Triple], ctx: dict[str, object], *,
             base_iri: str) -> dict[str, object]:
    """The compacted JSON-LD document of ``triples`` (without its ``@context``); ``ctx`` is the
    project context of ``base_iri``."""
    return document_nt(ntriples.of_triples(triples), ctx, base_iri=base_iri)


def document_nt(text: str, ctx: dict[str, object], *, base_iri: str,
                strings: set[str] | None = None) -> dict[str, object]:
    """``document`` of the triples of an N-Triples document (rdf/ntriples.py): read from the
    lines, with no pyoxigraph term built. ``strings``: filled with every key and string value of
    the document (what ``render._used_context`` looks for), found while it is written."""
    terms = _COMPACTORS.get(base_iri)
    if terms is None:
        terms = _COMPACTORS[base_iri] = _Terms(_Compactor(ctx))
    nodes: dict[str, dict[str, list[object]]] = {}
    for line in text.split("\n")[:-1]:
        subject, predicate, obj = line.split(" ", 2)
        node = subject if subject[0] == "_" else terms.iri(subject)
        properties = nodes.get(node)
        if properties is None:
            properties = nodes[node] = {}
        key, value = terms.entry(predicate, obj[:-2])
        values = properties.get(key)
        if values is None:
            properties[key] = [value]
        else:
            values.append(value)
    graph = []
    for subject in sorted(nodes, key=lambda s: (s.startswith("_:"), s)):
        entry: Node = {"@id": subject}
        properties = nodes[subject]
        for key in sorted(properties):
            values = properties[key]
            entry[key] = values[0] if len(values) == 1 else sorted(values, key=_sort_key)
        graph.append(entry)
    if strings is not None:
        strings.update(("@graph", "@id"), nodes)
        for properties in nodes.values():
            strings.update(properties)
            for values in properties.values():
                for value in values:
                    if isinstance(value, str):
                        strings.add(value)
                    else:
                        strings.update(value)  # type: ignore[arg-type]
                        strings.update(value.values())  # type: ignore[attr-defined]
    return {"@graph": graph}


class _Terms:
    """The compaction of terms in N-Triples form, remembered: a page's predicates, classes and
    linked IRIs recur on every page."""

    def __init__(self, compactor: _Compactor) -> None:
        self.compactor = compactor
        self._iris: dict[str, str] = {}  # "<iri>" → compact IRI
        self._keys: dict[str, str] = {}  # "<predicate>" → its key for a literal value
        self._links: dict[str, tuple[str, bool]] = {}  # "<predicate>" → (key, values are plain IRIs)
        self._types: dict[str, str] = {}  # "<class>" → its name as @type

    def iri(self, term: str) -> str:
        found = self._iris.get(term)
        if found is None:
            found = self._remember(self._iris, term, self.compactor.iri(term[1:-1]))
        return found

    def entry(self, predicate: str, obj: str) -> tuple[str, object]:
        if obj[0] == '"':
            key = self._keys.get(predicate)
            if key is None:
                iri = predicate[1:-1]
                key = self._remember(self._keys, predicate,
                                     self.compactor.plain.get(iri) or self.compactor.iri(iri))
            return key, self._literal(obj)
        target = obj if obj[0] == "_" else self.iri(obj)
        if predicate == _RDF_TYPE_TERM and obj[0] == "<":
            name = self._types.get(obj)
            if name is None:
                name = self._remember(self._types, obj, self.compactor.vocab(obj[1:-1]))
            return "@type", name
        link = self._links.get(predicate)
        if link is None:
            iri = predicate[1:-1]
            named = self.compactor.ids.get(iri)
            link = self._remember(self._links, predicate, (named, True) if named is not None else (
                self.compactor.plain.get(iri) or self.compactor.iri(iri), False))
        return link[0], target if link[1] else {"@id": target}

    def _literal(self, obj: str) -> object:
        end = obj.rindex('"')
        value = obj[1:end]
        if "\\" in value:
            value = _ESCAPE.sub(_unescape, value)
        suffix = obj[end + 1:]
        if not suffix:  # xsd:string
            return value
        if suffix[0] == "@":
            return {"@value": value, "@language": suffix[1:]}
        datatype = suffix[3:-1]  # ^^<datatype>
        if datatype == XSD_STRING:
            return value
        name = self._types.get(suffix)
        if name is None:
            name = self._remember(self._types, suffix, self.compactor.vocab(datatype))
        return {"@value": value, "@type": name}

    @staticmethod
    def _remember(memo: dict, key: str, value: _T) -> _T:  # type: ignore[type-arg]
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()  # bounded; refilled by the next pages
        memo[key] = value
        return value


def _unescape(match: re.Match[str]) -> str:
    """An N-Triples escape (``\\u00e9``, ``\\"``, ``\\n``) as the character it stands for."""
    short, long, char = match.groups()
    return chr(int(short or long, 16)) if char is None else _ESCAPED[char]


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
