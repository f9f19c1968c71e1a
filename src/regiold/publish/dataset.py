"""The dataset as a described resource: VoID + DCAT-AP.de description, dumps, sitemap entries.

Static metadata (title, description, publisher, licence, catalog) comes from the data
(``data/dataset.ttl``); everything that depends on the loaded data or the base IRI is computed here
once per data version: statistics, partitions, vocabularies, dumps with their sizes and checksums.
The generated description lives in its own named graph ``{base}graph/void`` so that SPARQL and the
``dataset`` page show it too. RDF keeps canonical IRIs (``{base}dumps/…``, ``{base}sparql``); the web
layer maps them to the serving host. No Flask here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from regiold.errors import ConfigError
from regiold.ingest.sources import Sources
from regiold.publish.graphs import describe_graphs, graph_sizes, with_own_graph, without_graphs
from regiold.publish.render import make_etag
from regiold.rdf.formats import JSONLD, N3, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from regiold.rdf.namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    RDF,
    RDFS,
    SDO,
    SKOS,
    VCARD,
    VOID,
    XSD,
    site_prefixes,
)
from regiold.rdf.serialize import serialize
from regiold.store import Store
from regiold.store.snapshot import prune_versions

if TYPE_CHECKING:
    from regiold.publish import render as render_mod
    from regiold.publish.site import Site
    from regiold.settings import Settings

VOID_GRAPH = "graph/void"  # relative to the base IRI
DATASET, CATALOG = "dataset", "catalog"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "http://www.iana.org/assignments/media-types/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
SHA256 = ox.NamedNode(SPDX + "checksumAlgorithm_sha256")
DCAT_VERSION = ox.NamedNode(f"{DCAT}version")  # DCAT 3; rdflib's DCAT namespace predates it
DCAT_HAS_VERSION = ox.NamedNode(f"{DCAT}hasVersion")
DCAT_AVAILABILITY = ox.NamedNode("http://data.europa.eu/r5r/availability")  # DCAT-AP's own term
# rewritten with every data version at the same URL: available, not "stable" (kept unchanged)
AVAILABLE = ox.NamedNode(f"{EU_AUTHORITY}planned-availability/AVAILABLE")
SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's limit per file
KEPT_VERSIONS = 4  # dump folders kept in the cache (current included)
_CACHE_KEY = "regiold.dataset"
_MANIFEST = "manifest.json"
_MANIFEST_FORMAT = 3  # 3: per-graph triple counts


@dataclass(frozen=True)
class Dump:
    """One downloadable serialisation of the whole dataset."""

    suffix: str  # after the stem: "ttl" → regionen-nrw.ttl
    format: Format
    compressed: bool = False  # gzip file, served as application/gzip
    label_de: str = ""
    label_en: str = ""

    @property
    def named_graphs(self) -> bool:
        """TriG and N-Quads keep one named graph per source file."""
        return self.format in (TRIG, NQUADS)

    @property
    def content_type(self) -> str:
        return "application/gzip" if self.compressed else self.format.content_type

    @property
    def eu_file_type(self) -> str:
        return f"{EU_AUTHORITY}file-type/{_EU_FILE_TYPES[self.format.key]}"


# Turtle first: the default. The same RDF formats as every resource.
VOID_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML, N3, TRIG, NQUADS)

_EU_FILE_TYPES = {"ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES", "jsonld": "JSON_LD",
                  "trig": "RDF_TRIG", "nq": "RDF_N_QUADS", "rdf": "RDF_XML"}

DUMPS: tuple[Dump, ...] = (
    Dump("ttl", TURTLE, label_de="Turtle", label_en="Turtle"),
    Dump("nt.gz", NTRIPLES, compressed=True, label_de="N-Triples (gzip)", label_en="N-Triples (gzip)"),
    Dump("jsonld", JSONLD, label_de="JSON-LD", label_en="JSON-LD"),
    Dump("trig", TRIG, label_de="TriG (ein Graph je Quelldatei)",
         label_en="TriG (one graph per source file)"),
    Dump("nq", NQUADS, label_de="N-Quads (ein Graph je Quelldatei)",
         label_en="N-Quads (one graph per source file)"),
)


@dataclass(frozen=True)
class DumpFile:
    dump: Dump
    name: str  # file name, e.g. regionen-nrw.ttl; served at /dumps/{name}
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Statistics:
    """Counts over the published data: the distinct triples of all its named graphs."""

    triples: int
    entities: int  # distinct IRI subjects inside the URI space
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI → instances
    properties: dict[str, int]  # property IRI → triples
    graphs: dict[str, int] = field(default_factory=dict)  # named graph IRI → triples


@dataclass
class DatasetInfo:
    """Everything the web layer needs about the dataset of one Site."""

    base_iri: str
    version: str
    scope: str  # "all", "pages" (persons on pages only) or "open": part of cache keys and ETags
    modified: datetime
    stats: Statistics
    dumps: dict[str, DumpFile]  # by file name
    triples: list[ox.Triple]  # /.well-known/void: graph/void, less a withheld person file's graph
    description: list[ox.Triple]  # static + generated triples about dataset, catalog and their parts
    void_graph: list[ox.Triple] = field(default_factory=list)  # the store's graph/void (all of it)

    def etag(self, what: str) -> str:
        """The ETag (quoted) of ``what`` (``robots``, ``dump-nt.gz`` …): data version and scope."""
        return make_etag(self.version, name=f"{self.scope}-{what}")


# --- building -----------------------------------------------------------------------------------


def publish(settings: Settings, sources: Sources, store: Store, *, cache_dir: Path,
            write_store: bool = True) -> DatasetInfo:
    """Describe the loaded data, write its dumps and (``write_store``) add graph/void to the store.

    A serving process passes ``write_store=False`` for a remote store: only ``regiold load``
    writes there, so a read-only endpoint can back the site.

    Statistics, examples and dumps are computed in one pass over the published quads and kept on
    disk per data version and person policy, so a restart or another worker only reads a manifest.

    :raises ConfigError: when the dumps cannot be written (a full disk), naming the folder;
    :raises OSError: when neither ``cache_dir`` nor a temporary folder can be created.
    """
    base = settings.base_iri
    in_dumps = dumps_include_persons(settings)
    scope = _scope(settings)
    prepared = _prepare_for(settings, sources, cache_dir / "dumps" / f"{sources.version}-{scope}")
    if write_store:
        store.add_graph(base + VOID_GRAPH, [])  # a remote store may keep the last run's description
    static = _static_description(store, base)
    modified = _modified(sources)
    generated = describe(base, prepared.stats, prepared.dumps.values(), static=static,
                         modified=modified, version=sources.version,
                         licences=_licences(static, base), examples=prepared.examples,
                         persons=PersonScope(dumps=in_dumps, sparql=settings.publish_persons),
                         publisher=Publisher(settings.publisher_name, settings.publisher_url),
                         sparql=bool(settings.sparql_link),
                         files={f.graph: f.path.as_posix() for f in sources.files})
    # The document (/.well-known/void, open data like the dumps) names a person's file's graph
    # only when the dumps hold persons; the store's graph/void describes every graph SPARQL lists.
    document = generated if in_dumps else without_graphs(generated, {
        f.graph for f in sources.files if f.personal})
    if write_store:
        store.add_graph(base + VOID_GRAPH, generated)
    description = sorted(_unique([*static, *document]), key=lambda t: str(t.subject))
    return DatasetInfo(base, sources.version, scope, modified, prepared.stats, prepared.dumps,
                       document, description, generated)


def dumps_include_persons(settings: Settings) -> bool:
    """Person data go into the bulk dumps only when published at all and asked for: open-data
    files are not the place for them by default (setting ``dump_persons``)."""
    return settings.publish_persons and settings.dump_persons


def _prepare_for(settings: Settings, sources: Sources, folder: Path) -> Prepared:
    """The dumps under the person-data settings; statistics of what the pages and SPARQL serve."""
    in_dumps, served = dumps_include_persons(settings), settings.publish_persons
    return prepare(lambda: sources.published_quads(include_persons=in_dumps), settings.base_iri,
                   folder=folder, served=None if in_dumps == served else
                   (lambda: sources.published_quads(include_persons=served)))


def _scope(settings: Settings) -> str:
    """What the served data hold, for cache keys and ETags: pages/SPARQL and dumps may differ."""
    if not settings.publish_persons:
        return "open"
    return "all" if settings.dump_persons else "pages"


def info(site: Site) -> DatasetInfo:
    """The DatasetInfo of a Site (computed on first use when the Site was not built by load_site)."""
    found = site.cache.get(_CACHE_KEY)
    if not isinstance(found, DatasetInfo):

        found = publish(site.settings, site.sources, site.store, cache_dir=site.settings.cache_dir)
        site.cache[_CACHE_KEY] = found
    return found


def remember(site: Site, dataset_info: DatasetInfo) -> None:
    site.cache[_CACHE_KEY] = dataset_info


@dataclass(frozen=True)
class Prepared:
    """What one data version yields once: dumps, statistics, example resources."""

    dumps: dict[str, DumpFile]
    stats: Statistics
    examples: list[str]


def analyse(triples: Iterable[ox.Triple], base: str, *, limit: int = 3) -> tuple[Statistics, list[str]]:
    """VoID statistics and example resources of distinct ``triples``, in one pass.

    Examples: the first IRI (in code-point order) under the base, without fragment, of each of the
    most frequent classes; metadata and vocabulary classes and persons are skipped.
    """
    subjects: set[object] = set()
    objects: set[object] = set()
    properties: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    first: dict[str, str] = {}
    entities: set[str] = set()
    count = 0
    rdf_type = _n(RDF.type)
    for subject, predicate, obj in triples:  # each attribute access builds an object: unpack once
        count += 1
        subjects.add(subject)
        objects.add(obj)
        properties[predicate.value] += 1
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(base):
            entities.add(subject.value)
        if predicate == rdf_type and isinstance(obj, ox.NamedNode):
            cls = obj.value
            classes[cls] += 1
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(base) \
                    and "#" not in subject.value and subject.value < first.get(cls, "\U0010ffff"):
                first[cls] = subject.value
    stats = Statistics(triples=count, entities=len(entities), distinct_subjects=len(subjects),
                       distinct_objects=len(objects), classes=dict(classes),
                       properties=dict(properties))
    skipped = (str(DCAT), str(VOID), str(OWL), str(RDFS), str(SKOS), str(SDO.Person))
    ranked = sorted((c for c in first if not c.startswith(skipped)), key=lambda c: (-classes[c], c))
    examples = list(dict.fromkeys(first[c] for c in ranked))[:limit]
    return stats, examples


@dataclass(frozen=True)
class PersonScope:
    """Which distributions hold person data (``data/people/``); their rights statements say so."""

    dumps: bool = False
    sparql: bool = True


# dct:rights of a distribution: what the open licence (dct:license) covers in it.
RIGHTS = {
    False: ("dataset#rights-open",
            "Enthält keine Personendaten. Alle Angaben stehen unter der angegebenen offenen Lizenz.",
            "Contains no person data. Everything is under the stated open licence."),
    True: ("dataset#rights-with-persons",
           "Enthält außer den offenen Angaben dienstliche Kontaktdaten von Ansprechpersonen (Name, "
           "akademischer Titel, dienstliche Telefonnummer und E-Mail-Adresse), veröffentlicht wie "
           "auf der Quellseite. Die offene Lizenz gilt nur für die übrigen Angaben: Die Personendaten "
           "sind keine offenen Daten und dürfen nicht als solche weiterverbreitet werden.",
           "Besides the open statements, contains the official contact data of contact persons "
           "(name, academic title, office phone and e-mail), published as on the source page. The "
           "open licence covers only the other statements: the person data are not open data and "
           "must not be redistributed as such."),
}


@dataclass(frozen=True)
class Publisher:
    """Whoever runs the instance (settings ``publisher_name``, ``publisher_url``): the data say who
    stated each fact (their sources), not who publishes this copy of them."""

    name: str
    url: str = ""


def describe(base: str, stats: Statistics, dumps: Iterable[DumpFile], *, static: Sequence[ox.Triple],
             modified: datetime, version: str, licences: Sequence[ox.NamedNode],
             examples: Sequence[str] = (), persons: PersonScope = PersonScope(),
             publisher: Publisher | None = None, sparql: bool = True,
             files: Mapping[str, str] | None = None) -> list[ox.Triple]:
    """The generated VoID + DCAT triples (canonical IRIs under ``base``): the whole content of
    graph/void, which describes itself and each named graph of ``stats`` (``files``: graph IRI →
    source file path, their labels; ``publish.graphs``).

    ``sparql``: whether the data can be queried at ``{base}sparql`` (False for a static export
    built without ``--sparql-url``, setting ``sparql_link`` empty): no endpoint is promised that
    would answer 404.
    """
    out = _Triples(base)
    ds, catalog = out.iri(DATASET), _catalog(static, base)
    stated = {(t.subject, t.predicate) for t in static}
    out.add(ds, RDF.type, DCAT.Dataset, VOID.Dataset)
    out.add(catalog, RDF.type, DCAT.Catalog)
    out.add(catalog, DCAT.dataset, ds)
    publishers = _objects(static, ds, DCTERMS.publisher)
    contacts: list[ox.NamedNode] = []
    if publisher is not None:
        publishers, contacts = [_publisher(out, publisher)], [_contact(out, publisher)]
        for node in (ds, catalog):
            out.add(node, DCTERMS.publisher, *publishers)
        out.add(ds, DCAT.contactPoint, *contacts)
    _catalog_context(out, catalog, ds, static)
    out.add(ds, VOID.uriSpace, ox.Literal(base))
    for name, value in (("triples", stats.triples), ("entities", stats.entities),
                        ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects),
                        ("classes", len(stats.classes)), ("properties", len(stats.properties))):
        out.add(ds, VOID[name], _integer(value))
    for vocabulary in sorted(vocabularies(stats)):
        out.add(ds, VOID.vocabulary, ox.NamedNode(vocabulary))
    if (ds, _n(VOID.exampleResource)) not in stated:
        for example in examples:
            out.add(ds, VOID.exampleResource, ox.NamedNode(example))
    when = ox.Literal(modified.isoformat(), datatype=_n(XSD.dateTime))
    for node in (ds, catalog):
        if (node, _n(DCTERMS.modified)) not in stated:
            out.add(node, DCTERMS.modified, when)
    if (ds, DCAT_VERSION) not in stated:
        out.add(ds, DCAT_VERSION, ox.Literal(version))
    _partitions(out, ds, stats)
    _distributions(out, ds, list(dumps), when, licences, _rights(out, persons.dumps))
    agents = _Agents(licences, publishers, contacts)
    topics = [*_values(static, ds, DCAT.keyword), *_values(static, ds, DCAT.theme)]
    if sparql:
        _sparql_service(out, ds, catalog, agents, topics, _rights(out, persons.sparql))
    _versions(out, ds, static, agents)
    _authority_schemes(out, [*static, *out.triples])
    out.triples += describe_graphs(ds, stats.graphs, files or {})
    return with_own_graph(base + VOID_GRAPH, _unique(out.triples))


def _versions(out: _Triples, ds: ox.NamedNode, static: Sequence[ox.Triple], agents: _Agents) -> None:
    """Each released version (``dcat:hasVersion``, written by ``regiold release``) is a
    ``dcat:Dataset`` of its own, as DCAT-AP.de 3.0 requires: titled by its label, described,
    licensed, placed, themed and published like the dataset."""
    shared = (DCTERMS.description, DCTERMS.license, DCAT.keyword, DCAT.theme, DCTERMS.spatial)
    for version in _objects(static, ds, DCAT_HAS_VERSION):
        out.add(version, RDF.type, DCAT.Dataset)
        out.add(version, DCTERMS.title, *_values(static, version, RDFS.label))
        for predicate in shared:
            out.add(version, predicate, *_values(static, ds, predicate))
        out.add(version, DCTERMS.publisher, *agents.publishers)
        out.add(version, DCAT.contactPoint, *agents.contacts)


def _catalog_context(out: _Triples, catalog: ox.NamedNode, ds: ox.NamedNode,
                     static: Sequence[ox.Triple]) -> None:
    """What follows for the catalog from the data: its home page (the site), the theme table its
    dataset uses, the dataset's place, and its first release (the oldest version's issue date)."""
    out.add(catalog, FOAF.homepage, out.iri(""))
    out.add(catalog, DCAT.themeTaxonomy, ox.NamedNode(EU_AUTHORITY + "data-theme"))
    out.add(catalog, DCTERMS.spatial, *_values(static, ds, DCTERMS.spatial))
    issued = sorted(value for version in _objects(static, ds, DCAT_HAS_VERSION)
                    for value in _values(static, version, DCTERMS.issued))
    out.add(catalog, DCTERMS.issued, *issued[:1])


def _contact(out: _Triples, publisher: Publisher) -> ox.NamedNode:
    """The contact point: whoever runs the instance, reached through their web page (without
    ``publisher_url``: this site, which they run)."""
    node = out.iri(f"{DATASET}#contact")
    out.add(node, RDF.type, VCARD.Organization)
    out.add(node, VCARD.fn, ox.Literal(publisher.name))
    out.add(node, VCARD.hasURL, ox.NamedNode(publisher.url) if publisher.url else out.iri(""))
    return node


def _values(triples: Sequence[ox.Triple], subject: ox.NamedNode,
            predicate: object) -> list[ox.NamedNode | ox.Literal]:
    p = _n(predicate)
    return [t.object for t in triples if t.subject == subject and t.predicate == p  # type: ignore[misc]
            and isinstance(t.object, ox.NamedNode | ox.Literal)]


def _publisher(out: _Triples, publisher: Publisher) -> ox.NamedNode:
    node = out.iri(f"{DATASET}#publisher")
    out.add(node, RDF.type, FOAF.Agent)
    out.add(node, FOAF.name, ox.Literal(publisher.name))
    if publisher.url:
        out.add(node, FOAF.homepage, ox.NamedNode(publisher.url))
    return node


def vocabularies(stats: Statistics) -> set[str]:
    """The namespace of every property and class used."""
    return {namespace(iri) for iri in (*stats.properties, *stats.classes)}


def namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def _partitions(out: _Triples, ds: ox.NamedNode, stats: Statistics) -> None:
    for cls, count in sorted(stats.classes.items()):
        part = out.iri(f"{DATASET}#class-{_fragment(cls, out.base)}")
        out.add(ds, VOID.classPartition, part)
        out.add(part, VOID["class"], ox.NamedNode(cls))
        out.add(part, VOID.entities, _integer(count))
    for prop, count in sorted(stats.properties.items()):
        part = out.iri(f"{DATASET}#property-{_fragment(prop, out.base)}")
        out.add(ds, VOID.propertyPartition, part)
        out.add(part, VOID.property, ox.NamedNode(prop))
        out.add(part, VOID.triples, _integer(count))


def _rights(out: _Triples, with_persons: bool) -> ox.NamedNode:
    """The rights statement for a distribution with or without person data (stated once)."""
    path, de, en = RIGHTS[with_persons]
    node = out.iri(path)
    out.add(node, RDF.type, DCTERMS.RightsStatement)
    out.add(node, RDFS.label, ox.Literal(de, language="de"), ox.Literal(en, language="en"))
    return node


def _distributions(out: _Triples, ds: ox.NamedNode, dumps: list[DumpFile], when: ox.Literal,
                   licences: Sequence[ox.NamedNode], rights: ox.NamedNode) -> None:
    for file in dumps:
        dump = file.dump
        url = out.iri(f"dumps/{file.name}")
        dist = out.iri(f"{DATASET}#dump-{dump.suffix.replace('.', '-')}")
        out.add(ds, VOID.dataDump, url)
        out.add(ds, DCAT.distribution, dist)
        out.add(dist, RDF.type, DCAT.Distribution)
        out.add(dist, DCTERMS.title, ox.Literal(f"Gesamtabzug als {dump.label_de}", language="de"),
                ox.Literal(f"Full dump as {dump.label_en}", language="en"))
        out.add(dist, DCTERMS.description,
                ox.Literal(f"Der ganze Datensatz in einer Datei ({dump.label_de}).", language="de"),
                ox.Literal(f"The whole dataset in one file ({dump.label_en}).", language="en"))
        out.add(dist, DCAT_AVAILABILITY, AVAILABLE)
        out.add(dist, DCAT.downloadURL, url)
        out.add(dist, DCAT.accessURL, url)
        out.add(dist, DCAT.mediaType, ox.NamedNode(IANA + dump.format.media_type))
        out.add(dist, DCTERMS["format"], ox.NamedNode(dump.eu_file_type))
        if dump.compressed:
            out.add(dist, DCAT.compressFormat, ox.NamedNode(IANA + "application/gzip"))
        out.add(dist, DCAT.byteSize, ox.Literal(str(file.size), datatype=_n(XSD.nonNegativeInteger)))
        out.add(dist, DCTERMS.modified, when)
        out.add(dist, DCTERMS.license, *licences)
        out.add(dist, DCTERMS.rights, rights)
        checksum = out.iri(f"{DATASET}#dump-{dump.suffix.replace('.', '-')}-checksum")
        out.add(dist, ox.NamedNode(SPDX + "checksum"), checksum)
        out.add(checksum, RDF.type, ox.NamedNode(SPDX + "Checksum"))
        out.add(checksum, ox.NamedNode(SPDX + "algorithm"), SHA256)
        out.add(checksum, ox.NamedNode(SPDX + "checksumValue"),
                ox.Literal(file.sha256, datatype=_n(XSD.hexBinary)))


    if dumps:  # an individual of the SPDX ontology; stated so offline validators can check it
        out.add(SHA256, RDF.type, ox.NamedNode(SPDX + "ChecksumAlgorithm"))


def _sparql_service(out: _Triples, ds: ox.NamedNode, catalog: ox.NamedNode,
                    agents: _Agents, topics: Sequence[ox.NamedNode | ox.Literal],
                    rights: ox.NamedNode) -> None:
    endpoint = out.iri("sparql")
    service = out.iri(f"{DATASET}#sparql-service")
    dist = out.iri(f"{DATASET}#sparql")
    out.add(ds, VOID.sparqlEndpoint, endpoint)
    out.add(catalog, DCAT.service, service)
    out.add(service, RDF.type, DCAT.DataService)
    out.add(service, DCTERMS.title, ox.Literal("SPARQL-Endpunkt", language="de"),
            ox.Literal("SPARQL endpoint", language="en"))
    out.add(service, DCAT.endpointURL, endpoint)
    out.add(service, DCAT.endpointDescription, endpoint)  # answers with a Service Description
    out.add(service, DCAT.servesDataset, ds)
    out.add(service, DCTERMS.conformsTo, ox.NamedNode(SPARQL_PROTOCOL))
    out.add(service, DCTERMS.license, *agents.licences)
    out.add(service, DCTERMS.publisher, *agents.publishers)
    out.add(service, DCAT.contactPoint, *agents.contacts)
    for topic in topics:  # the dataset's keywords and themes: the service serves only it
        out.add(service, DCAT.keyword if isinstance(topic, ox.Literal) else DCAT.theme, topic)
    out.add(ds, DCAT.distribution, dist)
    out.add(dist, RDF.type, DCAT.Distribution)
    out.add(dist, DCTERMS.title, ox.Literal("Abfrage über SPARQL", language="de"),
            ox.Literal("Query by SPARQL", language="en"))
    out.add(dist, DCAT.accessURL, endpoint)
    out.add(dist, DCAT.accessService, service)
    out.add(dist, DCTERMS.description,
            ox.Literal("Der ganze Datensatz, abzufragen mit SPARQL 1.1 (nur lesend).", language="de"),
            ox.Literal("The whole dataset, to query with SPARQL 1.1 (read-only).", language="en"))
    out.add(dist, DCAT_AVAILABILITY, AVAILABLE)
    out.add(dist, DCTERMS["format"], ox.NamedNode(f"{EU_AUTHORITY}file-type/SPARQLQ"))
    out.add(dist, DCTERMS.license, *agents.licences)
    out.add(dist, DCTERMS.rights, rights)


def _authority_schemes(out: _Triples, triples: Iterable[ox.Triple]) -> None:
    """State the scheme of each code-list concept used (``…/authority/{table}/{code}``, geocoding
    levels) and that a ``dct:spatial`` code names a ``dct:Location``.

    These facts follow from the IRIs; stating them lets DCAT-AP.de validators that cannot load the
    tables (offline) still check that formats, languages and themes come from the right table.
    """
    for t in list(triples):
        value = t.object
        if not isinstance(value, ox.NamedNode):
            continue
        if value.value.startswith(EU_AUTHORITY):
            table = value.value[len(EU_AUTHORITY):].split("/")
            if len(table) == 2 and table[1]:
                out.add(value, SKOS.inScheme, ox.NamedNode(EU_AUTHORITY + table[0]))
        elif value.value.startswith(GEOCODING_LEVEL + "/"):
            out.add(value, SKOS.inScheme, ox.NamedNode(GEOCODING_LEVEL))
        if t.predicate == _n(DCTERMS.spatial):  # a place, named by a code list (dct:Location)
            out.add(value, RDF.type, DCTERMS.Location)


def _static_description(store: Store, base: str) -> list[ox.Triple]:
    """Stated triples about the dataset, the catalog, their hash-IRI parts and their agents."""
    roots = f"<{base}{DATASET}> <{base}{CATALOG}>"
    in_dataset, in_catalog = (f'"{_sparql_string(base + name)}#"' for name in (DATASET, CATALOG))
    # the roots' own triples, and those of hash-IRI nodes they link to (e.g. dataset#contact)
    return store.construct(f"""
        CONSTRUCT {{ ?s ?p ?o }} WHERE {{
          VALUES ?root {{ {roots} }}
          {{ ?root ?p ?o BIND(?root AS ?s) }}
          UNION
          {{ ?root ?link ?s . ?s ?p ?o
             FILTER(isIRI(?s) && (STRSTARTS(STR(?s), {in_dataset})
                                  || STRSTARTS(STR(?s), {in_catalog}))) }}
          UNION
          {{ ?root <{DCAT_HAS_VERSION.value}> ?s . ?s ?p ?o }}
        }}""") + store.construct(f"""
        PREFIX dct: <{DCTERMS}> PREFIX foaf: <{FOAF}> PREFIX rdf: <{RDF}>
        CONSTRUCT {{ ?agent ?p ?o }} WHERE {{
          VALUES ?s {{ <{base}{DATASET}> <{base}{CATALOG}> }}
          ?s dct:publisher|dct:creator|dct:rightsHolder ?agent .
          ?agent ?p ?o . VALUES ?p {{ rdf:type foaf:name dct:type }}
        }}""")


@dataclass(frozen=True)
class _Agents:
    licences: Sequence[ox.NamedNode]
    publishers: Sequence[ox.NamedNode]
    contacts: Sequence[ox.NamedNode] = ()


def _licences(static: Sequence[ox.Triple], base: str) -> list[ox.NamedNode]:
    return _objects(static, ox.NamedNode(base + DATASET), DCTERMS.license)


def _objects(triples: Sequence[ox.Triple], subject: ox.NamedNode, predicate: object) -> list[ox.NamedNode]:
    p = _n(predicate)
    return sorted({t.object for t in triples if t.subject == subject and t.predicate == p
                   and isinstance(t.object, ox.NamedNode)}, key=lambda n: n.value)


def _catalog(static: Sequence[ox.Triple], base: str) -> ox.NamedNode:
    for t in static:
        if t.predicate == _n(DCAT.dataset) and t.object == ox.NamedNode(base + DATASET) \
                and isinstance(t.subject, ox.NamedNode):
            return t.subject
    return ox.NamedNode(base + CATALOG)


def _modified(sources: Sources) -> datetime:
    """The newest modification time of a source file (stable across restarts and workers).

    Shapes count too: they are part of the data version, so ETag and Last-Modified move together.
    """
    times = [(sources.site_dir / f.path).stat().st_mtime for f in sources.files
             if (sources.site_dir / f.path).exists()]
    stamp = max(times) if times else 0.0
    return datetime.fromtimestamp(int(stamp), tz=UTC)


# --- dumps --------------------------------------------------------------------------------------


def dump_stem(base: str) -> str:
    """File-name stem of the dumps: the last path segment of the base IRI (``regionen-nrw``)."""
    segment = base.rstrip("/#").rsplit("/", 1)[-1]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in segment) or "dataset"


def prepare(published: Callable[[], Sequence[ox.Quad]], base: str, *, folder: Path,
            served: Callable[[], Sequence[ox.Quad]] | None = None) -> Prepared:
    """Write every dump once into ``folder`` and analyse the data (reused when present).

    ``published`` is asked for the quads only when the dumps must be written: a restart with the
    dumps on disk builds no Python object per triple. The statistics describe what is served
    (``served``, when the pages and SPARQL hold more than the dumps: person data), else the dumps.

    Files are written to a temporary sibling and renamed, so concurrent workers never see a
    half-written dump; a folder that cannot be created falls back to a temporary one.
    """
    manifest = _read_manifest(folder)
    if manifest is not None:
        return manifest
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="regiold-dumps-")) / "dumps"
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    stem = dump_stem(base)
    quads = published()
    triples = list(dict.fromkeys(q.triple for q in quads))  # distinct; q.triple is built in Rust
    served_quads = quads if served is None else served()
    stats, examples = analyse(triples if served is None else
                              list(dict.fromkeys(q.triple for q in served_quads)), base)
    stats = replace(stats, graphs=graph_sizes(served_quads))
    try:
        _write_dumps(work, stem, quads, triples, base)
        _write_manifest(work, stem, stats, examples)
    except OSError as exc:  # a full disk: say where, and free what was written
        shutil.rmtree(work, ignore_errors=True)
        raise ConfigError(f"cannot write the dumps to {folder}: {exc}; free space there or set "
                          "cache_dir to another folder") from exc
    if folder.exists() and _read_manifest(folder) is None:  # damaged (a file removed): replace it
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.rename(work, folder)
    except OSError:  # another worker finished first: use its files
        shutil.rmtree(work, ignore_errors=True)
    found = _read_manifest(folder)
    if found is None:
        raise OSError(f"cannot write dumps to {folder}")
    prune_versions(folder, keep=KEPT_VERSIONS)
    return found


def _write_dumps(work: Path, stem: str, quads: Sequence[ox.Quad], triples: Sequence[ox.Triple],
                 base: str) -> None:
    for dump in DUMPS:
        target = work / f"{stem}.{dump.suffix}"
        data: Sequence[ox.Quad] | Sequence[ox.Triple] = quads if dump.named_graphs else triples
        if dump.compressed:
            with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                          compresslevel=6) as zipped:
                serialize(data, dump.format, base, output=zipped)
        else:
            serialize(data, dump.format, base, output=str(target))


def dump_file(site: Site, name: str) -> DumpFile | None:
    """The dump called ``name``, rewritten if its file has gone (e.g. a cleaned cache folder)."""
    described = info(site)
    file = described.dumps.get(name)
    if file is not None and not file.path.exists():
        described.dumps = _prepare_for(site.settings, site.sources, file.path.parent).dumps
        file = described.dumps[name]
    return file


def _write_manifest(folder: Path, stem: str, stats: Statistics, examples: list[str]) -> None:
    entries = {}
    for dump in DUMPS:
        name = f"{stem}.{dump.suffix}"
        path = folder / name
        entries[name] = {"suffix": dump.suffix, "size": path.stat().st_size,
                         "sha256": _sha256(path)}
    manifest = {"format": _MANIFEST_FORMAT, "files": entries, "stats": asdict(stats),
                "examples": examples}
    (folder / _MANIFEST).write_text(json.dumps(manifest))


def _read_manifest(folder: Path) -> Prepared | None:
    try:
        raw = json.loads((folder / _MANIFEST).read_text())
        if raw["format"] != _MANIFEST_FORMAT:
            return None
        by_suffix = {d.suffix: d for d in DUMPS}
        files = {name: DumpFile(by_suffix[e["suffix"]], name, folder / name, e["size"], e["sha256"])
                 for name, e in raw["files"].items()}
        prepared = Prepared(files, Statistics(**raw["stats"]), list(raw["examples"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(files) != len(DUMPS) or not all(
            f.path.exists() and f.path.stat().st_size == f.size for f in files.values()):
        return None
    return prepared


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- representations ----------------------------------------------------------------------------


def void_bytes(site: Site, fmt: Format) -> bytes:
    """The description of the dataset (static + generated) in one RDF format, memoised per Site.

    Serialised like every resource (``rdf/serialize.py``: sorted, with the site's prefixes,
    JSON-LD compacted with the project context), so the server and the static export send the
    same bytes as the resource pages would.
    """
    from regiold.publish import render  # render sits downstream of this module; imported when first used

    key = ("regiold.void", fmt.key)
    cached = site.cache.get(key)
    if not isinstance(cached, bytes):
        if fmt.oxigraph is None:
            raise ValueError(f"{fmt.label} is not an RDF format")
        triples = info(site).description
        cached = (render.jsonld_bytes(triples, site.base_iri) if fmt is JSONLD
                  else serialize(triples, fmt, site.base_iri, stable=True, graph=site.base_iri + VOID_GRAPH))
        site.cache[key] = cached
    return cached


def representation(site: Site, iri: str, fmt: Format, lang: str | None = None,
                   page: int = 1, *, named: bool = False) -> render_mod.Representation:
    """``render.representation``, except that the dataset and the catalog in RDF are the whole
    dataset description, the bytes of ``/.well-known/void``: a harvester that fetches any one of
    them alone gets a description that conforms to DCAT-AP.de on its own, with the terms exactly
    as generated (the store would turn ``xsd:nonNegativeInteger`` sizes into ``xsd:integer``).

    :raises NotFound: unknown IRI or page.
    """
    from regiold.publish import render  # render sits downstream of this module; imported when first used

    if fmt.oxigraph is not None and iri in (site.base_iri + DATASET, site.base_iri + CATALOG):
        body = void_bytes(site, fmt)
        return render.Representation(body, fmt, None, render.format_etag(site.version, body, fmt))
    return render.representation(site, iri, fmt, lang, page, named=named)


# --- sitemap ------------------------------------------------------------------------------------

FIXED_PAGES = ("", "sparql", DATASET, CATALOG)  # pages that exist whatever the data


def page_paths(store: Store, base: str, subjects: Iterable[str] | None = None) -> list[str]:
    """Paths (relative to the base) of every resource with its own HTML page.

    That is every IRI subject under the base, except hash IRIs (they are part of their document),
    named-graph IRIs and dependent nodes of an organisation (``org/{slug}/…``: shown on its page).
    ``subjects``: ``subject_paths(store, base)``, when the caller has read them already.
    """
    paths = {p for p in (subject_paths(store, base) if subjects is None else subjects)
             if has_own_page(p)}
    return sorted(paths | set(FIXED_PAGES))


def subject_paths(store: Store, base: str) -> set[str]:
    """The paths (relative to the base) of every IRI under the base that is a subject."""
    rows = store.select(f"""
        SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
          FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_sparql_string(base)}")) }}""")
    return {r["s"].value[len(base):] for r in rows}


