"""Representations as bytes: RDF (pyoxigraph), compacted JSON-LD (rdflib + the project context),
HTML (Jinja2, one Environment) with embedded schema.org JSON-LD.

Callable without a request — the static export writes every representation with
``representation(site, iri, fmt, lang)``. With the embedded store, results are memoised per data
version in ``site.cache`` keyed by ``("repr", iri, format key, lang, page, link lang)`` (the last:
what internal links carry, see ``links.link_lang``; bounded by the ``cache_entries`` and
``cache_mb`` settings, see ``site.MemoCache``): computed once, then served from memory (the Site,
and with it the cache, is replaced as a whole on reload). A remote
store may change or fail behind the app's back, so its descriptions are read afresh (the ETag
still changes only when the bytes do).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup

from regiold.errors import NotFound
from regiold.publish import changelog, fragments, jsonld, links, lookup, summary
from regiold.publish import describe as describe_mod
from regiold.publish.labels import LANGS, UI
from regiold.publish.view import PageView, build_view, local_href, pick_literal
from regiold.rdf import ntriples
from regiold.rdf.formats import HTML, JSONLD, NTRIPLES, PROFILES, RESOURCE, Format, Profile, by_key
from regiold.rdf.namespaces import ALTR_NS, DCT_NS, ORG_NS, PROF_NS, RDF_TYPE_NODE, RDFS_LABEL, site_prefixes
from regiold.rdf.serialize import prefixes_of, serialize, stable_order, used_prefixes
from regiold.store import EmbeddedStore

if TYPE_CHECKING:
    from regiold.publish.site import Site
    from regiold.publish.tombstones import Tombstone

_DATA_KEYS = frozenset({"describe", "repr", "index"})  # memo entries read from the store
CONTEXT_PATH = "context.jsonld"  # under the base IRI, and at /context.jsonld on every host
GZIP_MIN_BYTES = 512  # below this, compression costs more than it saves


@dataclass
class Representation:
    """One representation of a resource: bytes plus what the HTTP layer needs to send them."""

    body: bytes
    format: Format
    lang: str | None  # only HTML depends on the language
    etag: str  # strong, quoted
    page: int = 1
    pages: int = 1
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def content_type(self) -> str:
        return self.format.content_type

    def gzipped(self) -> bytes:
        """The body gzip-compressed (computed once; deterministic: mtime 0)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped

    @property
    def nbytes(self) -> int:
        """About the memory this holds (site.MemoCache weighs it): the body, and its gzip copy
        counted up front at a quarter of it, since that is made later (on the first gzip request)."""
        return 256 + len(self.body) + len(self.body) // 4

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


# ---------------------------------------------------------------- the project JSON-LD context

# Namespaces by their prefix in vocab.PREFIXES: the context writes "schema:name", not full IRIs.
_SDO, _ORG, _SKOS, _RDFS, _DCT = "schema:", "org:", "skos:", "rdfs:", "dct:"
# Readable keys. Properties whose values are IRIs say so ("@type": "@id"); a value of another kind
# simply keeps a prefixed key (e.g. "schema:url"), so compaction never changes the triples.
_IRI_TERMS = {
    _SDO: ("url", "sameAs", "logo", "email", "parentOrganization", "subOrganization", "member",
           "memberOf", "address", "contactPoint", "employee", "worksFor", "areaServed",
           "containedInPlace", "containsPlace", "category", "provider", "makesOffer",
           "itemOffered", "hasOfferCatalog", "mainEntityOfPage", "serviceType", "knowsAbout"),
    _ORG: ("hasMembership", "organization", "role", "hasPost", "postIn", "heldBy", "holds",
           "hasUnit", "unitOf", "subOrganizationOf", "hasSubOrganization", "classification",
           "hasSite", "linkedTo", "hasMember"),
    _SKOS: ("inScheme", "topConceptOf", "hasTopConcept", "broader", "narrower", "exactMatch",
            "closeMatch"),
    _RDFS: ("seeAlso", "isDefinedBy", "subClassOf", "subPropertyOf", "domain", "range"),
    _DCT: ("license", "publisher", "creator", "source", "spatial", "conformsTo"),
}
_LITERAL_TERMS = {
    _SDO: ("name", "alternateName", "legalName", "description", "telephone", "faxNumber",
           "streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry",
           "jobTitle", "honorificPrefix", "givenName", "familyName", "identifier", "foundingDate",
           "keywords", "contactType"),
    _ORG: ("purpose",),
    _SKOS: ("prefLabel", "altLabel", "definition", "notation", "editorialNote", "scopeNote"),
    _RDFS: ("label", "comment"),
    _DCT: ("title", "created", "modified"),
}
_TYPES = {
    _SDO: ("Organization", "GovernmentOrganization", "Person", "PostalAddress", "ContactPoint",
           "Service", "AdministrativeArea", "Place", "City", "Offer", "OfferCatalog", "WebSite"),
    _ORG: ("FormalOrganization", "OrganizationalUnit", "OrganizationalCollaboration", "Membership",
           "Post", "Role", "Site"),
    _SKOS: ("Concept", "ConceptScheme"),
}


