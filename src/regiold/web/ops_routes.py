"""Operational routes: liveness (``/health``) and readiness (``/ready``).

``/health`` answers as long as the process serves requests. ``/ready`` answers 200 only when the
store answers a trivial query; it shows the data version, the triple count and the last reload.
"""

from __future__ import annotations

import contextlib

from flask import Blueprint, Response, current_app, jsonify

from regiold.errors import RegioldError
from regiold.web.context import current_site

bp = Blueprint("ops", __name__)
RETRY_AFTER = 5
PING_TIMEOUT = 2.0  # seconds; a probe must answer faster than the orchestrator gives up


@bp.get("/health")
def health() -> Response:
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ready")
def ready() -> Response:
    site = current_site()  # one version for the whole answer, even if a reload swaps meanwhile
    body: dict[str, object] = {"status": "ready", "version": site.version}
    status = 200
    data_version = getattr(site.store, "data_version", None)  # remote: what `regiold load` put
    budget = getattr(site.store, "budget", None)  # remote: the probe's queries within its time
    try:
        with budget(PING_TIMEOUT) if budget is not None else contextlib.nullcontext():
            site.store.ping(PING_TIMEOUT)
            if data_version is not None:
                body["store_version"] = data_version()
        if "ops.triples" not in site.cache:  # once per version: may take longer on a large store
            site.cache["ops.triples"] = site.store.triple_count()
        body.update(triples=site.cache["ops.triples"], store="ok")
    except RegioldError as exc:
        current_app.logger.warning("not ready: store unavailable: %s", exc)
        body.update(status="unavailable", store="unreachable")
        status = 503
    reloader = current_app.extensions.get("regiold.reloader")
    if reloader is not None and reloader.last is not None:
        body["reload"] = reloader.last.public()
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
