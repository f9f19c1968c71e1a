"""The ``regiold`` command: validate, serve and (in later modules) build, load, import, release.

Every command builds its settings through ``Settings.load`` (``-s NAME VALUE`` overrides).
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from regiold import __version__, create_app, validate
from regiold.errors import ConfigError, InvalidData, RegioldError, SourceError
from regiold.ingest import sources
from regiold.settings import Settings, is_http_url

EXIT_INVALID, EXIT_SYNTAX = 1, 2


@click.group()
@click.version_option(__version__, prog_name="regiold")
@click.option("-s", "--setting", "overrides", type=(str, str), multiple=True,
              metavar="NAME VALUE", help="Override a setting (see `regiold settings`).")
@click.pass_context
def cli(ctx: click.Context, overrides: tuple[tuple[str, str], ...]) -> None:
    """Validate and publish the regionen.NRW partner directory as linked data."""
    try:
        ctx.obj = Settings.load(dict(overrides))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def data_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--data", "site_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Folder holding ontology/, data/ and shapes/ (default: .)")(func)


def with_site_dir(settings: Settings, site_dir: Path | None) -> Settings:
    return settings.with_(site_dir=site_dir) if site_dir is not None else settings


@contextmanager
def data_errors(refusal: str) -> Iterator[None]:
    """Exit 2 on a syntax error (file:line:col), 1 on SHACL violations (report, then ``refusal``),
    1 with the message for any other regiold error (an unreachable store, a bad setting)."""
    try:
        yield
    except SourceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SYNTAX)
    except InvalidData as exc:
        click.echo(exc.report.text("en"), err=True)  # type: ignore[attr-defined]
        click.echo(f"error: {refusal}", err=True)
        sys.exit(EXIT_INVALID)
    except RegioldError as exc:
        where = f" ({exc.where})" if exc.where else ""  # e.g. the store URL and its setting
        raise click.ClickException(f"{exc}{where}") from exc


def parse_or_exit(settings: Settings) -> sources.Sources:
    """The parsed site folder; a syntax error is printed (file:line:col) and exits 2."""
    for rel in sources.unread_files(settings.site_dir):
        click.echo(f"warning: {sources.unread_message(rel)}", err=True)
    try:
        return sources.parse_site(settings.site_dir, base_iri=settings.base_iri)
    except SourceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SYNTAX)


@cli.command("validate")
@data_option
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
def validate_command(settings: Settings, site_dir: Path | None, lang: str, fmt: str,
                     strict: bool) -> None:
    """Parse and validate; exit 1 on SHACL violations, 2 on syntax errors."""
    settings = with_site_dir(settings, site_dir)
    parsed = parse_or_exit(settings)
    with data_errors("the data does not conform"):  # a shape that cannot be applied: exit 2
        report = validate.run(parsed, workers=settings.validate_workers)  # always afresh
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        click.echo(report.results_turtle)
    else:
        click.echo(report.text(lang) if report.violations else report.summary())
    if report.fails(strict=strict):
        sys.exit(EXIT_INVALID)


def check_port(host: str, port: int) -> None:
    """Fail with a clear message when ``host:port`` cannot be listened on (taken, not ours)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn/granian do
            probe.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror}; is another server running there? "
            "Choose another port: --port, or PORT=… make run") from None


@cli.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--allow-invalid", is_flag=True, help="Serve even if validation fails.")
@click.option("--watch", is_flag=True,
              help="Reload when the data files change (as SIGHUP does); see docs/OPERATIONS.md.")
@click.pass_obj
def serve(settings: Settings, site_dir: Path | None, host: str, port: int, workers: int,
          allow_invalid: bool, watch: bool) -> None:
    """Serve the data with gunicorn or granian (validated first; invalid data is refused)."""
    from regiold.publish.site_loader import load_site
    from regiold.serve.gunicorn import run

    settings = with_site_dir(settings, site_dir)
    if allow_invalid:
        settings = settings.with_(allow_invalid=True)
    check_port(host, port)  # before validating: a taken port is told at once, not after "serving on"
    with data_errors("refusing to serve invalid data (use --allow-invalid)"):
        site = load_site(settings)
    click.echo(f"regiold {__version__}: {site.report.summary()}")
    click.echo(f"serving on http://{host}:{port}/ with {workers} worker(s)")
    run(create_app(settings, site=site), settings, host=host, port=port, workers=workers, watch=watch)


