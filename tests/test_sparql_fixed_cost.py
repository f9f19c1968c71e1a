"""What the fourth pass on a query's fixed cost changed (issue 13) keeps the endpoint's answers
and its sandbox: SPARQL JSON capped by the engine's own writer, DESCRIBE of one resource from the
page's text, the worker's reply read as data, the query string decoded in C.

Speed is measured in bench/sections.py (docs/performance.md), not here.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import struct
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests

from ops_live import serving
from regiold.errors import QueryMemoryLimit
from regiold.sparql.messages import Job
from regiold.sparql.pool import Pool
from regiold.web.sparql_front import parse_query_string

BASE = "https://w3id.org/regionen-nrw/"
JSON = "application/sparql-results+json"
# Names that hold what a row start or a row without bindings looks like in SPARQL JSON.
NAMES = ["zz1 {}", 'zz2 ,{"', 'zz3 [{"x"', "zz4 }]}}", "zz5"]
BRACES_TTL = "@prefix schema: <https://schema.org/> .\n" + "".join(
    f'<org/braces{i}> a schema:Organization ; schema:name "{name.replace(chr(34), chr(92) + chr(34))}"@de .\n'
    for i, name in enumerate(NAMES))
NAMED = ('SELECT ?n WHERE { ?s a <https://schema.org/Organization> ; <https://schema.org/name> ?n '
         'FILTER(STRSTARTS(?n, "zz")) } ORDER BY ?n')
UNBOUND = ('SELECT ?x WHERE { ?s <https://schema.org/name> ?n FILTER(STRSTARTS(?n, "zz")) '
           'OPTIONAL { ?s <https://example.org/none> ?x } }')


def _site(root: Path) -> Path:
    site = root / "site"
    shutil.copytree(Path(__file__).parent / "fixtures" / "site", site)
    (site / "data" / "braces.ttl").write_text(BRACES_TTL, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """``regiold serve`` (one worker, row cap 3) on the fixture site plus five tricky names."""
    site = _site(tmp_path_factory.mktemp("fixed-cost"))
    with serving(site, settings={"rate_limit": "0", "sparql_max_rows": "3"}, workers=1) as server:
        yield server


def _ask(server, query: str, accept: str = JSON) -> requests.Response:
    response = requests.get(server.url + "/sparql", params={"query": query},
                            headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def test_json_rows_are_capped_exactly_whatever_the_strings_hold(live):
    """Three rows of five, in order, said to be cut; the names hold '{}', ',{"', '[{"'."""
    response = _ask(live, NAMED)
    rows = [row["n"]["value"] for row in response.json()["results"]["bindings"]]
    assert rows == NAMES[:3]
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert response.headers["X-Regiold-Result-Count"] == "3"
    two = _ask(live, NAMED.replace('"zz")', '"zz") && STR(?n) >= "zz4"'))
    assert [row["n"]["value"] for row in two.json()["results"]["bindings"]] == NAMES[3:]
    assert "X-Regiold-Truncated" not in two.headers
    assert two.headers["X-Regiold-Result-Count"] == "2"


def test_rows_without_bindings_are_counted_and_capped(live):
    """Five rows that bind nothing (an OPTIONAL that never matches): three come, as '{}'."""
    response = _ask(live, UNBOUND)
    assert response.json() == {"head": {"vars": ["x"]}, "results": {"bindings": [{}, {}, {}]}}
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert response.headers["X-Regiold-Result-Count"] == "3"


def test_describe_of_one_resource_is_the_pages_ntriples_byte_for_byte(mini_site: Path):
    """DESCRIBE <iri> in N-Triples is the resource's own N-Triples document (same bytes), over
    HTTP from ``regiold serve``."""
    with serving(mini_site, settings={"rate_limit": "0"}, workers=1) as server:
        page = requests.get(server.url + "/org/alpha", headers={"Accept": "application/n-triples"},
                            timeout=30)
        assert page.status_code == 200
        described = _ask(server, f"DESCRIBE <{BASE}org/alpha>", "application/n-triples")
        assert described.content == page.content
        assert described.headers["X-Regiold-Result-Count"] == str(page.content.count(b"\n"))
        # several resources, or another format, are the union as before: every line of the page
        both = _ask(server, f"DESCRIBE <{BASE}org/alpha> <{BASE}org/alpha>", "application/n-triples")
        assert sorted(both.content.splitlines()) == sorted(page.content.splitlines())


def _crafted_reply(job: Job) -> dict[str, object]:  # pragma: no cover - runs in the worker
    """What a worker taken over by a hostile query could send: a pickle that runs code."""
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.mkdir, (job.query,))

    payload = pickle.dumps({"kind": "bindings", "x": Exploit()})
    fd = next(int(name) for name in os.listdir("/proc/self/fd") if int(name) > 2
              and os.path.exists(f"/proc/self/fd/{name}")
              and os.readlink(f"/proc/self/fd/{name}").startswith("socket:"))
    os.write(fd, struct.pack("!Q", len(payload)) + payload)
    socket.socket(fileno=os.dup(fd)).recv(1)  # never returns: the parent kills this worker
    return {}


def test_the_serving_process_never_unpickles_what_a_worker_sends(tmp_path: Path):
    """A reply is decoded as data: a pickle from a (compromised) worker runs nothing in the
    serving process, and the query ends with regiold's error."""
    marker = tmp_path / "pwned"
    pool = Pool(_crafted_reply)
    try:
        with pytest.raises(QueryMemoryLimit):
            pool.call(Job(str(marker), BASE, {}, True, (), (), "srj", "nt", 10), 10.0)
    finally:
        pool.close()
    assert not marker.exists()


