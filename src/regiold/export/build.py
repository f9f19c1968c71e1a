"""``regiold build --out DIR``: the whole site as static files, plus conneg rules for nginx/Apache.

Layout (``{path}`` is an IRI relative to the base, e.g. ``org/x``)::

    {path}.ttl .jsonld .nt .rdf     every resource in every RDF format (the document URLs)
    {path}.{lang}.html              its page in each language as ``?lang={lang}`` names it (links keep
                                    ``lang=``); {path}.html: the default language, clean links
    index.{lang}.html, index.html   the partner index, the same way
    context.jsonld, robots.txt, sitemap.xml, .well-known/void.{ext}, dumps/…, static/…, 404.html
    .regiold/nginx-http.conf        maps (include in http {}), .regiold/nginx-server.conf (server {})
    .htaccess                       the same rules for Apache 2.4

The bytes come from the same functions the server uses (``render.representation``,
``render.index_html``, ``dataset.export``): nothing is rendered twice, so a file equals the
server's answer for that document URL. Pages are written by forked workers (one per core), each
dropping its memoised representations after writing them so memory stays flat.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from regiold.errors import ConfigError, NotFound
from regiold.export import rules as export_rules
from regiold.ingest.sources import KINDS
from regiold.publish import dataset as dataset_mod
from regiold.publish import render
from regiold.publish.site import Site
from regiold.rdf.formats import HTML, RESOURCE

LANGS = export_rules.LANGS
RULES_DIR = ".regiold"
_MANIFEST = "resources.txt"  # in RULES_DIR: the resource paths the last build wrote
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$")
_SKIPPED_PAGES = {"sparql"}  # dynamic: not part of a static export
_site: Site | None = None  # the Site the forked workers inherit


@dataclass(frozen=True)
class BuildResult:
    resources: int
    files: int
    bytes: int
    seconds: float
    skipped: list[str]


def build(site: Site, out: Path, *, root_url: str | None = None, processes: int | None = None) -> BuildResult:
    """Write the static site for ``site`` into ``out`` (created; existing files are replaced).

    ``root_url`` is where the export will be served (for the sitemap and robots.txt); default:
    the base IRI. ``processes`` defaults to the number of cores.
    """
    start = time.perf_counter()
    root_url = root_url or site.base_iri
    if not root_url.endswith("/"):
        root_url += "/"
    out.mkdir(parents=True, exist_ok=True)
    subjects = dataset_mod.subject_paths(site.store, site.base_iri)  # one query for both lists
    paths, skipped = resource_paths(site, subjects)
    files, size, absent = _write_resources(site, out, paths, processes or os.cpu_count() or 1)
    more, more_size = _write_site_files(site, out, root_url, subjects)
    listed = _remove_stale(out, [path for path in paths if path not in absent])
    return BuildResult(len(paths), files + more + 1, size + more_size + listed,
                       time.perf_counter() - start, skipped)


def prepare_out(out: Path, site_dir: Path) -> None:
    """Create ``out``, or say why it cannot hold the export (before the data are validated).

    :raises ConfigError: ``out`` is the project folder or lies inside ``ontology/``, ``data/`` or
        ``shapes/``: the next build, serve or validate would read the export (the pages of
        ``shapes/…`` IRIs would land in ``shapes/``) as data; or ``out`` cannot be created.
    """
    target, project = out.resolve(), site_dir.resolve()
    if target == project or any(target.is_relative_to(project / kind) for kind in KINDS):
        raise ConfigError(f"--out {out} is the project folder {project} or lies in its ontology/, "
                          "data/ or shapes/: the next build, serve or validate would read the "
                          "export as data; choose another folder (e.g. ./site)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the export to {out}: {exc.strerror}") from None


def resource_paths(site: Site, subjects: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Paths of every IRI the server describes (subjects under the base), and unsafe ones skipped.

    Hash IRIs are left out (a hash IRI is part of its document's description); named graphs
    (``graph/…``) are described in graph/void, so they have files like every resource.
    ``subjects``: ``dataset.subject_paths``, when the caller has read them already.
    """
    if subjects is None:
        subjects = dataset_mod.subject_paths(site.store, site.base_iri)
    candidates = subjects | set(dataset_mod.FIXED_PAGES)
    paths, skipped = [], []
    for path in sorted(candidates):
        if not path or path in _SKIPPED_PAGES or "#" in path:
            continue
        if _safe_path(path):
            paths.append(path)
        else:
            skipped.append(path)
    return paths, skipped


