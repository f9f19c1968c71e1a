"""The SPARQL endpoint and search routes (see docs/SECURITY.md for their limits).

``/sparql`` speaks the SPARQL 1.1 Protocol query operation: GET ``?query=``, POST form, POST
``application/sparql-query``. Without a query it answers with the editor (browsers) or the
Service Description (RDF clients). ``/search?q=`` answers HTML or JSON-LD.
"""

from __future__ import annotations

import json
import os
import re
import threading
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from regiold.errors import BadRequest, NotAcceptable, ReadOnlyEndpoint, UnsupportedMediaType
from regiold.publish import render, search, search_groups
from regiold.publish.labels import UI
from regiold.publish.site import Site
from regiold.rdf import formats
from regiold.rdf.formats import Format
from regiold.rdf.namespaces import site_prefixes
from regiold.rdf.serialize import serialize
from regiold.sparql.editor import Example, default_query, load_examples, results_table
from regiold.sparql.messages import Answer, Request
from regiold.sparql.service import QueryService
from regiold.sparql.service_description import graph_sizes, service_description
from regiold.web.context import current_site, public_root
from regiold.web.negotiate import language, named_language, negotiate
from regiold.web.responses import conditional

bp = Blueprint("endpoint", __name__)
_LOCK = threading.Lock()
TRUNCATED_HEADER = "X-Regiold-Truncated"
ROWS_HEADER = "X-Regiold-Result-Count"
HTML_MAX_CELLS = 20_000  # cells of the HTML results table (a few MB of page at most)
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffd]")  # U+FFFD: undecodable bytes
# Public, read-only data: any web page may query it (YASGUI elsewhere, notebooks).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": f"{TRUNCATED_HEADER}, {ROWS_HEADER}",
}
# environ keys set by the SPARQL front (sparql_front.py), which sees /sparql before Flask:
FRONT_SLOT = "regiold.sparql.slot"  # it holds this request's query slot until Flask's answer
FRONT_ERROR = "regiold.sparql.error"  # its run of the query failed: the route raises this error


# ------------------------------------------------------------------------------ per-Site state


def query_service(site: Site) -> QueryService:
    """The Site's query service in this process (its workers cannot cross a fork)."""
    key = ("sparql-service", os.getpid())
    service = site.cache.get(key)
    if service is None:
        with _LOCK:
            service = site.cache.get(key)
            if service is None:
                s = site.settings
                service = QueryService(
                    site.query_store, base_iri=site.base_iri, timeout=s.sparql_timeout,
                    max_rows=s.sparql_max_rows, max_query_bytes=s.sparql_max_query_bytes,
                    max_concurrent=s.sparql_max_concurrent, page_size=s.page_size,
                    worker_max_mb=s.sparql_worker_max_mb, query_max_mb=s.sparql_query_max_mb,
                    max_result_bytes=s.sparql_max_result_mb << 20,
                    memo_bytes=s.cache_bytes, pages=site)
                site.cache[key] = service
    return service  # type: ignore[return-value]


def search_index(site: Site) -> search.SearchIndex:
    """Built once per data version, on first use.

    A remote store can be reloaded behind our back (``regiold load``), so its own data version
    is asked each time (one tiny query; StoreUnavailable → 503 while it is down).
    """
    remote_version = getattr(site.store, "data_version", None)
    key = ("search-index", remote_version() if callable(remote_version) else site.version)
    index = site.cache.get(key)
    if index is None:
        with _LOCK:
            index = site.cache.get(key)
            if index is None:
                for old in [k for k in site.cache if isinstance(k, tuple) and k[0] == "search-index"]:
                    del site.cache[old]
                index = site.cache[key] = search.build_index(site.store)
    return index  # type: ignore[return-value]


def _examples(site: Site) -> list[Example]:
    examples = site.cache.get("sparql-examples")
    if examples is None:
        examples = site.cache["sparql-examples"] = load_examples(site.settings.site_dir)
    return examples  # type: ignore[return-value]


def _graph_sizes(site: Site) -> list[tuple[str, int]]:
    sizes = site.cache.get("sparql-graph-sizes")
    if sizes is None:
        sizes = site.cache["sparql-graph-sizes"] = graph_sizes(site.store)
    return sizes  # type: ignore[return-value]


