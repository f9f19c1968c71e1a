"""Full-text search over names, labels and descriptions; case- and diacritic-insensitive.

Text and query are both reduced to one *fold key* (:func:`fold`): lower case, diacritics removed,
``ß`` → ``ss``, and the German transliterations ``ae``/``oe``/``ue`` → ``a``/``o``/``u``. So
"Düsseldorf", "Duesseldorf" and "dusseldorf" all fold to ``dusseldorf`` and find each other.

The index is built once per data version from the store (:func:`build_index`) and ranks a name
match before a label match before a description match. The same folding is available in SPARQL
as the functions ``rgo:fold`` and ``rgo:matches`` (see docs/SEARCH.md).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from regiold.rdf.namespaces import DCT_NS as _DCT
from regiold.rdf.namespaces import FOAF_NS as _FOAF
from regiold.rdf.namespaces import RDFS_NS as _RDFS
from regiold.rdf.namespaces import SDO_NS as _SDO
from regiold.rdf.namespaces import SKOS_NS as _SKOS

# predicate -> (field, weight). Names rank before labels before descriptions.
FIELDS: dict[str, tuple[str, int]] = {
    _SDO + "name": ("name", 3),
    _SDO + "legalName": ("name", 3),
    _FOAF + "name": ("name", 3),
    _SKOS + "prefLabel": ("name", 3),
    _SDO + "alternateName": ("label", 2),
    _RDFS + "label": ("label", 2),
    _SKOS + "altLabel": ("label", 2),
    _DCT + "title": ("label", 2),
    _SDO + "description": ("description", 1),
    _RDFS + "comment": ("description", 1),
    _SKOS + "definition": ("description", 1),
    _DCT + "description": ("description", 1),
}
SPARQL_FUNCTION_NAMES = ("def/fold", "def/matches")  # under the base IRI: rgo:fold, rgo:matches
MAX_LIMIT = 100

_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l",
                          "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_TRANSLIT = re.compile(r"(?<=[aou])e")
_NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """The search key of ``text``: case, diacritics, ß and ae/oe/ue spellings folded away.

    >>> fold("Düsseldorf") == fold("Duesseldorf") == fold("DUSSELDORF") == "dusseldorf"
    True
    >>> fold("Straße")
    'strasse'
    """
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_SPECIAL)
    return _TRANSLIT.sub("", text)


def terms(query: str) -> list[str]:
    """The folded words of a query (punctuation separates words)."""
    return [t for t in _NON_WORD.split(fold(query)) if t]


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    description: str
    types: tuple[str, ...]
    score: float
    field: str  # where the best match was: name | label | description


@dataclass
class _Entry:
    iri: str
    texts: list[tuple[str, int, str, str]]  # (field, weight, folded text, original text)
    labels: dict[str, str]  # language ("" for none) -> name
    descriptions: dict[str, str]
    types: list[str]


class SearchIndex:
    """An in-memory index of every subject with a name, label or description."""

    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = entries
        # All fold keys in one string (entries separated by NUL, which no fold key contains): the
        # rarest word is looked up with str.find at C speed, and only those entries are scored.
        blobs = [" ".join(folded for _f, _w, folded, _o in e.texts) for e in entries]
        self._starts: list[int] = []
        offset = 0
        for blob in blobs:
            self._starts.append(offset)
            offset += len(blob) + 1
        self._blob = "\0".join(blobs)

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, *, limit: int = 20, lang: str = "de") -> list[Hit]:
        """Subjects whose texts contain every word of ``query``, best first."""
        words = terms(query)
        if not words:
            return []
        phrase = " ".join(words)
        scored = []
        for entry in self._candidates(max(words, key=len)):
            best = _score(entry, words, phrase)
            if best is not None:
                scored.append((best, entry))
        scored.sort(key=lambda item: (-item[0][0], _pick(item[1].labels, lang).casefold()))
        return [
            Hit(e.iri, _pick(e.labels, lang) or e.iri, _pick(e.descriptions, lang),
                tuple(e.types), round(score, 3), where)
            for (score, where), e in scored[: max(1, min(limit, MAX_LIMIT))]
        ]


    def _candidates(self, word: str) -> list[_Entry]:
        """Entries whose texts contain ``word``, in index order."""
        found: list[_Entry] = []
        position = self._blob.find(word)
        while position != -1:
            index = bisect.bisect_right(self._starts, position) - 1
            found.append(self._entries[index])
            next_start = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._blob)
            position = self._blob.find(word, next_start)
        return found


def _score(entry: _Entry, words: list[str], phrase: str) -> tuple[float, str] | None:
    """Every word must occur somewhere; the score grows with the field weight and closeness."""
    found: set[str] = set()
    best, where = 0.0, ""
    for field, weight, folded, _original in entry.texts:
        here = [w for w in words if w in folded]
        if not here:
            continue
        found.update(here)
        score = weight * len(here) / len(words)
        if len(here) == len(words):
            if folded == phrase:
                score += 3.0
            elif folded.startswith(phrase):
                score += 2.0
            elif all(re.search(r"(?:^|\W)" + re.escape(w), folded) for w in words):
                score += 1.0
        if score > best:
            best, where = score, field
    if len(found) < len(words):
        return None
    return best, where


def _pick(texts: dict[str, str], lang: str) -> str:
    for key in (lang, "", "de", "en"):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


_INDEX_QUERY = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { %s }
  ?s ?p ?o . FILTER(isLiteral(?o))
}
"""
_TYPES_QUERY = "SELECT ?s ?t WHERE { ?s a ?t }"


def build_index(store: object) -> SearchIndex:
    """Read every name, label and description from ``store`` (any Store of store.py)."""
    predicates = " ".join(f"<{p}>" for p in FIELDS)
    entries: dict[str, _Entry] = {}
    for row in store.select(_INDEX_QUERY % predicates):  # type: ignore[attr-defined]
        subject, predicate, literal = row["s"], row["p"], row["o"]
        if not isinstance(subject, ox.NamedNode):
            continue
        entry = entries.setdefault(subject.value, _Entry(subject.value, [], {}, {}, []))
        field, weight = FIELDS[predicate.value]
        text = literal.value
        entry.texts.append((field, weight, fold(text), text))
        target = entry.descriptions if field == "description" else entry.labels
        if field == "name" or literal.language or "" not in target:
            target.setdefault(literal.language or "", text)
    for row in store.select(_TYPES_QUERY):  # type: ignore[attr-defined]
        entry = entries.get(row["s"].value)
        if entry is not None and isinstance(row["t"], ox.NamedNode):
            entry.types.append(row["t"].value)
    for entry in entries.values():
        entry.types.sort()
    return SearchIndex(sorted(entries.values(), key=lambda e: e.iri))


# ------------------------------------------------------------------------- SPARQL functions


def sparql_functions(base_iri: str) -> dict[ox.NamedNode, Callable[..., object]]:
    """``rgo:fold(?text)`` → the fold key; ``rgo:matches(?text, "words")`` → every word found."""
    fold_iri, matches_iri = (ox.NamedNode(base_iri + name) for name in SPARQL_FUNCTION_NAMES)
    return {fold_iri: _sparql_fold, matches_iri: _sparql_matches}


def _sparql_fold(term: object) -> ox.Literal | None:
    if not isinstance(term, ox.Literal | ox.NamedNode):
        return None
    return ox.Literal(fold(term.value))


def _sparql_matches(text: object, query: object) -> ox.Literal | None:
    if not isinstance(text, ox.Literal | ox.NamedNode) or not isinstance(query, ox.Literal):
        return None
    folded = fold(text.value)
    return ox.Literal(all(word in folded for word in terms(query.value)))
