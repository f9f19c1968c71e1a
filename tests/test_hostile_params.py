"""Junk in the ``format`` parameter (issue 13, second audit): the 406 names the parameter and the
value, as the other parameters' errors do (``page``: "parameter page: expected a positive number,
got '-1'"). Before, it only listed the media types on offer."""

from __future__ import annotations

import pytest

from sparql_support import make_app, make_site

HOSTILE = '<img src=x onerror=alert(1)>"'


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("params")), rate_limit=0).test_client()


ASK, DESCRIBE = "/sparql?query=ASK%20%7B%7D", "/sparql?query=DESCRIBE%20%3Corg/alpha%3E"


@pytest.mark.parametrize(("path", "name"), [
    ("/org/alpha", "format"), ("/dataset", "format"), ("/.well-known/void", "format"),
    (ASK, "format"), (DESCRIBE, "format"), (ASK, "output"), (DESCRIBE, "output"),
])
def test_an_unknown_format_is_406_naming_the_parameter(client, path, name):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}{name}=bogus")
    assert response.status_code == 406
    detail = response.json["detail"]
    assert detail.startswith(f"parameter {name}: 'bogus' is not offered; acceptable media types: ")
    assert "text/turtle" in detail or "application/sparql-results+json" in detail


def test_the_406_page_escapes_the_value_it_names(client):
    response = client.get("/org/alpha", query_string={"format": HOSTILE},
                          headers={"Accept": "text/html"})
    assert response.status_code == 406
    page = response.get_data(as_text=True)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
