"""HTML pages: what a person sees (labels, sections, contacts, language), the embedded schema.org
JSON-LD (extracted with extruct, checked against the schema.org 30.0 vocabulary), and escaping of
hostile data."""

from __future__ import annotations

import html as html_lib
import json
import re
from functools import cache
from pathlib import Path

import extruct
import pyoxigraph as ox
import pytest

from conftest import shared_dir
from pages_support import BASE, copy_site, make_app

ORG = "/org/dme"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    return make_app(copy_site(tmp_path_factory.mktemp("html") / "site")).test_client()


def page(client, path: str, **headers: str) -> str:
    response = client.get(path, headers={**HTML, **headers})
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def visible(text: str) -> str:
    """The page without head and scripts, tags removed, entities decoded."""
    body = re.sub(r"<script\b.*?</script>", " ", text.split("<body>", 1)[1], flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def hrefs(text: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]*)"', text)]


def test_index_lists_the_partners_like_the_cms_selection_page(client) -> None:
    text = page(client, "/")
    assert text.count("<h1") == 1
    partners = text.split('id="g-partners"')[1].split("</section>")[0]
    names = re.findall(r'<a href="(/org/[^"]+)"><bdi>([^<]+)</bdi>', partners)
    assert names == [("/org/alpha", "Alpha-Region"), ("/org/beta", "Beta-Region"),
                     ("/org/dme", "Regionalmanagement Düsseldorf – Kreis Mettmann")]
    assert "Verbund Test.NRW" in text.split('id="g-networks"')[1]
    assert "/org/dme/board" not in text  # dependent nodes are not partners


def test_organisation_page_shows_what_the_source_page_shows(client) -> None:
    text = page(client, ORG)
    seen = visible(text)
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", text)
    assert headings == ["<bdi>Regionalmanagement Düsseldorf – Kreis Mettmann</bdi>"]
    assert "Begleitet die Entwicklung des Wirtschaftsraums als Lotse." in seen
    links = hrefs(text)
    for carrier in ("/org/duesseldorf", "/org/ihk"):  # carriers
        assert carrier in links
    assert "Landeshauptstadt Düsseldorf" in seen and "Industrie- und Handelskammer zu Düsseldorf" in seen
    assert "Aufsichtsgremium" in seen  # board with its ex-officio member
    assert "/org/duesseldorf/post/oberbuergermeister" in links
    assert "Oberbürgermeister der Landeshauptstadt Düsseldorf" in seen and "Mitglied kraft Amtes" in seen
    assert "Lotsenfunktion im Wirtschaftsraum" in seen  # services …
    assert "Übernimmt nicht" in seen and "Kernaufgaben der Fachämter" in seen  # … and what it does not do
    assert "/org/network" in links and "Verbund Test.NRW" in seen  # membership
    assert "https://regionalmanagement-d-me.de/" in links  # website
    assert "/area/duesseldorf" in links  # area
    assert "tel:+492111234567" in links and "0211 1234567" in seen  # national display, E.164 link
    assert "mailto:erika.mustermann@example.org" in links
    assert "Auf'm Hennekamp 45" in seen and "40225" in seen
    assert "/person/erika-mustermann" in links and "Erika Mustermann" in seen
    assert "https://w3id.org/regionen-nrw/" not in "".join(links[3:]).replace(
        "https://w3id.org/regionen-nrw/org/dme", "")  # local links go to the serving host


def test_labels_not_iris(client) -> None:
    seen = visible(page(client, ORG))
    assert "https://w3id.org/regionen-nrw/org/" not in seen.replace(f"{BASE}org/dme ", "")
    assert "def/role" not in seen and "schema.org" not in seen


def test_accessible_structure(client) -> None:
    text = page(client, ORG)
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"de\">")
    assert text.count("<h1") == 1
    for landmark in ("<header", "<main", "<footer", '<nav class="crumbs" aria-label='):
        assert landmark in text
    crumbs = text.split('class="crumbs"')[1].split("</nav>")[0]
    assert 'href="/"' in crumbs and 'aria-current="page"' in crumbs
    assert "<script" not in text.replace('<script type="application/ld+json">', "")  # no JS needed


def test_no_external_cdn_font_or_tracker(client) -> None:
    for path in ("/", ORG, "/org/network"):
        text = page(client, path)
        assert not re.search(r'<(script|img|iframe)[^>]+src="(https?:)?//', text)
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', text)
    css = client.get("/static/regiold.css").get_data(as_text=True)
    assert "@import" not in css and "url(" not in css


