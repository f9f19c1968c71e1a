"""With ``publish_persons`` off no name, e-mail or phone from data/people/ appears in ANY output.

A crawler walks a live server: every resource IRI of the full data (persons included) in every
format, every link of every HTML page, sitemap, VoID, every dump, SPARQL (SELECT, CONSTRUCT,
GRAPH, DESCRIBE of the persons), search for every name; and the static export when the ``build``
command exists. The secrets are read from data/people/ with rdflib, independently of privacy.py (page_people).
"""

from __future__ import annotations

import gzip
import re
import shutil
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import rdflib
import requests
from click.testing import CliRunner

from conftest import ROOT
from ops_live import serving
from page_people import SDO, secrets
from regiold.cli import cli
from regiold.ingest import sources
from regiold.publish.search import fold as search_fold
from regiold.rdf import formats
from test_privacy import LEAKY_ORG, LEAKY_PERSON

BASE = "https://w3id.org/regionen-nrw/"
MAX_PAGES = 3000  # a bound on the crawl; the directory has a few hundred resources


def _fold(text: str) -> str:
    text = text.casefold().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class Leaks:
    def __init__(self, secret_set: set[str]) -> None:
        self.secrets = secret_set
        self.found: list[str] = []
        self.fetched = 0

    def scan(self, where: str, body: str, *, echo: str = "") -> None:
        """Record every secret in ``body``; a search page may echo its own query ``echo``."""
        self.fetched += 1
        folded, digits = _fold(body), re.sub(r"[\s/()\-.+]", "", body)
        for secret in self.secrets:
            if echo and (_fold(secret) in _fold(echo) or secret in re.sub(r"\D", "", echo)
                         or search_fold(secret) in search_fold(echo)):
                continue  # the query itself, also in the spellings the search treats as equal
                # (duesseldorf = düsseldorf); a hit would name the person in another form
            if _fold(secret) in folded or (secret.isdigit() and secret in digits):
                self.found.append(f"{where}: {secret}")


@pytest.fixture
def served(tmp_path: Path):
    """A factory: a real `regiold serve` (gunicorn, 2 workers) of a site folder with given
    settings on 127.0.0.1, stopped after the test."""
    with ExitStack() as servers:

        def start(site: Path, **settings: object) -> str:
            values = {"cache_dir": str(tmp_path / "cache"), "rate_limit": "0",  # one client, many queries
                      **{k: str(v).lower() for k, v in settings.items()}}
            return servers.enter_context(serving(site, settings=values)).url

        yield start


def _get(url: str) -> requests.Response:
    return requests.get(url, timeout=30, allow_redirects=True)


def _body(response: requests.Response) -> str:
    data = response.content
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def crawl(root: str, site: Path, leaks: Leaks) -> dict[str, int]:
    """Every resource in every format, then every page linked from what was fetched. Returns
    the status of each path: the caller asserts them, as a 404 or 500 page leaks nothing."""
    loaded = sources.parse_site(site, base_iri=BASE)
    paths = sorted({q.subject.value.removeprefix(BASE) for q in loaded.quads
                    if q.subject.value.startswith(BASE)})
    personal = {q.subject for q in loaded.quads if q.graph_name in loaded.personal_graphs()}
    near = sorted({q.subject.value.removeprefix(BASE) for q in loaded.quads  # persons, their links
                   if q.subject.value.startswith(BASE) and (q.subject in personal
                                                            or q.object in personal)})
    queue = ["/", "/robots.txt", "/sitemap.xml", "/.well-known/void", "/dataset", "/catalog",
             "/sparql", *(f"/{p}" for p in paths), *(f"/{p}?lang=en" for p in near)]
    queue += [f"/{p}.{f.key}" for p in paths for f in formats.RESOURCE if f is not formats.HTML]
    queue += [f"/.well-known/void?format={f.key}" for f in formats.RDF]
    statuses: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=4) as pool:  # the server runs 2 workers x 4 threads
        while queue and len(statuses) < MAX_PAGES:
            batch = list(dict.fromkeys(p for p in queue if p not in statuses))
            batch = batch[: MAX_PAGES - len(statuses)]
            queue = []
            for path, response in zip(batch, pool.map(lambda p: _get(root + p), batch), strict=True):
                statuses[path] = response.status_code
                body = _body(response)
                leaks.scan(path, body, echo=path)  # a 451 names the IRI it was asked for
                queue += [p for p in _links(root, path, body) if p not in statuses]
    return statuses


def person_slugs(site: Path) -> set[str]:
    """The last IRI segment of every person in data/people/ (read with rdflib)."""
    graph = rdflib.Graph()
    for path in (site / "data" / "people").rglob("*.ttl"):
        graph.parse(path, format="turtle", publicID=BASE)
    persons = set(graph.subjects(rdflib.RDF.type, SDO.Person)) | {
        s for s in graph.subjects() if str(s).startswith(BASE + "person/")}
    return {str(p).rsplit("/", 1)[-1] for p in persons}


def unexpected_statuses(statuses: dict[str, int], site: Path) -> dict[str, int]:
    """Every path must answer 200, or 451 when it is a person or named after one (withheld)."""
    slugs = person_slugs(site)

    def resource(path: str) -> str:
        name = urlsplit(path).path.lstrip("/")
        for fmt in formats.RESOURCE:
            name = name.removesuffix(f".{fmt.key}")
        return name

    return {path: status for path, status in statuses.items()
            if status != 200 and not (status == 451 and slugs & set(resource(path).split("/")))}


