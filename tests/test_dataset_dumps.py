"""Dumps: every format parsed by rdflib equals the source files parsed by rdflib; gzip is gzip;
HTTP caching; person data."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from dataset_helpers import BASE, source_graph
from ops_live import serving
from regiold import create_app

DUMP = "/dumps/regionen-nrw."
TRIPLE_DUMPS = {"ttl": "turtle", "nt.gz": "nt", "jsonld": "json-ld"}
QUAD_DUMPS = {"trig": "trig", "nq": "nquads"}
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


def file_graph(site: Path, name: str) -> rdflib.Graph:
    """One source file's triples as rdflib reads it; ``name`` is its named graph's IRI."""
    relative = name.removeprefix(f"{BASE}graph/")
    (path,) = [p for p in site.rglob("*.ttl") if p.relative_to(site).with_suffix("").as_posix() == relative]
    return rdflib.Graph().parse(path, format="turtle", publicID=BASE)


@pytest.fixture
def full_app(dataset_site, settings_for):
    """Persons in the dumps too (``dump_persons``), so that the dumps hold what the store holds."""
    return create_app(settings_for(dataset_site, dump_persons=True))


def parse_dump(body: bytes, suffix: str) -> rdflib.Graph | rdflib.Dataset:
    if suffix in QUAD_DUMPS:
        dataset = rdflib.Dataset()
        dataset.parse(data=body, format=QUAD_DUMPS[suffix])
        return dataset
    if suffix.endswith(".gz"):
        body = gzip.decompress(body)
    return rdflib.Graph().parse(data=body, format=TRIPLE_DUMPS[suffix])


@pytest.mark.parametrize("suffix", sorted(TRIPLE_DUMPS))
def test_triple_dumps_equal_the_source_files(full_app, dataset_site, suffix):
    """Each triple dump holds exactly what rdflib reads from ontology/ and data/."""
    response = full_app.test_client().get(DUMP + suffix)
    assert response.status_code == 200
    parsed = parse_dump(response.get_data(), suffix)
    expected = source_graph(dataset_site)
    assert len(parsed) == len(expected) > 0
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("suffix", sorted(QUAD_DUMPS))
def test_quad_dumps_keep_one_named_graph_per_source_file(full_app, dataset_site, suffix):
    response = full_app.test_client().get(DUMP + suffix)
    assert response.status_code == 200
    dataset = parse_dump(response.get_data(), suffix)
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    files = sorted(p.relative_to(dataset_site).with_suffix("").as_posix()
                   for kind in ("ontology", "data") for p in (dataset_site / kind).rglob("*.ttl"))
    assert graphs == {f"{BASE}graph/{f}" for f in files}
    for name in graphs:
        assert isomorphic(dataset.graph(rdflib.URIRef(name)), file_graph(dataset_site, name)), name


def test_gzip_dump_is_gzip_and_served_as_a_download(dataset_app):
    response = dataset_app.test_client().get(DUMP + "nt.gz")
    body = response.get_data()
    assert body[:2] == b"\x1f\x8b"
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers  # the file itself is the gzip
    assert gzip.decompress(body).startswith(b"<")
    assert response.headers["Content-Disposition"] == "attachment; filename=regionen-nrw.nt.gz"


@pytest.mark.parametrize("suffix", ["ttl", "nt.gz", "jsonld", "trig", "nq"])
def test_dump_headers_and_conditional_requests(dataset_app, suffix):
    client = dataset_app.test_client()
    response = client.get(DUMP + suffix)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    version = client.get("/ready").json["version"]
    assert version in etag
    again = client.get(DUMP + suffix, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(DUMP + suffix, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(DUMP + suffix, headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head(DUMP + suffix)
    assert head.status_code == 200 and head.headers["Content-Length"] == response.headers["Content-Length"]


def test_void_states_each_dump_with_its_true_size_and_checksum(dataset_app):
    client = dataset_app.test_client()
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").get_data(), format="turtle")
    distributions = [d for d in void.objects(rdflib.URIRef(BASE + "dataset"), DCAT.distribution)
                     if void.value(d, DCAT.downloadURL) is not None]
    assert len(distributions) == 5
    for dist in distributions:
        url = str(void.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE + "dumps/")
        body = client.get("/" + url.removeprefix(BASE)).get_data()
        assert int(void.value(dist, DCAT.byteSize)) == len(body)
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()


def test_unknown_dump_is_a_clean_404(dataset_app):
    response = dataset_app.test_client().get("/dumps/secret.txt")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "regionen-nrw.ttl" in response.json["detail"]
    assert dataset_app.test_client().get("/dumps/..%2F..%2Fpyproject.toml").status_code == 404


def test_dumps_are_computed_once_per_data_version(dataset_site, settings_for):
    first = create_app(settings_for(dataset_site))
    body = first.test_client().get(DUMP + "ttl").get_data()
    cache = dataset_site / ".cache" / "dumps"
    folders = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1
    stamp = (folders[0] / "regionen-nrw.ttl").stat().st_mtime_ns
    second = create_app(settings_for(dataset_site))  # a restart, or a second worker
    assert second.test_client().get(DUMP + "ttl").get_data() == body
    assert (folders[0] / "regionen-nrw.ttl").stat().st_mtime_ns == stamp  # reused, not rewritten


def test_person_data_stays_out_of_dumps_and_void_when_not_published(dataset_site, settings_for):
    secrets = (b"Anna Beispiel", b"anna@alpha.example")
    withheld = create_app(settings_for(dataset_site, publish_persons=False)).test_client()
    published = create_app(settings_for(dataset_site, publish_persons=True,
                                        dump_persons=True)).test_client()
    for suffix in ("ttl", "nt.gz", "jsonld", "trig", "nq"):
        hidden = withheld.get(DUMP + suffix).get_data()
        shown = published.get(DUMP + suffix).get_data()
        if suffix.endswith(".gz"):
            hidden, shown = gzip.decompress(hidden), gzip.decompress(shown)
        assert not any(s in hidden for s in secrets), suffix
        assert all(s in shown for s in secrets), suffix  # the control: the data is there when allowed
    for fmt in ("ttl", "jsonld", "nt", "rdf"):
        assert not any(s in withheld.get(f"/.well-known/void?format={fmt}").get_data() for s in secrets)
    assert withheld.get(DUMP + "ttl").headers["ETag"] != published.get(DUMP + "ttl").headers["ETag"]


@pytest.mark.live
def test_live_server_serves_dumps_and_void(dataset_site, tmp_path):
    """A real `regiold serve` (gunicorn): VoID names the dumps, each downloads, revalidates and
    holds the source files' triples."""
    settings = {"cache_dir": str(tmp_path / "cache"), "dump_persons": "true"}  # all the triples
    with serving(dataset_site, settings=settings) as server:
        url = server.url
        void = requests.get(f"{url}/.well-known/void", headers={"Accept": "application/n-triples"},
                            timeout=10)
        assert void.status_code == 200 and "Accept" in void.headers["Vary"]
        graph = rdflib.Graph().parse(data=void.content, format="nt")
        dumps = sorted(str(d) for d in graph.objects(rdflib.URIRef(BASE + "dataset"), VOID.dataDump))
        assert len(dumps) == len(TRIPLE_DUMPS) + len(QUAD_DUMPS)
        for dump in dumps:  # canonical IRIs, answered at the same path on the serving host
            response = requests.get(url + "/" + dump.removeprefix(BASE), timeout=10)
            assert response.status_code == 200, dump
            etag = response.headers["ETag"]
            assert requests.get(url + "/" + dump.removeprefix(BASE), headers={"If-None-Match": etag},
                                timeout=10).status_code == 304
        gz = requests.get(f"{url}{DUMP}nt.gz", timeout=10, headers={"Accept-Encoding": "identity"})
        assert gz.content[:2] == b"\x1f\x8b"
        assert isomorphic(rdflib.Graph().parse(data=gzip.decompress(gz.content), format="nt"),
                          source_graph(dataset_site))


