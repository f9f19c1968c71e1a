"""What the site already knows: names of carriers, offices, networks, areas and service kinds →
the IRIs ``data/`` uses, so a draft reuses them; and the name folding that matching relies on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from regiold.ingest import sources as sources_mod
from regiold.rdf.namespaces import ORG, RDF, RDFS, SDO, SKOS_PREF_LABEL


@dataclass
class Known:
    """Names → IRIs from the site's data, so drafts reuse the IRIs of ``data/``."""

    base_iri: str
    orgs: dict[str, str] = field(default_factory=dict)  # folded name → IRI
    posts: dict[str, str] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI → lang → label
    subjects: set[str] = field(default_factory=set)
    files: dict[str, str] = field(default_factory=dict)  # IRI → the data file that defines it
    memberships: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (m, o, role) → IRI

    @classmethod
    def from_site(cls, site_dir: Path | None, *, base_iri: str) -> Known:
        known = cls(base_iri)
        if site_dir is None or not (Path(site_dir) / "data").is_dir():
            return known
        loaded = sources_mod.parse_site(site_dir, base_iri=base_iri)
        known._index(loaded.quads)
        known.files = {iri: path.as_posix() for iri in known.subjects
                       if (path := loaded.defining_file(iri)) is not None}
        return known

    def _index(self, quads: Iterable[ox.Quad]) -> None:
        types: dict[str, set[str]] = {}
        names: dict[str, list[str]] = {}
        for q in quads:
            s = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
            if s is None:
                continue
            self.subjects.add(s)
            p = q.predicate.value
            if p == str(RDF.type):
                types.setdefault(s, set()).add(q.object.value)
            elif isinstance(q.object, ox.Literal) and p in (
                    str(SDO.name), str(SDO.alternateName), str(RDFS.label), SKOS_PREF_LABEL):
                names.setdefault(s, []).append(q.object.value)
                if p != str(SDO.alternateName):
                    self._label(s, p, q.object)
        self._memberships(quads)
        for s, kinds in types.items():
            target = (self.orgs if str(SDO.Organization) in kinds or str(ORG.Organization) in kinds
                      else self.posts if str(ORG.Post) in kinds
                      else self.areas if str(SDO.AdministrativeArea) in kinds else None)
            if target is not None:
                for name in names.get(s, []):
                    target.setdefault(name_key(name), s)

    def _memberships(self, quads: Iterable[ox.Quad]) -> None:
        parts: dict[str, dict[str, str]] = {}
        wanted = {str(ORG.member): "m", str(ORG.organization): "o", str(ORG.role): "r"}
        for q in quads:
            if q.predicate.value in wanted and isinstance(q.object, ox.NamedNode):
                parts.setdefault(q.subject.value, {})[wanted[q.predicate.value]] = q.object.value
        for iri, p in parts.items():
            if len(p) == 3:
                self.memberships[(p["m"], p["o"], p["r"])] = iri

    def _label(self, s: str, predicate: str, literal: ox.Literal) -> None:
        """Prefer schema:name / skos:prefLabel over rdfs:label for display."""
        lang = literal.language or ""
        current = self.labels.setdefault(s, {})
        if lang not in current or predicate in (str(SDO.name), SKOS_PREF_LABEL):
            current[lang] = literal.value

    def iri(self, local: str) -> str:
        return self.base_iri + local

    def find_org(self, name: str) -> str | None:
        return self.orgs.get(name_key(name)) or _fuzzy(self.orgs, name)

    def label(self, iri: str, lang: str) -> str | None:
        return self.labels.get(iri, {}).get(lang)


def name_key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", _umlauts(text).casefold())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in folded if c.isascii())).strip()


def _stem(word: str) -> str:
    """Crude German genitive/dative stripping for name matching: Kreises → kreis."""
    for ending in ("es", "s", "en", "n"):
        if len(word) > 5 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _fuzzy(index: dict[str, str], name: str) -> str | None:
    wanted = [_stem(w) for w in name_key(strip_article(name)).split()]
    if not wanted:
        return None
    for key, iri in index.items():
        if [_stem(w) for w in key.split()] == wanted:
            return iri
    return None


def _umlauts(text: str) -> str:
    table = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
    return "".join(table.get(c, c) for c in text)


def slugify(text: str) -> str:
    """Lower-case ASCII with '-' (ü → ue), as the IRI scheme asks; never a dot."""
    folded = unicodedata.normalize("NFKD", _umlauts(text))
    ascii_text = "".join(c for c in folded if c.isascii()).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")


_ARTICLE = re.compile(r"^(der|die|das|dem|den|des|einer|einem|eines)\s+", re.I)


def strip_article(text: str) -> str:
    return _ARTICLE.sub("", text.strip())
