"""The framework ceiling: Flask under regiold's own gunicorn configuration, returning a constant
5 KB body. ``python bench/const_app.py PORT WORKER_CLASS WORKERS``."""

from __future__ import annotations

import sys

from flask import Flask, Response

from regiold.server import _Gunicorn, gunicorn_options
from regiold.settings import Settings

BODY = (b"<!doctype html><title>constant</title>" + b"x" * 5000)[:5120]


def make_app() -> Flask:
    app = Flask(__name__)

    @app.get("/<path:path>")
    def constant(path: str) -> Response:
        return Response(BODY, content_type="text/html; charset=utf-8")

    return app


if __name__ == "__main__":
    port, worker_class, workers = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    settings = Settings.load({"worker_class": worker_class}, environ={})
    _Gunicorn(make_app(), gunicorn_options(settings, host="127.0.0.1", port=port, workers=workers)).run()