def context(base_iri: str) -> dict[str, object]:
    """The project JSON-LD context (served at ``/context.jsonld``): prefixes plus readable terms."""
    terms: dict[str, object] = {"@version": 1.1, **site_prefixes(base_iri)}
    for namespace, names in _TYPES.items():
        terms.update({name: namespace + name for name in names if name not in terms})
    for namespace, names in _LITERAL_TERMS.items():
        terms.update({name: namespace + name for name in names if name not in terms})
    for namespace, names in _IRI_TERMS.items():
        terms.update({name: {"@id": namespace + name, "@type": "@id"}
                      for name in names if name not in terms})
    rgo = "rgo:"
    terms["doesNotPerform"] = {"@id": rgo + "doesNotPerform", "@type": "@id"}
    terms["confidence"] = {"@id": rgo + "confidence", "@type": "@id"}
    terms["institutionalisationOrder"] = rgo + "institutionalisationOrder"
    return {"@context": terms}


@cache
def _context_terms(base_iri: str) -> dict[str, object]:
    """The context's terms, built once per base IRI (read-only: callers copy what they keep)."""
    return context(base_iri)["@context"]  # type: ignore[return-value]


def context_document(site: Site) -> bytes:
    return _memo(site, ("context",), lambda: _json_bytes(context(site.base_iri)))


# ---------------------------------------------------------------- representations


def description(site: Site, iri: str, page: int = 1) -> describe_mod.Description:
    """The (memoised) description of ``iri``.

    :raises NotFound: the store says nothing about ``iri``, or ``page`` is past the last page.
    """
    if not describe_mod.is_iri(iri):
        raise NotFound("No such resource")  # e.g. /org/a%3Eb: no IRI, so nothing to describe
    found = _memo(site, ("describe", iri, page), lambda: lookup.describe(
        site.store, iri, page=page, page_size=site.settings.page_size))
    if not found.exists or page < 1 or page > found.pages:
        raise NotFound(f"No resource {iri}" + (f" (page {page})" if page != 1 else ""))
    return found


def representation(site: Site, iri: str, fmt: Format, lang: str | None = None,
                   page: int = 1, *, named: bool = False) -> Representation:
    """The bytes of ``iri`` in ``fmt`` (HTML in ``lang``; ``named``: the URL named the language,
    so internal links keep it), memoised per data version.

    :raises NotFound: unknown IRI or page.
    """
    lang = (lang or site.settings.default_lang) if fmt is HTML else None
    carried = links.link_lang(lang, site.settings.default_lang, named) if lang else None
    key = ("repr", iri, fmt.key, lang, page, carried)
    return _memo(site, key, lambda: _represent(site, iri, fmt, lang, page, named))


