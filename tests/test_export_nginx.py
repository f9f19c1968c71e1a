"""The static export behind nginx and behind Apache (its generated rules, real servers on 127.0.0.1)
answers the same content-negotiation checks as the server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

import conneg_checks
from apache_server import apache_binary, apache_serving
from live import serve_app
from nginx_server import nginx_binary, nginx_serving
from pages_support import DME, copy_site, make_app
from processes import free_port
from regiold.cli import cli
from regiold.export.rules import nginx_standalone
from regiold.rdf.formats import RESOURCE

# apache: the export's .htaccess; apache_included: the same file included in the <Directory> of
# the server's config (read once at start; docs/STATIC.md recommends it for speed)
STATIC = [pytest.param("nginx", marks=pytest.mark.nginx), pytest.param("apache", marks=pytest.mark.apache),
          pytest.param("apache_included", marks=pytest.mark.apache)]
BASE = "https://w3id.org/regionen-nrw/"
PATH = "/" + DME.removeprefix(BASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site(tmp_path_factory.mktemp("nginx") / "site")


@pytest.fixture(scope="module")
def export(site: Path) -> Path:
    out = site.parent / "out"
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "build", "--data",
                                      str(site), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def static_serving(server: str, out: Path, prefix: Path, sparql_url: str = ""):  # noqa: ANN201
    """The export in ``out`` behind ``server`` (nginx with its generated config, Apache with the
    export's .htaccess, in the export or included in the config); skips where that server is not
    installed."""
    if server == "nginx":
        if nginx_binary() is None:
            pytest.skip("nginx is not installed (Debian package nginx)")
        return nginx_serving(out, prefix, base_iri=BASE, sparql_url=sparql_url)
    if apache_binary() is None:
        pytest.skip("apache2 is not installed (Debian package apache2)")
    return apache_serving(out, prefix, in_config=server == "apache_included")


@pytest.fixture(scope="module")
def nginx_url(site: Path, export: Path) -> Iterator[str]:
    with static_serving("nginx", export, site.parent / "nginx") as url:
        yield url


@pytest.fixture(scope="module")
def apache_url(site: Path, export: Path) -> Iterator[str]:
    with static_serving("apache", export, site.parent / "apache") as url:
        yield url


@pytest.fixture(scope="module")
def apache_included_url(site: Path, export: Path) -> Iterator[str]:
    with static_serving("apache_included", export, site.parent / "apache_included") as url:
        yield url


@pytest.fixture(scope="module")
def flask_url(site: Path) -> Iterator[str]:
    with serve_app(make_app(site, sparql_link="")) as url:  # the export links no SPARQL
        yield url


@pytest.mark.parametrize("check", conneg_checks.ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("server", ["flask", *STATIC])
def test_conneg(server: str, check, request: pytest.FixtureRequest) -> None:
    check(request.getfixturevalue(f"{server}_url"), PATH)


@pytest.mark.parametrize("server", ["flask", *STATIC])
def test_links_and_not_found(server: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(f"{server}_url")
    conneg_checks.check_links(url, PATH, DME)
    conneg_checks.check_not_found(url)


@pytest.mark.parametrize("server", STATIC)
def test_static_host_sends_the_servers_bytes(server: str, flask_url: str,
                                             request: pytest.FixtureRequest) -> None:
    static_url = request.getfixturevalue(f"{server}_url")
    for suffix in (".ttl", ".jsonld", ".nt", ".rdf", ".html?lang=en", ".html?lang=de"):
        static = conneg_checks.get(f"{static_url}{PATH}{suffix}")
        dynamic = conneg_checks.get(f"{flask_url}{PATH}{suffix}")
        assert static.content == dynamic.content, suffix


@pytest.mark.parametrize("server", STATIC)
def test_static_host_keeps_a_named_language_in_the_links_as_the_server_does(
        server: str, flask_url: str, request: pytest.FixtureRequest) -> None:
    """``?lang=de`` gets the page whose links keep ``lang=de``; without it a German browser gets
    the clean page and an English one the English page: the same bytes as the server's."""
    static_url = request.getfixturevalue(f"{server}_url")
    for target in ("/", PATH, f"{PATH}.html"):
        for query in ("", "?lang=de", "?lang=en"):
            for browser in ("de", "en"):
                headers = {"Accept": "text/html", "Accept-Language": browser}
                static = conneg_checks.get(f"{static_url}{target}{query}", headers)
                dynamic = conneg_checks.get(f"{flask_url}{target}{query}", headers)
                assert static.status_code == dynamic.status_code == 200, (target, query, browser)
                assert static.content == dynamic.content, (target, query, browser)
                named = query or ("?lang=en" if browser == "en" else "")
                assert (f'href="/{named}"'.encode() in static.content), (target, query, browser)


def test_nginx_accepts_the_generated_rules_without_a_warning(tmp_path: Path) -> None:
    config = nginx_standalone(str(tmp_path), port=free_port(), prefix=str(tmp_path), base_iri=BASE)
    (tmp_path / "nginx.conf").write_text(config)
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr, checked.stderr


@pytest.mark.parametrize("server", STATIC)
def test_void_dumps_and_sitemap_are_served(server: str, request: pytest.FixtureRequest) -> None:
    static_url = request.getfixturevalue(f"{server}_url")
    void = conneg_checks.get(f"{static_url}/.well-known/void", {"Accept": "text/turtle"})
    assert void.status_code == 200 and void.headers["Content-Type"].startswith("text/turtle")
    browser = conneg_checks.get(f"{static_url}/.well-known/void", {"Accept": conneg_checks.BROWSER})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/dataset")
    assert conneg_checks.get(f"{static_url}/sitemap.xml").status_code == 200
    assert conneg_checks.get(f"{static_url}/.regiold/nginx-http.conf").status_code == 404
    assert conneg_checks.get(f"{static_url}/.htaccess").status_code == 404


def _internal_links(page: str) -> set[str]:
    """Path-absolute href/src values of an HTML page (what a reader can follow on this host)."""
    found: set[str] = set()

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("href", "src") and value and value.startswith("/") and not value.startswith("//"):
                    found.add(value.split("#")[0])

    Links().feed(page)
    return found


@pytest.mark.parametrize("server", STATIC)
def test_every_link_of_every_exported_page_answers(server: str, request: pytest.FixtureRequest) -> None:
    # The ontology's IRI ends in "/" (def/): its page and every link to it were 404 under the rules
    # (the resource location took only paths ending in a name). Built without --sparql-url, no
    # page links /sparql, which is not exported (docs/STATIC.md).
    static_url = request.getfixturevalue(f"{server}_url")
    todo, seen, broken = ["/", "/?lang=en"], set(), []
    while todo and len(seen) < 5000:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = conneg_checks.get(static_url + path, {"Accept": conneg_checks.BROWSER})
        if response.status_code != 200:
            broken.append((path, response.status_code))
        elif response.headers["Content-Type"].startswith("text/html"):
            todo += _internal_links(response.text) - seen
    assert "/def/" in seen and len(seen) > 100
    assert not broken, broken


@pytest.mark.parametrize("server", STATIC)
def test_the_ontology_whose_iri_ends_in_a_slash_has_the_servers_types(server: str, flask_url: str,
                                                                      request: pytest.FixtureRequest) -> None:
    # Its documents are dot files (def/.ttl): nginx found no extension in the name and sent them
    # as application/octet-stream, and /def/ itself as application/problem+json.
    static_url = request.getfixturevalue(f"{server}_url")
    for fmt in RESOURCE:
        for path, headers in ((f"/def/.{fmt.key}", {}), ("/def/", {"Accept": fmt.media_type})):
            static = conneg_checks.get(static_url + path, headers)
            dynamic = conneg_checks.get(flask_url + path, headers)
            assert static.status_code == dynamic.status_code == 200, (path, headers)
            assert static.headers["Content-Type"] == dynamic.headers["Content-Type"], (path, headers)
            assert static.content == dynamic.content, (path, headers)


@pytest.mark.parametrize("server", STATIC)
def test_with_sparql_url_the_dataset_pages_sparql_link_reaches_that_endpoint(
        server: str, site: Path, flask_url: str, tmp_path: Path) -> None:
    # /sparql is not exported, yet the dataset page links it (the endpoint among its data): with
    # --sparql-url the rules send it on with a 307, which keeps a POST and its body.
    endpoint, out = flask_url + "/sparql", tmp_path / "out"
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "build", "--data", str(site),
                                      "--out", str(out), "--sparql-url", endpoint])
    assert result.exit_code == 0, result.output
    assert f'return 307 "{endpoint}$is_args$args"' in (out / ".regiold" / "nginx-server.conf").read_text()
    assert f"RewriteRule ^sparql$ {endpoint} [R=307,END]" in (out / ".htaccess").read_text()
    with static_serving(server, out, tmp_path / server, sparql_url=endpoint) as url:
        assert 'href="/sparql"' in conneg_checks.get(url + "/dataset", {"Accept": "text/html"}).text
        json_results = {"Accept": "application/sparql-results+json"}
        by_get = requests.get(url + "/sparql", params={"query": "ASK {}"}, headers=json_results, timeout=10)
        by_post = requests.post(url + "/sparql", data=b"ASK {}", timeout=10,
                                headers={**json_results, "Content-Type": "application/sparql-query"})
        for answer in (by_get, by_post):
            assert [r.status_code for r in answer.history] == [307]
            assert answer.status_code == 200 and answer.json() == {"head": {}, "boolean": True}
