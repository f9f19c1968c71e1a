"""Reload in one process: to the side, swap only if valid, and say why not."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from regiold import create_app
from regiold.ingest import sources
from regiold.serve.reload import Watcher


def reloader_of(app):
    return app.extensions["regiold.reloader"]


def version(app) -> str:
    return app.test_client().get("/ready").json["version"]


def test_content_version_is_the_version_load_computes(mini_site: Path):
    loaded = sources.parse_site(mini_site, base_iri="https://example.org/")
    assert sources.content_version(mini_site, base_iri="https://example.org/") == loaded.version


def test_valid_change_is_swapped_in(mini_app, mini_site: Path):
    old = version(mini_app)
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace("Beta-Kreis", "Beta-Kreis Neu"))
    outcome = reloader_of(mini_app).reload()
    assert outcome.state == "reloaded"
    assert version(mini_app) == outcome.version != old
    assert mini_app.test_client().get("/ready").json["reload"]["state"] == "reloaded"


def test_unchanged_files_are_not_parsed_again(mini_app):
    site = mini_app.extensions["regiold"].site
    assert reloader_of(mini_app).reload().state == "unchanged"
    assert mini_app.extensions["regiold"].site is site


def test_shacl_violation_keeps_old_data_and_logs_the_focus_node(mini_app, mini_site: Path, caplog):
    old_site = mini_app.extensions["regiold"].site
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
    with caplog.at_level(logging.ERROR, logger="regiold.reload"):
        outcome = reloader_of(mini_app).reload()
    assert outcome.state == "failed" and outcome.version == old_site.version
    assert mini_app.extensions["regiold"].site is old_site
    assert "<https://w3id.org/regionen-nrw/org/beta>" in caplog.text
    assert "An organisation needs a German name." in caplog.text
    ready = mini_app.test_client().get("/ready")
    assert ready.status_code == 200 and ready.json["reload"]["state"] == "failed"


def test_syntax_error_keeps_old_data_and_names_file_line_col(mini_app, mini_site: Path, caplog):
    old = version(mini_app)
    (mini_site / "data" / "broken.ttl").write_text("<a> <b> .\n")
    with caplog.at_level(logging.ERROR, logger="regiold.reload"):
        outcome = reloader_of(mini_app).reload()
    assert outcome.state == "failed"
    assert outcome.error.startswith("data/broken.ttl:1:")
    assert "data/broken.ttl:1:" in caplog.text
    assert version(mini_app) == old


def test_requests_during_a_reload_see_one_whole_version(mini_site: Path, settings_for):
    """While a reload runs, each answer comes from one version: its body and its ETag agree
    (the old name with the old version, the new name with the new one), nothing in between."""
    app = create_app(settings_for(mini_site))
    old = version(app)
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta-Kreis Neu"@de'))
    worker = threading.Thread(target=reloader_of(app).reload)
    client = app.test_client()
    seen: list[tuple[str, str]] = []  # (version in the ETag, name in the body)

    def ask() -> None:
        response = client.get("/org/beta.nt")
        assert response.status_code == 200
        names = re.findall(r'<https://schema.org/name> "([^"]*)"@de', response.get_data(as_text=True))
        seen.append((response.headers["ETag"], names[0] if len(names) == 1 else str(names)))

    ask()
    worker.start()
    while worker.is_alive():
        ask()
    worker.join()
    ask()
    new = version(app)
    assert old != new and len(seen) > 2
    expected = {old: "Beta-Kreis", new: "Beta-Kreis Neu"}
    for etag, name in seen:
        (tag_version,) = [v for v in expected if v in etag]
        assert name == expected[tag_version], (etag, name)
    assert seen[0][1] == "Beta-Kreis" and seen[-1][1] == "Beta-Kreis Neu"


def test_watcher_calls_back_once_files_changed_and_settled(mini_site: Path):
    changed = threading.Event()
    watcher = Watcher(mini_site, changed.set, interval=0.05)
    watcher.start()
    try:
        assert watcher.interval == 0.2  # bounded below: never a busy loop
        assert not changed.wait(0.5)
        (mini_site / "data" / "more.ttl").write_text("<org/z> a <https://schema.org/Thing> .\n")
        assert changed.wait(5)
    finally:
        watcher.stop()
        watcher.join(timeout=5)


def test_an_unexpected_reload_failure_keeps_its_details_in_the_log(mini_app, mini_site: Path,
                                                                   monkeypatch, caplog):
    """/ready is public: a failure that is no data fault (here a bug injected into the loader)
    says there that the reload was refused and where to look, never an internal path."""
    import regiold.serve.reload as reload_module

    def broken(settings):
        raise PermissionError(13, "Permission denied", "/srv/secret/cache/dump.nq.gz")

    monkeypatch.setattr(reload_module, "load_site", broken)
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace("Beta-Kreis", "Beta-Kreis Neu"))
    with caplog.at_level(logging.ERROR, logger="regiold.reload"):
        assert reloader_of(mini_app).reload().state == "failed"
    shown = mini_app.test_client().get("/ready").json["reload"]["error"]
    assert "/srv/secret" not in shown and "server log" in shown
    assert "/srv/secret/cache/dump.nq.gz" in caplog.text