def test_english_by_accept_language_and_by_switch(client) -> None:
    english = page(client, ORG, **{"Accept-Language": "en-US,en;q=0.8"})
    assert '<html lang="en">' in english
    assert "Regional management Düsseldorf – Mettmann" in english
    assert "Carried by" in english and "Does not perform" in english
    switched = page(client, f"{ORG}?lang=en", **{"Accept-Language": "de"})
    assert '<html lang="en">' in switched
    german = page(client, ORG)
    # hreflang URLs are absolute and canonical (tests/test_crawler_signals.py)
    assert f'<link rel="alternate" hreflang="en" href="{BASE}org/dme?lang=en">' in german
    assert f'<link rel="alternate" hreflang="de" href="{BASE}org/dme">' in german  # the default: one URL
    assert 'href="/org/dme?lang=en" hreflang="en" lang="en">English</a>' in german  # visible switch


def test_generic_pages_for_every_other_resource(client) -> None:
    post = visible(page(client, "/org/duesseldorf/post/oberbuergermeister"))
    assert "Aufsichtsgremium" in post and "Mitglied kraft Amtes" in post  # where the post sits
    carrier = visible(page(client, "/org/duesseldorf"))
    assert "Trägt" in carrier and "Regionalmanagement Düsseldorf – Kreis Mettmann" in carrier
    network = visible(page(client, "/org/network"))
    assert all(name in network for name in ("Alpha-Region", "Beta-Region", "Regionalmanagement Düsseldorf"))
    concept = visible(page(client, "/def/role/traeger"))
    assert "Träger" in concept and "Rollen in Mitgliedschaften" in concept
    term = page(client, "/def/Regionalmanagement")
    assert ">Start<" in term and 'href="/def/"' in term  # breadcrumbs through the ontology
    person = visible(page(client, "/person/erika-mustermann"))
    assert "Dr." in person and "0211 1234567" in person
    area = visible(page(client, "/area/duesseldorf"))
    assert "Regionalmanagement Düsseldorf – Kreis Mettmann" in area


# ---------------------------------------------------------------- embedded schema.org JSON-LD


