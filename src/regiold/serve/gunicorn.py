"""Run the Flask app under gunicorn or granian (setting ``server``), preloaded: workers fork from a
parent that already holds the parsed, validated data, so they share it copy-on-write. Both run the
same hooks: SIGHUP reloads in the master before fresh workers fork (reload.py), ``--watch`` sends
that SIGHUP, a dead worker is replaced, SIGTERM stops gracefully."""

from __future__ import annotations

import gc
from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from regiold.serve.memory import start_trimming
from regiold.serve.reload import Reloader, gunicorn_hooks
from regiold.serve.warm import GC_THRESHOLDS, warm, warm_worker
from regiold.settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: object, options: dict[str, object]) -> None:
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        return self.application


def run(app: Flask, settings: Settings, *, host: str, port: int, workers: int,
        watch: bool = False) -> None:
    """Serve regiold's ``app`` (from ``create_app``) until stopped; SIGHUP (or, with ``watch``, a
    change of the files) reloads.
    """
    warm(app)  # the workers' first requests are no slower than the rest (serve/warm.py)
    gc.set_threshold(*GC_THRESHOLDS)  # fewer full collections in the workers (serve/warm.py)
    gc.freeze()  # the loaded data never becomes garbage: keep the collector off it
    serve_wsgi(app, settings, host=host, port=port, workers=workers,
               reloader=app.extensions["regiold.reloader"], watch=watch,
               worker_ready=lambda: warm_worker(app))


def serve_wsgi(app: object, settings: Settings, *, host: str, port: int, workers: int,
               reloader: Reloader | None = None, watch: bool = False,
               worker_ready: Callable[[], object] | None = None) -> None:
    """Serve a loaded WSGI app (regiold's, or the benchmarks' constant app) under the server of
    ``settings.server``; workers fork from this process. ``reloader``: reload on SIGHUP;
    ``worker_ready``: run in each worker after the fork, before it accepts a request."""
    if settings.server == "granian":
        from regiold.serve.granian import run_granian  # imported only when chosen

        run_granian(app, settings, host=host, port=port, workers=workers, reloader=reloader,
                     watch=watch, worker_ready=worker_ready)
        return
    options = gunicorn_options(settings, host=host, port=port, workers=workers,
                               worker_ready=worker_ready)
    if reloader is not None:
        options.update(gunicorn_hooks(reloader, watch=watch))
    _Gunicorn(app, options).run()


def gunicorn_options(settings: Settings, *, host: str, port: int, workers: int,
                     worker_ready: Callable[[], object] | None = None) -> dict[str, object]:
    """The gunicorn configuration; worker class and threads come from the settings, chosen by the
    measurements in docs/performance.md."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": settings.worker_class,
        "threads": settings.threads,  # at least 1 (Settings.load)
        "preload_app": True,  # fork after loading: workers share the data copy-on-write
        "keepalive": 5,
        "timeout": 60,
        "graceful_timeout": settings.graceful_timeout,
        "accesslog": "-" if settings.access_log else None,
        "forwarded_allow_ips": "",  # X-Forwarded-* are ProxyFix's job (setting trusted_proxies)
        "control_socket_disable": True,  # no management socket in $HOME shared by every server
        "limit_request_line": 8190,  # gunicorn's maximum; the app answers 414 above max_url_bytes
        "post_worker_init": lambda worker: _worker_init(worker_ready),
    }


def _worker_init(worker_ready: Callable[[], object] | None) -> None:
    start_trimming()  # freed memory goes back (memory.py)
    if worker_ready is not None:
        worker_ready()
