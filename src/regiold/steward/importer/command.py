"""The command: read, understand and draft one page; write the draft; check it against the site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from regiold.ingest import sources as sources_mod
from regiold.steward.importer.facts import understand
from regiold.steward.importer.known import Known
from regiold.steward.importer.page import ImportError_, read_page
from regiold.steward.importer.sections import parse
from regiold.steward.importer.turtle import Draft, build


def import_page(path: Path, *, site_dir: Path | None, base_iri: str,
                retrieved: dt.datetime | None = None, source_url: str | None = None) -> Draft:
    """Read, understand and draft one partner page.

    :raises ImportError_: the page cannot be read or has no recognisable content.
    :raises SourceError: the site's data do not parse.
    """
    page = read_page(path)
    known = Known.from_site(site_dir, base_iri=base_iri)
    when = retrieved or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    facts = understand(parse(page), known)
    return build(facts, known, page, retrieved=when, source_url=source_url)


def write_draft(draft: Draft, out: Path, *, people_dir: Path, force: bool) -> list[Path]:
    """Write the organisation to ``out`` and each person to ``people_dir``.

    :raises ImportError_: a target exists and ``force`` is not set (nothing is written then).
    """
    org_rel, *person_rels = draft.files
    targets = [(out, draft.files[org_rel])]
    targets += [(people_dir / Path(rel).name, draft.files[rel]) for rel in person_rels]
    existing = [str(t) for t, _ in targets if t.exists()]
    if existing and not force:
        raise ImportError_("not overwriting (use --force): " + ", ".join(existing))
    for folder in dict.fromkeys(t.parent for t, _ in targets):  # every folder before any file
        _writable(folder, lambda f=folder: f.mkdir(parents=True, exist_ok=True))
    written: list[Path] = []
    try:
        for target, text in targets:
            _writable(target, lambda t=target, x=text: t.write_text(x, encoding="utf-8"))
            written.append(target)
    except ImportError_:
        for path in written:  # all or nothing: new files go again (an existing one was forced)
            if str(path) not in existing:
                path.unlink(missing_ok=True)
        raise
    return written


def _writable(path: Path, write: Callable[[], object]) -> None:
    try:
        write()
    except OSError as exc:  # a folder under a file, read-only, a full disk
        raise ImportError_(f"cannot write {path}: {exc.strerror or exc}") from None


def people_dir_for(out: Path) -> Path:
    """Where person drafts go beside ``out``: data/partners/x.ttl → data/people/."""
    return out.parent.parent / "people" if out.parent.name == "partners" else out.parent / "people"


def check_draft(draft: Draft, site_dir: Path, *, base_iri: str,
                written: list[Path] | None = None) -> object:
    """Validate the site with the draft in place of the files it replaces (in a temp copy).

    ``written``: where ``write_draft`` put the files (in the order of ``draft.files``). A file
    written inside the site is already part of the copy, so it is not added a second time under
    its draft name (that counted its triples twice in the summary).

    :raises SourceError: the draft (or the site) does not parse.
    """
    site = Path(site_dir).resolve()
    inside = {rel for rel, target in zip(draft.files, written or [], strict=False)
              if target.resolve().is_relative_to(site)}
    import shutil
    import tempfile

    from regiold import validate

    with tempfile.TemporaryDirectory(prefix="regiold-import-") as tmp:
        copy = Path(tmp) / "site"
        for kind in sources_mod.KINDS:
            if (Path(site_dir) / kind).is_dir():
                shutil.copytree(Path(site_dir) / kind, copy / kind)
        for rel, text in draft.files.items():
            if rel in inside:
                continue
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            (copy / rel).write_text(text, encoding="utf-8")
        return validate.run(sources_mod.parse_site(copy, base_iri=base_iri))