def test_a_query_string_decodes_as_urllib_decodes_it():
    """The front's C-level decoding against ``parse_qsl`` on odd input (bad escapes, '=', '+',
    NUL, line breaks, non-ASCII)."""
    rng = random.Random(13)
    alphabet = "%%%&&;==aZ09_-.~+ \t\r\n\x00\x7f\\éx€0123456789abcdefABCDEF"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert parse_query_string(text) == tuple(parse_qsl(text, keep_blank_values=True)), text
    query = "query=" + requests.utils.quote(f"SELECT * WHERE {{ <{BASE}org/a%C3%A9> ?p 'x=1+2' }}")
    assert parse_query_string(query) == tuple(parse_qsl(query, keep_blank_values=True))


def test_predeclared_prefixes_still_expand(live):
    """The worker passes the engine only the prefixes a query names: both kinds still work."""
    response = _ask(live, 'SELECT ?n WHERE { ?s a schema:Organization ; schema:name ?n '
                          'FILTER(STRSTARTS(?n, "zz5")) }')
    assert [row["n"]["value"] for row in response.json()["results"]["bindings"]] == ["zz5"]
    escaped = _ask(live, 'SELECT ?n WHERE { ?s a schema:Organization ; schema:name ?n '
                         'FILTER(STRSTARTS(?n, "zz5\\u0020")) }')
    assert escaped.json()["results"]["bindings"] == []


ALPHA = f"<{BASE}org/alpha>"
LANE_QUERIES = [
    f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }}",
    f"select * {{ {ALPHA} ?p ?o . }} # a comment",
    f"SELECT ?t WHERE {{ {ALPHA} a ?t }}",
    "SELECT ?s WHERE { ?s a schema:Organization }",
    f"PREFIX s: <https://schema.org/>\nSELECT $p WHERE {{ {ALPHA} $p s:Organization }}",
    f"SELECT ?s ?p WHERE {{ ?s ?p {ALPHA} }}",
    f"ASK {{ {ALPHA} a schema:Organization }}",
    f"ASK WHERE {{ {ALPHA} a schema:Person }}",
    f"ASK {{ <{BASE}org/nobody> ?p ?o }}",
]
ENGINE_QUERIES = [  # near misses: the worker's engine answers these
    f"SELECT DISTINCT ?p WHERE {{ {ALPHA} ?p ?o }}",
    f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }} ORDER BY ?p",
    f"SELECT ?p WHERE {{ {ALPHA} ?p ?o FILTER(isIRI(?o)) }}",
    f"SELECT ?o WHERE {{ {ALPHA} ?p ?o . ?o ?q ?r }}",
    'SELECT ?s WHERE { ?s ?p "Alpha" }',
    f"BASE <{BASE}> SELECT ?p WHERE {{ <org/alpha> ?p ?o }}",
    "SELECT ?p WHERE { <org/alpha> ?p ?o }",
    "SELECT ?x WHERE { ?x ?x <https://schema.org/Organization> }",
    "SELECT ?s WHERE { ?s ?p ?o }",
    f"SELECT ?z WHERE {{ {ALPHA} ?p ?o }}",
    f"SELECT ?p FROM <{BASE}> WHERE {{ {ALPHA} ?p ?o }}",
    f"SELECT ?p WHERE {{ GRAPH ?g {{ {ALPHA} ?p ?o }} }}",
    f"SELECT ?é WHERE {{ {ALPHA} ?é ?o }}",
    f"SELECT ?p WHERE {{ {ALPHA} ?p nope:x }}",
    f"ASK {{ {ALPHA} ?p ?o }} LIMIT 1",
]


