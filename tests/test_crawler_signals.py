"""What a search engine reads in the head of a page besides the title: a meta description (the
snippet Google's guide "Control your snippets in search results" asks a site to write for each
page), in the page's language, taken from the data where the data describes the resource."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
import rdflib

from conftest import ROOT
from page_kinds import PAGE_KINDS, in_language
from pages_support import copy_site, make_app
from regiold.publish import labels

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")
BASE = "https://w3id.org/regionen-nrw/"
SDO_DESCRIPTION = rdflib.URIRef("https://schema.org/description")
# pages a search engine is asked to index: the resource pages of every kind and the start page
INDEXED = sorted(kind for kind, path in PAGE_KINDS.items()
                 if not path.startswith(("/search", "/sparql")) and kind != "not-found")


@pytest.fixture(scope="module")
def client(repo_app):
    return repo_app.test_client()


def meta_descriptions(client, path: str, lang: str) -> list[str]:
    response = client.get(in_language(path, lang), headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    found = re.findall(r'<meta name="description" content="([^"]*)">', response.get_data(as_text=True))
    return [html_lib.unescape(text) for text in found]


@pytest.mark.parametrize("lang", labels.LANGS)
@pytest.mark.parametrize("kind", INDEXED)
def test_every_indexed_page_has_one_meta_description(client, kind: str, lang: str) -> None:
    (text,) = meta_descriptions(client, PAGE_KINDS[kind], lang)
    assert 20 <= len(text) <= 200 and text == text.strip() and "\n" not in text, text


def described() -> dict[str, dict[str, str]]:
    """Paths of the partners whose data file states a schema:description, by language."""
    found: dict[str, dict[str, str]] = {}
    for file in sorted(Path(ROOT, "data", "partners").glob("*.ttl")):
        graph = rdflib.Graph().parse(file, format="turtle", publicID=BASE)
        for subject, text in graph.subject_objects(SDO_DESCRIPTION):
            if str(subject).startswith(BASE + "org/") and "/" not in str(subject)[len(BASE + "org/"):]:
                found.setdefault("/" + str(subject)[len(BASE):], {})[text.language or ""] = str(text)
    return found


def test_a_described_partner_is_summed_up_by_its_own_description(client) -> None:
    partners = described()
    assert partners, "the data describes no partner"
    for path, texts in partners.items():
        for lang in labels.LANGS:
            if lang not in texts:
                continue
            (meta,) = meta_descriptions(client, path, lang)
            words = " ".join(texts[lang].split())
            assert meta == words or (meta.endswith("…") and words.startswith(meta[:-1].rstrip())), \
                (path, lang, meta)


SPAM = "Billige Uhren kaufen"  # what a spammer links to, hoping a search engine indexes it here
REFLECTING = {  # pages that show text from their URL: search results, SPARQL results
    "search": f"/search?q={SPAM}",
    "sparql-result": f"/sparql?format=html&query=SELECT%20%28%22{SPAM}%22%20AS%20%3Fx%29%20%7B%7D",
    "sparql-negotiated": f"/sparql?query=SELECT%20%28%22{SPAM}%22%20AS%20%3Fx%29%20%7B%7D",
}


@pytest.mark.parametrize("kind", sorted(REFLECTING))
def test_pages_that_show_text_from_their_url_are_not_indexed(client, kind: str) -> None:
    """Google's guidelines: keep internal search results out of the index; any text in the URL of
    these pages is shown on this site, so an indexed one would carry anyone's words. They say
    noindex (Google's "Block Search indexing with noindex"); their links may still be followed."""
    text = client.get(REFLECTING[kind], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert SPAM in html_lib.unescape(text), kind  # the reason: the page shows the URL's text
    assert re.findall(r'<meta name="robots" content="([^"]*)">', text) == ["noindex"], kind


@pytest.mark.parametrize("kind", [*INDEXED, "search-form", "sparql"])
def test_pages_in_the_sitemap_may_be_indexed(client, kind: str) -> None:
    text = client.get(PAGE_KINDS[kind], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'name="robots"' not in text, kind


@pytest.mark.parametrize("query", ["?_profile=alt", "?_profile=alt&lang=en", "?_profile=schema&lang=en",
                                   "?lang=en&_profile=full", "?lang=en&format=html"])
def test_the_canonical_header_agrees_with_the_page_for_every_profile(client, query: str) -> None:
    """The list of profiles is an HTML page too (tests/conneg_checks.py checks the plain pages
    against nginx and Apache as well)."""
    response = client.get(PAGE_KINDS["partner"] + query, headers={"Accept": "text/html"})
    in_page = re.findall(r'<link rel="canonical" href="([^"]+)">', response.get_data(as_text=True))
    in_header = re.findall(r'<([^>]+)>; rel="canonical"', response.headers.get("Link", ""))
    assert len(in_page) == 1 and in_header in ([], in_page), (in_header, in_page)


HREFLANG = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


def html_page(client, path: str) -> str:
    return client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)


@pytest.mark.parametrize("kind", [*INDEXED, "sparql"])
def test_hreflang_names_each_language_by_its_canonical_url(client, kind: str) -> None:
    """Google's "Tell Google about localized versions of your page": alternate URLs must be
    fully qualified, with the scheme ("https://example.com/foo, not //example.com/foo or /foo"),
    each version lists itself and the others, and each names the canonical URL of that version."""
    for lang in labels.LANGS:
        found = dict(HREFLANG.findall(html_page(client, in_language(PAGE_KINDS[kind], lang))))
        assert set(found) == {*labels.LANGS, "x-default"}, (kind, lang, found)
        for code, href in found.items():
            href = html_lib.unescape(href)
            assert href.startswith(BASE), (kind, lang, code, href)  # absolute, on the canonical host
            target = html_page(client, "/" + href[len(BASE):])
            canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', target)
            if canonical:  # the SPARQL editor names none
                assert html_lib.unescape(canonical[0]) == href, (kind, lang, code)


def test_each_page_of_a_paged_description_is_its_own_canonical(tmp_path: Path) -> None:
    """Google's pagination guide: give each page its own canonical URL, never the first page's
    (else what only page 2 lists is not indexed); hreflang then names those URLs too."""
    client = make_app(copy_site(tmp_path / "site"), page_size=2).test_client()
    for query, expected in (("?page=2", f"{BASE}org/network?page=2"),
                            ("?page=2&lang=en", f"{BASE}org/network?page=2&lang=en"),
                            ("", f"{BASE}org/network")):
        response = client.get(f"/org/network{query}", headers={"Accept": "text/html"})
        text = response.get_data(as_text=True)
        assert response.status_code == 200, query
        assert [html_lib.unescape(c) for c in re.findall(r'<link rel="canonical" href="([^"]+)">', text)] \
            == [expected], query
        assert re.findall(r'<([^>]+)>; rel="canonical"', response.headers["Link"]) == [expected], query
        hreflang = {code: html_lib.unescape(href) for code, href in HREFLANG.findall(text)}
        assert expected in hreflang.values(), (query, hreflang)
