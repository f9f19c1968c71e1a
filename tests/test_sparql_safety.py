"""The endpoint never reads a file, opens a connection, runs an update or hangs.

A secret Turtle file on disk and a loopback listener are the witnesses: no query form may
return the secret, and the listener must see no connection at all.
"""

from __future__ import annotations

import contextlib
import time

import pyoxigraph as ox
import pytest

from regiold.errors import QueryRefused, QuerySyntaxError, ReadOnlyEndpoint
from regiold.sparql.messages import Job
from regiold.sparql.screen import refuse_service, screen
from sparql_support import make_app, make_site

SECRET = "TOPSECRET-4711"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("safety")))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.ttl"
    path.write_text(f'<http://example.org/s> <http://example.org/p> "{SECRET}" .\n')
    return path


def _attacks(url: str, file_url: str) -> list[str]:
    return [
        f"SELECT * FROM <{file_url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{file_url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ GRAPH <{file_url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{file_url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        f"ASK {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{url}>",
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE#c\n<{url}>{{}} }}",
        f"LOAD <{url}>",
        f"LOAD <{file_url}> INTO GRAPH <urn:x>",
    ]


def test_no_query_form_reads_a_file_or_connects(client, listener, secret_file):
    for query in _attacks(listener.url, secret_file.as_uri()):
        for method in ("GET", "POST"):
            response = client.open("/sparql", method=method, query_string={"query": query}) \
                if method == "GET" else client.post("/sparql", data={"query": query})
            assert response.status_code in {200, 400, 403}, (query, response.status_code)
            assert SECRET not in response.get_data(as_text=True), query
            if response.status_code == 200 and "SELECT" in query:
                assert response.json["results"]["bindings"] == [], query
    time.sleep(0.3)
    assert listener.connections == 0


def test_protocol_graph_parameters_never_fetch(client, listener, secret_file):
    for graph in (listener.url, secret_file.as_uri()):
        for param in ("default-graph-uri", "named-graph-uri"):
            response = client.get("/sparql", query_string={
                "query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                param: graph})
            assert response.status_code == 200
            assert SECRET not in response.get_data(as_text=True)
    assert client.post("/sparql", data={"update": f"LOAD <{listener.url}>"}).status_code == 403
    assert client.post("/sparql", data=f"LOAD <{listener.url}>".encode(),
                       content_type="application/sparql-update").status_code == 403
    time.sleep(0.3)
    assert listener.connections == 0


def _engine_refuses(query: str) -> None:
    """refuse_service with pyoxigraph's parser, as the worker runs it."""
    refuse_service(query, lambda text: ox.Store().query(text, prefixes={"ex": "urn:ex:"}))


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://h/> {} }",
    "select * { service <http://h/> {} }",
    "SELECT * {\tSERVICE\n<http://h/> {} }",
    "SELECT * { ?s ?p ?o.SERVICE <http://h/> {} }",
    "SELECT * { FILTER(?a<'>') SERVICE <http://h/> {} FILTER(?b = '') }",  # '<' read as an IRI?
    r"SELECT * { ?s ?p ex:a\' SERVICE <http://h/> {} FILTER('x') }",  # escaped quote in a name
    'SELECT * { ?s ?p """x""" SERVICE <http://h/> {} }',
    "SELECT * { ?s ?p 'x' #\n SERVICE <http://h/> {} }",
    "SELECT * { ?s <http://p#> ?o SERVICE <http://h/> {} }",  # '#' inside an IRI is no comment
    'SELECT * { ?s ?p "a#"SERVICE <http://h/> {} }',
    "SELECT * { {}SERVICE?x{} }",
    "SELECT * WHERE { ?s ?p 1SERVICE <http://h/> { ?a ?b ?c } }",  # finding 3 of issue 13
    "SELECT * WHERE { ?s ?p 1.5e3SERVICE <http://h/> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p true SERVICE SILENT <http://h/> { ?a ?b ?c } }",
    "ASK { SERVICE <http://h/> { ?a ?b ?c } }",
    "SELECT * { GRAPH ?g { OPTIONAL { ?s ?p ?o MINUS { SERVICE <http://h/> {} } } } }",
    "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://h/> {} } }",
    "SELECT * { { SELECT * { SERVICE <http://h/> {} } } }",
])
def test_service_is_refused_by_the_engines_own_parse(query):
    with pytest.raises(QueryRefused, match=r"SERVICE .* not allowed .*line \d+, column \d+"):
        _engine_refuses(query)


@pytest.mark.parametrize("query", [
    "PREFIX schema: <https://schema.org/> SELECT ?s { ?s a schema:Service }",
    "SELECT ?s { ?s a <https://schema.org/Service> }",
    "SELECT ?service { ?service ?p ?o }",
    "PREFIX ex: <urn:x:> SELECT * { ?s ex:my-service ?o . ?s ex:services ?x }",
    "SELECT * { ?s ?p 'SERVICE <http://h/> {}' }",  # a string, not the keyword
    "SELECT * { ?s ?p ?o } # SERVICE <http://h/> {}",  # a comment
    "SELECT * { ?s ?p 'x'@service }",  # a language tag
])
def test_names_strings_and_comments_with_service_pass(query):
    _engine_refuses(query)  # no exception


def test_a_broken_query_with_service_in_a_string_gets_its_syntax_error():
    with pytest.raises(QuerySyntaxError, match="line 2, column"):
        _engine_refuses("SELECT * { ?s ?p 'service' .\n ?s ?p ?o ?o }")


def test_screen_recognises_updates_behind_prefixes_and_comments():
    with pytest.raises(ReadOnlyEndpoint):
        screen("# add\nPREFIX a: <urn:a> BASE <urn:b>\n insert data { <a> <b> <c> }", max_bytes=999)
    assert screen("PREFIX insert: <urn:i> SELECT * { ?s insert:x ?o }", max_bytes=999).form == "SELECT"
    assert screen("SELECT * FROM <urn:g> { ?s ?p ?o }", max_bytes=999).has_dataset_clause
    assert not screen("SELECT ?from { ?s ?p 'FROM' }", max_bytes=999).has_dataset_clause


def test_pyoxigraph_reads_no_keyword_from_unicode_escapes(listener):
    """The screen relies on this: \\u0053ERVICE is not the SERVICE keyword for the engine."""
    with pytest.raises(SyntaxError):
        ox.Store().query(rf"SELECT * WHERE {{ \u0053ERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}")
    time.sleep(0.2)
    assert listener.connections == 0


def test_worker_refuses_service_handed_to_it_directly(app, client, listener):
    """The worker itself refuses SERVICE (by the engine's parse), in regiold's words."""
    from regiold.web.sparql_routes import query_service

    client.get("/sparql", query_string={"query": "ASK {}"})
    service = query_service(app.extensions["regiold"].site)
    job = Job(query=f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
               base_iri=service.base_iri, prefixes={}, union_default=True, default_graphs=(),
               named_graphs=(), results_format="srj", graph_format="ttl", max_rows=10)
    reply = service._pool.call(job, 5.0)
    assert reply["error_type"] == "refused"
    assert "SERVICE (federated query) is not allowed" in str(reply["error"])
    time.sleep(0.3)
    assert listener.connections == 0
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


ORPHAN_SCRIPT = """
import sys, threading, time
sys.path.insert(0, {tests!r})
from sparql_support import make_app, make_site
from pathlib import Path
from regiold.web.sparql_routes import query_service
app = make_app(make_site(Path({tmp!r})), sparql_timeout=60)
client = app.test_client()
client.get("/sparql", query_string={{"query": "ASK {{}}"}})
service = query_service(app.extensions["regiold"].site)
print(service.worker_pids()[0], flush=True)
slow = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }}"
client.get("/sparql", query_string={{"query": slow}})
"""


def test_a_worker_never_outlives_the_serving_process(tmp_path):
    """Killing the server (SIGKILL, no cleanup) mid-query ends its query worker too."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    script = ORPHAN_SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline())
        time.sleep(0.5)  # the slow query is running in the worker now
        assert _running(worker)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
        deadline = time.monotonic() + 5
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(worker)
    finally:
        server.kill()
        server.wait(timeout=5)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] not in {"Z", "X"}
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("unit", ["1", ".", "-", "\\a", "a:", "<", "?", "'''a", '"', "-$<", "<a>"])
def test_screening_takes_linear_time_on_pathological_text(unit):
    """The screen runs before the time limit applies: 32 KB of any text must pass quickly (a
    backtracking lexer once took 70 s on 32 000 digits)."""
    from regiold.sparql.describe_form import describe_targets

    payload = unit * (32_000 // len(unit))
    started = time.perf_counter()
    with contextlib.suppress(QueryRefused, ReadOnlyEndpoint):
        screen("SELECT * {" + payload, max_bytes=10**6)
    describe_targets("DESCRIBE " + payload, {}, "http://example.org/")
    assert time.perf_counter() - started < 2.0
