"""robots.txt and sitemap.xml: every page, on the serving host, with hreflang alternates."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
import requests

from conftest import ROOT
from dataset_helpers import BASE, source_graph
from ops_live import serving
from regiold import create_app
from regiold.publish import dataset as ds

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def pages_in_files(dataset_site: Path, *, include_persons: bool = True) -> set[str]:
    """Expected pages, from the files: subjects under the base without fragment, except the
    dependent nodes of organisations, plus the pages that always exist."""
    graph = source_graph(dataset_site, include_persons=include_persons)
    subjects = {str(s)[len(BASE):] for s in graph.subjects()
                if str(s).startswith(BASE) and "#" not in str(s)}
    pages = {p for p in subjects if not (p.startswith("org/") and p.count("/") > 1)}
    return pages | {"", "sparql", "dataset", "catalog"}


def locs(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    assert root.tag == f"{SM}urlset"
    return [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]


def test_sitemap_lists_every_page_in_both_languages_under_base_iri(dataset_app, dataset_site):
    """Absolute URLs from base_iri, whatever Host the client sends (issue 13, finding 7)."""
    response = dataset_app.test_client().get("/sitemap.xml", base_url="http://directory.example")
    assert response.status_code == 200
    assert response.content_type.startswith("application/xml")
    found = locs(response.get_data())
    expected = pages_in_files(dataset_site)
    assert {"org/alpha", "org/beta", "person/anna-beispiel", "def/Regionalmanagement"} <= expected
    german = {f"{BASE}{p}" for p in expected}
    english = {f"{u}?lang=en" for u in german}
    assert sorted(found) == sorted(german | english)


def test_each_entry_names_its_language_alternates(dataset_app):
    root = ET.fromstring(dataset_app.test_client().get("/sitemap.xml").get_data())
    for url in root.findall(f"{SM}url"):
        links = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert set(links) == {"de", "en", "x-default"}
        assert links["en"] == links["de"] + "?lang=en" and links["x-default"] == links["de"]
        assert url.findtext(f"{SM}loc") in (links["de"], links["en"])
        assert len(url.findtext(f"{SM}lastmod")) == 10  # YYYY-MM-DD


def test_sitemap_leaves_out_persons_when_they_are_not_published(dataset_site, settings_for):
    client = create_app(settings_for(dataset_site, publish_persons=False)).test_client()
    found = locs(client.get("/sitemap.xml").get_data())
    assert not any("person/" in loc for loc in found)
    assert {loc.removeprefix(BASE) for loc in found if "?" not in loc} == \
        pages_in_files(dataset_site, include_persons=False)


def test_large_sitemaps_become_an_index_of_parts(dataset_app, monkeypatch):
    client = dataset_app.test_client()
    everything = sorted(locs(client.get("/sitemap.xml").get_data()))
    monkeypatch.setattr(ds, "SITEMAP_MAX_URLS", 5)
    index = ET.fromstring(client.get("/sitemap.xml").get_data())
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    assert len(parts) == -(-len(everything) // 5)
    collected = []
    for part in parts:
        body = client.get("/" + part.removeprefix(BASE)).get_data()
        collected += locs(body)
        assert len(locs(body)) <= 5
    assert sorted(collected) == everything
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_robots_allows_all_and_points_to_the_sitemap(dataset_app):
    response = dataset_app.test_client().get("/robots.txt", base_url="https://directory.example")
    assert response.content_type == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines  # base_iri, never the Host sent
    assert not any(line.startswith("Disallow: /") and line != "Disallow:" for line in lines)


@pytest.mark.live
def test_live_robots_leads_to_a_parsable_sitemap(dataset_site, tmp_path):
    """A real `regiold serve`: robots.txt names the sitemap on the serving host; it parses and
    revalidates."""
    with serving(dataset_site, settings={"cache_dir": str(tmp_path / "cache")}) as server:
        url = server.url
        robots = requests.get(f"{url}/robots.txt", timeout=10).text
        sitemap_url = next(line.split(": ", 1)[1] for line in robots.splitlines()
                           if line.startswith("Sitemap: "))
        assert sitemap_url == f"{BASE}sitemap.xml"  # the public address; same path here
        local = f"{url}/sitemap.xml"
        response = requests.get(local, timeout=10)
        assert response.status_code == 200
        assert all(loc.startswith(BASE) for loc in locs(response.content))
        etag = response.headers["ETag"]
        assert requests.get(local, headers={"If-None-Match": etag}, timeout=10).status_code == 304


def test_every_sitemap_url_of_the_real_data_is_an_html_page(repo_app):
    client = repo_app.test_client()
    found = locs(client.get("/sitemap.xml").get_data())
    expected = pages_in_files(ROOT)
    assert {loc.removeprefix(BASE) for loc in found if "?" not in loc} == expected
    for loc in found:
        response = client.get("/" + loc.removeprefix(BASE), headers={"Accept": "text/html"})
        assert response.status_code == 200, loc
        assert response.content_type.startswith("text/html"), loc


def test_live_server_with_the_real_data_answers_every_dataset_url(live_url):
    void = requests.get(f"{live_url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=10)
    assert void.status_code == 200 and void.headers["Access-Control-Allow-Origin"] == "*"
    graph = rdflib.Graph().parse(data=void.text, format="turtle")
    dataset = rdflib.URIRef(BASE + "dataset")
    void_ns = rdflib.Namespace("http://rdfs.org/ns/void#")
    dumps = [str(d) for d in graph.objects(dataset, void_ns.dataDump)]
    assert len(dumps) == 5
    for dump in dumps:  # canonical IRIs; the same path answers on the serving host
        local = f"{live_url}/{dump.removeprefix(BASE)}"
        response = requests.get(local, timeout=10)
        assert response.status_code == 200, dump
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert requests.get(local, headers={"If-None-Match": response.headers["ETag"]},
                            timeout=10).status_code == 304
    robots = requests.get(f"{live_url}/robots.txt", timeout=10).text
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    found = locs(requests.get(f"{live_url}/sitemap.xml", timeout=10).content)
    assert f"{BASE}org/regionalmanagement-duesseldorf-kreis-mettmann" in found