def _represent(site: Site, iri: str, fmt: Format, lang: str | None, page: int,
               named: bool) -> Representation:
    found = description(site, iri, page)
    if fmt is HTML:
        body = resource_html(site, found, lang or site.settings.default_lang, named=named)
    elif fmt is JSONLD:
        body = (jsonld_bytes(found.triples, site.base_iri) if found.stable is None
                else _jsonld_text_bytes(found.stable.text, site.base_iri))  # read from the lines
    elif fmt.same_bytes_as:  # N3 is Turtle: serialised once
        body = representation(site, iri, by_key(fmt.same_bytes_as, RESOURCE) or fmt, lang, page).body
    elif fmt is NTRIPLES and found.stable is not None:  # pyoxigraph's own lines, in order
        body = found.stable.text.encode()
    else:
        ordered, prefixes = _ordered(found, site.base_iri)
        body = serialize(ordered, fmt, site.base_iri, graph=iri, prefixes=prefixes)
    return Representation(body, fmt, lang, format_etag(site.version, body, fmt), page, found.pages)


def forget(site: Site, iri: str) -> None:
    """Drop what the memo holds of ``iri``'s first page (its description and every
    representation): the static export writes each resource once and never asks for it again."""
    cache = site.cache
    for key in _forgotten(iri):
        if key in cache:  # most are not there: no lock taken for them
            cache.pop(key, None)


def _forgotten(iri: str) -> list[tuple[object, ...]]:
    """The memo keys of ``iri``'s first page: ``representation``'s (HTML in each language, with
    lang= or clean links: links.link_lang; the other formats without a language) and its
    description's."""
    keys: list[tuple[object, ...]] = [("describe", iri, 1)]
    for fmt in RESOURCE:
        variants = [(lang, carried) for lang in LANGS for carried in (lang, None)] if fmt is HTML \
            else [(None, None)]
        keys += [("repr", iri, fmt.key, lang, 1, carried) for lang, carried in variants]
    return keys


# The last description put in order: a static export writes each description in six RDF formats
# in a row, and sorts it and finds its prefixes once. One slot, replaced whole (threads only ever
# see a complete tuple and check that it is theirs).
_last_ordered: tuple[describe_mod.Description, list[ox.Triple] | None, dict[str, str]] | None = None


def _ordered(found: describe_mod.Description,
             base_iri: str) -> tuple[Iterable[ox.Triple | ox.Quad], dict[str, str]]:
    """``found``'s triples in ``serialize``'s stable order, for one pass of a writer, and the
    prefixes they use."""
    global _last_ordered
    last = _last_ordered
    if last is not None and last[0] is found:
        ordered, prefixes = last[1], last[2]
    elif found.stable is not None:  # collected as text (lookup.py): in order already
        ordered, prefixes = None, prefixes_of(found.stable.iris, base_iri)
    else:
        ordered = stable_order(found.triples)
        prefixes = used_prefixes(ordered, base_iri)
    _last_ordered = (found, ordered, prefixes)
    if ordered is None:  # parsed into the writer unless a reader parsed them already
        return found.stable.for_writer(), prefixes  # type: ignore[union-attr]
    return ordered, prefixes


def make_etag(version: str, body: bytes | None = None, *, name: str = "") -> str:
    """The one ETag scheme (docs/SERVING.md): strong and quoted, the data version plus a digest of
    the exact bytes, or for what is not hashed per request (dumps, robots, sitemaps: a dump is
    large) its ``name``, which is fixed for the life of the data version."""
    tail = hashlib.sha256(body).hexdigest()[:16] if body is not None else name
    return f'"{version}-{tail}"'


def format_etag(version: str, body: bytes, fmt: Format) -> str:
    """``make_etag`` of a representation in ``fmt``: a format with the same bytes as another
    (N3 is Turtle) mixes its key into the digest, so that the two variants' tags differ."""
    return make_etag(version, (fmt.key.encode() if fmt.same_bytes_as else b"") + body)


# The schema.org profile: what the HTML embeds, with an inline context that any JSON-LD processor
# reads offline (https://schema.org's own context would be fetched); the terms whose values are
# web addresses say so, as schema.org's context does.
SCHEMA_CONTEXT: dict[str, object] = {"@vocab": "https://schema.org/",
                                     **{name: {"@type": "@id"} for name in ("url", "sameAs", "logo")}}


