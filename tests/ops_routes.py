"""Every route the app has (including ones added later), as sample URLs to probe."""

from __future__ import annotations

import re

from flask import Flask

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
EXTRA = ("/org/alpha", "/org/alpha.ttl", "/org/alpha.jsonld", "/org/alpha.html", "/org/alpha.nt",
         "/org/alpha.rdf", "/dumps/regionen-nrw.ttl", "/person/anna-beispiel", "/nope",
         "/sparql?query=ASK%7B%7D", "/search?q=alpha")


def _sample(match: re.Match[str]) -> str:
    converter, name = match.group(1), match.group(2)
    if converter == "path":
        return "org/alpha"
    if converter in {"int", "float"}:
        return "1"
    return {"ext": "ttl", "suffix": "ttl", "fmt": "ttl", "format": "ttl"}.get(name, "alpha")


def sample_urls(app: Flask) -> list[str]:
    urls = {_ARGUMENT.sub(_sample, rule.rule) for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ())}
    return sorted(urls | set(EXTRA))
