"""The dataset page as a data user reads it: the first screen offers every download the dataset
description (VoID/DCAT) names, in both languages, each linked to its file."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
import rdflib

from conftest import shared_dir
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


SDO = rdflib.Namespace("https://schema.org/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def embedded(client, path: str) -> dict:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block)


@cache
def schema_org() -> rdflib.Graph:
    return rdflib.Graph().parse(shared_dir() / "vocab" / "schemaorg-30.0-current-https.ttl")


def within_domains(node: object) -> list[str]:
    """(type, property) pairs whose property schema.org does not allow on that type."""
    vocab, wrong = schema_org(), []
    if isinstance(node, list):
        return [w for item in node for w in within_domains(item)]
    if not isinstance(node, dict):
        return []
    kinds = (set(vocab.transitive_objects(SDO[node["@type"]], rdflib.RDFS.subClassOf))
             if "@type" in node else set())
    for key, value in node.items():
        if not key.startswith("@"):
            if kinds and not kinds & set(vocab.objects(SDO[key], SDO.domainIncludes)):
                wrong.append(f"{node['@type']}.{key}")
            wrong += within_domains(value)
    return wrong


def test_search_engines_see_the_dataset_with_its_licence_and_downloads(client) -> None:
    """Google's Dataset structured data (schema.org Dataset, what Dataset Search reads): the
    licence, and each download as a DataDownload with its URL and format, as the description
    (VoID/DCAT, read independently) states them; the page shows all of them."""
    void = rdflib.Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                                format="turtle")
    dataset = rdflib.URIRef(BASE + "dataset")
    data = embedded(client, "/dataset")
    assert data["@type"] == "Dataset" and within_domains(data) == []
    assert data["license"] == str(void.value(dataset, DCT.license))
    expected = {(str(void.value(d, DCAT.downloadURL)),
                 str(void.value(d, DCAT.mediaType)).rsplit("media-types/")[-1])
                for d in void.objects(dataset, DCAT.distribution) if void.value(d, DCAT.downloadURL)}
    assert len(expected) == 5
    assert {(d["contentUrl"], d["encodingFormat"]) for d in data["distribution"]} == expected
    assert {d["@type"] for d in data["distribution"]} == {"DataDownload"}
    assert data["includedInDataCatalog"]["@id"] == BASE + "catalog"


def test_the_catalog_is_a_data_catalog_not_a_dataset(client) -> None:
    """schema.org maps dcat:Catalog to DataCatalog; marked as a Dataset, the catalog would be
    listed by Dataset Search as a second dataset."""
    data = embedded(client, "/catalog")
    assert data["@type"] == "DataCatalog" and within_domains(data) == []
    assert [d["@id"] for d in data["dataset"]] == [BASE + "dataset"]


@pytest.mark.parametrize("lang", labels.LANGS)
def test_a_shared_node_is_shown_where_a_property_leads_to_it(client, lang: str) -> None:
    """The SPARQL service is the SPARQL distribution's access service, and it shares the dataset's
    publisher: the page shows it under the distribution, not inside the publisher's box (as
    "publisher of", which put the whole service and distribution under "Publisher")."""
    import html5lib

    page = client.get(f"/dataset?lang={lang}", headers={"Accept": "text/html"}).get_data(as_text=True)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    by_id = {el.get("id"): el for el in tree.iter() if el.get("id")}
    inside = {name: {el.get("id") for el in by_id[name].iter()} for name in
              ("dataset-publisher", "dataset-sparql")}
    assert "dataset-sparql-service" not in inside["dataset-publisher"], inside
    assert "dataset-sparql-service" in inside["dataset-sparql"], inside
