"""The chosen language sticks, and de and en are complete: every page kind rendered in both
languages shows no interface word of the other language, no label made up from an IRI's local
name; on English pages every internal link keeps ``lang=en``, and a reader who named a language
(``?lang=de`` in an English browser) stays in it on every link and form (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import html as html_lib
import re
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from conftest import ROOT
from page_kinds import NOT_FOUND, PAGE_KINDS, in_language
from regiold.publish import labels

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]\w{3,}")
SAME_IN_BOTH = {"partners", "schema", "triples", "code"}  # "des Partners", schema.org, N-Triples, NUTS-Code


def words(lang: str) -> set[str]:
    index = labels.LANGS.index(lang)
    texts = list(labels.UI[lang].values())
    for table in (labels.PROPERTY_LABELS, labels.INVERSE_LABELS, labels.TYPE_LABELS):
        texts += [pair[index] for pair in table.values()]
    return {w.casefold() for text in texts for w in WORD.findall(text)}


@cache
def only_in(lang: str) -> frozenset[str]:
    """Interface words of ``lang`` that the other language does not use."""
    other = next(code for code in labels.LANGS if code != lang)
    return frozenset(words(lang) - words(other) - SAME_IN_BOTH)


@cache
def known_labels(lang: str) -> frozenset[str]:
    """Every label a row may carry in ``lang``: the tables of labels.py and the vocabulary's own
    labels (ontology/ and data/), as the data gives them."""
    index = labels.LANGS.index(lang)
    found = {pair[index] for table in (labels.PROPERTY_LABELS, labels.INVERSE_LABELS,
                                       labels.TYPE_LABELS) for pair in table.values()}
    found |= set(labels.UI[lang].values())
    store = ox.Store()
    for folder in ("ontology", "data"):
        for path in sorted((ROOT / folder).rglob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE,
                       base_iri="https://w3id.org/regionen-nrw/")
    for row in store.query("SELECT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l)) }"):
        literal = row["l"]
        if literal.language in (lang, None):
            found.add(literal.value)
    return frozenset(text[:1].upper() + text[1:] for text in found) | found


def interface_text(page: str, lang: str) -> str:
    """What the page itself says: no data (``<bdi>``), code, queries, options, nor text marked as
    being in another language."""
    other = next(code for code in labels.LANGS if code != lang)
    body = page.split("<body>", 1)[1]
    for tag in ("script", "style", "textarea", "code", "pre", "bdi", "option"):
        body = re.sub(rf"<{tag}\b[^>]*>.*?</{tag}>", " ", body, flags=re.S)
    body = re.sub(rf'<(\w+)\b[^>]*\blang="{other}"[^>]*>.*?</\1>', " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def fetch(client, path: str, lang: str) -> str:
    response = client.get(in_language(path, lang), headers={"Accept": "text/html"})
    assert response.status_code == (404 if path in {PAGE_KINDS[k] for k in NOT_FOUND} else 200), path
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def client(repo_app):
    return repo_app.test_client()


@pytest.mark.parametrize("lang", labels.LANGS)
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_no_interface_word_of_the_other_language(client, kind: str, lang: str) -> None:
    page = fetch(client, PAGE_KINDS[kind], lang)
    assert f'<html lang="{lang}">' in page
    foreign = sorted({w for w in WORD.findall(interface_text(page, lang)) if w.casefold() in
                      only_in(next(code for code in labels.LANGS if code != lang))})
    assert not foreign, f"{kind} in {lang} says {foreign}"


@pytest.mark.parametrize("lang", labels.LANGS)
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_row_label_is_a_word_of_the_language(client, kind: str, lang: str) -> None:
    """A property without a label in ``lang`` would show its local name ("Class partition")."""
    page = fetch(client, PAGE_KINDS[kind], lang)
    rows = {html_lib.unescape(re.sub(r"<[^>]+>", "", dt)).strip()
            for dt in re.findall(r"<dt>(.*?)</dt>", page, flags=re.S)}
    unknown = sorted(row for row in rows if row and row not in known_labels(lang))
    assert not unknown, f"{kind} in {lang} labels rows {unknown}"


@pytest.mark.parametrize("kind", sorted(set(PAGE_KINDS) - NOT_FOUND))
def test_english_pages_keep_english_in_every_internal_link(client, kind: str) -> None:
    page = fetch(client, PAGE_KINDS[kind], "en")
    internal = [html_lib.unescape(h) for h in re.findall(r'<a [^>]*href="(/[^"]*)"', page)]
    pages = [h for h in internal if not h.startswith(("/static/", "/dumps/"))
             and not re.search(r"\.(ttl|jsonld|nt|rdf|nq|trig|n3)\b", h) and "format=" not in h]
    assert pages, kind
    lost = [h for h in pages if not re.search(r"[?&]lang=", h)]  # the switch says lang=de
    assert not lost, f"{kind}: links that fall back to the browser's language: {lost[:5]}"
    form = re.search(r'<form class="site-search".*?</form>', page, flags=re.S)
    assert form and '<input type="hidden" name="lang" value="en">' in form.group(0)


def test_one_url_per_language_for_crawlers(client) -> None:
    path = PAGE_KINDS["partner"]
    german, english = fetch(client, path, "de"), fetch(client, path, "en")
    iri = "https://w3id.org/regionen-nrw" + path
    assert f'<link rel="canonical" href="{iri}">' in german
    assert f'<link rel="canonical" href="{iri}?lang=en">' in english
    for page in (german, english):  # absolute, as search engines require (test_crawler_signals.py)
        assert f'hreflang="de" href="{iri}"' in page and f'hreflang="en" href="{iri}?lang=en"' in page
        assert f'hreflang="x-default" href="{iri}"' in page
    # the switch names the language explicitly, so it wins over the browser's Accept-Language
    assert f'<a href="{path}?lang=de" hreflang="de" lang="de">Deutsch</a>' in english


# ------------------------------------------------------------------ a named language sticks

SEARCH_TEXT = "duesseldorf"  # what a reader types into an empty search box
BROWSER = {"de": "de-DE,de;q=0.9", "en": "en-US,en;q=0.9"}


class Page(HTMLParser):
    """What a reader can follow on a page: internal ``<a href>`` (not the language switch, which
    names its language on purpose) and forms with the fields a browser would submit."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self.lang = ""
        self._text: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "a" and a.get("href", "").startswith("/") and "hreflang" not in a:
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"method": a.get("method", "get").lower(), "action": a["action"],
                               "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or SEARCH_TEXT
        elif tag == "textarea" and self.forms:
            self._text = []
            self.forms[-1]["fields"][a["name"]] = ""
        elif tag == "select" and self.forms:
            self.forms[-1]["select"] = a["name"]
        elif tag == "option" and self.forms and "selected" in a:
            self.forms[-1]["fields"][self.forms[-1]["select"]] = a["value"]

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._text is not None:
            name = next(reversed(self.forms[-1]["fields"]))
            self.forms[-1]["fields"][name] = "".join(self._text)
            self._text = None