def _links(root: str, path: str, body: str) -> Iterator[str]:
    for href in re.findall(r'(?:href|src)="([^"#]+)"', body) + re.findall(
            r"<(https?://127\.0\.0\.1:\d+/[^>\s]*)>", body):
        url = urljoin(root + path, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if url.startswith(root) and not parts.path.startswith("/static/") \
                and "lang=" not in parts.query:  # language twins: fetched for person neighbours
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def query_everything(root: str, site: Path, leaks: Leaks) -> None:
    persons = [q.subject.value for q in sources.parse_site(site, base_iri=BASE).quads
               if q.subject.value.startswith(BASE + "person/")]
    select, construct = ("application/sparql-results+json", "text/csv"), ("text/turtle",
                                                                          "application/n-triples")
    asked = [("SELECT * WHERE { ?s ?p ?o }", select),
             ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", construct),
             ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", select[:1]),
             *((f"DESCRIBE <{p}>", construct[:1]) for p in sorted(set(persons)))]
    answered = []
    for query, accepts in asked:
        for accept in accepts:
            response = _sparql(root, query, accept)
            answered.append(response.status_code)
            leaks.scan(f"/sparql {query[:30]} {accept}", response.text)
    assert set(answered) == {200}, answered  # every query really ran
    for secret in sorted(leaks.secrets):
        for fmt in ("html", "jsonld"):
            response = _get(f"{root}/search?q={quote(secret)}&format={fmt}")
            assert response.status_code == 200, (secret, fmt, response.status_code)
            leaks.scan(f"/search?q={secret} ({fmt})", response.text, echo=secret)


def _sparql(root: str, query: str, accept: str) -> requests.Response:
    for _ in range(3):  # a 503 means "retry": the query worker may be restarting
        response = requests.get(f"{root}/sparql", params={"query": query},
                                headers={"Accept": accept}, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(0.2)
    return response


def dumps(root: str, leaks: Leaks) -> int:
    void = requests.get(f"{root}/.well-known/void", headers={"Accept": "application/n-triples"},
                        timeout=30).text
    urls = {u for u in re.findall(r"<([^>]+)>", void) if "/dumps/" in u}
    for url in sorted(urls):
        response = _get(f"{root}/{url.removeprefix(BASE)}")  # canonical IRI → this server
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        leaks.scan(f"dump {url}", _body(response))
    return len(urls)


def static_export(site: Path, tmp_path: Path, leaks: Leaks) -> None:
    out = tmp_path / "_site"
    result = CliRunner().invoke(cli, ["-s", "publish_persons", "false", "-s", "cache_dir",
                                      str(tmp_path / "c"), "build", "--data", str(site),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    for path in out.rglob("*"):
        if path.is_file() and "static" not in path.relative_to(out).parts[:1]:  # vendored code
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            leaks.scan(f"static {path.relative_to(out)}", data.decode("utf-8", "replace"))


@pytest.fixture(params=["leaky-fixture", "repository"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    target = tmp_path / "site"
    if request.param == "repository":
        assert (ROOT / "data" / "people").is_dir(), "the repository's person data are missing"
        for kind in ("ontology", "data", "shapes"):
            shutil.copytree(ROOT / kind, target / kind)
        for folder in ("releases", "docs"):
            if (ROOT / folder).is_dir():
                shutil.copytree(ROOT / folder, target / folder)
    else:
        shutil.copytree(Path(__file__).parent / "fixtures" / "site", target)
        (target / "data" / "contacts.ttl").write_text(LEAKY_ORG, encoding="utf-8")
        (target / "data" / "people" / "more.ttl").write_text(LEAKY_PERSON, encoding="utf-8")
        for path in (target / "data").rglob("*.ttl"):  # "Beispiel" is a German word on pages
            text = path.read_text("utf-8").replace("Beispiel", "Quastenberg")
            path.write_text(text.replace("beispiel", "quastenberg"), encoding="utf-8")
    return target


def test_no_person_data_in_any_output_when_withheld(site: Path, served, tmp_path: Path):
    secret_set = secrets(site)
    assert secret_set, "no person data to look for"
    root = served(site, publish_persons=False)
    leaks = Leaks(secret_set)
    statuses = crawl(root, site, leaks)
    assert unexpected_statuses(statuses, site) == {}  # an error page would hide a leak
    assert sum(s == 451 for s in statuses.values()) > 0  # the persons were asked for
    query_everything(root, site, leaks)
    assert dumps(root, leaks) >= 2
    static_export(site, tmp_path, leaks)
    assert leaks.fetched > 50
    assert not leaks.found, "\n".join(leaks.found[:40])


def test_the_scan_finds_persons_when_they_are_published(site: Path, served):
    """The same scan is not blind: with persons published, it sees them."""
    root = served(site, publish_persons=True)
    leaks = Leaks(secrets(site))
    leaks.scan("/sparql", _sparql(root, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                  "application/n-triples").text)
    assert dumps(root, leaks) >= 2
    seen = {f.rsplit(": ", 1)[1] for f in leaks.found}
    assert {x for x in leaks.secrets if not x.isdigit()} <= seen  # every name, e-mail, slug
    assert any(x.isdigit() for x in seen) == any(x.isdigit() for x in leaks.secrets)