@cli.command("load")
@data_option
@click.option("--endpoint", help="SPARQL query URL of the remote store (default: the store setting)")
@click.pass_obj
def load_command(settings: Settings, site_dir: Path | None, endpoint: str | None) -> None:
    """Validate, then replace the data in a remote SPARQL store atomically (docs/STORES.md)."""
    from regiold.publish.remote_load import load_remote

    settings = with_site_dir(settings, site_dir)
    if endpoint:
        try:
            settings = settings.with_(store=endpoint)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--endpoint") from None
    with data_errors("invalid data; nothing was sent to the store"):
        result = load_remote(settings)
    click.echo(f"loaded {result.triples} triples, version {result.version}, "
               f"in {result.seconds:.2f} s ({result.report.summary()})")


def _http_iri(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An option's value if it is an http(s) IRI naming a host (it goes into robots.txt, the
    sitemap and links as it is)."""
    if value is not None and not is_http_url(value):
        raise click.BadParameter(f"{value!r} is not an http(s) URL", ctx=ctx, param=param)
    return value


@cli.command("build")
@data_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the static site into")
@click.option("--url", "root_url", callback=_http_iri, help="Where the export will be served "
              "(sitemap, robots.txt); default: the base IRI")
@click.option("--processes", type=int, help="Worker processes for the pages (default: cores)")
@click.option("--sparql-url", callback=_http_iri, help="A SPARQL endpoint serving the same data: "
              "the pages link it (default: none; the pages say that querying needs the live server)")
@click.pass_obj
def build_command(settings: Settings, site_dir: Path | None, out: Path, root_url: str | None,
                  processes: int | None, sparql_url: str | None) -> None:
    """Write every resource in every format, pages, dumps, VoID, sitemap and conneg rules."""
    from regiold.export.build import build, prepare_out
    from regiold.export.rules import sparql_redirect
    from regiold.publish.site_loader import load_site

    if sparql_url and sparql_redirect(sparql_url) is None:
        raise click.BadParameter("an absolute http(s) URL without quotes, spaces, $ { } ; or \\ "
                                 "(the pages link it, the nginx and Apache rules redirect /sparql "
                                 "to it)", param_hint="--sparql-url")
    settings = with_site_dir(settings, site_dir).with_(sparql_link=sparql_url or "")
    with data_errors("refusing to export invalid data"):
        prepare_out(out, settings.site_dir)  # before validating: a bad folder is told at once
        site = load_site(settings)
    try:
        result = build(site, out, root_url=root_url, processes=processes)
    except OSError as exc:  # --out under a file, read-only, a full disk
        raise click.ClickException(f"cannot write the export to {out}: "
                                   f"{exc.strerror or exc}") from None
    click.echo(f"wrote {result.files} files ({result.bytes / 1e6:.1f} MB) for {result.resources} "
               f"resources in {result.seconds:.1f} s to {out}")
    for path in result.skipped:
        click.echo(f"warning: skipped {path!r}: not a safe file name", err=True)


@cli.command("release")
@data_option
@click.option("--version", "version", metavar="X", help="Version to stamp (default: count on).")
@click.option("--since", metavar="DIR|REV",
              help="Data to compare with for the changelog (default: git tag release-<previous>).")
@click.pass_obj
def release_command(settings: Settings, site_dir: Path | None, version: str | None,
                    since: str | None) -> None:
    """Stamp a dataset version, extend releases/released-iris.txt, prepend the changelog."""
    from regiold.steward import release

    settings = with_site_dir(settings, site_dir)
    try:
        result = release.release(settings.site_dir, base_iri=settings.base_iri, version=version,
                                 since=since)
    except (release.ReleaseError, SourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"released {result.version}" +
               (f" (revision of {result.previous})" if result.previous else ""))
    click.echo(result.diff.text(base_iri=settings.base_iri))
    click.echo(f"{result.released} IRIs released so far, {result.new_iris} new; "
               f"commit, then `git tag release-{result.version}`")


@cli.command("diff")
@click.argument("old")
@click.argument("new")
@data_option
@click.pass_obj
def diff_command(settings: Settings, old: str, new: str, site_dir: Path | None) -> None:
    """Resources added, removed and changed between OLD and NEW (folders or git revisions)."""
    from regiold.steward.diff import RevisionError, diff, resources_at

    settings = with_site_dir(settings, site_dir)
    try:
        before = resources_at(old, base_iri=settings.base_iri, repo=settings.site_dir)
        after = resources_at(new, base_iri=settings.base_iri, repo=settings.site_dir)
    except (RevisionError, SourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SYNTAX)
    click.echo(diff(before, after).text(base_iri=settings.base_iri))


@cli.command("import")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the organisation here (persons go to data/people/ beside it); "
                   "default: print everything.")
@click.option("--people-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the person drafts (default: ../people beside --out).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--retrieved", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S",
                                                  "%Y-%m-%d"]),
              help="When the page was retrieved (default: the file's modification time).")
@click.option("--source-url", help="Address the page was retrieved from.")
@data_option
@click.pass_obj
def import_command(settings: Settings, page: Path, out: Path | None, people_dir: Path | None,
                   force: bool, retrieved: object, source_url: str | None,
                   site_dir: Path | None) -> None:
    """Draft Turtle for a CMS partner page (HTML or text), in the model of data/."""
    import datetime as dt

    from regiold.steward import importer

    settings = with_site_dir(settings, site_dir)
    when = retrieved.replace(tzinfo=retrieved.tzinfo or dt.UTC) if isinstance(
        retrieved, dt.datetime) else None
    try:
        draft = importer.import_page(page, site_dir=settings.site_dir, base_iri=settings.base_iri,
                                     retrieved=when, source_url=source_url)
        for note in sorted(draft.notes, key=lambda n: n.line):
            click.echo(f"{page}:{note.line}: {note.reason}: {note.text}", err=True)
        written: list[Path] = []
        if out is None:
            for rel, text in draft.files.items():
                click.echo(f"# ==> {rel} <==\n{text}")
        else:
            written = importer.write_draft(draft, out, force=force,
                                           people_dir=people_dir or importer.people_dir_for(out))
            click.echo("wrote " + ", ".join(str(w) for w in written), err=True)
        report = importer.check_draft(draft, settings.site_dir, base_iri=settings.base_iri,
                                      written=written) \
            if (settings.site_dir / "shapes").is_dir() else None
    except (importer.ImportError_, SourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SYNTAX)
    if report is not None:
        click.echo(f"draft in place of {', '.join(draft.files)}: {report.summary()}", err=True)
        if report.fails():
            click.echo(report.text("en"), err=True)
            sys.exit(EXIT_INVALID)


@cli.command("forget")
@click.argument("iri")
@data_option
@click.pass_obj
def forget_command(settings: Settings, iri: str, site_dir: Path | None) -> None:
    """Remove a person (IRI or person/slug) from every data file; leave a tombstone without
    personal data. Writes files: review with `git diff`, then commit."""
    import datetime as dt
    import shutil

    from regiold.steward import forget

    settings = with_site_dir(settings, site_dir)
    try:
        result = forget.forget_person(settings.site_dir, iri, base_iri=settings.base_iri,
                                      today=dt.datetime.now(dt.UTC).date().isoformat())
    except forget.ForgetError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except SourceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SYNTAX)
    shutil.rmtree(settings.cache_dir, ignore_errors=True)  # cached reports may quote the person
    for path in result.deleted:
        click.echo(f"deleted {path}")
    for path in result.changed:
        click.echo(f"rewrote {path}")
    click.echo(f"{result.retired} IRI(s) now answer 410 Gone (hashed in releases/tombstones.ttl)")
    with data_errors("the data does not conform"):
        report = validate.run(sources.parse_site(settings.site_dir, base_iri=settings.base_iri),
                              workers=settings.validate_workers)
    click.echo(report.summary())
    if report.fails():
        click.echo(report.text("en"), err=True)
        sys.exit(EXIT_INVALID)


@cli.command("facts")
@data_option
@click.pass_obj
def facts_command(settings: Settings, site_dir: Path | None) -> None:
    """Print how many facts of data/ each source supports, by confidence (Markdown table;
    docs/MODEL.md holds its output)."""
    from regiold.steward import facts

    parsed = parse_or_exit(with_site_dir(settings, site_dir))
    click.echo(facts.markdown(facts.table(parsed)), nl=False)


@cli.command("settings")
def settings_command() -> None:
    """List every setting with its default and help (env: REGIOLD_<NAME>)."""
    for name, default, text in Settings.help_table():
        click.echo(f"{name:24} {default!s:32} {text}")


def main() -> None:
    cli(prog_name="regiold")