def _safe_path(path: str) -> bool:
    """A resource path that names files inside the export: relative, no `..`, no suffix, no odd
    bytes (``out / "/x"`` would be ``/x``)."""
    return bool(_SAFE_PATH.match(path)) and not path.startswith("/") \
        and ".." not in path.split("/") and "." not in path.rsplit("/", 1)[-1]


def _write_resources(site: Site, out: Path, paths: list[str],
                     processes: int) -> tuple[int, int, set[str]]:
    """Write ``paths``' files by ``processes`` forked workers, each taking every
    ``processes``-th resource (neighbours in the sorted list cost alike, so the slices do too).
    Returns the files and bytes written, and the paths that have no description (withheld)."""
    global _site
    if processes <= 1 or len(paths) < processes:
        return _write_slice((str(out), paths, site))
    _site = site
    slices = [paths[i::processes] for i in range(processes)]
    context = multiprocessing.get_context("fork")  # the workers share the loaded store
    with context.Pool(processes) as pool:
        counts = pool.map(_write_slice, [(str(out), part, None) for part in slices], chunksize=1)
    return (sum(files for files, _, _ in counts), sum(size for _, size, _ in counts),
            set().union(*(absent for _, _, absent in counts)))


def _write_slice(job: tuple[str, list[str], Site | None]) -> tuple[int, int, set[str]]:
    out, paths, site = job[0], job[1], job[2] or _site
    assert site is not None
    writer = _Writer(out)
    absent = {path for path in paths if not _write_resource(site, writer, path)}
    return writer.files, writer.bytes, absent


class _Writer:
    """Writes files under one folder: each folder made once, each file with one system call (no
    file object, no temporary name: the export is built, then served). Counts what it wrote
    (the build reports it without walking the tree again)."""

    def __init__(self, out: str) -> None:
        self.out, self.folders = out, set()
        self.files = self.bytes = 0

    def __call__(self, rel: str, body: bytes) -> None:
        self.files += 1
        self.bytes += len(body)
        target = f"{self.out}/{rel}"
        folder = target.rpartition("/")[0]
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(body)
            while view:  # one write for a regular file; the loop only guards a short write
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)

    def link(self, rel: str, same: str, size: int) -> None:
        """``rel`` as a hard link to the file ``same`` of ``size`` bytes written before (the same
        bytes): a new name costs the file system less than a new file (docs/performance.md)."""
        self.files += 1
        self.bytes += size
        target = f"{self.out}/{rel}"
        try:
            os.link(f"{self.out}/{same}", target)
        except FileExistsError:  # an earlier export's file
            os.unlink(target)
            os.link(f"{self.out}/{same}", target)


def _write_resource(site: Site, write: _Writer, path: str) -> bool:
    """Every representation of one resource: straight from the renderers the server calls, with
    one description for all of them (memoised while this resource is written, then dropped).
    False when the resource has no description (only a named graph, or withheld)."""
    iri = site.base_iri + path
    sizes: dict[str, int] = {}
    try:
        for fmt in RESOURCE:
            if fmt is HTML:  # the default language's two pages from one rendering
                named, clean = render.default_pages(site, iri)
                for lang in LANGS:
                    write(f"{path}.{lang}.html", named if lang == site.settings.default_lang else
                          dataset_mod.representation(site, iri, fmt, lang, named=True).body)
                write(f"{path}.html", clean)
            elif fmt.same_bytes_as:  # N3 is Turtle, written just before (RESOURCE's order)
                write.link(f"{path}.{fmt.key}", f"{path}.{fmt.same_bytes_as}", sizes[fmt.same_bytes_as])
            else:
                body = dataset_mod.representation(site, iri, fmt).body
                write(f"{path}.{fmt.key}", body)
                sizes[fmt.key] = len(body)
    except NotFound:
        return False  # an IRI that appears only as a named graph or is withheld
    finally:
        render.forget(site, iri)  # written once, never asked for again here
    return True


