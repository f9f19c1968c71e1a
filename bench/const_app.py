"""The framework ceiling: Flask under regiold's own server configuration, returning a constant
5 KB body. ``python bench/const_app.py PORT WORKERS [NAME=VALUE settings, e.g. server=granian]``."""

from __future__ import annotations

import sys

from flask import Flask, Response

from regiold.serve.gunicorn import serve_wsgi
from regiold.settings import Settings

BODY = (b"<!doctype html><title>constant</title>" + b"x" * 5000)[:5120]


def make_app() -> Flask:
    app = Flask(__name__)

    @app.get("/<path:path>")
    def constant(path: str) -> Response:
        return Response(BODY, content_type="text/html; charset=utf-8")

    return app


if __name__ == "__main__":
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    settings = Settings.load(dict(arg.split("=", 1) for arg in sys.argv[3:]), environ={})
    serve_wsgi(make_app(), settings, host="127.0.0.1", port=port, workers=workers)