def has_own_page(path: str) -> bool:
    if "#" in path or path.startswith("graph/"):
        return False
    parts = path.split("/")
    return not (parts[0] == "org" and len(parts) > 2)


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, href)


def sitemap_entries(paths: Iterable[str], root_url: str, *, languages: Sequence[str] = ("de", "en"),
                    default_lang: str = "de") -> Iterator[SitemapEntry]:
    """One entry per page and language; each lists every language version (hreflang)."""
    for path in paths:
        url = root_url + quote(path, safe="/:@!$&'()*+,;=-._~%")
        versions = [(lang, url if lang == default_lang else f"{url}?lang={lang}") for lang in languages]
        alternates = (*versions, ("x-default", url))
        for _, href in versions:
            yield SitemapEntry(href, alternates)


def sitemap_xml(entries: Sequence[SitemapEntry], *, lastmod: datetime) -> bytes:
    """A ``urlset`` with hreflang alternates (sitemaps.org + Google's xhtml:link extension)."""
    day = lastmod.date().isoformat()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for entry in entries:
        lines.append(f"<url><loc>{escape(entry.loc)}</loc><lastmod>{day}</lastmod>")
        lines.extend(f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
                     for lang, href in entry.alternates)
        lines.append("</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


def sitemap_index_xml(urls: Sequence[str], *, lastmod: datetime) -> bytes:
    day = lastmod.date().isoformat()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"<sitemap><loc>{escape(u)}</loc><lastmod>{day}</lastmod></sitemap>" for u in urls)
    lines.append("</sitemapindex>\n")
    return "\n".join(lines).encode()


