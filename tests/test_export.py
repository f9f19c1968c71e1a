"""`regiold build`: every document the server answers, as files with the same bytes, and conneg
rules that choose what the server chooses."""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
from pathlib import Path

import pytest
import rdflib
import requests
from click.testing import CliRunner
from rdflib.namespace import DCAT, RDF, VOID
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from pages_support import DME, copy_site, make_app
from processes import free_port, running
from regiold.cli import cli
from regiold.errors import NotAcceptable
from regiold.export.build import build
from regiold.export.rules import accept_rules, exact_accept, htaccess, nginx_http
from regiold.publish.site_loader import load_site
from regiold.rdf.formats import RESOURCE
from regiold.settings import Settings
from regiold.web.negotiate import negotiate

BASE = "https://w3id.org/regionen-nrw/"


def tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: content hash and modification time."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                               p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def export_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[str]]:
    """Site folder, export folder, and the site's files that `regiold build` added, removed or
    changed."""
    site = copy_site(tmp_path_factory.mktemp("export") / "site")
    make_app(site)  # the server's own cache (site/.cache, used by the comparisons) comes first
    out = site.parent / "out"
    before = tree_state(site)
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site.parent / "export-cache"), "build",
                                      "--data", str(site), "--out", str(out),
                                      "--url", "https://example.org/", "--processes", "2"])
    assert result.exit_code == 0, result.output
    after = tree_state(site)
    return site, out, {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}


@pytest.fixture(scope="module")
def exported(export_run: tuple[Path, Path, set[str]]) -> tuple[Path, Path]:
    return export_run[:2]


def test_every_document_equals_the_servers_answer(exported):
    site, out = exported
    client = make_app(site, sparql_link="").test_client()  # built without --sparql-url
    documents = [p for p in out.rglob("*") if p.is_file() and p.suffix[1:] in {f.key for f in RESOURCE}
                 and not p.name.startswith(("index.", "404.")) and ".well-known" not in p.parts]
    assert len(documents) > 50
    for doc in documents:
        rel = doc.relative_to(out).as_posix()
        match = re.fullmatch(r"(.+?)(?:\.(de|en))?\.(\w+)", rel)
        assert match, rel
        path, lang, ext = match.groups()
        url = f"/{path}.{ext}" + (f"?lang={lang}" if lang else "")
        response = client.get(url, headers={"Accept-Language": "de"})
        assert response.status_code == 200, url
        assert response.data == doc.read_bytes(), f"{rel} differs from GET {url}"


def test_one_process_writes_what_the_forked_workers_write(exported, tmp_path: Path):
    """The workers (one slice of the resources each) write the same files, byte for byte, as a
    single process; the module's export, compared with the server above, used the workers."""
    site, out = exported
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site.parent / "export-cache"), "build",
                                      "--data", str(site), "--out", str(tmp_path / "one"),
                                      "--url", "https://example.org/", "--processes", "1"])
    assert result.exit_code == 0, result.output
    contents = lambda folder: {k: v[0] for k, v in tree_state(folder).items()  # noqa: E731
                               if k != ".regiold/nginx-server.conf"}  # names its own folder
    assert contents(tmp_path / "one") == contents(out)


def test_the_build_reports_the_files_and_bytes_it_wrote(exported, tmp_path: Path):
    """The counts come from the writers (the tree is not walked again): they must be what a walk
    of a new export finds, and the command says them."""
    site, _ = exported
    loaded = load_site(Settings.load({"site_dir": site, "cache_dir": site.parent / "export-cache"},
                                     environ={}))
    out = tmp_path / "counted"
    result = build(loaded, out, processes=2)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (result.files, result.bytes) == (len(files), sum(p.stat().st_size for p in files))
    assert result.files > 50


def test_the_organisation_is_there_in_every_format_and_language(exported):
    _, out = exported
    org = DME.removeprefix(BASE)
    expected = {f"{org}.{f.key}" for f in RESOURCE} | {f"{org}.de.html", f"{org}.en.html"}
    assert [e for e in expected if not (out / e).is_file()] == []


def test_site_files_dumps_void_sitemap_and_rules(exported):
    _, out = exported
    for name in ("index.html", "index.en.html", "context.jsonld", "robots.txt", "sitemap.xml",
                 ".well-known/void.ttl", "404.html", ".htaccess", ".regiold/nginx-http.conf",
                 ".regiold/nginx-server.conf", "static/regiold.css"):
        assert (out / name).is_file(), name
    assert any((out / "dumps").iterdir())
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/org/dme</loc>" in sitemap
    assert "Sitemap: https://example.org/sitemap.xml" in (out / "robots.txt").read_text()


