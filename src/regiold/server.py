"""Run the Flask app under gunicorn, preloaded: workers fork from a parent that already holds
the parsed, validated data, so they share it copy-on-write."""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication

from . import create_app
from .errors import ConfigError
from .reload import gunicorn_hooks
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


def run_gunicorn(settings: Settings, site: Site, *, host: str, port: int, workers: int,
                 watch: bool = False) -> None:
    """Serve until stopped; SIGHUP (or, with ``watch``, a change of the files) reloads the data."""
    app = create_app(settings, site=site)
    gc.freeze()  # the loaded data never becomes garbage: keep the collector off it
    options = gunicorn_options(settings, host=host, port=port, workers=workers)
    _Gunicorn(app, {**options, **gunicorn_hooks(app.extensions["regiold.reloader"], watch=watch)}).run()


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
        "accesslog": "-",
        "forwarded_allow_ips": "",  # X-Forwarded-* are ProxyFix's job (setting trusted_proxies)
        "control_socket_disable": True,  # no management socket in $HOME shared by every server
        "limit_request_line": 8190,  # gunicorn's maximum; the app answers 414 above max_url_bytes
    }