def test_static_export_writes_the_same_files_the_server_sends(dataset_app, tmp_path):
    from regiold.publish import dataset
    from regiold.web.context import current_site

    out = tmp_path / "export"
    with dataset_app.app_context():
        written = dataset.export(current_site(), out, "https://static.example/")
    client = dataset_app.test_client()
    for suffix in ("ttl", "nt.gz", "jsonld", "trig", "nq"):
        assert (out / "dumps" / f"regionen-nrw.{suffix}").read_bytes() == client.get(DUMP + suffix).get_data()
    for key in ("ttl", "jsonld", "nt", "rdf"):
        served = client.get(f"/.well-known/void?format={key}").get_data()
        assert (out / ".well-known" / f"void.{key}").read_bytes() == served
    assert (out / ".well-known" / "void").read_bytes() == client.get("/.well-known/void").get_data()
    assert "Sitemap: https://static.example/sitemap.xml" in (out / "robots.txt").read_text()
    assert "<loc>https://static.example/org/alpha</loc>" in (out / "sitemap.xml").read_text()
    assert set(written) == {p for p in out.rglob("*") if p.is_file()}


def test_a_dump_removed_from_the_cache_is_written_again_identically(dataset_app, dataset_site):
    client = dataset_app.test_client()
    before = client.get(DUMP + "trig")
    for folder in (dataset_site / ".cache" / "dumps").iterdir():
        (folder / "regionen-nrw.trig").unlink()
    after = client.get(DUMP + "trig")
    assert after.status_code == 200
    assert after.get_data() == before.get_data() and after.headers["ETag"] == before.headers["ETag"]