def test_without_an_endpoint_no_page_links_sparql(exported):
    _, out = exported
    pages = [p for p in out.rglob("*.html") if ".regiold" not in p.parts]
    assert len(pages) > 50
    for page in pages:  # the footer and the dataset page's data alike: /sparql is not exported
        text = page.read_text(encoding="utf-8")
        assert '<footer class="site">' in text and 'href="/sparql' not in text, page.relative_to(out)
    void = rdflib.Graph().parse(out / ".well-known" / "void.ttl", format="turtle")
    assert not list(void.triples((None, VOID.sparqlEndpoint, None)))  # no endpoint promised
    assert not list(void.triples((None, RDF.type, DCAT.DataService)))
    assert "SPARQL-Abfragen nur über den laufenden Server" in (out / "index.html").read_text()
    assert "SPARQL queries need the live server" in (out / "index.en.html").read_text()
    assert "/sparql<" not in (out / "sitemap.xml").read_text()


def test_with_sparql_url_the_pages_link_that_endpoint(tmp_path: Path):
    site = copy_site(tmp_path / "site")
    endpoint = "https://query.example.org/regionen-nrw/sparql"
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "build", "--data", str(site),
                                      "--out", str(tmp_path / "out"), "--sparql-url", endpoint])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / (DME.removeprefix(BASE) + ".html")).read_text(encoding="utf-8")
    footer = page.partition('<footer class="site">')[2]
    assert f'href="{endpoint}"' in footer and 'href="/sparql"' not in footer


def test_the_export_writes_nothing_into_the_site(export_run):
    """No file of the site folder is added, removed or touched by `regiold build`."""
    assert export_run[2] == set()


def choose_by_rules(header: str | None) -> str | None:
    """What the generated nginx map answers (None: 406)."""
    if not header:
        return RESOURCE[0].key
    exact = exact_accept()
    if header in exact:
        return exact[header]
    for rule in accept_rules():
        if re.search(rule.pattern, header, re.IGNORECASE):
            return rule.ext
    return None if "/" in header else RESOURCE[0].key


def choose_like_the_server(header: str | None) -> str | None:
    accept = parse_accept_header(header, MIMEAccept) if header else MIMEAccept()
    try:
        return negotiate(None, accept, RESOURCE).key
    except NotAcceptable:
        return None


TYPES = ["text/html", "text/turtle", "application/ld+json", "application/json", "application/n-triples",
         "application/rdf+xml", "image/png", "text/*", "application/*", "*/*", "application/x-turtle",
         "text/plain", "application/n-quads", "text/turtle; charset=utf-8",
         'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"']
QS = ["", ";q=1", ";q=0.9", ";q=0.5", ";q=0.2", ";q=0"]


def test_static_rules_choose_what_the_server_chooses():
    headers = [None, "", "garbage", "*/*"]
    for a, b in itertools.permutations(TYPES, 2):
        for qa, qb in itertools.product(QS, QS):
            headers.append(f"{a}{qa}, {b}{qb}")
    headers += [f"{t}{q}" for t in TYPES for q in QS]
    wrong = [(h, choose_by_rules(h), choose_like_the_server(h)) for h in headers
             if choose_by_rules(h) != choose_like_the_server(h)]
    assert not wrong, f"{len(wrong)} of {len(headers)} Accept headers disagree, e.g. {wrong[:40]}"


def test_generated_rules_name_every_format():
    http, apache = nginx_http(), htaccess(BASE)
    for fmt in RESOURCE:
        assert fmt.media_type in http and f"AddType {fmt.media_type} .{fmt.key}" in apache


def test_a_host_without_the_rules_serves_the_document_urls_only(exported):
    """docs/STATIC.md: a plain static host (here Python's http.server) serves the document URLs,
    typed by its own table of extensions, but the resource IRIs the pages link to need the rules."""
    _, out = exported
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    path = "/" + DME.removeprefix(BASE)
    with running([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                  "--directory", str(out)], f"{url}/robots.txt", timeout=20, name="http.server"):
        for fmt in RESOURCE:
            answer = requests.get(f"{url}{path}.{fmt.key}", timeout=10)
            assert answer.status_code == 200, fmt.key
            assert answer.content == (out / f"{path[1:]}.{fmt.key}").read_bytes()
        assert requests.get(f"{url}{path}", timeout=10, allow_redirects=False).status_code != 200
