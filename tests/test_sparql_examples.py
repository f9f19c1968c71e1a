"""Every example query in docs/queries runs on the repository's data and gives the expected facts;
the editor offers each of them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import shared_dir
from page_people import page_contacts

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "docs" / "queries").glob("*.rq"))
DME = "Regionalmanagement Düsseldorf – Kreis Mettmann"
BASE = "https://w3id.org/regionen-nrw/"

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")


def rows(client, query: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in response.json["results"]["bindings"]]


def check_members(result):
    names = {r["name"] for r in result}
    assert len(result) == 9 and DME in names and "Münsterland e.V." in names


def check_carriers(result):
    carriers = {r["carrierName"] for r in result if r["partnerName"] == DME}
    assert carriers == {"Landeshauptstadt Düsseldorf", "Kreis Mettmann",
                        "Industrie- und Handelskammer zu Düsseldorf"}


def check_board(result):
    assert {r["post"].rsplit("/", 1)[-1] for r in result} == {
        "oberbuergermeister", "landrat", "hauptgeschaeftsfuehrer"}
    assert {r["bodyName"] for r in result} == {
        "Landeshauptstadt Düsseldorf", "Kreis Mettmann", "Industrie- und Handelskammer zu Düsseldorf"}


def check_efre(result):
    assert [r["service"].rsplit("/", 1)[-1] for r in result] == ["foerderprogramme"]
    assert result[0]["providerName"] == DME


def check_contacts(result):
    duesseldorf = {(r.get("contactName"), r.get("telephone"), r.get("email"))
                   for r in result if r["areaName"] == "Düsseldorf"}
    titled, plain = sorted(page_contacts(shared_dir()), key=lambda c: c.title is None)
    assert (titled.shown, titled.e164, f"mailto:{titled.email}") in duesseldorf  # as on the page
    assert any(email == f"mailto:{plain.email}" for _, _, email in duesseldorf)
    assert {r["areaName"] for r in result} >= {"Düsseldorf", "Kreis Mettmann"}


def check_service_kinds(result):
    kinds = {r["kind"].rsplit("/", 1)[-1] for r in result}
    assert {"netzwerkkoordination", "konzept-und-projektentwicklung", "foerdermittelberatung",
            "schnittstellenfunktion", "initiativenbeteiligung"} <= kinds


def check_not_done(result):
    assert any(r["partnerName"] == DME and "Fachämter" in r["taskLabel"] for r in result)


def check_youngest(result):
    assert result == [{"partner": BASE + "org/regionalmanagement-duesseldorf-kreis-mettmann",
                       "name": DME, "order": "9"}]


def check_addresses(result):
    assert {"name": DME, "street": "Auf'm Hennekamp 45", "postalCode": "40225",
            "city": "Düsseldorf"} in result


def check_fold_search(result):
    things = {r["thing"] for r in result}
    assert {BASE + "area/duesseldorf", BASE + "org/ihk-duesseldorf",
            BASE + "org/landeshauptstadt-duesseldorf"} <= things
    assert all("dusseldorf" in r["key"] for r in result)


def check_areas(result):
    by_name = {r["name"]: r for r in result}
    assert by_name["Düsseldorf"]["inName"] == "Nordrhein-Westfalen"
    assert by_name["Düsseldorf"]["wikidata"] == "http://www.wikidata.org/entity/Q1718"


def check_rounds(result):
    assert any(r["memberName"] == DME and r["ministryName"].startswith("Ministerium für Wirtschaft")
               for r in result)


def check_graphs(result, store):
    sizes = {r["graph"]: int(r["triples"]) for r in result}
    assert sizes[BASE + "graph/data/partners/duesseldorf-kreis-mettmann"] > 0
    assert sum(sizes.values()) == store.triple_count()  # every published quad sits in a file graph


CHECKS = {
    "01-members-of-regionen-nrw": check_members,
    "02-carriers-of-each-partner": check_carriers,
    "03-supervisory-board-posts": check_board,
    "04-services-mentioning-efre": check_efre,
    "05-contacts-per-area": check_contacts,
    "06-services-by-kind": check_service_kinds,
    "07-what-partners-do-not-do": check_not_done,
    "08-youngest-regional-management": check_youngest,
    "09-office-addresses": check_addresses,
    "10-search-with-fold": check_fold_search,
    "11-areas-and-where-they-lie": check_areas,
    "12-rounds-at-the-ministry": check_rounds,
}


def test_there_are_at_least_ten_examples_each_with_a_title():
    assert len(QUERIES) >= 10
    for path in QUERIES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, path.name


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_example_gives_the_expected_answer(repo_app, path):
    client = repo_app.test_client()
    query = path.read_text(encoding="utf-8")
    if path.stem == "13-source-files-and-sizes":
        check_graphs(rows(client, query), repo_app.extensions["regiold"].site.store)
    elif path.stem == "14-partner-cards":
        response = client.post("/sparql", data={"query": query}, headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        graph = {(t.subject.value, t.predicate.value, t.object.value)
                 for t in ox.parse(response.data, ox.RdfFormat.TURTLE)}
        dme = BASE + "org/regionalmanagement-duesseldorf-kreis-mettmann"
        carriers = {o for s, p, o in graph if s == dme and p == "https://schema.org/parentOrganization"}
        assert carriers == {BASE + "org/landeshauptstadt-duesseldorf", BASE + "org/kreis-mettmann",
                            BASE + "org/ihk-duesseldorf"}
        assert (dme, "https://schema.org/name", DME) in graph
    else:
        assert path.stem in CHECKS, f"add the expected answer of {path.name} to CHECKS"
        CHECKS[path.stem](rows(client, query))


def test_the_editor_offers_every_example(repo_app):
    client = repo_app.test_client()
    html = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    for path in QUERIES:
        assert f'href="/sparql?example={path.stem}&amp;lang=de"' in html
        title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        assert title.replace('"', "&#34;") in html
    chosen = client.get(f"/sparql?example={QUERIES[0].stem}", headers={"Accept": "text/html"})
    assert "org:organization rm:regionen-nrw" in chosen.get_data(as_text=True)
