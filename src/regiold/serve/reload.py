"""Reload the data without a restart: parse and validate to the side, swap only if valid.

``Reloader.reload()`` builds a new Site next to the one being served and swaps the ``SiteHolder``
only when the new data parses and conforms; otherwise the last good version stays online and the
report (file:line:col or focus nodes) goes to the log. ``Watcher`` polls the files and calls back
when they changed and then stayed still for one interval.

Under gunicorn or granian (preload + fork) the master holds the Site: SIGHUP makes the server run
its reload hook in the master (which reloads to the side) before it forks fresh workers and
retires the old ones gracefully, so every worker switches and invalid data never reaches one.
``serve --watch`` runs a Watcher thread in the master that sends the master a SIGHUP.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from regiold.errors import InvalidData, RegioldError, SourceError
from regiold.ingest import sources
from regiold.publish.site import SiteHolder
from regiold.publish.site_loader import load_site
from regiold.settings import Settings

log = logging.getLogger("regiold.reload")

MIN_INTERVAL, MAX_INTERVAL = 0.2, 60.0


@dataclass(frozen=True)
class ReloadOutcome:
    state: str  # "reloaded" | "unchanged" | "failed"
    version: str  # the version being served after the attempt
    attempted: str | None  # the version found on disk (None when unreadable)
    error: str | None  # first line of the reason a reload failed
    seconds: float
    at: float  # time.time() of the attempt

    def public(self) -> dict[str, object]:
        """What /ready shows: no file contents, only where things stand."""
        return {"state": self.state, "version": self.version, "attempted": self.attempted,
                "error": self.error, "at": round(self.at, 3)}


class Reloader:
    """Reloads one SiteHolder from its settings' site folder; at most one reload at a time."""

    def __init__(self, holder: SiteHolder, settings: Settings | None = None) -> None:
        self.holder = holder
        self.settings = settings or holder.site.settings
        self.last: ReloadOutcome | None = None
        self._lock = threading.Lock()

    def disk_version(self) -> str | None:
        try:
            return sources.content_version(self.settings.site_dir, base_iri=self.settings.base_iri)
        except SourceError:
            return None

    def reload(self, *, force: bool = False) -> ReloadOutcome:
        """Load, validate and swap if valid; never raises for bad data.

        Unchanged files (same content hash) are not parsed again unless ``force``.
        """
        with self._lock:
            start = time.perf_counter()
            current = self.holder.site.version
            attempted = self.disk_version()
            if attempted == current and not force:
                return self._record("unchanged", current, attempted, None, start)
            try:
                site = load_site(self.settings)
            except SourceError as exc:
                log.error("reload refused, still serving %s: %s", current, exc)
                return self._record("failed", current, attempted, str(exc), start)
            except InvalidData as exc:
                report = exc.report.text("en")  # type: ignore[attr-defined]
                log.error("reload refused, still serving %s: data violates the shapes\n%s",
                          current, report)
                return self._record("failed", current, attempted, str(exc), start)
            except RegioldError as exc:  # the remote store gone, …: said in regiold's words
                log.error("reload refused, still serving %s: %s", current, exc)
                return self._record("failed", current, attempted, str(exc), start)
            except Exception as exc:  # a bug: raised from here it ended the server's serve loop
                # in the master, which then supervised no worker and ignored SIGTERM
                log.exception("reload refused, still serving %s: %s", current, exc)
                # /ready is public: the details (paths, OS strings) stay in the log
                return self._record("failed", current, attempted,
                                    "unexpected error; see the server log", start)
            self.holder.swap(site)
            log.info("reloaded: version %s -> %s (%s)", current, site.version,
                     site.report.summary())
            return self._record("reloaded", site.version, site.version, None, start)

    def _record(self, state: str, version: str, attempted: str | None, error: str | None,
                start: float) -> ReloadOutcome:
        first_line = error.splitlines()[0] if error else None
        self.last = ReloadOutcome(state, version, attempted, first_line,
                                  time.perf_counter() - start, time.time())
        return self.last


def fingerprint(site_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: (path, size, mtime) of every source file; content is hashed later."""
    entries = []
    for kind in sources.KINDS:
        folder = site_dir / kind
        if not folder.is_dir():
            entries.append((kind, -1, -1))
            continue
        for path in folder.rglob("*"):
            if path.suffix in sources.SUFFIXES:
                try:
                    stat = path.stat()
                except OSError:  # vanished between listing and stat: the next poll sees it
                    continue
                entries.append((str(path.relative_to(site_dir)), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


class Watcher(threading.Thread):
    """Polls the site folder; calls ``on_change`` once files changed and then stayed still."""

    def __init__(self, site_dir: Path, on_change: Callable[[], None], *, interval: float) -> None:
        super().__init__(name="regiold-watch", daemon=True)
        self.site_dir = site_dir
        self.on_change = on_change
        self.interval = min(max(interval, MIN_INTERVAL), MAX_INTERVAL)
        self._halt = threading.Event()

    def run(self) -> None:
        seen = fingerprint(self.site_dir)
        settling = False
        while not self._halt.wait(self.interval):
            now = fingerprint(self.site_dir)
            if now != seen:  # still being written: wait for one quiet interval
                seen, settling = now, True
            elif settling:
                settling = False
                self.on_change()

    def stop(self) -> None:
        self._halt.set()


def gunicorn_hooks(reloader: Reloader, *, watch: bool) -> dict[str, object]:
    """gunicorn server hooks: reload in the master on SIGHUP; with ``watch``, SIGHUP on change."""

    def on_reload(arbiter: object) -> None:
        reload_in_master(reloader)

    def when_ready(arbiter: object) -> None:
        master_ready(reloader, watch=watch)

    return {"on_reload": on_reload, "when_ready": when_ready}


def reload_in_master(reloader: Reloader) -> None:
    """The server's SIGHUP hook, run in the master before it forks fresh workers."""
    outcome = reloader.reload()
    if outcome.state == "reloaded":
        gc.unfreeze()  # let the old version's cycles go, then keep the collector off the new
        gc.collect()
        gc.freeze()


def master_ready(reloader: Reloader, *, watch: bool) -> None:
    """Once the master serves: reload messages to stderr; with ``watch``, SIGHUP on change."""
    _log_to_stderr()
    if watch:
        master = os.getpid()
        settings = reloader.settings
        Watcher(settings.site_dir, lambda: _hup_if_changed(reloader, master),
                interval=settings.watch_interval).start()


def _hup_if_changed(reloader: Reloader, master: int) -> None:
    if reloader.disk_version() != reloader.holder.site.version:
        os.kill(master, signal.SIGHUP)  # gunicorn's own reload path: on_reload, fresh workers


def _log_to_stderr() -> None:
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] "
                                               "%(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
