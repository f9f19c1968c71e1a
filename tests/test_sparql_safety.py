"""The endpoint never reads a file, opens a connection, runs an update or hangs.

A secret Turtle file on disk and a loopback listener are the witnesses: no query form may
return the secret, and the listener must see no connection at all.
"""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from processes import wait_until
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
    assert listener.attempts() == 0


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
    assert listener.attempts() == 0


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
    assert listener.attempts() == 0


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
    assert listener.attempts() == 0
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
    from pathlib import Path

    script = ORPHAN_SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(server.stdout.readline())
        idle = _cpu_ticks(worker)
        wait_until(lambda: _cpu_ticks(worker) > idle + 5, 60,  # the slow query is running there
                   lambda: f"the worker {worker} never started the slow query")
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        wait_until(lambda: not _running(worker), 30, lambda: f"the worker {worker} lives on")
    finally:
        server.kill()
        server.wait(timeout=5)


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid`` in clock ticks (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] not in {"Z", "X"}
    except FileNotFoundError:
        return False


LINEAR_SCRIPT = """
import contextlib, sys
from regiold.errors import QueryRefused, ReadOnlyEndpoint
from regiold.sparql.describe_form import describe_targets
from regiold.sparql.screen import screen
payload = sys.argv[1] * (320_000 // len(sys.argv[1]))
with contextlib.suppress(QueryRefused, ReadOnlyEndpoint):
    screen("SELECT * {" + payload, max_bytes=10**7)
describe_targets("DESCRIBE " + payload, {}, "http://example.org/")
print("screened")
"""


@pytest.mark.parametrize("unit", ["1", ".", "-", "\\a", "a:", "<", "?", "'''a", '"', "-$<", "<a>"])
def test_screening_takes_linear_time_on_pathological_text(unit):
    """The screen runs before the time limit applies, so it must be linear on any text. A
    backtracking lexer once took 70 s on 32 000 digits: on 320 KB, ten times that, a quadratic
    one needs hours, a linear one milliseconds. The deadline (120 s, in a subprocess that is
    killed when it passes) only has to tell those apart, on any machine."""
    done = subprocess.run([sys.executable, "-c", LINEAR_SCRIPT, unit], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "screened", done.stderr[-2000:]


def test_a_query_worker_holds_none_of_the_servers_file_descriptors(tmp_path):
    """docs/SECURITY.md: the worker closes every inherited descriptor. A listening socket and a
    file opened by the serving process before the worker starts must not be open in it."""
    import os
    import socket

    from regiold.web.sparql_routes import query_service

    app = make_app(make_site(tmp_path))
    canary_file = open(tmp_path / "canary.txt", "w")  # noqa: SIM115 - kept open on purpose
    canary_socket = socket.socket()
    canary_socket.bind(("127.0.0.1", 0))
    canary_socket.listen(1)
    try:
        parent = {os.readlink(f"/proc/self/fd/{fd}") for fd in
                  (canary_file.fileno(), canary_socket.fileno())}
        assert app.test_client().get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        (worker,) = query_service(app.extensions["regiold"].site).worker_pids()
        fds = {int(fd): os.readlink(f"/proc/{worker}/fd/{fd}") for fd in os.listdir(f"/proc/{worker}/fd")}
        assert not parent & set(fds.values()), fds
        assert len([fd for fd in fds if fd > 2]) == 1, fds  # only its pipe to the server
    finally:
        canary_file.close()
        canary_socket.close()
