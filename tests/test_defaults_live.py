"""`make run` as a new user runs it: a fresh copy of the repository, its own command, every setting
at its default (tests/default_serve.py). Every link a client can find answers, dumps included."""

from __future__ import annotations

import gzip
from pathlib import Path

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


def test_each_worker_gives_freed_memory_back(crawled):
    """Every serving worker runs the thread that hands freed memory back to the system
    (serve/memory.py, named for `ps -T`); the master, which serves nothing, does not. The
    processes are told apart by their working directory (the fresh copy) and their parent."""
    server, _ = crawled
    ours = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cwd").resolve() == server.clone.resolve():
                ours[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    masters = [pid for pid, parent in ours.items() if parent not in ours]
    assert len(masters) == 1, ours
    workers = [pid for pid, parent in ours.items() if parent == masters[0]]
    assert len(workers) == 2, ours  # `make run`: regiold serve's default of 2 workers

    def names(pid: int) -> set[str]:
        return {(task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()}

    assert all("regiold-trim" in names(pid) for pid in workers), {p: names(p) for p in workers}
    assert "regiold-trim" not in names(masters[0])
