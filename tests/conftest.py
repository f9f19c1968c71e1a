"""Shared fixtures: a tiny site copied per test, the app, and a live server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from dataset_helpers import make_dataset_site
from regiold import create_app
from regiold.settings import Settings
from sparql_support import Listener

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
BASE = "https://w3id.org/regionen-nrw/"


def shared_dir() -> Path:
    """The reference folder (vocabularies, shapes, sources): REGIOLD_SHARED if set, else
    ``../shared`` beside the checkout (README.md, "Quick start"). Missing, the tests that need
    it fail: a skip would hide them."""
    candidate = Path(os.environ.get("REGIOLD_SHARED") or ROOT.parent / "shared")
    assert (candidate / "vocab").is_dir(), (
        f"{candidate} holds no vocab/: put the shared reference folder beside the checkout "
        "(../shared) or name it in REGIOLD_SHARED")
    return candidate


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on ``live_url`` start a real `regiold serve`: they carry the marker ``live`` too."""
    for item in items:
        if "live_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


@pytest.fixture
def mini_site(tmp_path: Path) -> Path:
    """A writable copy of the tiny fixture site (ontology/, data/, shapes/)."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, target)
    return target


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A plain file, where a command is told to make a folder (``a_file / "out"`` cannot be)."""
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


@pytest.fixture
def settings_for():
    """Settings for a site folder, ignoring the developer's REGIOLD_* variables."""

    def build(site: Path, **overrides: object) -> Settings:
        return Settings.load({"site_dir": site, "cache_dir": site / ".cache", **overrides},
                             environ={})

    return build


@pytest.fixture
def mini_app(mini_site: Path, settings_for) -> Flask:
    return create_app(settings_for(mini_site))


@pytest.fixture
def dataset_site(tmp_path: Path) -> Path:
    """The tiny fixture site plus static dataset metadata (the dataset tests)."""
    return make_dataset_site(tmp_path / "site")


@pytest.fixture
def dataset_app(dataset_site: Path, settings_for) -> Flask:
    return create_app(settings_for(dataset_site))


@pytest.fixture(scope="session")
def repo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the repository's own data (validation cache in a temp folder)."""
    cache = tmp_path_factory.mktemp("cache")
    return Settings.load({"site_dir": ROOT, "cache_dir": cache}, environ={})


@pytest.fixture(scope="session")
def repo_app(repo_settings: Settings) -> Flask:
    # one client asks hundreds of queries in a session: the default rate limit is tested elsewhere
    # (tests/test_hostile_clients.py::test_rate_limit_is_on_by_default)
    return create_app(repo_settings.with_(rate_limit=0))


@pytest.fixture(scope="session")
def live_url(repo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's data served by a real `regiold serve` (gunicorn, 2 workers) on 127.0.0.1:
    a copy of ontology/, data/, shapes/, releases/ and docs/, with the session's cache folder (the
    validation that ``repo_app`` ran is reused)."""
    from ops_live import serving

    site = tmp_path_factory.mktemp("live") / "site"
    for folder in ("ontology", "data", "shapes", "releases", "docs"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, site / folder)
    with serving(site, settings={"cache_dir": str(repo_settings.cache_dir)},
                 boot_timeout=180) as server:
        yield server.url


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (the Debian package) driven by Playwright; one per test module."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (Debian package chromium; .ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server (the PyPI ``oxigraph`` binary) on 127.0.0.1, for the whole session."""
    from oxigraph_server import oxigraph_binary, oxigraph_server

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph binary is not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback TCP listener counting connections: the witness that nothing connects out."""
    witness = Listener()
    yield witness
    witness.close()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Virtuoso 7 on 127.0.0.1 for the whole session; yields docs/STORES.md's settings
    (store, store_update, store_data). Skipped where virtuoso-t is missing, never in CI
    (.ci/run installs virtuoso-opensource)."""
    from virtuoso_server import virtuoso_binary, virtuoso_server

    if virtuoso_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing in CI (.ci/run installs virtuoso-opensource)")
        pytest.skip("virtuoso-t is not installed (Debian package virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as urls:
        yield urls


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001, ARG001
    """Say last, and plainly, which tests did not run and why (a missing chromium, nginx, apache2, npm ci)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    terminalreporter.section(f"regiold: {len(skipped)} test(s) did not run")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.line(f"{count:4d} × {reason}")
    terminalreporter.line("The full suite needs the Debian packages chromium, nginx and apache2, and "
                          "`npm ci` (axe-core); see README.md, 'Tests'.")
