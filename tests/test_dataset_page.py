"""The dataset page as a data user reads it: the first screen offers every download the dataset
description (VoID/DCAT) names, in both languages, each linked to its file."""

from __future__ import annotations

import re

import pytest
import rdflib

from regiold.publish import labels

BASE = "https://w3id.org/regionen-nrw/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module")
def client(repo_app):
    return repo_app.test_client()


@pytest.mark.parametrize("lang", labels.LANGS)
def test_the_first_screen_offers_every_dump(client, lang: str) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                format="turtle")
    files = {"/" + str(url)[len(BASE):] for url in void.objects(None, DCAT.downloadURL)
             if str(url).startswith(BASE + "dumps/")}
    assert len(files) == 5, files
    page = client.get(f"/dataset?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
    word = re.escape(labels.UI[lang]["downloads"])
    (row,) = re.findall(rf"<dt>{word}</dt>\s*<dd>(.*?)</dd>", page, re.S)[:1]
    offered = set(re.findall(r'href="([^"?]+)', row))
    assert files <= offered, (files - offered, offered)
