"""What the fifth pass on a query's fixed cost (issue 13) changed keeps the endpoint's answers:
DESCRIBE reads the pages' memo, the strict forms are recognised before the screen (and only in
ASCII, as the grammar reads them), and an answer over the byte limit keeps every whole row that
fits, from one evaluation.

Speed is measured in bench/sections.py (docs/performance.md), not here.
"""

from __future__ import annotations

import json

import pytest

from regiold.publish import render
from regiold.rdf.formats import NTRIPLES
from regiold.sparql.describe_form import describe_targets, plain_describe
from regiold.sparql.messages import Request
from regiold.sparql.screen import screen
from regiold.web.sparql_routes import query_service
from sparql_support import BASE, make_app, make_site
from test_hostile_queries import SELECT, WIDE

JSON = {"Accept": "application/sparql-results+json"}
ALPHA = f"<{BASE}org/alpha>"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("fifth")), rate_limit=0)


def test_describe_gives_the_pages_own_memoised_bytes(app):
    """A page and a DESCRIBE of the same resource are read and written once: the DESCRIBE's
    N-Triples are the very bytes the pages keep for the resource in this data version."""
    site = app.extensions["regiold"].site
    page = render.representation(site, f"{BASE}org/koeln", NTRIPLES)
    answer = query_service(site).run(Request(query=f"DESCRIBE <{BASE}org/koeln> # again",
                                             results_format="srj", graph_format="nt"))
    assert answer.body is page.body
    assert answer.count == page.body.count(b"\n")


def test_describe_of_what_no_page_serves_is_still_the_stores_description(app):
    """An IRI no page serves (nothing is known about it) is looked up as before: no triples, 200."""
    response = app.test_client().get(
        "/sparql", query_string={"query": f"DESCRIBE <{BASE}org/nobody-at-all>"},
        headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.get_data() == b""


PLAIN = [
    f"DESCRIBE <{BASE}org/alpha>",
    f"describe <{BASE}org/alpha>   # a comment\n# another\n",
    f"  DESCRIBE<{BASE}org/alpha><{BASE}org/koeln>",
    "DESCRIBE <org/alpha>",  # relative: resolved against the base IRI
    f"DESCRIBE <{BASE}org/alpha?x=1#frag>",
]
NOT_PLAIN = [  # describe_targets' way (or the engine's)
    f"PREFIX rm: <{BASE}org/> DESCRIBE rm:alpha",
    f"DESCRIBE <{BASE}org/alpha> rm:x",
    f"DESCRIBEx <{BASE}org/alpha>",
    f"DESCRIBE\u00a0<{BASE}org/alpha>",
    f"DESCR\u0130BE <{BASE}org/alpha>",
    f"DESCRIBE <{BASE}org/alpha> WHERE {{ }}",
    f"DESCRIBE ?x WHERE {{ ?x ?p {ALPHA} }}",
    f"BASE <{BASE}> DESCRIBE <org/alpha>",
    f"DESCRIBE <{BASE}org/a b>",
]


@pytest.mark.parametrize("query", PLAIN)
def test_a_plain_describe_is_read_as_the_lexer_reads_it(query):
    """The one-match reading of ``DESCRIBE <iri> …`` gives what the token walk gives, and what
    it takes has nothing the screen refuses."""
    targets = plain_describe(query, BASE)
    assert targets is not None
    assert targets == describe_targets(query, {"schema": "https://schema.org/"}, BASE)
    assert screen(query, max_bytes=10_000).form == "DESCRIBE"


@pytest.mark.parametrize("query", NOT_PLAIN)
def test_anything_else_is_left_to_the_token_walk(query):
    assert plain_describe(query, BASE) is None


@pytest.mark.parametrize("query", [
    f"AS\u212a {{ {ALPHA} a <https://schema.org/Organization> }}",  # KELVIN SIGN for K
    f"\u017fELECT * {{ {ALPHA} ?p ?o }}",  # LATIN SMALL LETTER LONG S for S
    f"SELECT * WHERE\u00a0{{ {ALPHA} ?p ?o }}",  # a no-break space
    f"SELECT * {{ {ALPHA} ?p ?o }} L\u0130MIT 1",
])
def test_the_one_pattern_form_reads_keywords_in_ascii_as_the_engine_does(app, query):
    """Python's case folding took 'ASK' spelt with a Kelvin sign, or 'ſELECT', for the keyword,
    and \\s a no-break space for white space: the lookup answered 200 to text the engine refuses.
    Such text now goes to the engine, which names the syntax error."""
    response = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 400, response.get_data()
    assert b"syntax error" in response.get_data()


def test_a_strict_form_over_the_size_limit_is_still_refused(tmp_path):
    """The strict forms skip the screen only when they are short enough to be within
    ``sparql_max_query_bytes`` whatever their characters: past the limit, 413."""
    client = make_app(make_site(tmp_path), rate_limit=0, sparql_max_query_bytes=200).test_client()
    query = f"SELECT ?p ?o WHERE {{ {ALPHA} ?p ?o }} # " + "\u00e9" * 100  # 100 chars, 200 bytes
    assert len(query) <= 200 < len(query.encode())
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 413


def test_a_json_answer_over_the_byte_limit_keeps_every_whole_row_that_fits(tmp_path):
    """Over ``sparql_max_result_mb`` the engine's JSON was dropped, the query evaluated again and
    its rows cut by a proportional guess (about 5 % of the room left empty). Now the answer is
    cut where the last row that fits ends: no further row (each over 2 kB) would fit."""
    client = make_app(make_site(tmp_path), sparql_max_result_mb=1, rate_limit=0).test_client()
    response = client.post("/sparql", data={"query": SELECT}, headers=JSON)
    assert response.status_code == 200
    body = response.get_data()
    rows = json.loads(body)["results"]["bindings"]
    assert response.headers["X-Regiold-Truncated"] == "true"
    assert int(response.headers["X-Regiold-Result-Count"]) == len(rows) > 0
    assert len(body) <= 1 << 20 < len(body) + len(WIDE)
