"""The person-data policy: with ``publish_persons`` off no name, e-mail or phone leaks anywhere."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from regiold.ingest import privacy, sources
from regiold.store import open_store

BASE = "https://w3id.org/regionen-nrw/"

# Leaks a careless model would have: an org linking a person, a contact point with the personal
# e-mail and phone, a description that copies the name, a blank node hanging off the person.
LEAKY_ORG = """\
@prefix schema: <https://schema.org/> .
@prefix rm: <org/> .
rm:alpha schema:contactPoint <org/alpha/contact/office> , <org/alpha/contact/anna-beispiel> ;
    schema:description "Ansprechpartnerin ist Anna Beispiel."@de ,
        "Das Regionalmanagement Alpha berät Kommunen."@de .
<org/alpha/contact/office> a schema:ContactPoint ;
    schema:name "Geschäftsstelle"@de ;
    schema:email <mailto:anna@alpha.example> , <mailto:info@alpha.example> ;
    schema:telephone "+49 211 7294658" .
<org/alpha/contact/anna-beispiel> a schema:ContactPoint ; schema:name "Kontakt"@de .
"""
LEAKY_PERSON = """\
@prefix schema: <https://schema.org/> .
<person/anna-beispiel> schema:honorificPrefix "Dr." ; schema:familyName "Beispiel" ;
    schema:telephone "+492117294658" ;
    schema:address [ schema:streetAddress "Privatweg 1" ] .
"""
SECRETS = ("Anna Beispiel", "anna@alpha.example", "anna-beispiel", "7294658", "Privatweg")


@pytest.fixture
def leaky_site(mini_site: Path) -> Path:
    (mini_site / "data" / "contacts.ttl").write_text(LEAKY_ORG, encoding="utf-8")
    (mini_site / "data" / "people" / "more.ttl").write_text(LEAKY_PERSON, encoding="utf-8")
    return mini_site


def _text(quads: list[ox.Quad]) -> str:
    return "\n".join(str(q) for q in quads)


def test_persons_published_by_default(leaky_site: Path):
    loaded = sources.parse_site(leaky_site, base_iri=BASE)
    text = _text(loaded.published_quads())
    assert "Anna Beispiel" in text and "mailto:anna@alpha.example" in text


def test_withheld_persons_leave_no_name_mail_phone_or_slug(leaky_site: Path):
    loaded = sources.parse_site(leaky_site, base_iri=BASE)
    text = _text(loaded.published_quads(include_persons=False))
    for secret in SECRETS:
        assert secret not in text, secret


def test_withholding_keeps_the_public_facts(leaky_site: Path):
    loaded = sources.parse_site(leaky_site, base_iri=BASE)
    text = _text(loaded.published_quads(include_persons=False))
    assert "Regionalmanagement Alpha" in text
    assert "Das Regionalmanagement Alpha berät Kommunen." in text  # no name in it: kept
    assert "mailto:info@alpha.example" in text  # the office address is not personal
    assert "Geschäftsstelle" in text


def test_name_without_diacritics_or_with_umlaut_spelling_is_caught():
    found = privacy.PersonalData(tokens=privacy._name_tokens("Dr. Jörg Bäumler"))  # invented
    assert found.mentioned_in("Kontakt: Joerg Baeumler")
    assert found.mentioned_in("Herr BÄUMLER leitet")
    assert found.mentioned_in("Dr. Jorg Baumler")
    assert not found.mentioned_in("Die Jörgstraße")


def test_phone_in_any_notation_is_caught():
    found = privacy.PersonalData(tokens=privacy._contact_tokens("+492111234567"))  # invented
    for written in ("0211 1234567", "+49 211 1234567", "(0211) 123 45 67", "0211/1234567"):
        assert found.mentioned_in(written), written
    assert not found.mentioned_in("Postfach 1234")


def test_store_loader_applies_the_policy(leaky_site: Path):
    loaded = sources.parse_site(leaky_site, base_iri=BASE)
    store = open_store(loaded, include_persons=False)
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    text = "\n".join(" ".join(str(v) for v in row.values()) for row in rows)
    assert rows and not any(secret in text for secret in SECRETS)


PHOTO = """\
@prefix schema: <https://schema.org/> .
@prefix rgo: <def/> .
<person/anna-beispiel> schema:image <https://alpha.example/anna.jpg> .
<person/bert-muster> a schema:Person ; schema:name "Bert Muster" ;
    schema:image <https://alpha.example/bert.jpg> ; rgo:photoConsent "2026-01-05" .
"""


def test_photo_without_consent_is_never_published(mini_site: Path):
    (mini_site / "data" / "people" / "photos.ttl").write_text(PHOTO, encoding="utf-8")
    loaded = sources.parse_site(mini_site, base_iri=BASE)
    text = _text(loaded.published_quads(include_persons=True))
    assert "anna.jpg" not in text
    assert "bert.jpg" in text
    problems = privacy.photo_problems(loaded.quads, personal_graphs=loaded.personal_graphs(),
                                      base_iri=BASE)
    assert problems == [BASE + "person/anna-beispiel"]
