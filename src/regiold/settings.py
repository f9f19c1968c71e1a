"""All of regiold's settings, declared once.

Each field has a default and a help text. ``Settings.load`` is the only reader of ``os.environ``:
defaults < ``REGIOLD_*`` environment variables < explicit overrides (CLI ``-s NAME VALUE``, tests).
Every value is checked there too (``_check``: choices, ranges, URLs), so a bad setting fails before
any data is parsed, naming the setting and what it allows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from regiold.errors import ConfigError

LANGS = ("de", "en")  # languages of pages and labels, the first the default
SERVERS = ("gunicorn", "granian")
WORKER_CLASSES = ("gthread", "sync")
EMBEDDED_STORES = ("disk", "memory")


def _setting(default: Any, help: str) -> Any:  # noqa: A002 - "help" reads best here
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    site_dir: Path = _setting(
        Path("."), "Folder holding ontology/, data/ and shapes/ (relative: to the working directory)"
    )
    base_iri: str = _setting(
        "https://w3id.org/regionen-nrw/", "Canonical base IRI of every published resource"
    )
    store: str = _setting("embedded", "'embedded' (pyoxigraph, in this process) or a SPARQL endpoint URL")
    embedded_store: str = _setting(
        "disk", "How the embedded store holds the data: 'disk' (a read-only snapshot per data "
        "version under cache_dir, shared by all processes) or 'memory' (docs/performance.md)"
    )
    store_update: str = _setting(
        "", "SPARQL Update URL of the remote store (default: derived from 'store')"
    )
    store_data: str = _setting(
        "", "Graph Store Protocol URL of the remote store (default: derived from 'store')"
    )
    remote_page_query: bool = _setting(
        False, "Read each page from a remote store with one CONSTRUCT (one round trip) instead of "
        "several small queries: for a store far away; Oxigraph 0.5 evaluates it about 15x slower "
        "than the small queries, Virtuoso 7 not at all (docs/STORES.md)"
    )
    publisher_name: str = _setting(
        "Betreiber dieser regiold-Instanz / operator of this regiold instance",
        "Who runs this instance: the dct:publisher (foaf:Agent) of the catalog, the dataset and the "
        "SPARQL service (DCAT-AP.de requires one)"
    )
    publisher_url: str = _setting("", "Web page of the publisher (foaf:homepage; empty: none)")
    sparql_link: str = _setting(
        "/sparql", "Where pages link the SPARQL endpoint ('': nowhere, and the dataset description "
        "names no endpoint; `regiold build` sets it from --sparql-url, docs/STATIC.md)"
    )
    default_lang: str = _setting("de", "Language of HTML pages when the client states none ('de' or 'en')")
    allow_invalid: bool = _setting(False, "Serve data even when SHACL validation fails")
    cache_dir: Path = _setting(
        Path(".regiold-cache"), "Where validation reports, dumps and store snapshots are kept by "
        "content hash (relative: to the working directory)"
    )
    publish_persons: bool = _setting(
        True, "Publish named persons' official contact data (data/people/) on the pages and "
        "the SPARQL endpoint"
    )
    dump_persons: bool = _setting(
        False, "Put person data into the bulk dumps too (open-data files, static export, DCAT "
        "distributions); only together with publish_persons"
    )
    sparql_timeout: float = _setting(10.0, "Seconds a SPARQL query may run before it is stopped")
    sparql_max_rows: int = _setting(10_000, "Most result rows (or triples) a query returns")
    sparql_max_result_mb: int = _setting(
        16, "MB of one SPARQL answer at most; a longer one is cut at a row's end, with "
        "X-Regiold-Truncated (the serving process holds each answer while it sends it)"
    )
    sparql_max_query_bytes: int = _setting(32_768, "Largest accepted SPARQL query in bytes")
    sparql_max_concurrent: int = _setting(
        2, "Queries that may run at once per worker; one more gets 503 at once (below threads: "
        "the other threads stay free for pages)"
    )
    sparql_query_max_mb: int = _setting(
        512, "MB of memory one SPARQL query may add to its worker, enforced by the kernel "
        "(on top of the store the worker shares; 0: no limit)"
    )
    sparql_in_memory: bool = _setting(
        True, "Evaluate SPARQL on an in-memory copy shared by the query workers (much faster scans "
        "than on the disk snapshot; about 0.4 GB per 10^6 triples, held once)"
    )
    sparql_worker_max_mb: int = _setting(
        1024, "MB of memory of its own above which a SPARQL worker ends after its query (0: never)"
    )
    rate_limit: int = _setting(
        120, "Requests per minute per client and worker to /sparql and /search, bursts as large "
        "(0: off)"
    )
    trusted_proxies: int = _setting(0, "Number of reverse proxies whose X-Forwarded-* are trusted")
    public_url: str = _setting(
        "", "Public address of the site root for absolute URLs in robots.txt, sitemaps, the "
        "service description and search JSON-LD (default: base_iri); never taken from Host"
    )
    watch_interval: float = _setting(
        2.0, "Seconds between checks of the data files by `serve --watch` (0.2 to 60)"
    )
    max_url_bytes: int = _setting(8000, "Longest accepted request target (path + query); longer: 414")
    body_read_timeout: float = _setting(
        10.0, "Seconds a SPARQL POST body may take to arrive, longer: 408 (bodies are read before "
        "a query slot is taken, at most sparql_max_concurrent at once per worker and one per "
        "client address: docs/SECURITY.md)"
    )
    send_timeout: float = _setting(
        60.0, "Seconds an answer may wait unread by its client before the connection is dropped "
        "(TCP_USER_TIMEOUT, granian on Linux: a client that never reads cannot keep its answer "
        "in memory)"
    )
    page_size: int = _setting(200, "Incoming links per page of a large description")
    worker_class: str = _setting(
        "gthread", "gunicorn worker class: 'gthread' (threads + keep-alive) or 'sync' (docs/performance.md)"
    )
    threads: int = _setting(8, "Threads per worker running the app (gunicorn gthread, granian)")
    page_concurrency: int = _setting(
        1, "GET/HEAD requests outside /sparql and /search that run at once per worker, the others waiting in "
        "arrival order (a worker's threads share one interpreter lock: in turn, a large page does "
        "not slow the pages beside it; docs/performance.md); no limit with a remote store or at "
        "threads or more"
    )
    server: str = _setting(
        "granian", "HTTP server of `regiold serve`: 'granian' (idle and slow connections cost no "
        "thread) or 'gunicorn' (docs/OPERATIONS.md)"
    )
    graceful_timeout: int = _setting(
        30, "Seconds a worker told to stop (SIGTERM, or retired by a reload once it drained) may "
        "finish its requests before it is killed (granian; under gunicorn its graceful_timeout: "
        "docs/OPERATIONS.md)"
    )
    access_log: bool = _setting(
        False, "Log one line per request to stdout (off like gunicorn's default: it costs 25-45 % of "
        "throughput, docs/performance.md; a reverse proxy usually logs)"
    )
    validate_workers: int = _setting(
        0, "Processes sharing a first SHACL validation (0: one per CPU and 10,000 triples; "
        "1: in the calling process)"
    )
    cache_entries: int = _setting(
        2000, "Rendered representations and descriptions memoised per worker (oldest dropped first)"
    )
    hot_responses: int = _setting(
        2000, "Complete page responses answered without Flask, per worker (oldest dropped first; 0: off)"
    )
    cache_mb: float = _setting(
        4.0, "MB per worker for memoised renderings: the memo of descriptions and representations, "
        "the fast path's table of responses and the remembered SPARQL answers each hold at most "
        "this much (oldest dropped first; docs/performance.md)"
    )

    @property
    def cache_bytes(self) -> int:
        """``cache_mb`` in bytes: the bound each memo and the fast path's table are given."""
        return int(self.cache_mb * (1 << 20))

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings from defaults, ``REGIOLD_*`` variables and ``overrides``.

        :raises ConfigError: for an unknown setting name, a value of the wrong type or one outside
            the setting's allowed values (the message names both).
        """
        environ = os.environ if environ is None else environ
        raw: dict[str, object] = {
            key.removeprefix("REGIOLD_").lower(): value
            for key, value in environ.items()
            if key.startswith("REGIOLD_") and key != "REGIOLD_SHARED"
        }
        raw.update(overrides or {})
        known = {f.name: f for f in fields(cls)}
        unknown = raw.keys() - known.keys()
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values = {name: _coerce(name, value, known[name].default) for name, value in raw.items()}
        return _check(cls(**values))

    def __post_init__(self) -> None:
        # Relative paths are resolved once, here, against the working directory regiold was started
        # in: later code must never resolve them again (Flask's send_file would take the package
        # folder, and every dump answered 500 under `make run`).
        for name in ("site_dir", "cache_dir"):
            path = Path(getattr(self, name))
            object.__setattr__(self, name, path if path.is_absolute() else Path.cwd() / path)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed (values already typed, checked like ``load``'s)."""
        return _check(replace(self, **changes))

    @classmethod
    def help_table(cls) -> list[tuple[str, object, str]]:
        """(name, default, help) of every setting, for ``regiold settings`` and the docs."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]


def _coerce(name: str, value: object, default: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        if isinstance(default, bool):
            if value.lower() in {"1", "true", "yes", "on"}:
                return True
            if value.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if isinstance(default, Path):
            return Path(value)
        if isinstance(default, int | float):
            return type(default)(value)
    except ValueError:
        raise ConfigError(
            f"setting {name}: {value!r} is not a valid {type(default).__name__}"
        ) from None
    return value


_CHOICES: dict[str, tuple[str, ...]] = {
    "embedded_store": EMBEDDED_STORES, "server": SERVERS, "worker_class": WORKER_CLASSES,
    "default_lang": LANGS,
}
# A time is at most a day, a size at most a terabyte: larger values (inf among them) were accepted
# and crashed the server later (time_t and TCP_USER_TIMEOUT overflow, an address space limit past
# 2^63 bytes, int(inf)).
DAY = 86_400  # seconds
TERABYTE_MB = 1 << 20
# Inclusive bounds (None: unbounded); sparql_timeout, body_read_timeout and send_timeout must also
# be above 0 (checked first).
_RANGES: dict[str, tuple[float, float | None]] = {
    "watch_interval": (0.2, 60.0),
    "sparql_max_rows": (1, None), "sparql_max_query_bytes": (1, None),
    "sparql_max_result_mb": (1, TERABYTE_MB), "sparql_max_concurrent": (1, None),
    "sparql_worker_max_mb": (0, TERABYTE_MB), "sparql_query_max_mb": (0, TERABYTE_MB),
    "rate_limit": (0, None), "trusted_proxies": (0, None), "max_url_bytes": (1, None),
    "page_size": (1, None), "threads": (1, None), "validate_workers": (0, None),
    "page_concurrency": (1, None),
    "cache_entries": (1, None), "hot_responses": (0, None), "cache_mb": (0.01, TERABYTE_MB),
    "graceful_timeout": (1, DAY),
    "sparql_timeout": (0, DAY), "body_read_timeout": (0, DAY), "send_timeout": (0, DAY),
}


def _check(settings: Settings) -> Settings:
    """``settings`` if every value is allowed.

    :raises ConfigError: naming the first setting whose value is not allowed, and what is.
    """
    for name, allowed in _CHOICES.items():
        value = getattr(settings, name)
        if value not in allowed:
            raise ConfigError(f"setting {name}: {value!r} is not one of {', '.join(allowed)}")
    for name in ("sparql_timeout", "body_read_timeout", "send_timeout"):
        if not getattr(settings, name) > 0:  # NaN fails too
            raise ConfigError(f"setting {name}: {getattr(settings, name)!r} is out of range "
                              f"(allowed: above 0, at most {DAY})")
    for name, (low, high) in _RANGES.items():
        value = getattr(settings, name)
        if not (low <= value and (high is None or value <= high)):  # NaN fails too
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"setting {name}: {value!r} is out of range (allowed: {bounds})")
    if not settings.base_iri.endswith(("/", "#")):
        raise ConfigError(f"base_iri must end with '/' or '#': {settings.base_iri!r}")
    try:
        ox.NamedNode(settings.base_iri)
    except ValueError:
        raise ConfigError(f"setting base_iri: {settings.base_iri!r} is not an absolute IRI") from None
    if settings.sparql_max_concurrent >= max(1, settings.threads) > 1:
        raise ConfigError(
            f"setting sparql_max_concurrent ({settings.sparql_max_concurrent}) must be below "
            f"threads ({settings.threads}): pages need threads that queries cannot take")
    if settings.public_url and not is_http_url(settings.public_url):
        raise ConfigError(f"setting public_url: {settings.public_url!r} is not empty or an "
                          "http(s) URL")
    if settings.store != "embedded" and not is_http_url(settings.store):
        raise ConfigError(f"setting store: {settings.store!r} is not 'embedded' or an http(s) "
                          "SPARQL endpoint URL")
    for name in ("store_update", "store_data", "publisher_url"):
        value = getattr(settings, name)
        if value and not is_http_url(value):
            raise ConfigError(f"setting {name}: {value!r} is not empty or an http(s) URL")
    if not settings.publisher_name.strip():
        raise ConfigError("setting publisher_name: empty (DCAT-AP.de requires a named publisher)")
    return settings


def is_http_url(value: str) -> bool:
    """An http(s) IRI (RFC 3987, as pyoxigraph reads it) naming a host: these values become IRIs
    in the data, and one with a space crashed `serve` there."""
    try:
        ox.NamedNode(value)
        parts = urlsplit(value)
        return parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # no IRI, or an unclosed '[' of an IPv6 address
        return False
