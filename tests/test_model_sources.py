"""Every published fact traces to a source that supports it (issue 16).

- The audit's findings, each resolved in data/: asked with SPARQL on the embedded store; the
  expected wording comes from the sources themselves (../shared and data/sources.ttl).
- A fact whose subject cites no source fails `regiold validate` (a copy of data/ with one added).
- docs/MODEL.md holds the current output of `regiold facts`.
- Every source has a retrieval time, and a page shows "Stand" / "as of" from it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, shared_dir
from model_support import PREFIXES
from regiold.ingest import sources
from regiold.store import EmbeddedStore

BASE = "https://w3id.org/regionen-nrw/"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return EmbeddedStore.from_sources(sources.parse_site(ROOT, base_iri=BASE))


def ask(store: EmbeddedStore, query: str) -> bool:
    return store.ask(PREFIXES + query)


def select(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in row.items()} for row in store.select(PREFIXES + query)]


def regiold(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regiold", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


# ---------------------------------------------------------------- the audited facts


def test_the_network_can_represent_the_regions_as_the_page_says(store):
    page = (shared_dir() / "sources" / "000_c7d2e0839efadfda.txt").read_text()
    assert "gegenüber dem Land vertreten kann" in page
    assert ask(store, """ASK { rm:regionen-nrw schema:description ?d
        FILTER (LANG(?d) = "de" && CONTAINS(?d, "gegenüber dem Land vertreten kann")) }""")
    assert not ask(store, """ASK { rm:regionen-nrw schema:description ?d
        FILTER (CONTAINS(?d, "Land vertritt") || CONTAINS(?d, "that represents")) }""")


def test_memberships_of_press_sourced_members_cite_a_regionen_nrw_page(store):
    """The reference marks these members P; the network's own page lists all nine (S)."""
    rows = select(store, """SELECT ?member WHERE {
        ?m org:organization rm:regionen-nrw ; org:member ?member .
        FILTER NOT EXISTS { ?m dct:source src:regionen-nrw-sommerfest }
        FILTER NOT EXISTS { ?m dct:source src:partner-page-duesseldorf-kreis-mettmann } }""")
    assert rows == []
    assert ask(store, """ASK { src:regionen-nrw-sommerfest schema:url ?u
        FILTER (STRSTARTS(STR(?u), "https://regionen.nrw/")) }""")


def test_the_rounds_are_only_linked_to_the_ministry(store):
    assert not ask(store, """ASK { rm:runde-regionale-entwicklungsorganisationen
        schema:parentOrganization|org:subOrganizationOf ?parent }""")
    assert ask(store, "ASK { rm:runde-regionale-entwicklungsorganisationen org:linkedTo rm:mwide-nrw }")


def test_the_ministry_keeps_the_pages_name_with_a_dated_note_on_its_new_name(store):
    page = (shared_dir() / "sources" / "000_c7d2e0839efadfda.txt").read_text()
    name = ("Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie des Landes "
            "Nordrhein-Westfalen")
    assert "Ministeriums für Wirtschaft, Innovation, Digitalisierung und Energie des Landes" in page
    assert ask(store, f'ASK {{ rm:mwide-nrw schema:name "{name}"@de }}')
    assert not ask(store, 'ASK { rm:mwide-nrw schema:alternateName "MWIDE NRW"@de }')
    assert ask(store, """ASK { rm:mwide-nrw skos:editorialNote ?n ; dct:source src:welt-ministerien-2022 .
        FILTER (LANG(?n) = "de" && CONTAINS(?n, "2022")
                && CONTAINS(?n, "Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie")) }""")


def test_the_savings_banks_are_described_not_named(store):
    reference = (shared_dir() / "reference" / "regionen-nrw-members.md").read_text()
    assert "their three Stadtsparkassen" in reference
    rows = select(store, """SELECT ?bank ?name WHERE {
        ?m org:organization rm:bergische-gesellschaft ; org:member ?bank .
        ?bank schema:name ?name . FILTER (LANG(?name) = "de" && CONTAINS(?name, "parkasse")) }""")
    assert sorted(r["name"] for r in rows) == [f"Stadtsparkasse der Stadt {city}"
                                               for city in ("Remscheid", "Solingen", "Wuppertal")]
    for row in rows:
        assert ask(store, f"""ASK {{ <{row["bank"]}> skos:editorialNote ?de , ?en .
            FILTER (LANG(?de) = "de" && LANG(?en) = "en") }}""")


def test_the_chamber_keeps_the_sources_name_and_dates_the_new_one(store):
    assert ask(store, """ASK { rm:bergische-ihk
        schema:name "Industrie- und Handelskammer Wuppertal-Solingen-Remscheid"@de ;
        schema:alternateName "IHK Wuppertal-Solingen-Remscheid"@de ,
            "Bergische Industrie- und Handelskammer Wuppertal-Solingen-Remscheid"@de ;
        dct:source src:stadtzeitung-bergische-ihk-2019 ; skos:editorialNote ?n .
        FILTER (LANG(?n) = "de" && CONTAINS(?n, "2019")) }""")


