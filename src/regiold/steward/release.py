"""Releases: version stamp, the list of every IRI ever published, and the changelog (which
compares with the previous release through ``steward/diff.py``).

Files (see docs/STEWARDS.md):

* ``data/release.ttl`` — generated: the dataset's ``dcat:version``, ``dct:modified`` and
  ``prov:wasRevisionOf`` the previous version, plus one node per version. It is data (so VoID,
  DCAT, SPARQL and the dataset page see the version) and is validated with everything else.
* ``releases/released-iris.txt`` — every IRI under the base ever published, sorted, one a line;
  a forgotten person's IRI is replaced by its hash (``tombstones.iri_hash``).
* ``releases/CHANGELOG.md`` — newest first; persons appear only as counts, never by name.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from regiold import validate
from regiold.errors import RegioldError, SourceError
from regiold.ingest import sources as sources_mod
from regiold.publish import tombstones as tombstones_mod
from regiold.publish.changelog import CHANGELOG
from regiold.steward.diff import (
    Diff,
    Resource,
    Resources,
    RevisionError,
    commit_of,
    diff,
    relative,
    resources_at,
    resources_in,
)

RELEASE_FILE = Path("data") / "release.ttl"
RELEASED_IRIS = Path("releases") / "released-iris.txt"
_LISTED = 40  # more changes than this of one kind are counted by IRI pattern, not listed
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,40}$")
CHANGELOG_HEADER = ("# Changelog\n\nReleases of the regionen.NRW partner directory, newest first. "
                    "Written by `regiold release`; persons are counted, never named.\n")


class ReleaseError(RegioldError):
    title = "Release refused"


# ---------------------------------------------------------------- released IRIs


def read_released(site_dir: Path) -> list[str]:
    path = Path(site_dir) / RELEASED_IRIS
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def releases_writable(site_dir: Path) -> str | None:
    """None when releases/ exists (made now if missing) and can be written, else why not.

    ``release`` and ``forget`` write data/ first and releases/ after: asked before either
    writes, so that neither stops halfway (a stamped version never released, a person gone from
    data/ without the tombstone that makes their IRI answer 410)."""
    folder = Path(site_dir) / RELEASED_IRIS.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot write {folder}: {exc.strerror or exc} (nothing changed)"
    if not os.access(folder, os.W_OK):
        return f"cannot write {folder}: not writable (nothing changed)"
    return None


def write_released(site_dir: Path, iris: Iterable[str]) -> Path:
    path = Path(site_dir) / RELEASED_IRIS
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Every IRI regiold ever published, sorted; kept forever (see docs/STEWARDS.md).\n"
              "# urn:regiold:sha256:… stands for a forgotten person's IRI.\n")
    path.write_text(header + "".join(f"{i}\n" for i in sorted(set(iris))), encoding="utf-8")
    return path


def unaccounted(released: Iterable[str], live: set[str],
                stones: tombstones_mod.Tombstones) -> list[str]:
    """Released IRIs that would answer 404: neither in the data nor tombstoned."""
    return sorted(i for i in released
                  if i not in live and stones.find(i) is None
                  and not (i.startswith(tombstones_mod.HASH_PREFIX) and i in _hashes(stones)))


def _hashes(stones: tombstones_mod.Tombstones) -> set[str]:
    return {s.iri for s in stones if s.hashed}


# ---------------------------------------------------------------- the release record


@dataclass
class Version:
    version: str
    issued: str  # xsd:date


def versions(site_dir: Path, *, base_iri: str) -> list[Version]:
    """Released versions recorded in ``data/release.ttl``, oldest first."""
    path = Path(site_dir) / RELEASE_FILE
    if not path.is_file():
        return []
    triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(
                base_iri + "dataset/version/") and isinstance(t.object, ox.Literal):
            found[t.subject.value][t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]] = \
                t.object.value
    # dcat:version; owl:versionInfo in files written before DCAT-AP.de 3.0 deprecated it
    stamped = [Version(v.get("version") or v["versionInfo"], v.get("issued", "")) for v in found.values()
               if "version" in v or "versionInfo" in v]
    return sorted(stamped, key=lambda v: (v.issued, _version_key(v.version)))


def version_slug(version: str) -> str:
    """IRIs never contain a dot (it starts a document suffix): 1.2.0 → 1-2-0."""
    return version.replace(".", "-")


def next_version(previous: str | None) -> str:
    if previous is None:
        return "1.0.0"
    numbers = re.findall(r"\d+", previous)
    if not numbers:
        raise ReleaseError(f"cannot count on from version {previous!r}; give --version")
    head, _, _ = previous.rpartition(numbers[-1])
    return f"{head}{int(numbers[-1]) + 1}"


def release_turtle(history: list[Version]) -> str:
    """``data/release.ttl`` for a version history (oldest first, the last is current)."""
    current = history[-1]
    lines = [
        "# Generated by `regiold release`; do not edit by hand (see docs/STEWARDS.md).",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f'<dataset> dcat:version "{current.version}" ;',
        f'    dct:modified "{current.issued}"^^xsd:date ;',
        f"    dcat:hasVersion <dataset/version/{version_slug(current.version)}>"
        + (f" ;\n    prov:wasRevisionOf <dataset/version/{version_slug(history[-2].version)}> ."
           if len(history) > 1 else " ."),
    ]
    for index, v in enumerate(history):
        lines += [
            "",
            f"<dataset/version/{version_slug(v.version)}>",  # untyped: no shape for a source
            f'    rdfs:label "Partnerverzeichnis regionen.NRW, Version {v.version}"@de ,',
            f'        "regionen.NRW partner directory, version {v.version}"@en ;',
            f'    dcat:version "{v.version}" ;',
            f'    dct:issued "{v.issued}"^^xsd:date ;',
            "    dcat:isVersionOf <dataset>"
            + (f" ;\n    prov:wasRevisionOf <dataset/version/{version_slug(history[index - 1].version)}> ."
               if index else " ."),
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- release


@dataclass
class ReleaseResult:
    version: str
    previous: str | None
    diff: Diff
    released: int
    new_iris: int


def release(site_dir: Path, *, base_iri: str, version: str | None = None,
            since: str | None = None, today: dt.date | None = None) -> ReleaseResult:
    """Stamp a version, extend the released-IRIs list, prepend the changelog.

    :raises ReleaseError: invalid data, contradicting tombstones, a released IRI that would
        answer 404, a version that exists already, or an unreadable ``since``.
    :raises SourceError: a file does not parse.
    """
    site_dir = Path(site_dir)
    today = today or dt.datetime.now(dt.UTC).date()
    loaded = _valid_sources(site_dir, base_iri)
    stones = tombstones_mod.read_tombstones(site_dir, base_iri=base_iri)
    live = _live_iris(loaded)
    _refuse_broken_promises(site_dir, live, stones)
    history = versions(site_dir, base_iri=base_iri)
    previous = history[-1].version if history else None
    version = version or next_version(previous)
    _check_version(version, history)
    old = _previous_resources(site_dir, base_iri, previous, since)
    new = resources_in(site_dir, base_iri)
    released_before = read_released(site_dir)
    if old is not None:
        changes = diff(old, new)
    else:  # no earlier data to compare with: what is new is what was never released
        known = set(released_before)
        changes = Diff(added=[r for i, r in sorted(new.resources.items()) if i not in known])

    unwritable = releases_writable(site_dir)
    if unwritable:
        raise ReleaseError(unwritable)
    release_path = site_dir / RELEASE_FILE
    backup = release_path.read_text(encoding="utf-8") if release_path.is_file() else None
    release_path.write_text(release_turtle([*history, Version(version, today.isoformat())]),
                            encoding="utf-8")
    try:
        stamped = _valid_sources(site_dir, base_iri)
    except (ReleaseError, SourceError):
        _restore(release_path, backup)
        raise
    published = _live_iris(stamped)
    write_released(site_dir, [*released_before, *published])
    since_date = history[-1].issued if history else ""
    _prepend_changelog(site_dir, _changelog_entry(version, today, changes, stones, base_iri,
                                                  since_date=since_date))
    return ReleaseResult(version, previous, changes, len(set(released_before) | published),
                         len(published - set(released_before)))


def _valid_sources(site_dir: Path, base_iri: str) -> sources_mod.Sources:
    loaded = sources_mod.parse_site(site_dir, base_iri=base_iri)
    report = validate.run(loaded)
    if report.fails():
        raise ReleaseError("the data does not validate; run `regiold validate`:\n" +
                           report.text("en"))
    return loaded


def _live_iris(loaded: sources_mod.Sources) -> set[str]:
    base = loaded.base_iri
    return {q.subject.value for q in loaded.quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base)}


def _refuse_broken_promises(site_dir: Path, live: set[str],
                            stones: tombstones_mod.Tombstones) -> None:
    problems = stones.problems(live)
    missing = unaccounted(read_released(site_dir), live, stones)
    problems += [f"{iri}: was released, is gone from data/ and has no tombstone "
                 f"(add one to {tombstones_mod.TOMBSTONE_FILE})" for iri in missing]
    if problems:
        raise ReleaseError("released IRIs must keep working:\n" + "\n".join(problems))


def _check_version(version: str, history: list[Version]) -> None:
    if not _VERSION_RE.match(version):
        raise ReleaseError(f"version {version!r}: use letters, digits, '.' and '-' only")
    if any(v.version == version or version_slug(v.version) == version_slug(version)
           for v in history):
        raise ReleaseError(f"version {version} was released already")


def _previous_resources(site_dir: Path, base_iri: str, previous: str | None,
                        since: str | None) -> Resources | None:
    """What the changelog compares with: ``since``, else the tag ``release-{previous}``, else the
    commit that stamped the previous version (diff.commit_of)."""
    try:
        if since is not None:
            return resources_at(since, base_iri=base_iri, repo=site_dir)
        if previous is not None and (commit := commit_of(previous, site_dir)) is not None:
            return resources_at(commit, base_iri=base_iri, repo=site_dir)  # tag or stamp commit
    except RevisionError as exc:
        raise ReleaseError(str(exc)) from exc
    return None


def _restore(path: Path, backup: str | None) -> None:
    if backup is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(backup, encoding="utf-8")


def _changelog_entry(version: str, today: dt.date, changes: Diff,
                     stones: tombstones_mod.Tombstones, base_iri: str, *, since_date: str) -> str:
    lines = [f"## {version} — {today.isoformat()}", ""]
    for title, items in (("Added", changes.added), ("Removed", changes.removed),
                         ("Changed", [r for r, _, _ in changes.changed])):
        public = [r for r in items if not r.personal and not r.iri.startswith(
            base_iri + "dataset/version/")]
        persons = sum(1 for r in items if r.personal)
        if not public and not persons:
            continue
        lines.append(f"### {title}")
        if len(public) > _LISTED:
            lines += _counted(public, base_iri)
        else:
            lines += [f"- {_md(r.label or relative(r.iri, base_iri))} (`{relative(r.iri, base_iri)}`)"
                      for r in public]
        if persons:
            lines.append(f"- {persons} person record(s)")
        lines.append("")
    retired = [s for s in stones if (s.removed or "") > since_date]
    if retired:
        lines.append("### Retired IRIs")
        lines += [f"- `{_tomb_ref(s, base_iri)}` → " + (f"`{relative(s.replaced_by, base_iri)}` (301)"
                                                        if s.replaced_by else "410 Gone")
                  for s in retired]
        lines.append("")
    if changes.empty and not retired:
        lines += ["No changes to the resources.", ""]
    return "\n".join(lines)


def _counted(resources: list[Resource], base_iri: str) -> list[str]:
    """'- 27 × `org/{slug}/membership/…`': many changes summarised by IRI pattern."""
    patterns: dict[str, int] = defaultdict(int)
    for r in resources:
        parts = relative(r.iri, base_iri).split("/")
        if len(parts) <= 2:
            pattern = "/".join(parts[:1] + ["…"] * (len(parts) > 1))
        elif parts[0] == "org":  # a dependent node: org/{slug}/{kind}/…
            pattern = "/".join(["org", "…", parts[2], *(["…"] if len(parts) > 3 else [])])
        else:
            pattern = f"{parts[0]}/{parts[1]}/…"
        patterns[pattern] += 1
    return [f"- {n} × `{p}`" for p, n in sorted(patterns.items())]


def _tomb_ref(stone: tombstones_mod.Tombstone, base_iri: str) -> str:
    return "(forgotten person)" if stone.hashed else relative(stone.iri, base_iri)


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _prepend_changelog(site_dir: Path, entry: str) -> None:
    path = site_dir / CHANGELOG
    path.parent.mkdir(parents=True, exist_ok=True)
    body = path.read_text(encoding="utf-8") if path.is_file() else CHANGELOG_HEADER
    head, sep, rest = body.partition("\n## ")
    path.write_text(head.rstrip("\n") + "\n\n" + entry.rstrip("\n") + "\n" +
                    (("\n## " + rest) if sep else ""), encoding="utf-8")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))


