"""Removed IRIs answer 410 with a tombstone, renamed ones 301 to their replacement."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, PROV

from regiold import create_app
from regiold.publish import tombstones

BASE = "https://w3id.org/regionen-nrw/"

STONES = tombstones.FILE_HEADER + """
<org/gamma> owl:deprecated true ; dct:type schema:Organization ;
    rdfs:label "Regionalmanagement Gamma"@de , "Regional management Gamma"@en ;
    rdfs:comment "Aufgelöst; Aufgaben übernimmt <b>niemand</b>."@de ;
    prov:invalidatedAtTime "2026-10-01"^^xsd:date .
<org/beta-alt> owl:deprecated true ; dct:type schema:Organization ;
    rdfs:label "Beta (alter Name)"@de ; prov:invalidatedAtTime "2026-09-01"^^xsd:date ;
    dct:isReplacedBy <org/beta-zwischen> .
<org/beta-zwischen> owl:deprecated true ; dct:type schema:Organization ;
    rdfs:label "Beta (Zwischenname)"@de ; prov:invalidatedAtTime "2026-10-01"^^xsd:date ;
    dct:isReplacedBy <org/beta> .
"""


@pytest.fixture
def stoned_site(mini_site: Path) -> Path:
    (mini_site / "releases").mkdir()
    (mini_site / "releases" / "tombstones.ttl").write_text(STONES, encoding="utf-8")
    return mini_site


@pytest.fixture
def client(stoned_site: Path, settings_for):
    return create_app(settings_for(stoned_site)).test_client()


def test_removed_resource_answers_410_with_what_it_was(client):
    response = client.get("/org/gamma", headers={"Accept": "text/html"})
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Regionalmanagement Gamma" in page and "2026-10-01" in page and "Organization" in page
    assert "<b>niemand</b>" not in page and "&lt;b&gt;niemand" in page  # data is escaped


def test_tombstone_in_english_and_as_rdf(client):
    assert "Regional management Gamma" in client.get("/org/gamma?lang=en").get_data(as_text=True)
    response = client.get("/org/gamma", headers={"Accept": "text/turtle"})
    assert response.status_code == 410 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    subject = rdflib.URIRef(BASE + "org/gamma")
    assert graph.value(subject, OWL.deprecated).toPython() is True
    assert str(graph.value(subject, PROV.invalidatedAtTime)) == "2026-10-01"
    jsonld = client.get("/org/gamma.jsonld")
    assert jsonld.status_code == 410 and jsonld.mimetype == "application/ld+json"


def test_renamed_resource_redirects_through_the_chain_to_the_live_iri(client):
    response = client.get("/org/beta-alt", headers={"Accept": "text/turtle"})
    assert response.status_code == 301 and response.headers["Location"].endswith("/org/beta")
    assert client.get("/org/beta-zwischen.ttl").headers["Location"].endswith("/org/beta.ttl")
    # a reader who chose German in an English browser stays in German after the move
    moved = client.get("/org/beta-alt?lang=de", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/org/beta?lang=de")
    assert client.get("/org/beta-zwischen.ttl?lang=de").headers["Location"].endswith("/org/beta.ttl")
    gone = client.get("/org/gamma?lang=de", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert gone.status_code == 410 and 'href="/?lang=de"' in gone.get_data(as_text=True)


def test_live_and_unknown_iris_are_not_touched(client):
    """Tombstones change only the IRIs they name: live resources (the replacement at the end of
    a chain included) answer as before, unknown ones 404."""
    for path in ("/org/alpha", "/org/beta"):
        for accept in ("text/turtle", "text/html"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 200 and response.mimetype == accept, (path, accept)
    graph = rdflib.Graph().parse(data=client.get("/org/beta.ttl").get_data(as_text=True))
    assert (rdflib.URIRef(BASE + "org/beta"), OWL.deprecated, None) not in graph  # no tombstone
    assert client.get("/org/never-existed").status_code == 404


def test_problems_name_contradictions(stoned_site: Path):
    stones = tombstones.read_tombstones(stoned_site, base_iri=BASE)
    assert stones.problems({BASE + "org/beta", BASE + "org/alpha"}) == []
    problems = stones.problems({BASE + "org/gamma"})  # back in the data, and beta is gone
    assert any("org/gamma: has a tombstone but is still in data/" in p for p in problems)
    assert any("org/beta-alt: replacement" in p for p in problems)


def test_cycle_of_replacements_does_not_hang(tmp_path: Path):
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "tombstones.ttl").write_text(tombstones.FILE_HEADER + """
<org/a> owl:deprecated true ; prov:invalidatedAtTime "2026-01-01"^^xsd:date ; dct:isReplacedBy <org/b> .
<org/b> owl:deprecated true ; prov:invalidatedAtTime "2026-01-01"^^xsd:date ; dct:isReplacedBy <org/a> .
""", encoding="utf-8")
    stones = tombstones.read_tombstones(tmp_path, base_iri=BASE)
    assert stones.final_replacement(BASE + "org/a") is None
    assert any("org/a: replacement" in p for p in stones.problems(set()))


def test_hashed_tombstone_answers_without_repeating_a_name(stoned_site: Path, settings_for):
    stone = tombstones.Tombstone(tombstones.iri_hash(BASE + "person/erika-muster"),
                                 types=["https://schema.org/Person"],
                                 labels={"de": "Entfernte Person", "en": "Removed person"},
                                 removed="2026-11-27")
    path = tombstones.append(stoned_site, stone, base_iri=BASE)
    assert "erika" not in path.read_text(encoding="utf-8")
    client = create_app(settings_for(stoned_site)).test_client()
    response = client.get("/person/erika-muster")
    assert response.status_code == 410
    assert "Entfernte Person" in response.get_data(as_text=True)


def test_syntax_error_in_tombstone_file_names_the_place(stoned_site: Path):
    (stoned_site / "releases" / "tombstones.ttl").write_text("<org/x> owl:deprecated true .\n")
    with pytest.raises(Exception, match=r"releases/tombstones.ttl:1"):
        tombstones.read_tombstones(stoned_site, base_iri=BASE)


def test_withheld_person_answers_451_without_naming_anyone(mini_site: Path, settings_for):
    client = create_app(settings_for(mini_site, publish_persons=False)).test_client()
    response = client.get("/person/anna-beispiel", headers={"Accept": "text/html"})
    assert response.status_code == 451
    assert "Beispiel" not in response.get_data(as_text=True).replace("/person/anna-beispiel", "")
    assert client.get("/person/nobody").status_code == 404
    published = create_app(settings_for(mini_site)).test_client()
    assert published.get("/person/anna-beispiel.ttl").status_code == 200


def test_tombstone_negotiates_like_a_live_resource(client):
    """``Accept: application/*`` names no HTML type: a live resource answers JSON-LD (docs/SERVING.md),
    and so does its tombstone (it used to answer HTML through the application/xhtml+xml alias)."""
    live = client.get("/org/alpha", headers={"Accept": "application/*"})
    gone = client.get("/org/gamma", headers={"Accept": "application/*"})
    assert live.status_code == 200 and live.mimetype == "application/ld+json"
    assert gone.status_code == 410 and gone.mimetype == "application/ld+json"
    assert client.get("/org/gamma?format=nonsense").status_code == 406


def test_410_page_is_a_site_page_in_the_asked_language(client):
    english = client.get("/org/gamma?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Removed on" in english and "Gone" in english
    german = client.get("/org/gamma", headers={"Accept": "text/html", "Accept-Language": "de"})
    page = german.get_data(as_text=True)
    assert "Entfernt am" in page and 'href="/org/gamma?lang=en"' in page  # the language switch
    assert 'href="/static/regiold.css"' in page  # the site's layout, like every other page
