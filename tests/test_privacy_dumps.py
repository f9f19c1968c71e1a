"""Person data stay out of the open-data dumps by default (issue 16).

With every setting at its default (`make run` in a fresh copy, tests/default_serve.py) the pages and
the SPARQL endpoint show the contact persons, as the source page does, but no dump, no static
export's dump and no VoID/DCAT description holds a person's name, phone or e-mail. Each
distribution states what it holds. The secrets are read from data/people/ (tests/page_people.py).
"""

from __future__ import annotations

import gzip
import re
import subprocess

import pytest
import rdflib
import requests

from conftest import ROOT
from default_serve import BASE_IRI, serve_defaults
from page_people import secrets
from regiold import create_app
from regiold.settings import Settings

DUMPS = ("ttl", "nt.gz", "jsonld", "trig", "nq")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DATASET = rdflib.URIRef(BASE_IRI + "dataset")


def found_in(text: str, secret_set: set[str]) -> list[str]:
    folded, digits = text.casefold(), re.sub(r"[\s/()\-.+]", "", text)
    return sorted(s for s in secret_set if s.casefold() in folded or (s.isdigit() and s in digits))


def body_text(body: bytes, suffix: str) -> str:
    return (gzip.decompress(body) if suffix.endswith(".gz") else body).decode("utf-8")


@pytest.fixture(scope="module")
def people() -> set[str]:
    found = secrets(ROOT)
    assert any("@" in s for s in found) and any(s.isdigit() for s in found)  # something to look for
    return found


@pytest.fixture(scope="module")
def defaults(tmp_path_factory):
    with serve_defaults(tmp_path_factory.mktemp("dumps-defaults")) as server:
        yield server


@pytest.mark.live
def test_with_the_defaults_no_dump_holds_person_data(defaults, people):
    for suffix in DUMPS:
        response = requests.get(f"{defaults.url}/dumps/regionen-nrw.{suffix}", timeout=60)
        assert response.status_code == 200, suffix
        text = body_text(response.content, suffix)
        assert len(text) > 10_000, suffix  # the dump is there, only without persons
        assert found_in(text, people) == [], suffix


@pytest.mark.live
def test_with_the_defaults_pages_still_show_the_contacts(defaults, people):
    slugs = {s for s in people if re.fullmatch(r"[a-z]+(-[a-z]+)+", s)}
    assert slugs
    for slug in slugs:
        page = requests.get(f"{defaults.url}/person/{slug}", timeout=60,
                            headers={"Accept": "text/html"})
        assert page.status_code == 200, slug


@pytest.mark.live
def test_each_distribution_states_what_it_holds(defaults, people):
    void = requests.get(f"{defaults.url}/.well-known/void", timeout=60,
                        headers={"Accept": "application/n-triples"})
    assert found_in(void.text, people) == []
    graph = rdflib.Graph().parse(data=void.content, format="nt")
    rights = {}
    for dist in graph.objects(DATASET, DCAT.distribution):
        (statement,) = graph.objects(dist, DCT.rights)  # exactly one (DCAT-AP.de)
        labels = {lit.language: str(lit) for lit in graph.objects(statement, rdflib.RDFS.label)}
        assert set(labels) == {"de", "en"}, dist
        assert (statement, rdflib.RDF.type, DCT.RightsStatement) in graph
        download = graph.value(dist, DCAT.downloadURL)
        rights[str(download) if download else "sparql"] = labels["en"]
    dumps = {k: v for k, v in rights.items() if "/dumps/" in k}
    assert len(dumps) == len(DUMPS)
    assert all(v.startswith("Contains no person data") for v in dumps.values()), dumps
    assert "not open data" in rights["sparql"]  # the endpoint serves the contacts (publish_persons)


def test_the_static_exports_dumps_hold_no_person_data(tmp_path, people):
    """`regiold build` writes the dumps through dataset.export; with the defaults, without persons."""
    from regiold.publish import dataset
    from regiold.web.context import current_site

    app = create_app(Settings.load({"site_dir": ROOT, "cache_dir": tmp_path / "cache"}, environ={}))
    with app.app_context():
        dataset.export(current_site(), tmp_path / "out", "https://example.org/")
    written = sorted((tmp_path / "out" / "dumps").iterdir())
    assert len(written) == len(DUMPS)
    for path in written:
        assert found_in(body_text(path.read_bytes(), path.name), people) == [], path.name


def test_dump_persons_puts_them_in(tmp_path, people):
    """The control: asked for, the dumps hold the contacts, and say that they are not open data."""
    app = create_app(Settings.load({"site_dir": ROOT, "cache_dir": tmp_path / "cache",
                                    "dump_persons": True}, environ={}))
    client = app.test_client()
    text = client.get("/dumps/regionen-nrw.ttl").get_data(as_text=True)
    assert found_in(text, people)
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "rights-with-persons" in void and "rights-open" not in void


def test_no_person_data_outside_their_own_files(people):
    """`regiold forget` edits data/; a copy of a name, phone or e-mail in shapes, docs, code or
    tests would outlive it. Those use invented people; real ones are read at run time."""
    listed = subprocess.run(["git", "ls-files", "-z", "shapes", "docs", "src", "tests", "bench",
                             "README.md", "Makefile"], cwd=ROOT, capture_output=True, check=True)
    files = [ROOT / name for name in filter(None, listed.stdout.decode().split("\0"))]
    assert len(files) > 50
    leaks = {}
    for path in files:
        if path.is_file() and path.suffix not in {".png", ".ico", ".woff2", ".gz"}:
            found = found_in(path.read_text(encoding="utf-8", errors="replace"), people)
            if found:
                leaks[str(path.relative_to(ROOT))] = found
    assert leaks == {}
