"""SPARQL 1.1 Protocol (query operation) against the Flask app: methods, formats, errors,
dataset parameters, limits, service description and the HTML editor."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import threading
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from sparql_support import BASE, make_app, make_site

ORGS = ("PREFIX schema: <https://schema.org/> "
        "SELECT ?o ?n WHERE { ?o a schema:Organization ; schema:name ?n } ORDER BY ?o")
ORGS_GRAPH = BASE + "graph/data/orgs"
EXTRA_GRAPH = BASE + "graph/data/extra"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("protocol")))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def names(response) -> list[str]:
    return [b["n"]["value"] for b in response.json["results"]["bindings"]]


def test_get_post_form_and_post_query_body_give_the_same_answer(client):
    by_get = client.get("/sparql", query_string={"query": ORGS})
    by_form = client.post("/sparql", data={"query": ORGS})
    by_body = client.post("/sparql", data=ORGS.encode(),
                          content_type="application/sparql-query")
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.content_type == "application/sparql-results+json; charset=utf-8"
    assert names(by_get) == names(by_form) == names(by_body)
    assert "Landeshauptstadt Düsseldorf" in names(by_get) and len(names(by_get)) == 5


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv; charset=utf-8", "text/csv"),  # the Content-Type it is sent with (was 406)
    ("application/sparql-results+json; charset=UTF-8", "application/sparql-results+json"),
])
def test_select_results_by_accept_parse_back_to_the_same_rows(client, accept, media_type):
    response = client.get("/sparql", query_string={"query": ORGS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert rows[0] == ["o", "n"] and len(rows) == 6
        assert ["https://w3id.org/regionen-nrw/org/tricky",
                'Tab\there, "quotes", comma\nnewline'] in rows  # quoted per RFC 4180
        return
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    parsed = ox.parse_query_results(response.data, fmt)
    assert sorted(s["n"].value for s in parsed)[0] == "Beta-Kreis"


@pytest.mark.parametrize(("key", "media_type"), [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("srj", "application/sparql-results+json"),
])
def test_format_parameter_overrides_accept(client, key, media_type):
    response = client.get("/sparql", query_string={"query": ORGS, "format": key},
                          headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == media_type


def test_ask_in_every_results_format(client):
    query = 'ASK { ?o <https://schema.org/name> "Stadt Köln"@de }'
    assert client.get("/sparql", query_string={"query": query}).json == {"head": {}, "boolean": True}
    for key in ("xml", "csv", "tsv"):
        body = client.get("/sparql", query_string={"query": query, "format": key}).get_data(as_text=True)
        assert "true" in body


@pytest.mark.parametrize("key", ["ttl", "jsonld", "nt", "rdf"])
def test_construct_in_every_rdf_format_is_the_same_graph(client, key):
    query = "CONSTRUCT WHERE { <org/koeln> ?p ?o }"
    response = client.get("/sparql", query_string={"query": query, "format": key})
    assert response.status_code == 200
    fmt = ox.RdfFormat.from_media_type(response.mimetype)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.data, fmt)}
    name = ox.Triple(ox.NamedNode(BASE + "org/koeln"), ox.NamedNode("https://schema.org/name"),
                     ox.Literal("Stadt Köln", language="de"))
    assert name in triples and len(triples) == 3


def test_describe_and_construct_negotiate_rdf_and_refuse_csv(client):
    describe = client.get("/sparql", query_string={"query": "DESCRIBE <org/koeln>"},
                          headers={"Accept": "text/turtle"})
    assert describe.status_code == 200 and describe.mimetype == "text/turtle"
    assert "Stadt Köln" in describe.get_data(as_text=True)
    refused = client.get("/sparql", query_string={"query": "DESCRIBE <org/koeln>"},
                         headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.json["detail"]


def test_malformed_query_is_400_with_the_parsers_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.json["title"] == "Invalid SPARQL query"
    assert re.search(r"line 1, column \d+", response.json["detail"])


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "query_string": {"query": "INSERT DATA { <a> <b> <c> }"}},
    {"method": "POST", "data": {"update": "INSERT DATA { <a> <b> <c> }"}},
    {"method": "POST", "data": {"query": "PREFIX x: <urn:x> DROP ALL"}},
    {"method": "POST", "data": b"CLEAR DEFAULT", "content_type": "application/sparql-update"},
    {"method": "GET", "query_string": {"query": "LOAD <file:///etc/passwd>"}},
])
def test_updates_are_refused_and_nothing_is_written(client, app, request_kwargs):
    site = app.extensions["regiold"].site
    before = site.store.triple_count()
    response = client.open("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.json["title"] + response.json["detail"]
    assert site.store.triple_count() == before


def test_bad_requests(client):
    assert client.get("/sparql?query=ASK{}&query=ASK{}").status_code == 400
    assert client.get("/sparql", query_string={"query": "  "}).status_code == 400
    odd = client.post("/sparql", data=b"ASK {}", content_type="text/plain")
    assert odd.status_code == 415 and odd.content_type == "application/problem+json"
    not_utf8 = client.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query")
    assert not_utf8.status_code == 400


def test_a_post_without_a_query_is_400_not_the_service_description(client):
    # SPARQL 1.1 Protocol 2.1: a query operation carries exactly one query; the service
    # description answers GET on the endpoint. An empty form came back 200 with it.
    form = "application/x-www-form-urlencoded"
    for kwargs in ({"data": {"format": "json"}}, {"data": b"", "content_type": form}):
        response = client.post("/sparql", headers={"Accept": "text/turtle"}, **kwargs)
        assert response.status_code == 400, response.data[:200]
        assert "query" in response.get_json(force=True)["detail"]


def test_query_over_the_size_limit_is_413(tmp_path):
    app = make_app(make_site(tmp_path), sparql_max_query_bytes=200)
    long_query = "ASK {}" + " " * 300
    response = app.test_client().post("/sparql", data={"query": long_query})
    assert response.status_code == 413
    assert "200" in response.json["detail"]


def test_default_and_named_graph_parameters_select_the_stores_own_graphs(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**params) -> int:
        body = client.get("/sparql", query_string={"query": count, **params}).json
        return int(body["results"]["bindings"][0]["n"]["value"])

    everything, orgs_only = n(), n(**{"default-graph-uri": ORGS_GRAPH})
    assert 0 < orgs_only < everything
    assert n(**{"default-graph-uri": [ORGS_GRAPH, EXTRA_GRAPH]}) > orgs_only
    assert n(**{"default-graph-uri": "http://example.org/unknown"}) == 0
    graphs = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": EXTRA_GRAPH}).json["results"]["bindings"]
    assert [b["g"]["value"] for b in graphs] == [EXTRA_GRAPH]


def test_from_in_the_query_restricts_the_default_graph(client):
    query = f"SELECT ?n FROM <{EXTRA_GRAPH}> WHERE {{ ?o <https://schema.org/name> ?n }}"
    found = {b["n"]["value"] for b in client.get("/sparql", query_string={"query": query}).json[
        "results"]["bindings"]}
    assert "Stadt Köln" in found and "Beta-Kreis" not in found


def test_result_count_header_counts_what_is_sent(tmp_path):
    """X-Regiold-Result-Count is the number of rows (SELECT) or triples (CONSTRUCT) in the body;
    the expected numbers come from rdflib's reading of the site's files."""
    site = make_site(tmp_path)
    graph = rdflib.Graph()
    for path in sorted((site / "data").rglob("*.ttl")) + sorted((site / "ontology").rglob("*.ttl")):
        graph.parse(path, format="turtle", publicID=BASE)
    organisations = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://schema.org/Organization")))
    client = make_app(site).test_client()
    select = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?o WHERE { ?o a <https://schema.org/Organization> }"})
    assert select.headers["X-Regiold-Result-Count"] == str(len(organisations)) != "0"
    assert len(select.json["results"]["bindings"]) == len(organisations)
    construct = client.get("/sparql", query_string={
        "query": "CONSTRUCT WHERE { ?o a <https://schema.org/Organization> ; ?p ?v }", "format": "nt"})
    expected = {(s, p, o) for s in organisations for p, o in graph.predicate_objects(s)}
    assert construct.headers["X-Regiold-Result-Count"] == str(len(expected))
    assert "X-Regiold-Truncated" not in construct.headers
    assert "X-Regiold-Result-Count" in construct.headers["Access-Control-Expose-Headers"]


def test_row_cap_truncates_and_says_so(tmp_path):
    client = make_app(make_site(tmp_path), sparql_max_rows=3).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 3
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert response.headers["X-Regiold-Result-Count"] == "3"
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                "format": "nt"})
    assert graph.headers["X-Regiold-Truncated"] == "true"
    assert len(graph.get_data(as_text=True).strip().splitlines()) == 3
    small = client.get("/sparql", query_string={"query": "ASK {}"})
    assert "X-Regiold-Truncated" not in small.headers


SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_timeout_really_stops_the_query_and_a_fresh_worker_answers_the_next(tmp_path):
    """No elapsed time is asserted (a shared machine): the killed worker's pid is gone, and the
    next query is answered by a new worker (the time limit itself is 1 s, named in the answer)."""
    app = make_app(make_site(tmp_path), sparql_timeout=1.0)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    from regiold.web.sparql_routes import query_service

    service = query_service(app.extensions["regiold"].site)
    (worker_pid,) = service.worker_pids()
    response = client.get("/sparql", query_string={"query": SLOW})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "1 s" in response.json["detail"]
    assert not _alive(worker_pid)  # killed, not left running in the background
    assert client.get("/sparql", query_string={"query": ORGS}).status_code == 200
    assert service.worker_pids() and worker_pid not in service.worker_pids()


def test_a_query_worker_that_died_while_idle_is_replaced_without_an_error(tmp_path):
    app = make_app(make_site(tmp_path))
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    from regiold.web.sparql_routes import query_service

    service = query_service(app.extensions["regiold"].site)
    (worker_pid,) = service.worker_pids()
    os.kill(worker_pid, signal.SIGKILL)
    os.waitpid(worker_pid, 0)
    response = client.get("/sparql", query_string={"query": ORGS})
    assert response.status_code == 200
    assert service.worker_pids() and worker_pid not in service.worker_pids()


def test_concurrency_cap_answers_503_with_retry_after_at_once(tmp_path):
    app = make_app(make_site(tmp_path), sparql_timeout=5.0, sparql_max_concurrent=1)
    client = app.test_client()
    slow = threading.Thread(target=lambda: app.test_client().get(
        "/sparql", query_string={"query": SLOW}))
    slow.start()
    busy = None
    for _ in range(500):  # bounded: until the slow query holds the only slot
        busy = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        if busy.status_code == 503 or not slow.is_alive():
            break
    slow.join()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert busy.json["title"] == "SPARQL endpoint busy"
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_service_description_for_machines(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(BASE + "sparql")  # from base_iri, never the request's Host
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.endpoint, service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    formats_ns = rdflib.Namespace("http://www.w3.org/ns/formats/")
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "JSON-LD"):
        assert (service, sd.resultFormat, formats_ns[name]) in graph
    named = set(graph.objects(None, sd.name))
    assert rdflib.URIRef(ORGS_GRAPH) in named and rdflib.URIRef(EXTRA_GRAPH) in named
    assert (service, sd.extensionFunction, rdflib.URIRef(BASE + "def/fold")) in graph
    jsonld = client.get("/sparql?format=jsonld")
    assert jsonld.status_code == 200 and jsonld.mimetype == "application/ld+json"


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml"])
def test_service_description_is_the_same_bytes_each_time_and_revalidates(client, accept):
    # Its blank nodes had fresh labels per request: every GET differed (HEAD's Content-Length
    # told another length than the GET after it) and no cache could revalidate it.
    first, second = (client.get("/sparql", headers={"Accept": accept}) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    head = client.head("/sparql", headers={"Accept": accept})
    assert int(head.headers["Content-Length"]) == len(first.data)
    again = client.get("/sparql", headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]


def test_editor_for_browsers_works_without_javascript(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<form id="sparql-form" method="post" action="/sparql">' in html
    assert '<textarea id="query" name="query"' in html
    assert "PREFIX schema: &lt;https://schema.org/&gt;" in html
    for script in re.findall(r"<script[^>]*>", html):  # no inline code; config is inert JSON
        assert "src=" in script or 'type="application/json"' in script
    # nothing from another host (the hreflang alternates name the canonical URLs, never fetched)
    loaded = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="[^"]+">', "", html)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', loaded)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200


def test_browser_form_submission_gets_an_escaped_result_table(client):
    query = "SELECT ?d WHERE { <org/tricky> <https://schema.org/description> ?d }"
    response = client.post("/sparql", data={"query": query, "format": "html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "/sparql?query=" in html.replace("?query=", "/sparql?query=") and "format=csv" in html


def test_the_html_results_page_says_it_varies_on_the_language(client):
    # Its words follow Accept-Language; with only "Vary: Accept" a cache could hand the German
    # page to an English reader.
    pages = {lang: client.get("/sparql", query_string={"query": ORGS},
                              headers={"Accept": "text/html", "Accept-Language": lang})
             for lang in ("de", "en")}
    assert pages["de"].data != pages["en"].data
    for response in pages.values():
        vary = {v.strip() for v in response.headers["Vary"].split(",")}
        assert {"Accept", "Accept-Language"} <= vary, response.headers["Vary"]


def test_results_page_links_resources_to_this_server(client):
    response = client.get("/sparql", query_string={"query": ORGS},
                          headers={"Accept": "text/html"})
    assert '<a href="/org/koeln"><bdi>' + BASE + "org/koeln</bdi></a>" in response.get_data(as_text=True)


def test_cors_allows_other_web_editors(client):
    response = client.get("/sparql?query=" + quote("ASK {}"))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    json.dumps(response.json)


@pytest.mark.parametrize("key", ["json", "xml", "tsv"])
def test_results_are_term_exact_against_pyoxigraph_itself(client, app, key):
    """Every term type (IRI, blank node, typed/language literal, escapes, unbound) survives the
    row cap and the format conversion unchanged."""
    query = ("SELECT ?s ?p ?o ?missing WHERE { { ?s ?p ?o } UNION { BIND(BNODE() AS ?s) "
             "BIND(<urn:p> AS ?p) BIND(\"1.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> AS ?o) } }")
    response = client.get("/sparql", query_string={"query": query, "format": key})
    fmt = ox.QueryResultsFormat.from_media_type(response.mimetype)
    got = list(ox.parse_query_results(response.data, fmt))
    store = app.extensions["regiold"].site.store
    expected = list(store.raw_query(query))
    def key_of(row):
        return tuple("_:" if isinstance(row[v], ox.BlankNode) else str(row[v])
                     for v in ("s", "p", "o", "missing"))
    assert sorted(map(key_of, got)) == sorted(map(key_of, expected))
    assert len(got) > 10


def test_repeated_queries_come_from_memory_and_revalidate_with_304(tmp_path):
    app = make_app(make_site(tmp_path))
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": ORGS})
    etag = first.headers["ETag"]
    version = client.get("/ready").json["version"]
    assert etag.startswith(f'"{version}-')  # the resources' scheme: data version + digest (docs/SPARQL.md)
    from regiold.web.sparql_routes import query_service

    service = query_service(app.extensions["regiold"].site)
    for pid in service.worker_pids():  # no worker left: a memo hit must not need one
        service._pool._idle.clear()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    again = client.get("/sparql", query_string={"query": ORGS})
    assert again.data == first.data and again.headers["ETag"] == etag
    assert not service.worker_pids()
    not_modified = client.get("/sparql", query_string={"query": ORGS},
                              headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    volatile = "SELECT (STRUUID() AS ?u) WHERE {}"
    one = client.get("/sparql", query_string={"query": volatile}).json
    two = client.get("/sparql", query_string={"query": volatile}).json
    assert one != two  # never frozen by the memo


def test_result_table_links_only_safe_schemes(client):
    query = ("SELECT ?x ?y WHERE { VALUES (?x ?y) { (<javascript:alert(1)> <https://example.org/a>) } }")
    html = client.post("/sparql", data={"query": query, "format": "html"}).get_data(as_text=True)
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    assert '<a href="https://example.org/a">' in html


@pytest.mark.parametrize("limit_mb, replaced", [(1, True), (0, False)])
def test_a_query_worker_over_its_memory_limit_ends_after_answering(tmp_path, limit_mb, replaced):
    """A worker holding more memory of its own than ``sparql_worker_max_mb`` answers and ends;
    the next query gets a fresh one. Without a limit the same worker is reused."""
    app = make_app(make_site(tmp_path), sparql_worker_max_mb=limit_mb)
    client = app.test_client()
    from regiold.web.sparql_routes import query_service

    service = query_service(app.extensions["regiold"].site)
    first = client.get("/sparql", query_string={"query": ORGS})
    assert first.status_code == 200
    before = set(service.worker_pids())
    second = client.get("/sparql", query_string={"query": ORGS + " LIMIT 100"})
    assert second.status_code == 200 and second.get_data() == first.get_data()
    assert (not before) == replaced  # a retired worker is not kept idle
    if replaced:
        assert not set(service.worker_pids()) & before
    else:
        assert set(service.worker_pids()) == before