# ------------------------------------------------------------------------------------ /sparql


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    site = current_site()
    failed = request.environ.pop(FRONT_ERROR, None)
    if failed is not None:  # the front ran the query: its error gets the one error handler
        raise failed
    if request.method == "GET" and "query" not in request.args:
        params, _ = _protocol_request()
        return _without_query(site, params)
    if request.environ.get(FRONT_SLOT):
        return _query_response(site)
    # A query request holds a slot from before its body is read (a slow body holds a slot, never
    # a page's thread) until its answer, HTML page included, is built.
    with query_service(site).slot():
        return _query_response(site)


def _query_response(site: Site) -> Response:
    params, query = _protocol_request()
    if query is None:
        if request.method == "POST":  # the service description is GET's (SPARQL 1.1 SD, 2)
            raise BadRequest("a POST needs one 'query' parameter (form) or a query as its body")
        return _without_query(site, params)
    _refuse_unknown_format(params)
    results_fmt = _negotiate(formats.SPARQL_SELECT, params)
    graph_fmt = _negotiate(formats.SPARQL_GRAPH, params)
    answer = query_service(site).run(Request(
        query=query,
        results_format=_wire_key(results_fmt, "srj"),
        graph_format=_wire_key(graph_fmt, "ttl"),
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        max_cells=HTML_MAX_CELLS if results_fmt is formats.HTML else 0,
    ))
    html = (results_fmt if answer.kind != "graph" else graph_fmt) is formats.HTML
    if html:
        response = _results_page(site, query, answer, params)
        response.headers.extend(answer_headers(answer, None))
        response.vary.add("Accept-Language")  # the page's words follow the reader's language
        return response
    response = Response(answer.body, content_type=answer.format.content_type)
    response.headers.extend(answer_headers(answer, site.version))
    return conditional(response)


def _graph_iris(params: MultiDict[str, str], name: str) -> tuple[str, ...]:
    """The IRIs of the protocol parameter ``name``; an empty value counts as absent (HTML forms
    send ``default-graph-uri=``).

    :raises BadRequest: a value is not an absolute IRI, naming the parameter and the value.
    """
    iris = tuple(value for value in params.getlist(name) if value)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise BadRequest(f"parameter {name}: {iri!r} is not an absolute IRI") from None
    return iris


def answer_headers(answer: Answer, version: str | None) -> list[tuple[str, str]]:
    """The headers a query's answer adds (the front answers with the same, sparql_front.py);
    ``version``: the data version, for the ETag of a data answer (same data version + same bytes
    → same tag; If-None-Match → 304), None for the HTML page."""
    headers = [(ROWS_HEADER, str(answer.count))]
    if answer.truncated:
        headers.append((TRUNCATED_HEADER, "true"))
    headers.append(("Vary", "Accept"))
    if version is not None:
        tag = answer.tags.get(version)
        if tag is None:
            tag = answer.tags[version] = render.make_etag(version, answer.body)
        headers.append(("ETag", tag))
    return headers


@bp.after_request
def _cors(response: Response) -> Response:
    if request.path == "/sparql":
        response.headers.update(CORS_HEADERS)
    return response


def _protocol_request() -> tuple[MultiDict[str, str], str | None]:
    """The protocol parameters and the query text (None: no query given).

    :raises ReadOnlyEndpoint: an update request.
    :raises UnsupportedMediaType: a POST body that is neither a form nor a query.
    """
    params: MultiDict[str, str] = MultiDict(request.args)
    query: str | None = None
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == formats.SPARQL_UPDATE_BODY:
            raise ReadOnlyEndpoint("SPARQL Update is not accepted: this endpoint is read-only")
        if mimetype == formats.SPARQL_QUERY_BODY:
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the query body is not valid UTF-8") from None
        elif mimetype in formats.FORM_BODIES:
            params = MultiDict([*request.form.items(multi=True), *request.args.items(multi=True)])
        else:
            raise UnsupportedMediaType(
                f"POST {mimetype or 'without a Content-Type'}; send application/sparql-query "
                "or an application/x-www-form-urlencoded form with 'query'")
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ReadOnlyEndpoint("SPARQL Update is not accepted: this endpoint is read-only")
    if query is None:
        queries = params.getlist("query")
        if len(queries) > 1:
            raise BadRequest("give exactly one 'query' parameter")
        query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise BadRequest("the 'query' parameter is empty")
    return params, query