def test_old_dump_versions_are_pruned(dataset_site, settings_for):
    from regiold.publish import dataset

    for n in range(dataset.KEPT_VERSIONS + 2):  # a new data version each time
        (dataset_site / "data" / "extra.ttl").write_text(
            f'<org/alpha> <https://schema.org/description> "Version {n}"@de .\n')
        create_app(settings_for(dataset_site))
    folders = [p for p in (dataset_site / ".cache" / "dumps").iterdir() if not p.name.startswith(".")]
    assert len(folders) == dataset.KEPT_VERSIONS


def test_no_real_person_data_in_any_dataset_output_when_withheld(repo_app, repo_settings):
    from regiold.ingest import privacy, sources

    parsed = sources.parse_site(repo_settings.site_dir, base_iri=BASE)
    found = privacy.find_personal(parsed.quads, personal_graphs=parsed.personal_graphs(),
                                  base_iri=BASE)
    assert found.tokens  # the real data names people: the scan has something to look for

    def outputs(client) -> dict[str, str]:
        texts = {}
        for suffix in ("ttl", "nt.gz", "jsonld", "trig", "nq"):
            body = client.get(DUMP + suffix).get_data()
            texts[suffix] = (gzip.decompress(body) if suffix.endswith(".gz") else body).decode()
        for key in ("ttl", "jsonld", "nt", "rdf"):
            texts[f"void.{key}"] = client.get(f"/.well-known/void?format={key}").get_data(as_text=True)
        texts["sitemap"] = client.get("/sitemap.xml").get_data(as_text=True)
        return texts

    withheld = create_app(repo_settings.with_(publish_persons=False)).test_client()
    for name, text in outputs(withheld).items():
        assert privacy.scan(text, found) == [], name
        assert [slug for slug in found.slugs if slug in text] == [], name  # slugs are names
    shown = outputs(create_app(repo_settings.with_(dump_persons=True)).test_client())
    assert privacy.scan(shown["ttl"], found)  # the control: with persons published they are there
    assert any(slug in shown["sitemap"] for slug in found.slugs)


def test_an_unwritable_cache_folder_falls_back_to_a_temporary_one(dataset_site, settings_for, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    dataset_app = create_app(settings_for(dataset_site, cache_dir=blocker))
    response = dataset_app.test_client().get(DUMP + "nt.gz")
    assert response.status_code == 200 and gzip.decompress(response.get_data()).startswith(b"<")
    assert blocker.read_text().startswith("a file")  # left alone


def test_workers_preparing_the_same_version_at_once_agree(dataset_site, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from regiold.ingest import sources
    from regiold.publish import dataset

    parsed = sources.parse_site(dataset_site, base_iri=BASE)
    folder = tmp_path / "dumps" / parsed.version
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: dataset.prepare(lambda: parsed.quads, BASE, folder=folder),
                                range(4)))
    assert all(r == results[0] for r in results)
    for file in results[0].dumps.values():
        assert file.path.stat().st_size == file.size
        assert hashlib.sha256(file.path.read_bytes()).hexdigest() == file.sha256
    assert [p.name for p in folder.parent.iterdir()] == [parsed.version]  # no temporary leftovers