def test_areas_state_only_what_a_source_gives(store):
    assert not ask(store, 'ASK { area:nordrhein-westfalen rgo:nutsCode ?code }')
    assert not ask(store, """ASK { area:duesseldorf schema:description ?d
        FILTER (CONTAINS(LCASE(?d), "kreisfrei") || CONTAINS(LCASE(?d), "district-free")) }""")
    assert ask(store, """ASK { area:duesseldorf dct:source src:partner-page-duesseldorf-kreis-mettmann ,
        src:dcat-ap-de-geocoding }""")
    assert ask(store, "ASK { area:nordrhein-westfalen dct:source src:dcat-ap-de-geocoding }")


def test_contacts_are_contacts_not_employees(store):
    assert not ask(store, "ASK { ?person a schema:Person ; schema:worksFor ?org }")
    rows = select(store, """SELECT ?person WHERE { ?person a schema:Person ; schema:contactPoint ?cp .
        ?org schema:contactPoint ?cp ; a rgo:Regionalmanagement }""")
    assert len(rows) == len(list((ROOT / "data" / "people").glob("*.ttl")))


def test_no_publisher_is_stated_that_no_source_supports(store):
    # who publishes this copy is a setting (publisher_name, publisher_url), not a fact of the data
    for node in ("dataset", "catalog"):
        assert not ask(store, f"ASK {{ <{BASE}{node}> dct:publisher ?who }}")


def test_the_zukunftsagentur_is_noted_with_its_source_and_date(store):
    assert ask(store, """ASK { rm:regionen-nrw skos:note ?n ;
        dct:source src:regionen-nrw-jahresstrategie-2025 .
        FILTER (LANG(?n) = "de" && CONTAINS(?n, "Zukunftsagentur Rheinisches Revier")
                && CONTAINS(?n, "2025")) }""")
    assert "Zukunftsagentur Rheinisches Revier" in (ROOT / "docs" / "MODEL.md").read_text()


# ---------------------------------------------------------------- sources and their dates


def test_every_source_has_a_retrieval_time(store):
    rows = select(store, """SELECT ?source WHERE { ?source a prov:Entity
        FILTER NOT EXISTS { ?source prov:generatedAtTime ?t }
        FILTER NOT EXISTS { ?copy prov:wasDerivedFrom ?source ; prov:generatedAtTime ?t } }""")
    assert rows == []


def test_a_page_shows_as_of_from_its_sources(store, tmp_path):
    from regiold import create_app
    from regiold.settings import Settings

    app = create_app(Settings.load({"site_dir": ROOT, "cache_dir": tmp_path / "cache",
                                    "embedded_store": "memory"}, environ={}))
    client = app.test_client()
    sources_ttl = (ROOT / "data" / "sources.ttl").read_text()
    snapshot_day = re.search(r'snapshot-000-c7d2e0839efadfda.*?prov:generatedAtTime "(\d{4}-\d\d-\d\d)',
                             sources_ttl, re.S).group(1)
    html = client.get("/org/regionalmanagement-duesseldorf-kreis-mettmann",
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(rf'Stand: <time datetime="{snapshot_day}">{snapshot_day}</time>', html)
    english = client.get("/org/bergische-ihk?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    later_day = re.search(r'stadtzeitung-bergische-ihk-2019.*?prov:generatedAtTime "(\d{4}-\d\d-\d\d)',
                          sources_ttl, re.S).group(1)
    assert f'As of: <time datetime="{later_day}">' in english
    assert snapshot_day != later_day and f'datetime="{snapshot_day}"' in english  # each source dated


# ---------------------------------------------------------------- keeping it so


def copy_site(target: Path) -> Path:
    for part in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / part, target / part)
    return target


def test_a_fact_without_a_source_fails_validation(tmp_path):
    site = copy_site(tmp_path / "site")
    assert regiold("validate", "--data", str(site)).returncode == 0
    (site / "data" / "unsourced.ttl").write_text(
        '@prefix schema: <https://schema.org/> .\n'
        '<org/unbelegt> schema:description "Eine Angabe ohne Quelle."@de .\n', encoding="utf-8")
    result = regiold("validate", "--data", str(site), "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"<{BASE}org/unbelegt>" in result.stdout
    assert "A fact without a source" in result.stdout


FACTS_BEGIN, FACTS_END = "<!-- regiold facts: begin -->", "<!-- regiold facts: end -->"


def test_the_facts_table_in_the_model_doc_is_current():
    result = regiold("facts")
    assert result.returncode == 0, result.stderr
    doc = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    block = doc.split(FACTS_BEGIN, 1)[1].split(FACTS_END, 1)[0]
    assert block.strip() == result.stdout.strip(), "run `regiold facts` and paste it into docs/MODEL.md"


def test_the_facts_table_counts_each_fact_once_in_its_last_row():
    """The last row's total is the number of non-type triples in data/ (counted here with rdflib)."""
    import rdflib

    graph = rdflib.Graph()
    for path in (ROOT / "data").rglob("*.ttl"):
        graph.parse(path, format="turtle", publicID=BASE)
    expected = sum(1 for _, p, _ in graph if p != rdflib.RDF.type)
    last = regiold("facts").stdout.strip().splitlines()[-1]
    assert last.rstrip(" |").rsplit("|", 1)[-1].strip() == str(expected)
