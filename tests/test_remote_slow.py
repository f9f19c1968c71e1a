"""A remote store that answers, but slowly: a page is read with several small queries, and each
stayed under `sparql_timeout` while the page as a whole took their sum (44 s for a page when each
answer took 4 s). The page's queries share one budget of `sparql_timeout`; past it the client gets
503 with Retry-After, as for a store that does not answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from store_relay import Behaviour, app_through_relay

pytestmark = pytest.mark.remote
DELAY = 0.4  # seconds added to every answer of the store
BUDGET = 1.0  # sparql_timeout: more than any one answer, less than a page's queries together


def test_a_page_from_a_slow_store_answers_503_within_its_budget(tmp_path: Path, oxigraph_url: str):
    with app_through_relay(tmp_path, oxigraph_url, Behaviour(delay=DELAY),
                           sparql_timeout=str(BUDGET)) as client:
        assert client.get("/ready").status_code == 200  # one query: answered, however slowly
        for path in ("/org/dme.ttl", "/org/dme", "/person/erika-mustermann.jsonld"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.status_code)
            assert int(response.headers["Retry-After"]) > 0
            assert "in time" in response.get_data(as_text=True)


def test_ready_answers_503_when_the_store_takes_longer_than_its_two_seconds(
        tmp_path: Path, oxigraph_url: str):
    """docs/OPERATIONS.md: /ready is 503 "when the store does not answer ASK {} within 2 s".
    It waited 3 s (a second of grace on the ping), then as long as the store took to tell its
    data version (up to sparql_timeout more)."""
    behaviour = Behaviour()
    with app_through_relay(tmp_path, oxigraph_url, behaviour) as client:
        assert client.get("/ready").status_code == 200
        behaviour.delay = 1.2  # each answer: the ping and the data version together take 2.4 s
        response = client.get("/ready")
        assert response.status_code == 503, response.json
        assert int(response.headers["Retry-After"]) > 0
