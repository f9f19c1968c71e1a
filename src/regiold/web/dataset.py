"""Dataset-level routes: VoID, the DCAT catalog, dumps, robots.txt and sitemap.xml."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dataset", __name__)