@cache
def schema_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(classes, properties) of schema.org 30.0, from ../shared."""
    store = ox.Store()
    store.bulk_load(path=str(shared_dir() / "vocab" / "schemaorg-30.0-current-https.ttl"),
                    format=ox.RdfFormat.TURTLE)
    def names(kind: str) -> frozenset[str]:
        rows = store.query(f"SELECT ?x WHERE {{ ?x a <{kind}> }}")
        return frozenset(row["x"].value.removeprefix("https://schema.org/") for row in rows)
    return names("http://www.w3.org/2000/01/rdf-schema#Class"), names(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property")


def check_schema_terms(node: object, classes: frozenset[str], properties: frozenset[str]) -> None:
    if isinstance(node, list):
        for item in node:
            check_schema_terms(item, classes, properties)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                assert value in classes, f"not a schema.org type: {value}"
            elif not key.startswith("@"):
                assert key in properties, f"not a schema.org property: {key}"
                check_schema_terms(value, classes, properties)


def leaves(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in ("@context", "@type", "@id") for s in leaves(v)]
    if isinstance(node, list):
        return [s for item in node for s in leaves(item)]
    return [str(node)] if isinstance(node, str) else []


def embedded(text: str) -> list[dict]:
    return extruct.extract(text, base_url="http://127.0.0.1/", syntaxes=["json-ld"])["json-ld"]


@pytest.mark.parametrize("path", ["/", ORG, "/org/network", "/org/duesseldorf", "/person/erika-mustermann",
                                  "/area/duesseldorf", "/def/role/traeger", "/def/Regionalmanagement"])
def test_embedded_jsonld_uses_only_schema_org_terms_and_says_what_the_page_shows(client, path: str) -> None:
    text = page(client, path)
    blocks = embedded(text)
    assert len(blocks) == 1
    data = blocks[0]
    assert data["@context"] == "https://schema.org"
    classes, properties = schema_vocabulary()
    check_schema_terms(data, classes, properties)
    page_text = html_lib.unescape(re.sub(r"<script\b.*?</script>", " ", text, flags=re.S))
    for value in leaves(data):  # every statement is visible (phone numbers as their tel: link,
        local = f'href="/{value.removeprefix(BASE)}"'  # our own IRIs as links to the serving host)
        assert value in page_text or f"tel:{value}" in page_text or local in text, value
    for related in ids(data)[1:]:  # every related entity is linked on the page
        assert f'href="/{related.removeprefix(BASE)}"' in text, related


def ids(node: object) -> list[str]:
    if isinstance(node, dict):
        return ([node["@id"]] if "@id" in node else []) + [i for v in node.values() for i in ids(v)]
    if isinstance(node, list):
        return [i for item in node for i in ids(item)]
    return []


def test_organisation_markup_as_google_recommends(client) -> None:
    data = embedded(page(client, ORG))[0]
    assert data["@type"] == "Organization"
    assert data["@id"] == f"{BASE}org/dme"
    assert data["name"] == "Regionalmanagement Düsseldorf – Kreis Mettmann"
    assert data["url"] == "https://regionalmanagement-d-me.de/"
    assert data["address"] == {"@type": "PostalAddress", "addressCountry": "DE",
                               "addressLocality": "Düsseldorf", "postalCode": "40225",
                               "streetAddress": "Auf'm Hennekamp 45"}
    assert data["contactPoint"] == [{"@type": "ContactPoint", "name": "Ansprechpartner Dr. Erika Mustermann",
                                     "telephone": "+492111234567", "email": "erika.mustermann@example.org"}]
    assert {p["name"] for p in data["parentOrganization"]} == {
        "Landeshauptstadt Düsseldorf", "Industrie- und Handelskammer zu Düsseldorf"}
    assert [p["name"] for p in data["memberOf"]] == ["Verbund Test.NRW"]
    assert data["areaServed"] == [{"@type": "AdministrativeArea", "@id": f"{BASE}area/duesseldorf",
                                   "name": "Düsseldorf"}]
    network = embedded(page(client, "/org/network"))[0]
    assert {m["name"] for m in network["member"]} == {
        "Alpha-Region", "Beta-Region", "Regionalmanagement Düsseldorf – Kreis Mettmann"}


# ---------------------------------------------------------------- hostile data

HOSTILE_NAME = '</script><script>alert(1)</script><!-- x'
HOSTILE_TEXT = '<img src=x onerror=alert(1)> & "quotes" \u2028'
RTL = "Evil \u202egnp.exe\u202c Org"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    turtle = ("@prefix schema: <https://schema.org/> .\n"
              f"<org/evil> a schema:Organization ; schema:name {json.dumps(HOSTILE_NAME)}@de ;\n"
              f"  schema:description {json.dumps(HOSTILE_TEXT)}@de ;\n"
              f"  schema:alternateName {json.dumps(RTL)} ;\n"
              "  schema:url <https://evil.example/?a=1&b=%3Cscript%3E> ;\n"
              "  schema:parentOrganization <org/dme> .\n")
    site = copy_site(tmp_path_factory.mktemp("hostile") / "site", {"data/evil.ttl": turtle})
    return make_app(site).test_client()


@pytest.mark.parametrize("path", ["/org/evil", ORG, "/"])
def test_hostile_data_cannot_break_out_or_inject(hostile, path: str) -> None:
    text = page(hostile, path)
    assert text.count("<script") == 1 and text.count("</script>") == 1  # only our data block
    assert "<script>alert" not in text and "<img src=x" not in text and "<!-- x" not in text
    block = text.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block
    json.loads(block)  # still valid JSON
    for at in [m.start() for m in re.finditer("\u202e", text)]:  # bidi override isolated
        before = text[:at]
        assert before.rfind("<bdi") > before.rfind("</bdi>")


def test_hostile_values_survive_exactly(hostile) -> None:
    data = embedded(page(hostile, "/org/evil"))[0]
    assert data["name"] == HOSTILE_NAME and data["description"] == HOSTILE_TEXT
    assert HOSTILE_NAME in visible(page(hostile, "/org/evil"))
    triples = ox.parse(hostile.get("/org/evil.nt").data, format=ox.RdfFormat.N_TRIPLES)
    literals = {t.object.value for t in triples if isinstance(t.object, ox.Literal)}
    assert {HOSTILE_NAME, HOSTILE_TEXT, RTL} <= literals


def test_error_pages_never_show_internals(client, tmp_path: Path) -> None:
    response = client.get("/org/nowhere", headers=HTML)
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and text.count("<h1") == 1
    assert "Traceback" not in text and "site-packages" not in text
