"""Full-text search: folding, ranking, HTML and JSON-LD, and the same search from SPARQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld

from regiold.publish.search import fold, terms
from sparql_support import BASE, make_app, make_site

ROOT = Path(__file__).resolve().parents[1]
SDO = "https://schema.org/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("search"))).test_client()


def hits(client, q: str) -> list[str]:
    response = client.get("/search", query_string={"q": q, "format": "jsonld"})
    assert response.status_code == 200
    items = response.json["mainEntity"]["itemListElement"]
    return [item["item"]["@id"] for item in items]


@pytest.mark.parametrize(("text", "key"), [
    ("Düsseldorf", "dusseldorf"), ("Duesseldorf", "dusseldorf"), ("DUSSELDORF", "dusseldorf"),
    ("Straße", "strasse"), ("STRASSE", "strasse"), ("Köln", "koln"), ("Koeln", "koln"),
    ("Münsterland", "munsterland"), ("Ærø", "aro"), ("Crème brûlée", "creme brulee"),
])
def test_fold_makes_spellings_meet(text, key):
    assert fold(text) == key


def test_terms_split_on_punctuation():
    assert terms("  Düsseldorf, Kreis-Mettmann!") == ["dusseldorf", "kreis", "mettmann"]


@pytest.mark.parametrize("q", ["duesseldorf", "dusseldorf", "Düsseldorf", "DÜSSELDORF", "düssel"])
def test_every_spelling_finds_duesseldorf_and_the_name_match_ranks_first(client, q):
    found = hits(client, q)
    assert found[0] == BASE + "org/duesseldorf"  # name match …
    assert BASE + "org/koeln" in found  # … before a description match
    assert found.index(BASE + "org/duesseldorf") < found.index(BASE + "org/koeln")


def test_all_words_must_match(client):
    assert hits(client, "stadt koeln") == [BASE + "org/koeln"]
    assert hits(client, "stadt nirgendwo") == []
    assert hits(client, "") == []


def test_html_results_are_escaped_and_link_to_local_pages(client):
    response = client.get("/search", query_string={"q": "quotes"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<a href="/org/tricky">' in html
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert 'value="quotes"' in html


def test_jsonld_is_a_schema_org_search_results_page(client):
    response = client.get("/search", query_string={"q": "köln"},
                          headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    expanded = jsonld.expand(response.json)  # self-contained context: no network needed
    page = expanded[0]
    assert page["@type"] == [SDO + "SearchResultsPage"]
    item_list = page[SDO + "mainEntity"][0]
    assert item_list["@type"] == [SDO + "ItemList"]
    first = item_list[SDO + "itemListElement"][0]
    assert first[SDO + "position"][0]["@value"] == 1
    assert first[SDO + "item"][0]["@id"] == BASE + "org/koeln"
    assert first[SDO + "item"][0][SDO + "url"][0]["@id"] == BASE + "org/koeln"  # never Host


def test_bad_search_input_is_400(client):
    assert client.get("/search?q=%00x").status_code == 400
    assert client.get("/search", query_string={"q": "x" * 501}).status_code == 400
    assert client.get("/search?q=x&limit=abc").status_code == 400
    assert client.get("/search?q=x", headers={"Accept": "text/csv"}).status_code == 406


def test_the_same_search_from_sparql(client):
    query = """
    PREFIX schema: <https://schema.org/>
    PREFIX rgo: <https://w3id.org/regionen-nrw/def/>
    SELECT ?o (rgo:fold(?n) AS ?key) WHERE {
      ?o schema:name ?n FILTER(rgo:matches(?n, "DUESSELDORF"))
    }"""
    rows = client.get("/sparql", query_string={"query": query}).json["results"]["bindings"]
    assert [(r["o"]["value"], r["key"]["value"]) for r in rows] == [
        (BASE + "org/duesseldorf", "landeshauptstadt dusseldorf")]


@pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(), reason="needs the repository's data")
def test_search_on_the_directory(repo_app):
    client = repo_app.test_client()
    found = hits(client, "duesseldorf")
    assert found[0] == BASE + "area/duesseldorf"  # the name is exactly "Düsseldorf"
    assert BASE + "org/regionalmanagement-duesseldorf-kreis-mettmann" in found[:10]
    assert hits(client, "efre")[0].endswith("/service/foerderprogramme")
    body = json.dumps(client.get("/search?q=muensterland&format=jsonld").json, ensure_ascii=False)
    assert "Münsterland e.V." in body