def _negotiate(offered: tuple[Format, ...], params: MultiDict[str, str]) -> Format | None:
    """``format`` parameter, else ``Accept``; None when nothing offered is acceptable."""
    try:
        return negotiate(None, request.accept_mimetypes, offered, **_format_param(params))
    except NotAcceptable:
        return None


def _format_param(params: MultiDict[str, str]) -> dict[str, str | None]:
    """The format the request names (``format``, or its alias ``output``), and which it used."""
    name = "format" if params.get("format") else "output"
    return {"format_param": params.get(name), "param_name": name}


def _refuse_unknown_format(params: MultiDict[str, str]) -> None:
    """:raises NotAcceptable: ``format``/``output`` names no format of any query form, naming
    the parameter (before the query runs: no form could be answered)."""
    named = _format_param(params)
    if not named["format_param"]:
        return
    offered = tuple(dict.fromkeys((*formats.SPARQL_SELECT, *formats.SPARQL_GRAPH)))
    negotiate(None, request.accept_mimetypes, offered, **named)  # type: ignore[arg-type]


def _lang(site: Site, params: MultiDict[str, str]) -> str:
    return language(params.get("lang"), request.accept_languages, site.settings.default_lang)


def _named(params: MultiDict[str, str]) -> bool:
    """The request names the page's language (``lang=``): its links keep it (publish/links.py)."""
    return named_language(params.get("lang")) is not None


def _wire_key(fmt: Format | None, html_as: str) -> str | None:
    """What the worker serializes to: HTML pages are built from SPARQL JSON or Turtle."""
    if fmt is None:
        return None
    return html_as if fmt is formats.HTML else fmt.key


def _without_query(site: Site, params: MultiDict[str, str]) -> Response:
    fmt = _negotiate(formats.SPARQL_DESCRIPTION, params)
    if fmt is None:
        raise NotAcceptable([f.media_type for f in formats.SPARQL_DESCRIPTION])
    if fmt is formats.HTML:
        return _editor_page(site, params)
    triples = service_description(
        public_root() + "sparql", _graph_sizes(site), base_iri=site.base_iri)
    body = serialize(triples, fmt, site.base_iri)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.headers["ETag"] = render.format_etag(site.version, body, fmt)
    return conditional(response)


# ---------------------------------------------------------------------------------- HTML pages


def _editor_context(site: Site, query: str, lang: str, params: MultiDict[str, str], *,
                    named: bool) -> dict[str, object]:
    prefixes = site_prefixes(site.base_iri)
    examples = _examples(site)
    # A path, resolved by the browser against the page's own origin (sparql.js): never the Host
    # header, which anyone can set and a cache in front would keep (docs/SECURITY.md)
    config = {"endpoint": request.script_root + "/sparql", "prefixes": prefixes,
              "examples": [{"title": e.title_in(lang), "query": e.query} for e in examples]}
    chosen = params.get("example")
    return {
        **render.chrome("/sparql", lang, query=urlencode({"example": chosen}) if chosen else "",
                        default_lang=site.settings.default_lang, named=named, base_iri=site.base_iri),
        "query": query, "settings": site.settings, "public_endpoint": public_root() + "sparql",
        "examples": [{"name": e.name, "title": e.title_in(lang)} for e in examples],
        "result_formats": formats.SPARQL_RESULTS, "graph_formats": formats.RDF,
        "config": config, "config_json": render.script_json(config),
    }