def _resource_files(path: str) -> list[str]:
    """The names ``_write_resource`` gives the files of ``path``."""
    return [f"{path}.{lang}.html" for lang in LANGS] + [f"{path}.{fmt.key}" for fmt in RESOURCE]


def _remove_stale(out: Path, written: list[str]) -> int:
    """Delete the files of resources an earlier build into ``out`` wrote and this one did not (a
    forgotten person, person data switched off, a removed organisation): the host would serve
    them on. The list of written resources is kept in ``.regiold/resources.txt``; files the
    export did not write are never touched. A folder from a build without that list keeps
    whatever it holds (docs/STATIC.md). Returns the size of the new list."""
    manifest = out / RULES_DIR / _MANIFEST
    try:
        before = manifest.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        before = []
    for path in set(before) - set(written) - {""}:
        if not _safe_path(path):  # an edited list never deletes outside the export
            continue
        for name in _resource_files(path):
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
    return _write(manifest, "\n".join(written).encode())


def _write_site_files(site: Site, out: Path, root_url: str,
                      subjects: set[str] | None = None) -> tuple[int, int]:
    """Everything but the resources' files; returns the files and bytes written."""
    sizes: list[int] = []
    write = lambda target, body: sizes.append(_write(target, body))  # noqa: E731
    found = render.partners(site)  # one query for the three start pages
    for lang in LANGS:
        write(out / f"index.{lang}.html", render.index_html(site, lang, named=True, found=found).body)
    write(out / "index.html", render.index_html(site, site.settings.default_lang, found=found).body)
    write(out / render.CONTEXT_PATH, render.context_document(site))
    sizes += [path.stat().st_size for path in dataset_mod.export(
        site, out, root_url, skip=_SKIPPED_PAGES, subjects=subjects)]
    for lang in LANGS:  # /.well-known/void for browsers: the dataset page (the server sends a 303)
        source = out / f"{dataset_mod.DATASET}.{lang}.html"
        if source.exists():
            write(out / ".well-known" / f"void.{lang}.html", source.read_bytes())
    write(out / "404.html", render.error_html(
        404, "Not found", "No resource at this address.", site.settings.default_lang,
        site.settings.default_lang, sparql_link=site.settings.sparql_link))
    static = Path(__file__).parent.parent / "static"
    if static.is_dir():
        shutil.copytree(static, out / "static", dirs_exist_ok=True)
        sizes += [path.stat().st_size for path in static.rglob("*") if path.is_file()]  # copied
        write(out / "favicon.ico", (static / "favicon.ico").read_bytes())
    sizes += _write_rules(site, out)
    return len(sizes), sum(sizes)


def _write_rules(site: Site, out: Path) -> list[int]:
    rules = out / RULES_DIR
    lang = site.settings.default_lang
    sparql = site.settings.sparql_link  # --sparql-url, else ""
    return [_write(rules / "nginx-http.conf", export_rules.nginx_http(default_lang=lang).encode()),
            _write(rules / "nginx-server.conf", export_rules.nginx_server(
                str(out.resolve()), listen="80", base_iri=site.base_iri, sparql_url=sparql).encode()),
            _write(out / ".htaccess", export_rules.htaccess(site.base_iri, default_lang=lang,
                                                            sparql_url=sparql).encode())]


def _write(target: Path, body: bytes) -> int:
    """Write ``body`` to ``target`` (replaced whole); returns its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(target)
    return len(body)
