from pathlib import Path

import pytest

from regiold.errors import ConfigError
from regiold.settings import Settings


def test_environment_then_overrides_take_precedence():
    settings = Settings.load({"sparql_timeout": "2.5"},
                             environ={"REGIOLD_SPARQL_TIMEOUT": "7", "REGIOLD_PUBLISH_PERSONS": "no"})
    assert settings.sparql_timeout == 2.5
    assert settings.publish_persons is False


def test_unknown_setting_is_named():
    with pytest.raises(ConfigError, match="unknown setting.*colour"):
        Settings.load({"colour": "blue"}, environ={})


def test_wrong_type_is_named():
    with pytest.raises(ConfigError, match="sparql_max_rows"):
        Settings.load({"sparql_max_rows": "many"}, environ={})


def test_base_iri_must_end_with_separator():
    with pytest.raises(ConfigError, match="base_iri"):
        Settings.load({"base_iri": "https://example.org/x"}, environ={})


def test_paths_are_paths():
    assert Settings.load({"site_dir": "data"}, environ={}).site_dir == Path.cwd() / "data"


def test_every_setting_is_documented():
    readme = (Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md").read_text()
    for name, _default, help_text in Settings.describe():
        assert help_text
        assert f"`{name}`" in readme, f"setting {name} missing from docs/SETTINGS.md"


def test_relative_paths_resolve_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    defaults = Settings.load(environ={})
    assert defaults.site_dir == tmp_path and defaults.cache_dir == tmp_path / ".regiold-cache"
    moved = Settings.load({"site_dir": "site", "cache_dir": "cache"}, environ={})
    assert (moved.site_dir, moved.cache_dir) == (tmp_path / "site", tmp_path / "cache")
    elsewhere = moved.with_(site_dir=Path("other"))  # `--data other` keeps the cache where it was
    assert (elsewhere.site_dir, elsewhere.cache_dir) == (tmp_path / "other", tmp_path / "cache")