def _editor_page(site: Site, params: MultiDict[str, str]) -> Response:
    chosen = params.get("example", "")
    example = next((e for e in _examples(site) if e.name == chosen), None)
    query = example.query if example else default_query(site_prefixes(site.base_iri))
    html = render.page("sparql.html", **_editor_context(site, query, _lang(site, params), params,
                                                        named=_named(params)), answer=None)
    response = Response(html, content_type=formats.HTML.content_type)
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _results_page(site: Site, query: str, answer: Answer,
                  params: MultiDict[str, str]) -> Response:
    table = results_table(answer, base_iri=site.base_iri) if answer.kind != "graph" else None
    downloads = formats.RDF if answer.kind == "graph" else formats.SPARQL_RESULTS
    links = [(f.label, "/sparql?" + urlencode({"query": query, "format": f.key})) for f in downloads]
    html = render.page(
        "sparql.html", **_editor_context(site, query, _lang(site, params), MultiDict(),
                                         named=_named(params)),
        answer=answer, table=table, downloads=links, noindex=True,
        graph_text=answer.body.decode("utf-8") if answer.kind == "graph" else None)
    return Response(html, content_type=formats.HTML.content_type)


# ------------------------------------------------------------------------------------ /search


@bp.get("/search")
def search_page() -> Response:
    site = current_site()
    text = request.args.get("q", "")
    if len(text) > 500:
        raise BadRequest("the search text is longer than 500 characters")
    if _UNSAFE_TEXT.search(text):
        raise BadRequest("the search text contains control characters or invalid UTF-8")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        raise BadRequest("'limit' must be a whole number") from None
    params = MultiDict(request.args)
    lang = _lang(site, params)
    fmt = _negotiate(formats.SEARCH, params)
    if fmt is None:
        raise NotAcceptable([f.media_type for f in formats.SEARCH])
    if fmt is formats.JSONLD:
        hits = search_index(site).search(text, limit=limit, lang=lang) if text.strip() else []
        body = json.dumps(search_jsonld(text, hits, site), ensure_ascii=False, indent=1)
        response = Response(body, content_type=fmt.content_type)
    else:
        response = Response(_search_html(site, text, lang, params), content_type=fmt.content_type)
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _search_html(site: Site, text: str, lang: str, params: MultiDict[str, str]) -> bytes:
    """Hits grouped by kind (publish/search_groups.py); vocabulary and sources with ``all=1``."""
    everything = params.get("all") == "1"
    hits = search_index(site).search(text, limit=search.MAX_LIMIT, lang=lang) if text.strip() else []
    groups = [{"key": g.key, "title": UI[lang][f"group_{g.key}"],
               "hits": [{"href": local_url(h.iri, site.base_iri), "label": h.label,
                         "description": h.description} for h in g.hits]}
              for g in search_groups.group(hits, base_iri=site.base_iri, everything=everything)]
    query = urlencode({"q": text})
    return render.page(
        "search.html", q=text, groups=groups, total=sum(len(g["hits"]) for g in groups),
        spellings=search_groups.spellings(text), all=everything, noindex=bool(text.strip()),
        toggle=f"/search?{query}" + ("" if everything else "&all=1"),
        **render.chrome("/search", lang, query=query + ("&all=1" if everything else ""),
                        default_lang=site.settings.default_lang, named=_named(params),
                        base_iri=site.base_iri))


def search_jsonld(text: str, hits: list[search.Hit], site: Site) -> dict[str, object]:
    """A schema.org SearchResultsPage whose ItemList holds the hits (self-contained context)."""
    return {
        "@context": {"@vocab": "https://schema.org/", "item": {"@type": "@id"},
                     "url": {"@type": "@id"}, "additionalType": {"@type": "@id"}},
        "@type": "SearchResultsPage",
        "url": public_root() + "search?" + urlencode({"q": text}),
        "about": text,
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(hits),
            "itemListElement": [
                {"@type": "ListItem", "position": i, "item": {
                    "@id": hit.iri, "name": hit.label,
                    **({"description": hit.description} if hit.description else {}),
                    **({"additionalType": list(hit.types)} if hit.types else {}),
                    "url": public_root().rstrip("/") + local_url(hit.iri, site.base_iri),
                }}
                for i, hit in enumerate(hits, start=1)
            ],
        },
    }


def local_url(iri: str, base_iri: str) -> str:
    """Where this server answers for ``iri`` (resources under the base IRI), else the IRI."""
    return "/" + iri[len(base_iri):] if iri.startswith(base_iri) else iri
