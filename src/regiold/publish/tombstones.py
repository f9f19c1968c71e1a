"""Persistent IRIs: what a removed or renamed resource answers (docs/STEWARDS.md, "URIs").

Tombstones live in ``releases/tombstones.ttl`` (relative IRIs, parsed with the base IRI), not in
``data/``: a tombstoned IRI is no longer part of the dataset, so the store, the pages, SPARQL and the
dumps never see it as a live resource; the web layer asks ``Tombstones.find`` before answering 404.

    <org/old-slug> owl:deprecated true ;
        dct:type schema:Organization ;              # what it was
        rdfs:label "Alter Name"@de ;                 # what it was called (never for a person)
        prov:invalidatedAtTime "2026-11-27"^^xsd:date ;   # when it was removed
        dct:isReplacedBy <org/new-slug> ;           # optional: present → 301, absent → 410
        rdfs:comment "Umbenannt."@de .

A forgotten person's IRI contains their name, so ``regiold forget`` records it only as a hash:
the subject is ``urn:regiold:sha256:<hex of the full IRI>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from regiold.errors import SourceError
from regiold.rdf.namespaces import DCT_NS, OWL_NS, PROV_NS, RDFS_COMMENT, RDFS_LABEL

TOMBSTONE_FILE = Path("releases") / "tombstones.ttl"
HASH_PREFIX = "urn:regiold:sha256:"
OWL_DEPRECATED = OWL_NS + "deprecated"
DCT_TYPE = DCT_NS + "type"
DCT_REPLACED_BY = DCT_NS + "isReplacedBy"
PROV_INVALIDATED = PROV_NS + "invalidatedAtTime"
MAX_CHAIN = 16  # renames of renames; longer (or cyclic) chains are a data error


@dataclass
class Tombstone:
    iri: str  # the removed IRI, or urn:regiold:sha256:… for a forgotten person
    types: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # language → label
    comments: dict[str, str] = field(default_factory=dict)
    removed: str | None = None  # xsd:date or xsd:dateTime lexical form
    replaced_by: str | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def hashed(self) -> bool:
        return self.iri.startswith(HASH_PREFIX)

    def label(self, lang: str = "de") -> str:
        for key in (lang, "de", "en", ""):
            if key in self.labels:
                return self.labels[key]
        return "entfernte Ressource" if lang == "de" else "removed resource"

    def comment(self, lang: str = "de") -> str | None:
        return next((self.comments[k] for k in (lang, "de", "en", "") if k in self.comments), None)


def iri_hash(iri: str) -> str:
    """The tombstone key of an IRI that must not be written down (a person's)."""
    return HASH_PREFIX + hashlib.sha256(iri.encode()).hexdigest()


class Tombstones:
    """All tombstones of a site, looked up by IRI (plain or hashed)."""

    def __init__(self, stones: Iterable[Tombstone]) -> None:
        self._by_iri = {t.iri: t for t in stones}

    def __len__(self) -> int:
        return len(self._by_iri)

    def __iter__(self) -> Iterator[Tombstone]:
        return iter(sorted(self._by_iri.values(), key=lambda t: t.iri))

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and self.find(iri) is not None

    def find(self, iri: str) -> Tombstone | None:
        return self._by_iri.get(iri) or self._by_iri.get(iri_hash(iri))

    def final_replacement(self, iri: str) -> str | None:
        """Follow ``dct:isReplacedBy`` through renamed-again IRIs to the live one."""
        stone, seen = self.find(iri), {iri}
        target = stone.replaced_by if stone else None
        while target is not None and (next_stone := self.find(target)) is not None:
            if target in seen or len(seen) > MAX_CHAIN:
                return None
            seen.add(target)
            target = next_stone.replaced_by
        return target

    def problems(self, live_subjects: set[str]) -> list[str]:
        """Contradictions a steward must fix: a tombstone over live data, a dead replacement."""
        found = []
        for stone in self:
            if stone.iri in live_subjects:
                found.append(f"{stone.iri}: has a tombstone but is still in data/")
            if stone.removed is None:
                found.append(f"{stone.iri}: no removal date (prov:invalidatedAtTime)")
            if stone.replaced_by is not None:
                final = self.final_replacement(stone.iri)
                if final is None or final not in live_subjects:
                    found.append(f"{stone.iri}: replacement {stone.replaced_by} is neither in "
                                 "data/ nor itself replaced by a live resource")
        return found


def read_tombstones(site_dir: Path, *, base_iri: str) -> Tombstones:
    """Read ``releases/tombstones.ttl`` (none → empty).

    :raises SourceError: the file has a syntax error (file:line:col).
    """
    path = Path(site_dir) / TOMBSTONE_FILE
    if not path.is_file():
        return Tombstones(())
    try:
        triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    except SyntaxError as exc:
        raise SourceError(str(TOMBSTONE_FILE), exc.lineno, exc.offset, exc.msg) from exc
    return Tombstones(_stones(triples))


def _stones(triples: list[ox.Triple]) -> Iterator[Tombstone]:
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, []).append(t)
    for iri, own in by_subject.items():
        if not any(t.predicate.value == OWL_DEPRECATED for t in own):
            continue
        stone = Tombstone(iri, triples=own)
        for t in own:
            _apply(stone, t.predicate.value, t.object)
        yield stone


def _apply(stone: Tombstone, predicate: str, obj: object) -> None:
    if predicate == DCT_TYPE and isinstance(obj, ox.NamedNode):
        stone.types.append(obj.value)
    elif predicate == RDFS_LABEL and isinstance(obj, ox.Literal):
        stone.labels[obj.language or ""] = obj.value
    elif predicate == RDFS_COMMENT and isinstance(obj, ox.Literal):
        stone.comments[obj.language or ""] = obj.value
    elif predicate == PROV_INVALIDATED and isinstance(obj, ox.Literal):
        stone.removed = obj.value
    elif predicate == DCT_REPLACED_BY and isinstance(obj, ox.NamedNode):
        stone.replaced_by = obj.value


def to_turtle(stone: Tombstone, *, base_iri: str) -> str:
    """One tombstone as a Turtle block with relative IRIs, for appending to the file."""
    def ref(iri: str) -> str:
        return f"<{iri.removeprefix(base_iri)}>"

    lines = [f"{ref(stone.iri)} owl:deprecated true"]
    lines += [f"dct:type <{t}>" for t in stone.types]
    lines += [f"rdfs:label {_literal(v, k)}" for k, v in sorted(stone.labels.items())]
    lines += [f"rdfs:comment {_literal(v, k)}" for k, v in sorted(stone.comments.items())]
    if stone.removed:
        kind = "dateTime" if "T" in stone.removed else "date"
        lines.append(f'prov:invalidatedAtTime "{stone.removed}"^^xsd:{kind}')
    if stone.replaced_by:
        lines.append(f"dct:isReplacedBy {ref(stone.replaced_by)}")
    return " ;\n    ".join(lines) + " .\n"


FILE_HEADER = """\
# Tombstones: IRIs once published and since removed (410 Gone) or renamed (301 to dct:isReplacedBy).
# Maintained by `regiold forget` and by hand; see docs/STEWARDS.md. Relative IRIs, like data/.
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
"""


def append(site_dir: Path, stone: Tombstone, *, base_iri: str) -> Path:
    """Add one tombstone to ``releases/tombstones.ttl`` (created with its prefixes if new)."""
    path = Path(site_dir) / TOMBSTONE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.is_file() else FILE_HEADER
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n" + to_turtle(stone, base_iri=base_iri), encoding="utf-8")
    return path


def _literal(value: str, lang: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'
