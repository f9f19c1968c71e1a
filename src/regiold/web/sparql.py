"""The SPARQL endpoint and search routes (see docs/SECURITY.md for their limits)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("endpoint", __name__)
