"""``regiold forget IRI``: remove a person from every data file, leave hashed tombstones (410)
and scrub the release files. A write command: the read path never imports it.

What counts as a person's data is the policy of ``ingest/privacy.py``; this module only applies
it to the files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from regiold.ingest import sources as sources_mod
from regiold.ingest.privacy import PersonalData, find_personal, find_persons, mentions
from regiold.ingest.sources import to_rdflib_graph
from regiold.publish import changelog, tombstones
from regiold.rdf.namespaces import RDF_TYPE_NODE as _RDF_TYPE
from regiold.steward import release


class ForgetError(Exception):
    """The IRI is not a person in the data (nothing was changed)."""


@dataclass
class Forgotten:
    changed: list[str] = field(default_factory=list)  # data files rewritten
    deleted: list[str] = field(default_factory=list)  # data files that held only this person
    retired: int = 0  # IRIs now answered by a hashed tombstone


def forget_person(site_dir: Path, iri: str, *, base_iri: str, today: str) -> Forgotten:
    """Remove a person from every data file, leave hashed tombstones, scrub the release files.

    Person files and the triples elsewhere that mention the person, their contact nodes, their
    e-mail or phone, or their name are removed; comments and prefixes of the rewritten files are
    kept. The released-IRIs list keeps only the hash of each retired IRI.

    :raises ForgetError: ``iri`` is not a person in the data, or releases/ cannot be written
        (checked before anything changes).
    :raises SourceError: a data file does not parse.
    """
    iri = iri if iri.startswith(("http://", "https://")) else base_iri + iri.lstrip("/")
    loaded = sources_mod.parse_site(site_dir, base_iri=base_iri)
    persons = find_persons(loaded.quads, loaded.personal_graphs(), base_iri)
    if ox.NamedNode(iri) not in persons:
        raise ForgetError(f"{iri} is not a person in data/ (nothing changed)")
    found = find_personal(loaded.quads, personal_graphs=loaded.personal_graphs(),
                          base_iri=base_iri, only={iri})
    unwritable = release.releases_writable(site_dir)  # the tombstones go there: ask first
    if unwritable:
        raise ForgetError(unwritable)
    result = Forgotten()
    retired = _retired_nodes(loaded.quads, found, base_iri)
    for source in loaded.files:
        if source.kind != "data":
            continue
        own = [q for q in loaded.quads if q.graph_name.value == source.graph]
        keep = [q for q in own if not mentions(q, found)]
        path = Path(site_dir) / source.path
        if len(keep) == len(own):
            if _scrub_comments(path, found):
                result.changed.append(source.path.as_posix())
            continue
        if not keep:
            path.unlink()
            result.deleted.append(source.path.as_posix())
        else:
            _rewrite(path, keep, base_iri, found)
            result.changed.append(source.path.as_posix())
    for node, types in sorted(retired.items()):
        tombstones.append(site_dir, tombstones.Tombstone(
            tombstones.iri_hash(node), types=sorted(types),
            labels={"de": "Entfernte Angabe zu einer Person", "en": "Removed personal record"},
            comments={"de": "Personenbezogene Daten wurden auf Anfrage gelöscht.",
                      "en": "Personal data were deleted on request."},
            removed=today), base_iri=base_iri)
    released = release.read_released(site_dir)
    if released:
        release.write_released(site_dir, [tombstones.iri_hash(i) if i in retired else i
                                          for i in released])
    _scrub_changelog(Path(site_dir) / changelog.CHANGELOG, found)
    result.retired = len(retired)
    return result


def _retired_nodes(quads: Sequence[ox.Quad], found: PersonalData,
                  base_iri: str) -> dict[str, set[str]]:
    """The own IRIs that disappear with the person (they answer 410 from now on), with types."""
    retired: dict[str, set[str]] = {}
    for q in quads:
        node = q.subject
        if isinstance(node, ox.NamedNode) and node in found.nodes and node.value.startswith(base_iri):
            types = retired.setdefault(node.value, set())
            if q.predicate == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
                types.add(q.object.value)
    return retired


def _rewrite(path: Path, quads: Sequence[ox.Quad], base_iri: str, found: PersonalData) -> None:
    """Write the kept triples as Turtle with relative IRIs, keeping the file's comment header
    and prefixes (rdflib lays the statements out; hand formatting inside is not kept)."""
    original = path.read_text(encoding="utf-8")
    header = "".join(line + "\n" for line in _leading_comments(original)
                     if not _names_someone(line, found))
    graph = to_rdflib_graph(quads)
    graph.namespace_manager = rdflib.namespace.NamespaceManager(rdflib.Graph(), bind_namespaces="none")
    for prefix, namespace in re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", original):
        graph.bind(prefix, rdflib.URIRef(namespace if ":" in namespace else base_iri + namespace))
    text = graph.serialize(format="turtle").replace(f"<{base_iri}", "<")
    path.write_text(header + ("\n" if header else "") + text, encoding="utf-8")


def _names_someone(line: str, found: PersonalData) -> bool:
    lowered = line.lower()
    return found.mentioned_in(line) or any(slug in lowered for slug in found.slugs)


def _scrub_comments(path: Path, found: PersonalData) -> bool:
    """Comment lines are not published but are data files too: drop the person from them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = ["# (removed: personal data)" if line.lstrip().startswith("#") and
            _names_someone(line, found) else line for line in lines]
    if kept == lines:
        return False
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return True


def _leading_comments(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def _scrub_changelog(path: Path, found: PersonalData) -> None:
    """The changelog names no persons by design; this removes any line that still does."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = ["- (entry removed: personal data)" if _names_someone(line, found) else line
            for line in lines]
    if kept != lines:
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
