"""``regiold diff``: the resources (subjects under the base IRI) of two versions of the data, a
folder or a git revision each, and what was added, removed or changed between them.

``release`` uses the same comparison for the changelog.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from regiold.errors import RegioldError, SourceError
from regiold.ingest import privacy
from regiold.ingest import sources as sources_mod
from regiold.rdf.namespaces import DCT_TITLE, FOAF_NAME, RDF_TYPE, RDFS_LABEL, SDO_NS, SKOS_PREF_LABEL

_LABELS = (SDO_NS + "name", RDFS_LABEL, SKOS_PREF_LABEL, FOAF_NAME, DCT_TITLE)


class RevisionError(RegioldError):
    title = "Cannot read the revision"


@dataclass
class Resource:
    iri: str
    label: str | None
    types: set[str]
    statements: frozenset[tuple[str, str]]  # (predicate, object) with blank nodes expanded
    personal: bool = False


@dataclass
class Resources:
    """The resources (subjects under the base IRI) of one version of the data."""

    resources: dict[str, Resource]

    def iris(self) -> set[str]:
        return set(self.resources)


@dataclass
class Diff:
    added: list[Resource] = field(default_factory=list)
    removed: list[Resource] = field(default_factory=list)
    changed: list[tuple[Resource, int, int]] = field(default_factory=list)  # (new, +, -)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def text(self, *, base_iri: str) -> str:
        """One line per resource: ``+``/``-``/``~``, relative IRI, label."""
        lines = [f"+ {_line(r, base_iri)}" for r in self.added]
        lines += [f"- {_line(r, base_iri)}" for r in self.removed]
        lines += [f"~ {_line(r, base_iri)} (+{a} -{d} statements)" for r, a, d in self.changed]
        summary = (f"{len(self.added)} added, {len(self.removed)} removed, "
                   f"{len(self.changed)} changed")
        return "\n".join([*lines, summary])


def group_resources(quads: Iterable[ox.Quad | ox.Triple], *, base_iri: str,
                   personal: set[str] | None = None) -> Resources:
    """Group statements by subject IRI under the base; blank-node objects are inlined."""
    by_subject: dict[object, list[tuple[str, object]]] = defaultdict(list)
    for q in quads:
        by_subject[q.subject].append((q.predicate.value, q.object))
    resources = {}
    for subject, statements in by_subject.items():
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(base_iri):
            continue
        resources[subject.value] = Resource(
            subject.value, _label(statements),
            {o.value for p, o in statements if p == RDF_TYPE and isinstance(o, ox.NamedNode)},
            frozenset((p, _term(o, by_subject, 0)) for p, o in statements),
            personal=subject.value in (personal or set()),
        )
    return Resources(resources)


def diff(old: Resources, new: Resources) -> Diff:
    result = Diff()
    for iri in sorted(new.iris() - old.iris()):
        result.added.append(new.resources[iri])
    for iri in sorted(old.iris() - new.iris()):
        result.removed.append(old.resources[iri])
    for iri in sorted(old.iris() & new.iris()):
        before, after = old.resources[iri].statements, new.resources[iri].statements
        if before != after:
            result.changed.append((new.resources[iri], len(after - before), len(before - after)))
    return result


def resources_at(where: str | Path, *, base_iri: str, repo: Path) -> Resources:
    """The resources of a site or data directory, or of a git revision of ``repo``.

    :raises RevisionError: neither a directory nor a git revision of ``repo``.
    :raises SourceError: a file does not parse.
    """
    path = Path(where)
    if path.is_dir():
        return resources_in(path, base_iri)
    with checkout(str(where), repo) as folder:
        return resources_in(folder, base_iri)


@contextmanager
def checkout(revision: str, repo: Path) -> Iterator[Path]:
    """ontology/ and data/ of a git revision, extracted into a temporary folder."""
    commit = commit_of(revision, repo)
    if commit is None:
        raise RevisionError(f"{revision!r} is neither a directory, a git revision nor a released "
                            f"version of {repo}")
    with tempfile.TemporaryDirectory(prefix="regiold-rev-") as tmp:
        archive = Path(tmp) / "rev.tar"
        listed = git(repo, "ls-tree", "--name-only", commit) or ""
        folders = [f for f in ("ontology", "data") if f in listed.split()]
        if git(repo, "archive", "--format=tar", "-o", str(archive), commit,
                "--", *folders) is None:
            raise RevisionError(f"cannot read {revision} from git")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def commit_of(revision: str, repo: Path) -> str | None:
    """The commit of a git revision, of the tag ``release-{version}``, or of a released version
    itself: the commit that first stamped ``dcat:version "{version}"`` into data/release.ttl
    (``regiold release`` writes it; ``owl:versionInfo`` in files from before DCAT-AP.de 3.0), so
    ``diff 0.1.0 HEAD`` and ``diff release-0.1.0 HEAD`` work in a clone that has no release tags."""
    for name in (revision, f"release-{revision}"):
        if found := git(repo, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"):
            return found.strip()
    version = revision.removeprefix("release-")
    if not re.fullmatch(r"[\w.-]+", version):
        return None
    for term in ("dcat:version", "owl:versionInfo"):
        stamped = git(repo, "log", "--reverse", "--format=%H", "-F",
                      f'-S{term} "{version}"', "--", "data/release.ttl")
        if stamped and stamped.split():
            return stamped.split()[0]
    return None


def resources_in(folder: Path, base_iri: str) -> Resources:
    roots = [folder / k for k in ("ontology", "data") if (folder / k).is_dir()] or [folder]
    quads: list[ox.Triple] = []
    personal: set[str] = set()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix in sources_mod.SUFFIXES):
            parsed = _parse_file(path, folder, base_iri)
            quads.extend(parsed)
            if "people" in path.relative_to(folder).parts:
                personal |= {t.subject.value for t in parsed if isinstance(t.subject, ox.NamedNode)}
    personal |= {t.subject.value for t in quads if t.predicate.value == RDF_TYPE
                 and t.object in privacy.PERSON_TYPES}
    return group_resources(quads, base_iri=base_iri, personal=personal)


def _parse_file(path: Path, folder: Path, base_iri: str) -> list[ox.Triple]:
    try:
        return list(ox.parse(path=path, format=sources_mod.SUFFIXES[path.suffix],
                             base_iri=base_iri, without_named_graphs=True, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise SourceError(str(path.relative_to(folder)), exc.lineno, exc.offset, exc.msg) from exc


def _label(statements: list[tuple[str, object]]) -> str | None:
    best: tuple[int, str] | None = None
    for predicate, obj in statements:
        if predicate in _LABELS and isinstance(obj, ox.Literal):
            rank = {"de": 0, "": 1, "en": 2}.get(obj.language or "", 3) + 4 * _LABELS.index(predicate)
            if best is None or rank < best[0]:
                best = (rank, obj.value)
    return best[1] if best else None


def _term(obj: object, by_subject: dict[object, list[tuple[str, object]]], depth: int) -> str:
    if isinstance(obj, ox.BlankNode) and depth < 8:
        inner = sorted(f"{p} {_term(o, by_subject, depth + 1)}" for p, o in by_subject.get(obj, []))
        return "[" + "; ".join(inner) + "]"
    return str(obj)


def _line(resource: Resource, base_iri: str) -> str:
    rel = relative(resource.iri, base_iri)
    return f"{rel}  {resource.label}" if resource.label else rel


def relative(iri: str, base_iri: str) -> str:
    return iri.removeprefix(base_iri)


def git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
