"""`make run` as a new user runs it: a fresh copy of the repository, its own command, every setting
at its default (tests/default_serve.py). Every link a client can find answers, dumps included."""

from __future__ import annotations

import gzip

import pytest
import rdflib

from default_serve import BASE_IRI, crawl, serve_defaults

pytestmark = pytest.mark.live

# 200, and 303 where documented: /.well-known/void sends browsers to /dataset (docs/DATASET.md)
ALLOWED = frozenset({200, 303})
DUMP_FORMATS = {"ttl": "turtle", "nt.gz": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


@pytest.fixture(scope="module", params=["gunicorn", "granian"])
def crawled(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"defaults-{request.param}")
    with serve_defaults(tmp, server=request.param) as server:
        yield server, crawl(server)


def test_every_link_from_the_start_pages_answers(crawled):
    server, result = crawled
    assert len(result.statuses) > 100, sorted(result.statuses)  # the crawl reached the data
    assert result.failures(ALLOWED) == {}, server.output()[-3000:]


def test_every_dump_downloads_and_parses(crawled):
    server, result = crawled
    for suffix, rdflib_format in DUMP_FORMATS.items():
        url = f"{server.url}/dumps/regionen-nrw.{suffix}"
        assert result.statuses.get(url) == 200, (url, sorted(u for u in result.statuses if "dump" in u))
        body = result.bodies[url]
        if suffix.endswith(".gz"):
            body = gzip.decompress(body)
        graph = rdflib.Dataset().parse(data=body, format=rdflib_format, publicID=BASE_IRI)
        assert len(graph) > 500, (suffix, len(graph))


def test_the_cache_lives_in_the_working_directory(crawled):
    server, _ = crawled
    dumps = server.clone / ".regiold-cache" / "dumps"
    assert dumps.is_dir() and any(dumps.rglob("regionen-nrw.ttl")), \
        sorted(str(p.relative_to(server.clone)) for p in server.clone.rglob(".regiold-cache/**/*"))[:20]
