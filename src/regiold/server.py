"""Run the Flask app under gunicorn or granian (setting ``server``), preloaded: workers fork from a
parent that already holds the parsed, validated data, so they share it copy-on-write. Both run the
same hooks: SIGHUP reloads in the master before fresh workers fork (reload.py), ``--watch`` sends
that SIGHUP, a dead worker is replaced, SIGTERM stops gracefully."""

from __future__ import annotations

import gc
import socket
import time

from granian.constants import Interfaces
from granian.server import Server as GranianServer
from gunicorn.app.base import BaseApplication

from . import create_app
from .errors import ConfigError
from .reload import Reloader, gunicorn_hooks, master_ready, reload_in_master
from .settings import Settings
from .site import Site


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: object, options: dict[str, object]) -> None:
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        return self.application


SERVERS = ("gunicorn", "granian")
RESPAWN_INTERVAL = 0.5  # seconds fresh granian workers get before the ones they replace stop
KILL_TIMEOUT = 60  # seconds a stopping worker may finish its requests (gunicorn's timeout)


def run(settings: Settings, site: Site, *, host: str, port: int, workers: int,
        watch: bool = False) -> None:
    """Serve ``site`` until stopped; SIGHUP (or, with ``watch``, a change of the files) reloads.

    :raises ConfigError: an unknown server name or worker class.
    """
    app = create_app(settings, site=site)
    gc.freeze()  # the loaded data never becomes garbage: keep the collector off it
    serve_wsgi(app, settings, host=host, port=port, workers=workers,
               reloader=app.extensions["regiold.reloader"], watch=watch)


def serve_wsgi(app: object, settings: Settings, *, host: str, port: int, workers: int,
               reloader: Reloader | None = None, watch: bool = False) -> None:
    """Serve a loaded WSGI app (regiold's, or the benchmarks' constant app) under the server of
    ``settings.server``; workers fork from this process. ``reloader``: reload on SIGHUP.

    :raises ConfigError: an unknown server name or worker class.
    """
    if settings.server not in SERVERS:
        raise ConfigError(f"setting server: {settings.server!r} is not one of {', '.join(SERVERS)}")
    if settings.server == "granian":
        _run_granian(app, settings, host=host, port=port, workers=workers, reloader=reloader,
                     watch=watch)
        return
    options = gunicorn_options(settings, host=host, port=port, workers=workers)
    if reloader is not None:
        options.update(gunicorn_hooks(reloader, watch=watch))
    _Gunicorn(app, options).run()


def gunicorn_options(settings: Settings, *, host: str, port: int, workers: int) -> dict[str, object]:
    """The gunicorn configuration; worker class and threads come from the settings, chosen by the
    measurements in docs/performance.md."""
    if settings.worker_class not in {"gthread", "sync"}:
        raise ConfigError(f"setting worker_class: {settings.worker_class!r} is not 'gthread' or 'sync'")
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": settings.worker_class,
        "threads": max(1, settings.threads),
        "preload_app": True,  # fork after loading: workers share the data copy-on-write
        "keepalive": 5,
        "timeout": 60,
        "accesslog": "-" if settings.access_log else None,
        "forwarded_allow_ips": "",  # X-Forwarded-* are ProxyFix's job (setting trusted_proxies)
        "control_socket_disable": True,  # no management socket in $HOME shared by every server
        "limit_request_line": 8190,  # gunicorn's maximum; the app answers 414 above max_url_bytes
    }


def _run_granian(app: object, settings: Settings, *, host: str, port: int, workers: int,
                 reloader: Reloader | None, watch: bool) -> None:
    server = _Granian("regiold", address=host, port=port, interface=Interfaces.WSGI,
                      workers=workers, blocking_threads=max(1, settings.threads), websockets=False,
                      log_access=settings.access_log, respawn_failed_workers=True,
                      respawn_interval=RESPAWN_INTERVAL, workers_kill_timeout=KILL_TIMEOUT)
    if reloader is not None:
        server.on_startup(lambda: master_ready(reloader, watch=watch))
        server.on_reload(lambda: reload_in_master(reloader))
    server.serve(target_loader=lambda *_: app)  # workers fork from here and serve this app


class _Granian(GranianServer):  # type: ignore[misc]
    """granian with two changes that keep requests from failing when a worker goes (reload,
    crash). Both override private methods; the dependency is pinned to granian 2.8."""

    def _init_shared_socket(self) -> None:
        super()._init_shared_socket()
        if self._shd is None:  # Linux: a SO_REUSEPORT socket per worker, whose queue dies with it
            self._shd = self._ssp.build()  # one listening socket, held by the master, shared
            self._sfd, self._ssp = self._shd.get_fd(), None
            self._sso = socket.socket(fileno=self._sfd)
            self._sso.set_inheritable(True)

    def _reload(self, spawn_target: object, target_loader: object) -> None:
        """As gunicorn does: run the reload hook, fork every fresh worker, then retire the old
        ones (granian itself replaces one worker at a time, serving two versions for seconds)."""
        self.reload_signal = False
        self.main_loop_interrupt.clear()
        self._call_hooks(self.hooks_reload)
        retiring, self.wrks = self.wrks, []
        for idx in range(self.workers):
            worker = self._spawn_worker(idx=idx, target=spawn_target, callback_loader=target_loader)
            worker.start()
            self.wrks.append(worker)
        time.sleep(self.respawn_interval)
        for worker in retiring:
            worker.terminate()  # graceful: running requests finish
        for worker in retiring:
            worker.join(self.workers_kill_timeout)
            if worker.is_alive():
                worker.kill()
                worker.join()
        # A reload is not a crash: a worker dying soon after it is replaced, not taken for a
        # crash loop that stops the whole server.
        self.respawned_wrks.clear()