def sitemap_files(entries: Sequence[SitemapEntry], root_url: str, *,
                  lastmod: datetime) -> dict[str, bytes]:
    """``sitemap.xml`` alone, or (above the per-file limit) an index plus ``sitemap-{n}.xml``."""
    size = SITEMAP_MAX_URLS
    if len(entries) <= size:
        return {"sitemap.xml": sitemap_xml(entries, lastmod=lastmod)}
    parts = {f"sitemap-{n}.xml": sitemap_xml(entries[start:start + size], lastmod=lastmod)
             for n, start in enumerate(range(0, len(entries), size), 1)}
    index = sitemap_index_xml([root_url + name for name in parts], lastmod=lastmod)
    return {"sitemap.xml": index, **parts}


def robots_txt(sitemap_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"


# --- static export ------------------------------------------------------------------------------


def export(site: Site, out: Path, root_url: str, *, skip: Iterable[str] = (),
           subjects: Iterable[str] | None = None) -> list[Path]:
    """Write VoID (each RDF format), the dumps, robots.txt and the sitemap under ``out``.

    For ``regiold build``: ``.well-known/void`` (Turtle) and ``.well-known/void.{ext}``,
    ``dumps/{name}``, ``robots.txt``, ``sitemap.xml`` (+ parts). ``root_url`` ends with ``/``.
    Every file equals what the server sends; the sitemap leaves out the pages in ``skip``.
    ``subjects``: ``subject_paths``, when the caller has read them already.
    """
    described = info(site)
    written: list[Path] = []

    def write(rel: str, body: bytes) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        written.append(target)

    for fmt in VOID_FORMATS:
        write(f".well-known/void.{fmt.key}", void_bytes(site, fmt))
    write(".well-known/void", void_bytes(site, VOID_FORMATS[0]))
    for name, file in sorted(described.dumps.items()):
        (out / "dumps").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file.path, out / "dumps" / name)
        written.append(out / "dumps" / name)
    write("robots.txt", robots_txt(root_url + "sitemap.xml").encode())
    paths = [p for p in page_paths(site.store, site.base_iri, subjects) if p not in set(skip)]
    entries = list(sitemap_entries(paths, root_url,
                                   default_lang=site.settings.default_lang))
    for name, body in sitemap_files(entries, root_url, lastmod=described.modified).items():
        write(name, body)
    return written


# --- helpers ------------------------------------------------------------------------------------


class _Triples:
    def __init__(self, base: str) -> None:
        self.base = base
        self.triples: list[ox.Triple] = []

    def iri(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + path)

    def add(self, subject: ox.NamedNode, predicate: object, *objects: object) -> None:
        p = _n(predicate)
        for o in objects:
            self.triples.append(ox.Triple(subject, p, o if isinstance(o, ox.NamedNode | ox.Literal)
                                          else _n(o)))


def _n(term: object) -> ox.NamedNode:
    return term if isinstance(term, ox.NamedNode) else ox.NamedNode(str(term))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD.integer))


def _unique(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return list(dict.fromkeys(triples))


def _fragment(iri: str, base: str) -> str:
    """A readable, stable fragment for a term: ``schema-Organization``; else a short hash."""
    best = ""
    for prefix, ns in site_prefixes(base).items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, chosen = ns, prefix
    local = iri[len(best):] if best else ""
    if best and local and all(c.isalnum() or c in "-_." for c in local):
        return f"{chosen}-{local}"
    return "h" + hashlib.sha1(iri.encode()).hexdigest()[:12]


def _sparql_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