def _rows(body: bytes) -> list[str]:
    import json

    document = json.loads(body)
    if "boolean" in document:
        return [str(document["boolean"])]
    return sorted(json.dumps(row, sort_keys=True) for row in document["results"]["bindings"])


def test_one_triple_pattern_is_answered_by_lookup_exactly_as_the_engine_does(mini_site: Path,
                                                                             settings_for):
    """The store's pattern lookup gives the engine's solutions (the worker's answer to the same
    job): every row as often as the engine gives it, whatever the form's spelling."""
    from regiold import create_app
    from regiold.sparql.pattern_form import pattern_reply, single_pattern
    from regiold.web.sparql_routes import query_service

    app = create_app(settings_for(mini_site))
    site = app.extensions["regiold"].site
    service = query_service(site)
    for query in LANE_QUERIES:
        pattern = single_pattern(query, service.prefixes)
        assert pattern is not None, query
        job = Job(query, service.base_iri, service.prefixes, True, (), (), "srj", "nt", 10_000)
        lane = pattern_reply(site.query_store, pattern, job)
        engine = service._pool.call(job, 30.0)
        assert _rows(lane["body"]) == _rows(engine["body"]), query
        assert lane["count"] == engine["count"] and not lane["truncated"], query
    for query in ENGINE_QUERIES:
        assert single_pattern(query, service.prefixes) is None, query
    service.close()


def test_a_pattern_with_many_solutions_goes_to_the_worker(mini_site: Path, settings_for,
                                                          monkeypatch):
    """Past ``LOOKUP_ROWS`` solutions the serving process gives up the lookup, and the answer is
    the worker's, whole."""
    from regiold import create_app
    from regiold.sparql import pattern_form
    from regiold.sparql.messages import Request
    from regiold.web.sparql_routes import query_service

    app = create_app(settings_for(mini_site))
    site = app.extensions["regiold"].site
    service = query_service(site)
    query = f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }}"
    job = Job(query, service.base_iri, service.prefixes, True, (), (), "srj", "nt", 10_000)
    engine = service._pool.call(job, 30.0)
    assert engine["count"] > 2
    monkeypatch.setattr(pattern_form, "LOOKUP_ROWS", 2)
    assert pattern_form.pattern_reply(site.query_store, pattern_form.single_pattern(
        query, service.prefixes), job) is None
    answer = service.run(Request(query=query, results_format="srj", graph_format="nt"))
    assert _rows(answer.body) == _rows(engine["body"])
    service.close()


def test_a_pattern_answer_keeps_the_row_cap_limit_and_formats(live):
    """Over HTTP (row cap 3): a lookup is cut at three rows and says so; LIMIT 2 gives two of the
    resource's rows; TSV and XML come in their formats."""
    full = _ask(live, f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }}")
    assert len(full.json()["results"]["bindings"]) == 3
    assert full.headers["X-Regiold-Truncated"] == "true"
    limited = _ask(live, f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }} LIMIT 2")
    assert len(limited.json()["results"]["bindings"]) == 2
    assert "X-Regiold-Truncated" not in limited.headers
    tsv = _ask(live, f"SELECT ?p WHERE {{ {ALPHA} ?p ?o }} LIMIT 1", "text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?p" and tsv.text.splitlines()[1].startswith("<")
    xml = _ask(live, f"ASK {{ {ALPHA} a schema:Organization }}", "application/sparql-results+xml")
    assert "<boolean>true</boolean>" in xml.text
