"""What a second attack pass from outside found in the SPARQL endpoint (issue 13), one test per
finding; each docstring says what the code did before.

Through the app over the SPARQL protocol (Flask's client): the behaviour under test is the
endpoint's, decided before or inside the query worker, not the HTTP server's.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib

from sparql_support import make_app, make_site

JSON = {"Accept": "application/sparql-results+json"}
NT = {"Accept": "application/n-triples"}
QUERY_BODY = "application/sparql-query"
ROWS = "X-Regiold-Result-Count"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("hostile")), rate_limit=0).test_client()


# ------------------------------------------------------------------- DESCRIBE <iri> <iri> …


def test_a_describe_of_many_resources_runs_inside_the_time_limit(tmp_path):
    """A plain ``DESCRIBE <iri> …`` was answered in the serving process, one lookup per IRI
    listed, outside the query worker's time and memory limits: 10,000 ``<>`` in a 30 KB query
    cost the serving process 3.5 s of CPU whatever ``sparql_timeout`` said. Now a long list runs
    in a query worker, and the time limit stops it."""
    app = make_app(make_site(tmp_path), sparql_timeout=0.5, sparql_max_query_bytes=4 << 20,
                   rate_limit=0)
    client = app.test_client()
    targets = " ".join(f"<org/x{i}>" for i in range(200_000))  # distinct, so each is looked up
    response = client.post("/sparql", data=f"DESCRIBE {targets}",
                           headers={**NT, "Content-Type": QUERY_BODY})
    assert response.status_code == 503
    assert response.json["title"] == "SPARQL query timed out"
    assert client.get("/sparql", query_string={"query": "ASK {}"}, headers=JSON).status_code == 200


def _described(client, query: str) -> rdflib.Graph:
    response = client.post("/sparql", data=query, headers={**NT, "Content-Type": QUERY_BODY})
    assert response.status_code == 200, response.get_data(as_text=True)
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="nt")


def test_a_long_describe_list_gives_each_resources_description(client):
    """The list that now runs in a worker gives the triples the short one gives: each resource's
    page description, once, whatever the repetitions."""
    koeln, duesseldorf = _described(client, "DESCRIBE <org/koeln>"), \
        _described(client, "DESCRIBE <org/duesseldorf>")
    assert len(koeln) and len(duesseldorf)
    listed = "DESCRIBE " + "<org/koeln> " * 40 + "<org/nothing> <org/duesseldorf>"
    assert set(_described(client, listed)) == set(koeln) | set(duesseldorf)


# ----------------------------------------------------------------------- answer size in bytes


def _values(name: str, count: int) -> str:
    return f"VALUES ?{name} {{ {' '.join(str(i) for i in range(count))} }}"


WIDE = "w" * 2000  # 100 × 100 rows of 2 kB: 20 MB uncut


def _select(side: int) -> str:
    return f'SELECT ?i ?j ?w {{ {_values("i", side)} {_values("j", side)} BIND("{WIDE}" AS ?w) }}'


SELECT = _select(100)
CONSTRUCT = ("CONSTRUCT { ?s <urn:p> ?w } WHERE { " + _values("i", 100) + _values("j", 100)
             + f' BIND(IRI(CONCAT("urn:r", STR(?i), "-", STR(?j))) AS ?s) BIND("{WIDE}" AS ?w) }}')


def _rows(accept: str, body: bytes) -> int:
    """Rows in a whole, parsable SPARQL results document."""
    if accept.endswith("json"):
        return len(json.loads(body)["results"]["bindings"])
    if accept.endswith("xml"):
        return len(ET.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}result"))
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter="," if "csv" in accept else "\t"))
    return len(rows) - 1


def _cut_answer(tmp_path, query: str, accept: str) -> tuple[bytes, int]:
    """The body and row count of ``query``'s answer with a 1 MB limit, which must cut it."""
    client = make_app(make_site(tmp_path), sparql_max_result_mb=1, rate_limit=0).test_client()
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert len(response.get_data()) <= 1 << 20
    assert response.headers["X-Regiold-Truncated"] == "true"
    return response.get_data(), int(response.headers[ROWS])


@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values"])
def test_a_select_answer_is_bounded_in_bytes_and_says_it_is_cut(tmp_path, accept):
    """``sparql_max_rows`` bounded rows, not bytes: 5,000 rows of 30 kB came back as one 150 MB
    answer, which the serving process held about three times over (its peak grew by 360 MB) and
    could hold for each query slot. Now the worker cuts the answer to ``sparql_max_result_mb``
    at a row's end and says so; the body stays a whole document."""
    body, count = _cut_answer(tmp_path, SELECT, accept)
    assert 0 < count == _rows(accept, body) < 100 * 100


@pytest.mark.parametrize(("accept", "parser"), [("text/turtle", "turtle"),
                                                ("application/n-triples", "nt"),
                                                ("application/ld+json", "json-ld"),
                                                ("application/rdf+xml", "xml")])
def test_a_graph_answer_is_bounded_in_bytes_and_says_it_is_cut(tmp_path, accept, parser):
    body, count = _cut_answer(tmp_path, CONSTRUCT, accept)
    assert 0 < count == len(rdflib.Graph().parse(data=body, format=parser)) < 100 * 100


