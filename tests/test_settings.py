import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_SITE
from processes import free_port
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


@pytest.mark.parametrize("name, value", [("publisher_url", "www.example.org"), ("publisher_name", " ")])
def test_the_publisher_settings_are_checked(name: str, value: str):
    with pytest.raises(ConfigError, match=f"setting {name}"):
        Settings.load({name: value}, environ={})


def test_every_setting_is_documented():
    readme = (Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md").read_text()
    for name, _default, help_text in Settings.help_table():
        assert help_text
        assert f"`{name}`" in readme, f"setting {name} missing from docs/SETTINGS.md"


# Allowed values are checked when the settings are read, before any data is parsed.

@pytest.mark.parametrize(("name", "bad", "allowed"), [
    ("embedded_store", "floppy", "disk, memory"),
    ("server", "uwsgi", "gunicorn, granian"),
    ("worker_class", "gevent", "gthread, sync"),
    ("default_lang", "fr", "de, en"),
])
def test_a_choice_outside_its_values_is_refused_naming_them(name: str, bad: str, allowed: str):
    with pytest.raises(ConfigError) as caught:
        Settings.load({name: bad}, environ={})
    assert str(caught.value) == f"setting {name}: {bad!r} is not one of {allowed}"


@pytest.mark.parametrize(("name", "bad"), [
    ("watch_interval", "0.1"), ("watch_interval", "61"), ("sparql_timeout", "0"),
    ("sparql_timeout", "-1"), ("sparql_timeout", "nan"), ("sparql_max_rows", "0"),
    ("sparql_max_query_bytes", "0"), ("sparql_max_concurrent", "0"), ("page_size", "0"),
    ("threads", "0"), ("page_concurrency", "0"), ("max_url_bytes", "0"), ("cache_entries", "0"),
    ("sparql_worker_max_mb", "-1"), ("rate_limit", "-1"), ("trusted_proxies", "-1"),
    ("validate_workers", "-1"), ("hot_responses", "-1"), ("cache_mb", "0"), ("cache_mb", "-4"),
])
def test_a_number_out_of_range_is_refused_naming_the_setting(name: str, bad: str):
    with pytest.raises(ConfigError, match=f"setting {name}: .* is out of range"):
        Settings.load({name: bad}, environ={})


@pytest.mark.parametrize(("name", "good"), [
    ("watch_interval", "0.2"), ("watch_interval", "60.0"), ("sparql_timeout", "0.5"),
    ("threads", "1"), ("rate_limit", "0"), ("hot_responses", "0"), ("validate_workers", "0"),
    ("embedded_store", "memory"), ("server", "granian"), ("worker_class", "sync"),
    ("default_lang", "en"), ("cache_mb", "0.01"),
])
def test_values_at_the_edges_of_what_is_allowed_are_accepted(name: str, good: str):
    assert str(getattr(Settings.load({name: good}, environ={}), name)) == good


@pytest.mark.parametrize("bad", ["embedded ", "localhost:7878/query", "ftp://example.org/sparql",
                                 "http://"])
def test_store_is_embedded_or_an_http_url(bad: str):
    with pytest.raises(ConfigError, match="setting store: .* is not 'embedded' or an http"):
        Settings.load({"store": bad}, environ={})
    url = "https://sparql.example.org/query"
    assert Settings.load({"store": url}, environ={}).store == url


@pytest.mark.parametrize("name", ["store_update", "store_data"])
def test_remote_store_urls_are_http_urls_when_given(name: str):
    with pytest.raises(ConfigError, match=f"setting {name}: 'file:///etc/passwd'"):
        Settings.load({name: "file:///etc/passwd"}, environ={})


def test_environment_values_are_checked_too():
    with pytest.raises(ConfigError, match="setting worker_class"):
        Settings.load(environ={"REGIOLD_WORKER_CLASS": "eventlet"})


def test_a_changed_copy_is_checked_like_a_loaded_one():
    with pytest.raises(ConfigError, match="setting store"):
        Settings.load(environ={}).with_(store="not a url")


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "embedded_store", "floppy", "validate"],
     "setting embedded_store: 'floppy' is not one of disk, memory"),
    (["-s", "server", "uwsgi", "serve", "--port", "1"],
     "setting server: 'uwsgi' is not one of gunicorn, granian"),
])
def test_the_cli_refuses_a_bad_setting_before_reading_any_data(tmp_path: Path, args: list[str],
                                                                 message: str):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "broken.ttl").write_text("this is not Turtle <")  # parsing it would fail
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOLD_")}
    result = subprocess.run([sys.executable, "-m", "regiold", *args, "--data", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2  # click's usage error
    assert message in result.stderr
    assert "broken.ttl" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_relative_paths_resolve_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    defaults = Settings.load(environ={})
    assert defaults.site_dir == tmp_path and defaults.cache_dir == tmp_path / ".regiold-cache"
    moved = Settings.load({"site_dir": "site", "cache_dir": "cache"}, environ={})
    assert (moved.site_dir, moved.cache_dir) == (tmp_path / "site", tmp_path / "cache")
    elsewhere = moved.with_(site_dir=Path("other"))  # `--data other` keeps the cache where it was
    assert (elsewhere.site_dir, elsewhere.cache_dir) == (tmp_path / "other", tmp_path / "cache")


def test_regiold_settings_lists_every_setting_with_its_default():
    """`regiold settings` (README.md) prints one line per declared setting, with the default of
    the declaration, and docs/SETTINGS.md states the same default."""
    import dataclasses
    import re

    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOLD_")}
    result = subprocess.run([sys.executable, "-m", "regiold", "settings"], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    declared = {f.name: str(f.default) for f in dataclasses.fields(Settings)}
    lines = result.stdout.splitlines()
    assert len(lines) == len(declared)
    for line, (name, default) in zip(lines, declared.items(), strict=True):
        assert line.startswith(f"{name:24} {default:32} "), (name, default, line)
    doc = (Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md").read_text()
    documented = dict(re.findall(r"^\| `(\w+)` \| `([^`]*)` \|", doc, re.M))
    assert documented == declared


def test_sparql_slots_must_leave_threads_for_pages():
    """Issue 13: with as many query slots as threads, slow queries held every thread."""
    with pytest.raises(ConfigError, match=r"sparql_max_concurrent \(8\) must be below threads"):
        Settings.load({"sparql_max_concurrent": 8, "threads": 8}, environ={})
    assert Settings.load({"threads": 1}, environ={}).sparql_max_concurrent == 2  # nothing to split
    with pytest.raises(ConfigError, match="public_url"):
        Settings.load({"public_url": "evil.example"}, environ={})


# Each of these was accepted and then failed while serving: `send_timeout inf` (or 1e12) and
# `graceful_timeout 1e20` ended `regiold serve` in a traceback, `cache_mb inf` left every worker
# dead, `sparql_timeout inf` and `body_read_timeout inf` answered every SPARQL request 500
# ("timestamp out of range for platform time_t"), `sparql_query_max_mb 1e20` answered every query
# 503. A time is at most a day (86,400 s), a size at most 1,048,576 MB (1 TB).
@pytest.mark.parametrize(("name", "bad"), [
    ("sparql_timeout", "inf"), ("sparql_timeout", "86401"), ("body_read_timeout", "inf"),
    ("send_timeout", "inf"), ("send_timeout", "1e12"), ("graceful_timeout", "86401"),
    ("cache_mb", "inf"), ("cache_mb", "1048577"), ("sparql_query_max_mb", "1048577"),
    ("sparql_worker_max_mb", str(10**20)), ("sparql_max_result_mb", str(10**20)),
])
def test_an_infinite_or_huge_time_or_size_is_refused_naming_the_setting(name: str, bad: str):
    with pytest.raises(ConfigError, match=f"setting {name}: .* is out of range"):
        Settings.load({name: bad}, environ={})


@pytest.mark.parametrize(("name", "good"), [
    ("sparql_timeout", "86400.0"), ("graceful_timeout", "86400"), ("send_timeout", "86400.0"),
    ("cache_mb", "1048576.0"), ("sparql_query_max_mb", "1048576"),
])
def test_a_day_and_a_terabyte_are_still_allowed(name: str, good: str):
    assert str(getattr(Settings.load({name: good}, environ={}), name)) == good


def test_serve_with_an_infinite_timeout_stops_before_the_data_naming_the_setting(tmp_path):
    # Before, `regiold -s send_timeout inf serve` validated the data, printed "serving on", then
    # died in granian's setup with "OverflowError: cannot convert float infinity to integer".
    port = free_port()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "regiold"), "-s", "send_timeout", "inf", "-s",
         "cache_dir", str(tmp_path), "serve", "--data", str(FIXTURE_SITE), "--port", str(port)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "setting send_timeout: inf is out of range" in result.stderr
    assert "Traceback" not in result.stderr and "serving on" not in result.stdout


# RFC 3987 2.2 (and RFC 3986 2): space, '<', '>', '"', '{', '}', '|', '\', '^', '`' and control
# characters are in no IRI, nor '%' without two hex digits, '[' outside a host or a second '#';
# an authority without a host names no server. Before, such a value passed the check:
# `publisher_url "http://example.org/a b"` ended `regiold serve` in a traceback
# ("ValueError: Invalid IRI code point ' '"), `public_url` with one made the service description a
# 500 and went as it was into robots.txt.
@pytest.mark.parametrize("name", ["public_url", "publisher_url", "store", "store_update",
                                  "store_data"])
@pytest.mark.parametrize("bad", ["http://example.org/a b", "http://example.org/<x>",
                                 'http://example.org/"', "http://example.org/{x}|^`\\",
                                 "http://example.org/\x01", "http://user:pw@", "http://:8080/",
                                 "https://example.org/a%zz", "https://example.org/?y=[2]",
                                 "http://example.org/a#b#c"])
def test_a_url_setting_that_is_no_iri_is_refused_naming_it(name: str, bad: str):
    with pytest.raises(ConfigError, match=f"setting {name}: "):
        Settings.load({name: bad}, environ={})


def test_a_base_iri_that_is_no_absolute_iri_is_refused_naming_it():
    for bad in ("http://x y/", "relative/", "https://example.org/%zz/"):  # each was a traceback
        with pytest.raises(ConfigError, match="setting base_iri: "):
            Settings.load({"base_iri": bad}, environ={})


@pytest.mark.parametrize("good", ["https://example.org/a%20b?x=1&y=%5B2%5D#f",
                                  "http://user:pw@127.0.0.1:7878/query", "https://bücher.example/",
                                  "http://[::1]:8080/sparql"])
def test_urls_that_are_iris_stay_allowed(good: str):
    assert Settings.load({"public_url": good, "store": good}, environ={}).public_url == good


def test_serve_with_a_publisher_url_that_is_no_iri_stops_naming_the_setting(tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "regiold"), "-s", "publisher_url",
         "http://example.org/a b", "-s", "cache_dir", str(tmp_path), "serve", "--data",
         str(FIXTURE_SITE), "--port", str(free_port())],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "setting publisher_url: 'http://example.org/a b'" in result.stderr
    assert "Traceback" not in result.stderr and "serving on" not in result.stdout
