"""The on-disk store snapshot (embedded_store = disk): written once per data version, reused by
restarts, answering exactly what the in-memory store answers, and never half-written."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from regiold.publish.site_loader import load_site
from regiold.settings import Settings
from regiold.store.snapshot import SnapshotStore

ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def _site(mini_site: Path, tmp_path: Path, **values: object):
    return load_site(Settings.load({"site_dir": mini_site, "cache_dir": tmp_path / "cache", **values},
                                   environ={}))


def _snapshots(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "cache" / "store").iterdir() if not p.name.startswith("."))


def test_disk_and_memory_stores_hold_the_same_triples_and_graphs(mini_site: Path, tmp_path: Path):
    disk = _site(mini_site, tmp_path)
    memory = _site(mini_site, tmp_path / "memory", embedded_store="memory")
    assert isinstance(disk.store, SnapshotStore) and not isinstance(memory.store, SnapshotStore)
    assert set(disk.store.construct(ALL_TRIPLES)) == set(memory.store.construct(ALL_TRIPLES))
    assert disk.store.select(GRAPHS) == memory.store.select(GRAPHS)  # graph/void included
    assert disk.store.triple_count() == memory.store.triple_count()


def test_a_restart_with_unchanged_data_reuses_the_snapshot(mini_site: Path, tmp_path: Path):
    _site(mini_site, tmp_path)
    (first,) = _snapshots(tmp_path)
    stamp = first.stat().st_mtime_ns
    again = _site(mini_site, tmp_path)
    assert _snapshots(tmp_path) == [first] and first.stat().st_mtime_ns == stamp
    assert again.store.ask("ASK { <org/alpha> ?p ?o }")


def test_changed_data_gets_a_new_snapshot_and_old_ones_are_pruned(mini_site: Path, tmp_path: Path):
    orgs = mini_site / "data" / "orgs.ttl"
    for n in range(5):
        orgs.write_text(orgs.read_text().replace("Beta-Kreis", f"Beta-Kreis {n}", 1))
        site = _site(mini_site, tmp_path)
        assert site.store.ask(f'ASK {{ ?o ?p ?name FILTER(CONTAINS(STR(?name), "Beta-Kreis {n}")) }}')
    assert len(_snapshots(tmp_path)) == 3  # the current one and two a reload may still serve


def test_a_damaged_snapshot_is_written_again(mini_site: Path, tmp_path: Path):
    _site(mini_site, tmp_path)
    (folder,) = _snapshots(tmp_path)
    (folder / "regiold-snapshot.json").unlink()  # e.g. a copy interrupted half-way
    site = _site(mini_site, tmp_path)
    assert site.store.ask("ASK { <org/alpha> ?p ?o }")
    assert (folder / "regiold-snapshot.json").exists()


def test_withheld_persons_never_reach_the_snapshot(mini_site: Path, tmp_path: Path):
    site = _site(mini_site, tmp_path, publish_persons=False)
    assert not site.store.ask("ASK { ?p a <https://schema.org/Person> }")
    assert _snapshots(tmp_path)[0].name.endswith("-open")


def test_the_data_files_are_never_written(mini_site: Path, tmp_path: Path):
    before = {p: p.read_bytes() for p in mini_site.rglob("*") if p.is_file()}
    _site(mini_site, tmp_path)
    assert {p: p.read_bytes() for p in mini_site.rglob("*") if p.is_file()} == before


def test_an_unknown_embedded_store_is_a_configuration_error(mini_site: Path, tmp_path: Path):
    from regiold.errors import ConfigError

    with pytest.raises(ConfigError, match="embedded_store"):
        _site(mini_site, tmp_path, embedded_store="tape")


def test_each_process_reads_through_its_own_handle(mini_site: Path, tmp_path: Path):
    """A forked process (a SPARQL worker) opens the folder itself and answers."""
    import os

    store = _site(mini_site, tmp_path).store
    assert store.ask("ASK { <org/alpha> ?p ?o }")  # this process has a handle now
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        ok = False
        try:
            ok = store.ask("ASK { <org/alpha> ?p ?o }")
        finally:
            os.write(writer, b"1" if ok else b"0")
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(reader, 1) == b"1"
    assert isinstance(store.db, ox.Store)  # and the parent still answers after the fork
    assert store.ask("ASK { <org/alpha> ?p ?o }")


def test_sparql_runs_on_the_in_memory_copy_unless_told_otherwise(mini_site: Path, tmp_path: Path):
    hybrid = _site(mini_site, tmp_path)
    assert isinstance(hybrid.store, SnapshotStore)
    assert not isinstance(hybrid.query_store, SnapshotStore)  # scans are faster in memory
    assert set(hybrid.query_store.construct(ALL_TRIPLES)) == set(hybrid.store.construct(ALL_TRIPLES))
    assert hybrid.query_store.select(GRAPHS) == hybrid.store.select(GRAPHS)
    disk_only = _site(mini_site, tmp_path / "disk-only", sparql_in_memory=False)
    assert disk_only.query_store is disk_only.store


def test_withheld_persons_answer_451_without_parsing_the_files_again(mini_site: Path, tmp_path: Path):
    """With persons withheld, the 451 answers were worked out while loading: a later edit of the
    files (not yet reloaded) changes nothing for the version being served."""
    from regiold import create_app

    app = create_app(Settings.load({"site_dir": mini_site, "cache_dir": tmp_path / "cache",
                                    "publish_persons": False}, environ={}))
    (mini_site / "data" / "orgs.ttl").write_text("this is no Turtle", encoding="utf-8")
    client = app.test_client()  # the first request that needs the withheld IRIs comes now
    assert client.get("/person/anna-beispiel", headers={"Accept": "text/turtle"}).status_code == 451
    assert client.get("/org/alpha", headers={"Accept": "text/turtle"}).status_code == 200


def test_the_sources_keep_the_parse_that_sparql_runs_on(mini_site: Path, tmp_path: Path):
    """With SPARQL in memory the parse is kept anyway: later uses of the sources read it instead
    of parsing the files again (which may have changed on disk since)."""
    site = _site(mini_site, tmp_path)
    (mini_site / "data" / "orgs.ttl").write_text("this is no Turtle", encoding="utf-8")
    assert any(q.subject.value.endswith("org/alpha") for q in site.sources.quads)


@pytest.mark.parametrize("values", [{"publisher_name": "Kreis Beispiel"}, {"sparql_link": ""}])
def test_a_setting_that_changes_the_dataset_description_is_served_with_unchanged_data(
        mini_site: Path, tmp_path: Path, values: dict[str, object]):
    # The pages read graph/void from the snapshot: one written under the earlier settings kept
    # the earlier publisher (or a SPARQL endpoint a static export does not have).
    before = _site(mini_site, tmp_path)
    after = _site(mini_site, tmp_path, **values)
    void = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRENDS(STR(?g), 'graph/void')) }"
    stored = {str(t) for t in after.store.construct(void)}
    assert stored != {str(t) for t in before.store.construct(void)}
    if "publisher_name" in values:
        assert any('"Kreis Beispiel"' in t for t in stored)
    else:
        assert not any("sparqlEndpoint" in t for t in stored)