def is_page(href: str) -> bool:
    """A link to an HTML page (not a file, a dump, a document of one format or a download)."""
    path = urlsplit(href).path
    return (not path.startswith(("/static/", "/dumps/", "/favicon.ico"))
            and not re.search(r"\.(ttl|jsonld|nt|rdf|nq|trig|n3|xml|txt)$", path)
            and "format=" not in href)


@pytest.mark.parametrize(("chosen", "browser"), [("de", "en"), ("en", "de")])
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_a_named_language_sticks_on_every_link_and_form(client, kind: str, chosen: str,
                                                        browser: str) -> None:
    """A reader whose browser prefers the other language picks ``chosen`` (the switch's
    ``?lang=``); every link and form of that page leads to a page in ``chosen``."""
    headers = {"Accept": "text/html", "Accept-Language": BROWSER[browser]}
    first = client.get(in_language(PAGE_KINDS[kind], chosen), headers=headers)
    page = Page(first.get_data(as_text=True))
    assert page.lang == chosen
    links = sorted({h for h in page.links if is_page(h)})
    assert links and page.forms, kind
    wrong = []
    for href in links:
        answer = client.get(href.partition("#")[0] or PAGE_KINDS[kind], headers=headers)
        if answer.mimetype != "text/html" or Page(answer.get_data(as_text=True)).lang != chosen:
            wrong.append(href)
    for form in page.forms:
        send = client.get if form["method"] == "get" else client.post
        answer = send(form["action"], headers=headers, **{
            "query_string" if form["method"] == "get" else "data": form["fields"]})
        if Page(answer.get_data(as_text=True)).lang != chosen:
            wrong.append(f"form {form['method']} {form['action']} {sorted(form['fields'])}")
    total = len(links) + len(page.forms)
    assert not wrong, f"{kind}: {len(wrong)} of {total} lead to the browser's language: {wrong[:5]}"


def test_a_plain_german_page_keeps_clean_links(client) -> None:
    """Without ``?lang=`` a German page's links have no ``lang=`` (one clean URL per page)."""
    plain = client.get(PAGE_KINDS["partner"], headers={"Accept": "text/html",
                                                       "Accept-Language": BROWSER["de"]})
    page = Page(plain.get_data(as_text=True))
    assert page.lang == "de" and page.links
    assert [h for h in page.links if "lang=" in h] == []
    assert "Accept-Language" in plain.headers["Vary"]  # the plain URL's page follows the browser


def test_a_named_german_page_points_crawlers_at_the_one_german_url(client) -> None:
    path = PAGE_KINDS["partner"]
    iri = "https://w3id.org/regionen-nrw" + path
    named = client.get(f"{path}?lang=de", headers={"Accept": "text/html",
                                                   "Accept-Language": BROWSER["en"]})
    text = named.get_data(as_text=True)
    assert f'<link rel="canonical" href="{iri}">' in text
    assert f'hreflang="de" href="{iri}"' in text and f'hreflang="en" href="{iri}?lang=en"' in text
    assert f'hreflang="x-default" href="{iri}"' in text
    assert f'<a href="{path}?lang=en" hreflang="en" lang="en">English</a>' in text
    assert named.headers["Content-Language"] == "de"
