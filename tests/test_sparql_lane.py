"""The fast lane (sparql/lane.py): queries proven small are answered in the serving process, with
the same bytes the sandboxed worker gives; everything else, and anything past the lane's bound or
deadline, goes to the worker, whose limits and error wording then apply (issue 13).

Where a query ran is seen from outside the service: a query the worker answered leaves an idle
worker process behind (``worker_pids``); one answered in the lane starts none.
"""

from __future__ import annotations

import contextlib
import random

import pytest

from regiold.errors import QueryRefused, QuerySyntaxError, RegioldError
from regiold.sparql.messages import Request
from regiold.sparql.service import QueryService
from sparql_support import BASE, make_app, make_site

SDO = "https://schema.org/"
KOELN = f"{BASE}org/koeln"  # sparql_support.EXTRA_TTL: type, name and description, nothing else
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("lane")), rate_limit=0)


@pytest.fixture()
def services(app):
    """(service, make): a fresh service (no worker yet) and a factory for others."""
    site = app.extensions["regiold"].site
    made: list[QueryService] = []

    def make(**lane_settings: float) -> QueryService:
        service = QueryService(site.query_store, base_iri=site.base_iri, timeout=20,
                               max_rows=1000, max_query_bytes=100_000, max_concurrent=2,
                               **lane_settings)
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


def _run(service: QueryService, query: str, graph: str | None = "nt"):
    return service.run(Request(query=query, results_format="json", graph_format=graph))


IN_LANE = [
    f"SELECT ?p ?o WHERE {{ <{KOELN}> ?p ?o }}",
    f"ASK {{ <{KOELN}> a <{SDO}Organization> }}",
    f"ASK {{ <{KOELN}> a <{SDO}Person> }}",
    f"PREFIX s: <{SDO}>\nSELECT DISTINCT ?n WHERE {{ <{KOELN}> s:name ?n ; a s:Organization . }}",
    f'SELECT * {{ <{KOELN}> <{SDO}name> "Stadt Köln"@de , ?other }} LIMIT 5 OFFSET 0',
    f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s <{SDO}name> ?name "
    f'FILTER(CONTAINS(LCASE(STR(?name)), "köln") || STRSTARTS(?name, "Landes")) }}',
    "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) ?t LIMIT 3",
]


@pytest.mark.parametrize("query", IN_LANE)
def test_a_small_query_is_answered_without_a_worker_with_the_workers_bytes(services, query):
    lane_service, worker_service = services(), services(lane_work=0)
    answer, expected = _run(lane_service, query), _run(worker_service, query)
    assert lane_service.worker_pids() == []
    assert worker_service.worker_pids() != []
    assert (answer.kind, answer.format, answer.body, answer.count, answer.truncated) == \
        (expected.kind, expected.format, expected.body, expected.count, expected.truncated)


def test_a_lookup_in_the_lane_reads_the_resources_triples(services):
    """The three triples EXTRA_TTL gives Köln, counted from the data file, not from the engine."""
    answer = _run(services(), f"SELECT ?p ?o WHERE {{ <{KOELN}> ?p ?o }}")
    assert answer.count == 3
    assert b"Stadt K\xc3\xb6ln" in answer.body and b"Rhein" in answer.body


OUTSIDE_THE_GRAMMAR = {
    "optional": f"SELECT * {{ <{KOELN}> ?p ?o OPTIONAL {{ ?o ?q ?r }} }}",
    "union": f"SELECT * {{ {{ <{KOELN}> ?p ?o }} UNION {{ <{KOELN}> ?p ?o }} }}",
    "graph": f"SELECT * {{ GRAPH ?g {{ <{KOELN}> ?p ?o }} }}",
    "from": f"SELECT * FROM <{BASE}x> {{ <{KOELN}> ?p ?o }}",
    "bind": f"SELECT * {{ <{KOELN}> ?p ?o BIND(1 AS ?x) }}",
    "values": f"SELECT * {{ <{KOELN}> ?p ?o }} VALUES ?p {{ <{SDO}name> }}",
    "subquery": f"SELECT * {{ {{ SELECT ?p {{ <{KOELN}> ?p ?o }} }} }}",
    "path": f"SELECT * {{ <{KOELN}> <{SDO}name>/<{SDO}x> ?o }}",
    "blank node": f"SELECT * {{ <{KOELN}> ?p [ ?q ?r ] }}",
    "regex": f'SELECT * {{ <{KOELN}> ?p ?o FILTER(REGEX(STR(?o), "a+")) }}',
    "call by IRI": f"SELECT * {{ <{KOELN}> ?p ?o FILTER(<{SDO}f>(?o)) }}",
    "relative IRI": "SELECT * { <org/koeln> ?p ?o }",
    "base": f"BASE <{BASE}> SELECT * {{ <{KOELN}> ?p ?o }}",
    "escape": f"SELECT * {{ <{KOELN}> ?p '\\u0041' }}",
    "the word service in a comment": f"SELECT * {{ <{KOELN}> ?p ?o }} # service",
    "construct": f"CONSTRUCT WHERE {{ <{KOELN}> ?p ?o }}",
    "an aggregate but COUNT": f"SELECT (MAX(?o) AS ?m) {{ <{KOELN}> ?p ?o }}",
    "too long": f"SELECT * {{ <{KOELN}> ?p ?o " + "FILTER(?o = ?o) " * 60 + "}",
}


