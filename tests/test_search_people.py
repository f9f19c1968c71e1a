"""Search as a person uses it: a box in every page's header, the entity named like the query
first, results grouped by kind, vocabulary and sources only on request, the count, "no results"
and the spellings tried; and the favicon every browser asks for."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from conftest import ROOT
from page_kinds import NOT_FOUND, PAGE_KINDS, PARTNER

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(repo_app):
    return repo_app.test_client()


def results(client, query: str, **params: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The page, and its groups: (heading, hrefs of the hits) in the order shown."""
    page = client.get("/search", query_string={"q": query, **params}, headers=HTML).get_data(as_text=True)
    groups = []
    for section in re.findall(r'<section class="hits-group".*?</section>', page, flags=re.S):
        heading = html_lib.unescape(re.search(r"<h2[^>]*>(.*?)</h2>", section).group(1))
        groups.append((heading, re.findall(r'<li><a href="([^"]+)"', section)))
    return page, groups


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_page_has_a_search_box_in_its_header(client, kind: str) -> None:
    response = client.get(PAGE_KINDS[kind], headers=HTML)
    assert response.status_code == (404 if kind in NOT_FOUND else 200)
    header = response.get_data(as_text=True).split('<header class="site">', 1)[1].split("</header>")[0]
    assert re.search(r'<form class="site-search" role="search" method="get" action="/search"', header)
    assert 'name="q"' in header and 'aria-label="Suchbegriff"' in header


def test_the_partner_named_like_the_query_comes_first(client) -> None:
    page, groups = results(client, "duesseldorf")
    assert groups[0] == ("Partner (1)", [PARTNER])
    shown = [href for _, hrefs in groups for href in hrefs]
    assert "/area/duesseldorf" in shown and "/org/landeshauptstadt-duesseldorf" in shown
    headings = [heading.split(" (")[0] for heading, _ in groups]
    assert headings.index("Träger und weitere Organisationen") < headings.index("Gebiete")
    assert not [h for h in shown if h.startswith(("/def/", "/source/")) or "/membership/" in h]
    assert f"{len(shown)} Treffer für „<bdi>duesseldorf</bdi>“." in page
    spellings = re.search(r'<p class="spellings">(.*?)</p>', page).group(1)
    assert all(f"<bdi>{s}</bdi>" in spellings for s in ("duesseldorf", "düsseldorf", "dusseldorf"))


def test_vocabulary_and_sources_only_when_asked_for(client) -> None:
    _, fewer = results(client, "Gemeindeschlüssel")
    assert not [h for _, hrefs in fewer for h in hrefs if h.startswith("/def/")]
    page, everything = results(client, "Gemeindeschlüssel", all="1")
    assert ("Vokabular (1)", ["/def/municipalityKey"]) in everything
    assert 'href="/search?q=Gemeindeschl%C3%BCssel">Nur Organisationen' in page
    _, sources = results(client, "Textabzug", all="1")
    assert any(h.startswith("/source/") for _, hrefs in sources for h in hrefs)


def test_no_results_says_so(client) -> None:
    page, groups = results(client, "zzyzx")
    assert groups == [] and "Keine Treffer für „<bdi>zzyzx</bdi>“." in page
    english = client.get("/search?q=zzyzx&lang=en", headers=HTML).get_data(as_text=True)
    assert "No results for „<bdi>zzyzx</bdi>“." in english


def test_favicon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/", headers=HTML).get_data(as_text=True)