def test_a_lookup_answered_without_the_engine_keeps_the_byte_limit(tmp_path):
    """One triple pattern about a resource is answered by the store's lookup in the serving
    process (sparql/pattern_form.py): 200 values of 8 kB (1.6 MB) must be cut like any answer."""
    site = make_site(tmp_path)
    big = "".join(f'<urn:big> <urn:p{i}> "{"v" * 8000}" .\n' for i in range(200))
    (site / "data" / "big.ttl").write_text(big, encoding="utf-8")
    client = make_app(site, sparql_max_result_mb=1, rate_limit=0).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?p ?o WHERE { <urn:big> ?p ?o }"},
                          headers=JSON)
    assert response.status_code == 200
    assert len(response.get_data()) <= 1 << 20
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert 0 < int(response.headers[ROWS]) == _rows("json", response.get_data()) < 200


def test_a_describe_answered_from_the_page_keeps_the_byte_limit(tmp_path):
    """DESCRIBE of one resource in N-Triples is the page's own text (sparql/describe_form.py):
    over the limit it is cut like any answer."""
    site = make_site(tmp_path)
    base = "https://w3id.org/regionen-nrw/"
    big = "".join(f'<{base}org/big> <urn:p{i}> "{"v" * 8000}" .\n' for i in range(200))
    (site / "data" / "big.ttl").write_text(big, encoding="utf-8")
    client = make_app(site, sparql_max_result_mb=1, rate_limit=0).test_client()
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{base}org/big>"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.get_data()) <= 1 << 20
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert 0 < int(response.headers[ROWS]) == len(response.get_data().splitlines()) < 200


def test_the_html_page_of_a_cut_answer_says_so(tmp_path):
    client = make_app(make_site(tmp_path), sparql_max_result_mb=1, rate_limit=0).test_client()
    response = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert len(response.get_data()) < 4 << 20  # the cut answer, escaped, in the page's chrome


def test_an_answer_within_the_byte_limit_is_whole(client):
    response = client.post("/sparql", data={"query": _select(10)}, headers=JSON)
    assert response.status_code == 200
    assert "X-Regiold-Truncated" not in response.headers
    assert int(response.headers[ROWS]) == _rows("json", response.get_data()) == 10 * 10


# ------------------------------------------------------------------ protocol graph parameters


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["<urn:x>", "not an iri", "relative/path", "http://x/ y"])
def test_a_graph_parameter_that_is_no_iri_is_400_naming_it(client, name, value):
    """Before: 400 "the query engine could not evaluate this query", after a round trip to a
    query worker, naming neither the parameter nor the value."""
    for send in (client.get, client.post):
        payload = {"query": "ASK {}", name: value}
        response = send("/sparql", **({"query_string": payload} if send == client.get
                                      else {"data": payload}), headers=JSON)
        assert response.status_code == 400
        assert response.json["detail"] == f"parameter {name}: {value!r} is not an absolute IRI"


def test_an_empty_graph_parameter_counts_as_absent(client):
    """HTML forms send ``default-graph-uri=`` empty; it was refused as an engine failure."""
    for name in ("default-graph-uri", "named-graph-uri"):
        response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", name: ""},
                              headers=JSON)
        assert response.status_code == 200 and response.json["boolean"] is True


# ------------------------------------------------------------------ long chains in a query


@pytest.mark.parametrize(("name", "query"), [
    ("30,000 negations", "ASK { FILTER(" + "!!" * 15_000 + "true) }"),
    ("8,000 OPTIONALs", "ASK { " + "OPTIONAL {} " * 8_000 + "}"),
    ("8,000 MINUSes", "ASK { BIND(1 AS ?x) " + "MINUS {} " * 8_000 + "}"),
])
def test_long_chains_are_answered_not_a_crashed_worker(tmp_path, name, query):
    """Chains of operators or patterns need no brackets but nest as deep in the engine's parser:
    they overflowed the query worker's stack (it kept the stack of the thread that forked it:
    2 MB in granian's threads, where 3,000 ``+`` in a 6 kB query were enough), and the client
    read 503 "the query stopped its worker". Workers now get a stack for the deepest query
    the size limit lets through."""
    client = make_app(make_site(tmp_path), sparql_max_query_bytes=1 << 17,
                      rate_limit=0).test_client()
    response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 200, (name, response.get_data(as_text=True))
    assert response.json["boolean"] is True


# ------------------------------------------------------------------- remembered answers


def test_remembered_answers_stay_within_cache_mb(tmp_path):
    """Answers up to 512 kB were remembered, 256 of them per worker: 200 distinct queries with
    450 kB answers grew a worker of the default server by 95 MB, outside the `cache_mb` budget
    every other memo keeps. Now the remembered answers weigh at most `cache_mb` together, the
    newest kept."""
    from regiold.sparql.messages import Request
    from regiold.web.sparql_routes import query_service

    app = make_app(make_site(tmp_path), cache_mb=1, rate_limit=0)
    client = app.test_client()
    queries = [f'SELECT ?w {{ {_values("i", 100)} BIND(CONCAT("{WIDE}", STR(?i)) AS ?w) }} #{n}'
               for n in range(12)]  # 100 rows of 2 kB: about 210 kB each
    for query in queries:
        assert client.get("/sparql", query_string={"query": query}, headers=JSON).status_code == 200
    service = query_service(app.extensions["regiold"].site)
    kept = [service.remembered(Request(query, "srj", None)) for query in queries]
    assert kept[-1] is not None  # the newest is remembered: repeats still cost no worker
    assert 0 < sum(len(answer.body) for answer in kept if answer is not None) <= 1 << 20
