"""The chosen language sticks, and de and en are complete: every page kind rendered in both
languages shows no interface word of the other language, no label made up from an IRI's local
name, and on English pages every internal link keeps ``lang=en`` (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import html as html_lib
import re
from functools import cache

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
    for page in (german, english):
        assert f'hreflang="de" href="{path}"' in page and f'hreflang="en" href="{path}?lang=en"' in page
        assert f'hreflang="x-default" href="{path}"' in page
    # the switch names the language explicitly, so it wins over the browser's Accept-Language
    assert f'<a href="{path}?lang=de" hreflang="de" lang="de">Deutsch</a>' in english