def schema_representation(site: Site, iri: str, fmt: Format, page: int = 1) -> Representation:
    """``iri`` in the schema.org profile (only schema.org terms: the markup its HTML page embeds),
    in the RDF format ``fmt``; memoised like every representation.

    :raises NotFound: unknown IRI or page.
    """
    def build() -> Representation:
        found = description(site, iri, page)
        view = build_view(found, base_iri=site.base_iri, lang=site.settings.default_lang)
        document = {**view.schema_org, "@context": SCHEMA_CONTEXT}
        body = _json_bytes(document)
        if fmt is not JSONLD:
            body = serialize(_stable_blank_nodes(ox.parse(body, format=ox.RdfFormat.JSON_LD)), fmt,
                             site.base_iri, stable=True, graph=iri)
        return Representation(body, fmt, None, format_etag(site.version, body, fmt), page, found.pages)
    return _memo(site, ("repr", iri, fmt.key, "profile=schema", page), build)


def _stable_blank_nodes(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Blank nodes named by their order of appearance: the same bytes in every worker."""
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"b{len(names)}"))
        return term
    return [ox.Triple(stable(q.subject), q.predicate, stable(q.object)) for q in quads]  # type: ignore[arg-type]


def profile_formats(profile: Profile) -> tuple[Format, ...]:
    """The formats a profile is offered in: HTML is the full description (and embeds the
    schema.org profile); the schema.org profile comes in every RDF format."""
    return RESOURCE if profile is PROFILES[0] else tuple(f for f in RESOURCE if f is not HTML)


def alternatives(site: Site, iri: str, path: str, fmt: Format, lang: str | None, *,
                 named: bool = False) -> Representation:
    """The profiles and formats of ``iri`` (``?_profile=alt``): an HTML table, or RDF in the
    Alternate Representations data model (W3C Content Negotiation by Profile).

    :raises NotFound: unknown IRI.
    """
    found = description(site, iri)
    listed = [{"token": p.token, "uri": p.uri(site.base_iri), "label": p.label, "default": i == 0,
               "documents": [{"href": f"{path}.{f.key}" + ("" if i == 0 else f"?_profile={p.token}"),
                              "canonical": f"{iri}.{f.key}" + ("" if i == 0 else f"?_profile={p.token}"),
                              "type": f.media_type, "label": f.label} for f in profile_formats(p)]}
              for i, p in enumerate(PROFILES)]
    if fmt is HTML:
        lang = lang or site.settings.default_lang
        body = page("profiles.html", path=path, iri=iri, profiles=listed, canonical=iri,
                    alternates=[], jsonld=None,
                    **chrome(path, lang, query="_profile=alt", default_lang=site.settings.default_lang,
                             sparql_link=site.settings.sparql_link, named=named, base_iri=site.base_iri))
    else:
        triples = _alternatives_graph(iri, listed)
        body = (jsonld_bytes(triples, site.base_iri) if fmt is JSONLD
                else serialize(triples, fmt, site.base_iri, stable=True, graph=iri))
    return Representation(body, fmt, lang if fmt is HTML else None, format_etag(site.version, body, fmt),
                          1, found.pages)


def _alternatives_graph(iri: str, listed: list[dict]) -> list[ox.Triple]:  # type: ignore[type-arg]
    subject, out = ox.NamedNode(iri), []
    for entry in listed:
        profile = ox.NamedNode(entry["uri"])
        out += [ox.Triple(profile, RDF_TYPE_NODE, ox.NamedNode(PROF_NS + "Profile")),
                ox.Triple(profile, ox.NamedNode(PROF_NS + "hasToken"), ox.Literal(entry["token"])),
                ox.Triple(profile, ox.NamedNode(RDFS_LABEL), ox.Literal(entry["label"], language="en"))]
        for document in entry["documents"]:
            node = ox.NamedNode(document["canonical"])
            out += [ox.Triple(subject, ox.NamedNode(ALTR_NS + "hasRepresentation"), node),
                    ox.Triple(node, RDF_TYPE_NODE, ox.NamedNode(ALTR_NS + "Representation")),
                    ox.Triple(node, ox.NamedNode(DCT_NS + "conformsTo"), profile),
                    ox.Triple(node, ox.NamedNode(DCT_NS + "format"), ox.Literal(document["type"]))]
            if entry["default"] and document["type"] == HTML.media_type:
                out.append(ox.Triple(subject, ox.NamedNode(ALTR_NS + "hasDefaultRepresentation"), node))
    return out




def jsonld_bytes(triples: list[ox.Triple], base_iri: str) -> bytes:
    """JSON-LD compacted with the project context.

    The context travels inline, cut down to the terms the document uses: every JSON-LD processor
    (pyoxigraph's too, which fetches nothing) reads it offline, and it does not depend on the
    canonical context URL resolving. The full context is served at ``/context.jsonld``.
    """
    return _jsonld_text_bytes(ntriples.of_triples(triples), base_iri)


def _jsonld_text_bytes(text: str, base_iri: str) -> bytes:
    """``jsonld_bytes`` of the triples of an N-Triples document."""
    ctx = _context_terms(base_iri)
    strings: set[str] = set()
    body = jsonld.document_nt(text, ctx, base_iri=base_iri, strings=strings)  # one pass, no rdflib graph
    return _json_bytes({"@context": _used_context(ctx, strings), **body})


def _used_context(ctx: dict[str, object], strings: set[str]) -> dict[str, object]:
    """The entries of ``ctx`` that a document uses: ``strings`` are its keys and string values
    (type names, compact IRIs' prefixes); a used term's definition may use a prefix too."""
    used: set[str] = set()

    def note(text: str) -> None:
        if text in ctx and text not in used:
            used.add(text)
            definition = ctx[text]
            if isinstance(definition, dict):
                for key, value in definition.items():
                    note(key)
                    if isinstance(value, str):
                        note(value)
            elif isinstance(definition, str):
                note(definition)
        if ":" in text:
            prefix = text.split(":", 1)[0]
            if prefix in ctx and prefix not in used:
                used.add(prefix)

    for text in strings:
        note(text)
    return {"@version": ctx["@version"], **{k: v for k, v in ctx.items() if k in used}}


def _json_bytes(data: object) -> bytes:
    return jsonld.dumps(data, 2).encode() + b"\n"


# ---------------------------------------------------------------- HTML


@cache
def environment() -> Environment:
    """The one Jinja2 environment (autoescape on; templates compiled once and kept)."""
    env = Environment(loader=PackageLoader("regiold", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.globals["UI"] = UI
    env.filters["here"] = _here
    return env


@pass_context
def _here(context: dict[str, object], href: str) -> str:
    """``{{ href | here }}``: an internal link in the page's language (links.with_lang)."""
    lang = context.get("link_lang")
    found = links.with_lang(href, lang if isinstance(lang, str) else None)
    if lang is _LANG_MARK and found != href:  # page_twice: count the marks it will replace
        context["lang_marks"].append(found)  # type: ignore[attr-defined]
    return found


_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def script_json(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block that data cannot break out of:
    ``<``, ``>`` and ``&`` (and the JS line separators and bidi controls) become ``\\uXXXX``
    escapes, which JSON parsers read back as the same characters."""
    text = jsonld.dumps(data, 1)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    text = _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # invisible in source views too
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def page(template: str, **context: object) -> bytes:
    """Render a template of ``templates/`` (for other blueprints too: they extend base.html, and
    take the parts every page shares from publish/fragments.py)."""
    env = environment()
    chrome = context.pop("chrome", None)
    if isinstance(chrome, fragments.Chrome):
        context["parts"] = fragments.parts(env, chrome, context)
    return env.get_template(template).render(**context).encode()


# A page in the default language has two URLs whose pages differ only in their internal links
# (publish/links.py): ``/org/x?lang=de`` (links keep ``lang=``) and ``/org/x`` (clean links). The
# static export writes both; ``page_twice`` renders the page once with a mark for the language in
# its links, and marks in place of the shared parts, then puts in each URL's language and parts.
_LANG_MARK = "\x01"  # printed by no template, and not a language
_MARKED = ("?lang=%01", "&amp;lang=%01")  # what links.with_lang adds for the mark, as printed
_PART_MARKS = tuple(Markup(f"\x02{name}\x02") for name in fragments.Parts.__dataclass_fields__)


def page_twice(template: str, **context: object) -> tuple[bytes, bytes]:
    """``page`` of a page in the default language (``context["lang"]``, with ``chrome``) for its
    two URLs: links with ``lang=`` (named), and clean; the same bytes as two ``page`` calls.
    If the data printed holds a mark's text itself (the marks are counted), it renders twice."""
    env = environment()
    lang = context["lang"]
    chrome = context.pop("chrome")
    assert isinstance(chrome, fragments.Chrome) and isinstance(lang, str)
    variants = ((lang, {**context, "link_lang": lang}), (None, {**context, "link_lang": None}))
    marks: list[str] = []
    text = env.get_template(template).render(**{**context, "link_lang": _LANG_MARK,
                                                 "parts": fragments.Parts(*_PART_MARKS),
                                                 "lang_marks": marks})
    if sum(text.count(mark) for mark in _MARKED) != len(marks) or \
            any(text.count(mark) != 1 for mark in _PART_MARKS):
        named, clean = (page(template, chrome=chrome, **variant) for _, variant in variants)
        return named, clean
    out = []
    for link_lang, variant in variants:
        body = text.replace(_MARKED[0], f"?lang={quote(link_lang)}" if link_lang else "")
        body = body.replace(_MARKED[1], f"&amp;lang={quote(link_lang)}" if link_lang else "")
        for mark, part in zip(_PART_MARKS, fragments.parts(env, chrome, variant).all(), strict=True):
            body = body.replace(mark, part)
        out.append(body.encode())
    return out[0], out[1]


def chrome(path: str, lang: str, *, query: str = "", default_lang: str | None = None,
           sparql_link: str = "/sparql", named: bool = False, base_iri: str = "") -> dict[str, object]:
    """What base.html needs besides the page itself: ``link_lang`` (what internal links carry:
    ``lang`` when the URL ``named`` it or it is not the default, see publish/links.py), the link
    to the SPARQL endpoint (none in a static export without one), and for the parts every page
    shares (publish/fragments.py: the language switch, the hreflang alternates) the page's path,
    query and the default language; with ``base_iri`` the hreflang URLs are absolute under it."""
    default = default_lang or LANGS[0]
    return {
        "lang": lang, "ui": UI[lang], "link_lang": links.link_lang(lang, default, named),
        "sparql_link": sparql_link,
        "chrome": fragments.Chrome(path, query, default, base_iri.rstrip("/")),
    }


def canonical_iri(iri: str, lang: str, default_lang: str, page_number: int = 1) -> str:
    """The canonical URL of a page in ``lang``: the IRI, with ``?lang=`` for other languages;
    a later page of a paged description is its own (``?page=2``: Google's pagination guide)."""
    return page_url(iri, page_number, **({} if lang == default_lang else {"lang": lang}))


def resource_html(site: Site, found: describe_mod.Description, lang: str, *,
                  named: bool = False) -> bytes:
    return page("resource.html", **_resource_context(site, found, lang, named=named))


def default_pages(site: Site, iri: str) -> tuple[bytes, bytes]:
    """The first HTML page of ``iri`` in the default language at its two URLs, as
    ``representation`` gives them with ``named`` True (links keep ``lang=``) and False (clean),
    from one rendering (``page_twice``): the static export writes both. Not memoised.

    :raises NotFound: unknown IRI.
    """
    found = description(site, iri)
    return page_twice("resource.html", **_resource_context(site, found, site.settings.default_lang,
                                                           named=True))


def _resource_context(site: Site, found: describe_mod.Description, lang: str, *,
                      named: bool) -> dict[str, object]:
    view = summary.page_view(found, site.base_iri, lang)
    return dict(view=view, jsonld=script_json(view.schema_org), description=meta_description(view),
                alternates=alternates(view.path, found.page),
                canonical=canonical_iri(view.iri, lang, site.settings.default_lang, view.page),
                page_links=page_links(view.path, view.page, view.pages),
                changelog=_changelog(site, view.iri),
                **chrome(view.path, lang, query=page_query(found.page),
                         default_lang=site.settings.default_lang,
                         sparql_link=site.settings.sparql_link, named=named, base_iri=site.base_iri))


META_DESCRIPTION_MAX = 160  # characters a search engine shows of a snippet


def meta_description(view: PageView) -> str:
    """The page's ``<meta name="description">``: the resource's description in the page's
    language, else what it is (title, types, the site); at most 160 characters, cut at a word."""
    if view.text and view.text_lang in (None, view.lang):
        text = " ".join(view.text.split())
    else:
        text = " – ".join(filter(None, (view.title, ", ".join(view.types), UI[view.lang]["site"])))
    if len(text) <= META_DESCRIPTION_MAX:
        return text
    return text[:META_DESCRIPTION_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


def _changelog(site: Site, iri: str) -> list[dict[str, object]]:
    """The release changelog, shown on the dataset's page only (docs/STEWARDS.md)."""
    if iri != site.base_iri + "dataset":
        return []
    return _memo(site, ("changelog",), lambda: changelog.changelog_view(site.settings.site_dir))


def page_query(page_number: int, **params: str) -> str:
    """The query string of a page of a paged resource (no ``?``): ``page=N`` unless it is page 1
    (its URL is the bare one, the canonical), then ``params``."""
    pairs = [("page", str(page_number))] if page_number > 1 else []
    return "&".join(f"{key}={value}" for key, value in [*pairs, *params.items()])


def page_url(path: str, page_number: int, **params: str) -> str:
    """``path`` of one page: ``/org/x.ttl?page=2``, page 1 at ``/org/x.ttl``; see ``page_query``."""
    query = page_query(page_number, **params)
    return f"{path}?{query}" if query else path


def page_links(path: str, page_number: int, pages: int) -> dict[str, str | None]:
    """The previous and the next page of ``path`` (None at either end): pager and ``Link``. Page
    1 is the bare ``path``, its one URL (the pager's links get ``lang=`` from the ``here`` filter)."""
    return {"prev": page_url(path, page_number - 1) if page_number > 1 else None,
            "next": page_url(path, page_number + 1) if page_number < pages else None}


def alternates(path: str, page_number: int = 1) -> list[dict[str, str]]:
    """Document URL of every format of the resource at ``path`` (``/org/x.ttl`` …)."""
    return [{"href": page_url(f"{path}.{f.key}", page_number), "type": f.media_type,
             "label": f.label, "key": f.key, "format": f} for f in RESOURCE]


Partners = tuple[dict[str, list[ox.Literal]], dict[str, set[str]]]  # names and types by IRI


def index_html(site: Site, lang: str, *, named: bool = False,
               found: Partners | None = None) -> Representation:
    """The start page: the partners, as the CMS's "Auswahl" page lists them (memoised; ``named``:
    the URL named the language, so links keep it; ``found``: ``partners(site)`` read already,
    as the static export does once for its three start pages)."""
    def build() -> Representation:
        groups = partner_groups(site, lang, found)
        body = page("index.html", groups=groups, jsonld=script_json(_index_schema(groups, lang)),
                    description=UI[lang]["index_intro"],
                    canonical=canonical_iri(site.base_iri, lang, site.settings.default_lang),
                    alternates=[], **chrome("/", lang, default_lang=site.settings.default_lang,
                                            sparql_link=site.settings.sparql_link, named=named,
                                            base_iri=site.base_iri))
        return Representation(body, HTML, lang, make_etag(site.version, body))
    return _memo(site, ("index", lang, links.link_lang(lang, site.settings.default_lang, named)), build)


def partners(site: Site) -> Partners:
    """The organisations the start page may list: their names and types (one query; the same
    for every language)."""
    rgo = f"{site.base_iri}def/"
    rows = site.store.select(
        "PREFIX schema: <https://schema.org/> PREFIX org: <http://www.w3.org/ns/org#> "
        "SELECT ?o ?t ?l WHERE { ?o a ?t . VALUES ?t { schema:Organization org:Organization "
        f"org:FormalOrganization org:OrganizationalCollaboration <{rgo}Regionalmanagement> }} "
        "OPTIONAL { ?o schema:name ?l } }")
    names: dict[str, list[ox.Literal]] = {}
    kinds: dict[str, set[str]] = {}
    for row in rows:
        iri = row["o"].value
        kinds.setdefault(iri, set()).add(row["t"].value)
        names.setdefault(iri, [])
        if "l" in row and isinstance(row["l"], ox.Literal) and row["l"] not in names[iri]:
            names[iri].append(row["l"])
    return names, kinds


def partner_groups(site: Site, lang: str, found: Partners | None = None) -> list[dict[str, object]]:
    """Regional managements, networks and other organisations, each sorted by name (of
    ``found``, else of ``partners(site)``)."""
    rgo = f"{site.base_iri}def/"
    names, kinds = found or partners(site)
    groups: dict[str, list[dict[str, str | None]]] = {"partners": [], "networks": [], "others": []}
    for iri, types in kinds.items():
        if not iri.startswith(site.base_iri) or iri[len(site.base_iri):].count("/") > 1:
            continue  # only top-level organisations (org/{slug}), not boards or units
        group = ("partners" if f"{rgo}Regionalmanagement" in types else
                 "networks" if f"{ORG_NS}OrganizationalCollaboration" in types else "others")
        name = pick_literal(names[iri], lang)
        other_lang = name.language if name and name.language not in (None, "", lang) else None
        groups[group].append({"iri": iri, "href": local_href(iri, site.base_iri),
                              "name": name.value if name else iri[len(site.base_iri):],
                              "lang": other_lang})
    return [{"key": key, "title": UI[lang][key],
             "items": sorted(items, key=lambda i: str(i["name"]).casefold())}
            for key, items in groups.items() if items]


def _index_schema(groups: list[dict[str, object]], lang: str) -> dict[str, object]:
    items = [item for group in groups if group["key"] == "partners" for item in group["items"]]  # type: ignore[attr-defined]
    return {"@context": "https://schema.org", "@type": "ItemList", "name": UI[lang]["index_title"],
            "itemListElement": [{"@type": "ListItem", "position": n, "url": item["iri"],
                                 "name": item["name"]} for n, item in enumerate(items, 1)]}


def error_html(status: int, title: str, detail: str, lang: str,
               default_lang: str | None = None, *, sparql_link: str = "/sparql",
               named: bool = False) -> bytes:
    """The HTML error page (404 for browsers …); never includes a stack trace."""
    return page("error.html", status=status, title=title, detail=detail, canonical=None,
                alternates=[], jsonld=None,
                **chrome("/", lang, default_lang=default_lang, sparql_link=sparql_link, named=named))


def gone_html(stone: Tombstone, path: str, lang: str, default_lang: str | None = None, *,
              named: bool = False) -> bytes:
    """The 410 page of a removed resource at ``path``: what it was and when it went."""
    kind = ", ".join(t.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in stone.types)
    return page("gone.html", label=stone.label(lang), kind=kind, removed=stone.removed,
                note=stone.comment(lang), canonical=None, alternates=[], jsonld=None,
                **chrome(path, lang, default_lang=default_lang, named=named))


def last_modified(site: Site) -> datetime:
    """When the served data last changed: the newest source file (stable across workers)."""
    def newest() -> datetime:
        stamps = [(site.sources.site_dir / f.path).stat().st_mtime for f in site.sources.files
                  if (site.sources.site_dir / f.path).exists()]
        return datetime.fromtimestamp(int(max(stamps, default=0)), tz=UTC)
    return _memo(site, ("last-modified",), newest)


def memoised(site: Site) -> bool:
    """Whether representations of ``site`` are memoised for its life (embedded store only)."""
    return isinstance(site.store, EmbeddedStore)


def _memo(site: Site, key: tuple[object, ...], build):  # noqa: ANN001, ANN202 - generic memo
    if key[0] in _DATA_KEYS and not memoised(site):
        return build()  # a remote store can change (regiold load) or fail behind our back
    cached = site.cache.get(key)
    if cached is None:
        cached = build()
        site.cache[key] = cached  # site.MemoCache bounds the per-resource entries (cache_entries, cache_mb)
    return cached