@pytest.mark.parametrize("query", OUTSIDE_THE_GRAMMAR.values(), ids=OUTSIDE_THE_GRAMMAR.keys())
def test_a_query_outside_the_lanes_grammar_goes_to_the_worker(services, query):
    service = services()
    with contextlib.suppress(RegioldError):  # answered or refused: by the worker
        _run(service, query)
    assert service.worker_pids() != []


def _in_lane(make, query: str, count: int, **lane_settings: float) -> bool:
    """Whether a fresh service answered ``query`` (``count`` rows) without starting a worker."""
    service = make(**lane_settings)
    assert _run(service, query).count == count
    return service.worker_pids() == []


def test_a_query_over_the_work_bound_goes_to_the_worker(services):
    """The bound is the product of each pattern's matching quads: 3 for one pattern on Köln,
    3 × 3 for two."""
    one = f"SELECT * {{ <{KOELN}> ?p ?o }}"
    two = f"SELECT * {{ <{KOELN}> ?p ?o . <{KOELN}> ?p2 ?o2 }}"
    assert _in_lane(services, one, 3, lane_work=3)
    assert not _in_lane(services, one, 3, lane_work=2)
    assert not _in_lane(services, two, 9, lane_work=8)
    assert _in_lane(services, two, 9, lane_work=9)


def test_a_filter_counts_its_tokens_per_solution_against_the_bound(services):
    """3 solutions × (1 + the FILTER's tokens) may reach 16 × the work bound: 6 tokens pass
    with a bound of 3 (21 ≤ 48), 24 do not (75 > 48)."""
    short = f'SELECT * {{ <{KOELN}> ?p ?o FILTER(?o != "a") }}'
    long = (f'SELECT * {{ <{KOELN}> ?p ?o '
            'FILTER(?o != "a" && ?o != "b" && ?o != "c" && ?o != "d") }')
    assert _in_lane(services, short, 3, lane_work=3)
    assert not _in_lane(services, long, 3, lane_work=3)


def test_a_lane_query_past_its_deadline_is_answered_by_the_worker(services):
    assert not _in_lane(services, f"SELECT ?p ?o WHERE {{ <{KOELN}> ?p ?o }}", 3,
                        lane_deadline=0.0)


def test_an_error_in_a_lane_shaped_query_is_worded_by_the_worker(services):
    """The lane's grammar does not check duplicate projections; the engine does, and its error
    comes back as regiold's message with line and column, from the worker."""
    service = services()
    with pytest.raises(QuerySyntaxError, match=r"^SPARQL syntax error at line 1, column \d+"):
        _run(service, f"SELECT ?o ?o WHERE {{ <{KOELN}> ?p ?o }}")
    assert service.worker_pids() != []


@pytest.mark.parametrize("word", ["SERVICE", "service", "SeRvIcE"])
def test_service_never_runs_in_the_serving_process(services, listener, word):
    service = services()
    with pytest.raises(QueryRefused, match="SERVICE"):
        _run(service, f"SELECT * WHERE {{ <{KOELN}> ?p ?o {word} <{listener.url}> {{ ?a ?b ?c }} }}")
    assert service.worker_pids() != []
    assert listener.attempts() == 0


def test_the_lane_answers_over_the_protocol_like_the_worker(app):
    """Through the app (SPARQL front): the same status, headers and body as a worker's answer,
    and a lane-shaped error is a 400 with line and column."""
    client = app.test_client()
    query = f"SELECT ?p ?o WHERE {{ <{KOELN}> ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 3
    bad = client.get("/sparql", query_string={"query": f"SELECT ?o ?o {{ <{KOELN}> ?p ?o }}"},
                     headers=JSON)
    assert bad.status_code == 400
    assert bad.json["detail"].startswith("SPARQL syntax error at line 1, column ")



XSD = "http://www.w3.org/2001/XMLSchema#"


def _mixed() -> str:
    """Values pyoxigraph's sort cannot order: ORDER BY over them aborts the process."""
    rng = random.Random(1)
    values = [rng.choice([f'"NaN"^^<{XSD}double>', f'"{rng.randint(0, 100)}"^^<{XSD}integer>',
                          f'"x{i}"', f"<urn:a{i}>", f'"{i}"^^<{XSD}date>',
                          f'"2020-01-0{i % 9 + 1}"^^<{XSD}date>',
                          f'"2020-01-0{i % 9 + 1}Z"^^<{XSD}date>']) for i in range(200)]
    return "".join(f"<urn:mixed:{i}> <urn:mixed:value> {value} .\n"
                   for i, value in enumerate(values))


@pytest.fixture(scope="module")
def mixed_app(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("mixed"))
    (site / "data" / "mixed.ttl").write_text(_mixed(), encoding="utf-8")
    return make_app(site, rate_limit=0)


def test_order_by_over_values_the_engine_cannot_order_never_runs_in_the_server(mixed_app):
    """Within the work bound (200 quads), but the sort would abort the process: the lane leaves
    it to a worker, which dies instead of the server, and the server answers the next query."""
    client = mixed_app.test_client()
    query = "SELECT ?x WHERE { ?s <urn:mixed:value> ?x } ORDER BY ?x"
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 503 and "not retried" in response.json["detail"]
    by_subject = "SELECT ?s WHERE { ?s <urn:mixed:value> ?x } ORDER BY DESC(?s) LIMIT 2"
    answer = client.get("/sparql", query_string={"query": by_subject}, headers=JSON)
    assert answer.status_code == 200 and len(answer.json["results"]["bindings"]) == 2
