"""Read ``ontology/``, ``data/`` and ``shapes/`` into quads: one named graph per file.

Files are parsed with pyoxigraph against the configured base IRI (the files use relative IRIs),
so a syntax error names ``file:line:col``. Ontology and data are loaded straight into one
pyoxigraph ``Store`` (``Sources.dataset``), which is the only copy kept: no Python object per
triple (at 10^6 triples those took 4 s to build and most of a worker's memory,
docs/performance.md). Nothing here writes to the inputs.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import pyoxigraph as ox
import rdflib

from regiold.errors import SourceError
from regiold.ingest import privacy
from regiold.rdf.namespaces import RDF_TYPE_NODE as _RDF_TYPE

KINDS = ("ontology", "data", "shapes")
PEOPLE_DIR = Path("data") / "people"  # person data: its own graphs, excludable in one place
SUFFIXES = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
            ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML}
MAX_FILE_BYTES = 512 * 1024 * 1024  # a guard against a runaway file, far above real data
MAX_JSON_DEPTH = 256  # pyoxigraph's JSON-LD parser crashes the process (SIGSEGV) near 10^4 levels
MAX_XML_DEPTH = 256  # pyoxigraph's RDF/XML parser is quadratic in element depth (2*10^4: 3 s)
MAX_ENTITY_EXPANSION = 16 * 1024 * 1024  # bytes all internal-entity references may expand to
_XML_TAGS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>|<(/?)[^\s/>]+[^>]*?(/?)>", re.S)
_XML_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.S)
_XML_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s]+)\s+(?:\"([^\"]*)\"|'([^']*)')", re.S)
_XML_REFERENCE = re.compile(rb"&([A-Za-z_][\w.:-]*);")
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


@dataclass(frozen=True)
class SourceFile:
    path: Path  # relative to the site folder, e.g. data/partners/x.ttl
    kind: str  # "ontology" | "data" | "shapes"
    graph: str  # named graph IRI holding this file's triples
    triples: int

    @property
    def personal(self) -> bool:
        """True for person data (``data/people/``), which a setting can withhold."""
        return PEOPLE_DIR in self.path.parents


@dataclass
class Sources:
    """Everything parsed from one site folder: ontology and data in a store, and the shapes."""

    site_dir: Path
    base_iri: str
    files: list[SourceFile]
    # Ontology + data, each file in its own named graph. An in-memory embedded store serves this
    # very Store (no second copy) and adds graph/void to it, so read the files' graphs by name.
    _dataset: ox.Store | None = field(repr=False)
    shape_quads: list[ox.Quad]
    version: str  # content hash of all files and the base IRI: the data version
    triple_count: int  # triples in the files' graphs (duplicates within a file counted once)
    _subject_files: dict[str, list[Path]] | None = field(default=None, repr=False)
    _published: dict[bool, ox.Store] = field(default_factory=dict, repr=False)

    @property
    def dataset(self) -> ox.Store:
        """The parsed ontology and data; parsed again after ``release`` if asked for.

        :raises SourceError: when the files changed since this version was loaded.
        """
        if self._dataset is None:
            again = parse_site(self.site_dir, base_iri=self.base_iri)
            if again.version != self.version:
                raise SourceError(str(self.site_dir), None, None,
                                  f"the files changed since version {self.version} was loaded")
            self._dataset = again.dataset
        return self._dataset

    def release(self) -> None:
        """Drop the parsed store once a snapshot serves the data: the serving process keeps no
        copy of its own (the few later uses parse again)."""
        self._dataset = None
        self._published.clear()

    @property
    def quads(self) -> list[ox.Quad]:
        """Ontology and data quads, file by file: a new list on every call (the store is the copy
        that is kept, so ask once and hold the list only as long as needed)."""
        return list(self._file_quads(self.dataset))

    def graph_quads(self, source: SourceFile) -> Iterator[ox.Quad]:
        return self.dataset.quads_for_pattern(None, None, None, ox.NamedNode(source.graph))

    def _file_quads(self, store: ox.Store) -> Iterator[ox.Quad]:
        for source in self.files:
            if source.kind != "shapes":
                yield from store.quads_for_pattern(None, None, None, ox.NamedNode(source.graph))

    def published_store(self, *, include_persons: bool = True) -> ox.Store:
        """The quads to serve under the person-data policy (the one place: ``privacy.py``).

        ``dataset`` itself when the policy withholds nothing, else a filtered copy; computed once
        per policy, shared by the embedded store, the dumps and the static export.
        """
        if include_persons not in self._published:
            if not privacy.withholds_any(self.dataset, personal_graphs=self.personal_graphs(),
                                         base_iri=self.base_iri, include_persons=include_persons):
                self._published[include_persons] = self.dataset
            else:
                published = ox.Store()
                published.bulk_extend(self.published_quads(include_persons=include_persons))
                self._published[include_persons] = published
        return self._published[include_persons]

    def published_quads(self, *, include_persons: bool = True) -> list[ox.Quad]:
        """The published quads as a list (a new one per call; see ``published_store``)."""
        if include_persons in self._published:
            return list(self._file_quads(self._published[include_persons]))
        return privacy.public_quads(self.quads, personal_graphs=self.personal_graphs(),
                                    base_iri=self.base_iri, include_persons=include_persons)

    def personal_graphs(self) -> set[ox.NamedNode]:
        """Named graphs of the files under ``data/people/``."""
        return {ox.NamedNode(f.graph) for f in self.files if f.personal}

    def shapes_graph(self) -> rdflib.Graph:
        return to_rdflib_graph(self.shape_quads)

    def defining_file(self, iri: str) -> Path | None:
        """The file that types (or else first describes) the node ``iri``."""
        files = self.describing_files(iri)
        return files[0] if files else None

    def describing_files(self, iri: str) -> list[Path]:
        """Every file with a triple about ``iri``, the defining file first: a node described in
        two files (a copied file) has its faults in either."""
        if self._subject_files is None:
            self._subject_files = _subject_files(self)
        return self._subject_files.get(iri, [])


def parse_site(site_dir: Path | str, *, base_iri: str) -> Sources:
    """Parse every RDF file under ``site_dir``'s ontology/, data/ and shapes/ folders.

    :raises SourceError: for a missing folder, an unreadable file or a syntax error
        (with file, line and column).
    """
    site_dir = Path(site_dir)
    digest = hashlib.sha256(base_iri.encode())
    graphs: list[tuple[Path, str, str]] = []
    dataset, shapes = ox.Store(), ox.Store()
    for kind in KINDS:
        for path in _rdf_files(site_dir, kind):
            rel = path.relative_to(site_dir)
            content = _read(path, rel)
            digest.update(str(rel).encode() + b"\0" + content + b"\0")
            graph = graph_iri(base_iri, rel)
            _parse_into(shapes if kind == "shapes" else dataset, content, rel, base_iri,
                        ox.NamedNode(graph))
            graphs.append((rel, kind, graph))
    sizes = {**_graph_sizes(dataset), **_graph_sizes(shapes)}
    files = [SourceFile(rel, kind, graph, sizes.get(graph, 0)) for rel, kind, graph in graphs]
    shape_quads = [q for f in files if f.kind == "shapes"
                   for q in shapes.quads_for_pattern(None, None, None, ox.NamedNode(f.graph))]
    triples = sum(f.triples for f in files if f.kind != "shapes")
    return Sources(site_dir, base_iri, files, dataset, shape_quads, digest.hexdigest()[:16], triples)


def content_version(site_dir: Path | str, *, base_iri: str) -> str:
    """What ``parse_site(site_dir, base_iri=...).version`` would be, without parsing (for reload checks).

    :raises SourceError: for a missing folder or an unreadable file.
    """
    site_dir = Path(site_dir)
    digest = hashlib.sha256(base_iri.encode())
    for kind in KINDS:
        for path in _rdf_files(site_dir, kind):
            rel = path.relative_to(site_dir)
            digest.update(str(rel).encode() + b"\0" + _read(path, rel) + b"\0")
    return digest.hexdigest()[:16]


def graph_iri(base_iri: str, rel: Path) -> str:
    """``data/partners/x.ttl`` → ``{base}graph/data/partners/x``; a character no IRI path may hold
    (``data/Kreis Kleve.ttl``'s space) is percent-encoded, every other stays as it is."""
    return f"{base_iri}graph/{''.join(map(_iri_path_char, rel.with_suffix('').as_posix()))}"


_IRI_PATH_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "-._~!$&'()*+,;=:@/")  # RFC 3987 2.2 ipchar (ASCII part) and '/'


def _iri_path_char(char: str) -> str:
    code = ord(char)
    if char in _IRI_PATH_ASCII or _is_ucschar(code):
        return char
    return "".join(f"%{byte:02X}" for byte in char.encode())


def _is_ucschar(code: int) -> bool:
    """RFC 3987 2.2 ucschar: the letters beyond ASCII an IRI may hold as they are."""
    return (0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
            or (0x10000 <= code < 0xE0000 or 0xE1000 <= code < 0xF0000) and code & 0xFFFF <= 0xFFFD)


def _rdf_files(site_dir: Path, kind: str) -> list[Path]:
    folder = site_dir / kind
    if not folder.is_dir():
        raise SourceError(str(folder), None, None, f"missing folder {kind}/")
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


# Suffixes of RDF files that regiold does not read as they are spelled (a steward's `x.TTL` or
# `x.owl` was skipped without a word): named by `unread_files`.
_RDF_LIKE = {".turtle", ".owl", ".n3", ".trig", ".nq", ".nquads", ".ntriples", ".xml", ".rdfs",
             ".json", ".json-ld"} | {suffix for suffix in SUFFIXES}


def unread_files(site_dir: Path | str) -> list[Path]:
    """Files under ontology/, data/ and shapes/ that look like RDF but are not read: a suffix in
    other letters (``.TTL``) or of a format regiold does not read (``.owl``, ``.n3``, …)."""
    site_dir = Path(site_dir)
    return sorted(p.relative_to(site_dir) for kind in KINDS if (site_dir / kind).is_dir()
                  for p in (site_dir / kind).rglob("*")
                  if p.suffix not in SUFFIXES and p.suffix.lower() in _RDF_LIKE and p.is_file())


def unread_message(rel: Path) -> str:
    """The warning for one of ``unread_files``, naming it and what is read."""
    return (f"{rel.as_posix()} is not read: regiold reads files ending in "
            f"{', '.join(SUFFIXES)} (lower case); rename or convert it")


def _read(path: Path, rel: Path) -> bytes:
    try:
        str(rel).encode()
    except UnicodeEncodeError:  # a byte of the name is no UTF-8: the name could not be an IRI
        shown = str(rel).encode(errors="surrogateescape").decode(errors="backslashreplace")
        raise SourceError(shown, None, None, "the file name is not UTF-8; rename the file") from None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(str(rel), None, None, f"file larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(str(rel), None, None, f"cannot read: {exc.strerror}") from exc


def _parse_into(store: ox.Store, content: bytes, rel: Path, base_iri: str,
                graph: ox.NamedNode) -> None:
    """Parse one file into ``graph`` of ``store`` (blank nodes renamed, so files never share one).

    Turtle, N-Triples and RDF/XML cannot hold named graphs and are loaded by pyoxigraph in one call
    (``Store.load``: 3 s for 10^6 triples here; ``bulk_load`` took 5 CPU s and more wall time).
    JSON-LD can, and a named graph in a data file is refused.
    """
    if rel.suffix == ".jsonld":
        _check_json_depth(content, rel)
    elif content.startswith(codecs.BOM_UTF8) and rel.suffix in (".ttl", ".nt"):
        # the parser's own message would show the mark itself, an invisible character
        raise SourceError(str(rel), 1, 1, "the file begins with a byte order mark (U+FEFF), "
                          "which Turtle and N-Triples do not allow: save it as UTF-8 without BOM")
    elif rel.suffix == ".rdf":
        _check_xml_entities(content, rel)
        _check_xml_depth(content, rel)
    try:
        if rel.suffix == ".jsonld":
            parsed = ox.parse(content, SUFFIXES[rel.suffix], base_iri=base_iri,
                              without_named_graphs=True, rename_blank_nodes=True)
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
        else:
            store.load(content, SUFFIXES[rel.suffix], base_iri=base_iri, to_graph=graph)
    except SyntaxError as exc:
        message = exc.msg
        if message.startswith("Parser error at line"):  # the place goes in front instead
            message = message.split(": ", 1)[-1]
        line, column = exc.lineno, exc.offset
        if line is None and rel.suffix == ".rdf":
            line, column = _xml_error_place(content)
        raise SourceError(str(rel), line, column, message) from exc


def _xml_error_place(content: bytes) -> tuple[int | None, int | None]:
    """Where expat finds ``content`` ill-formed: pyoxigraph's RDF/XML errors carry no place
    ("expected `</name>`, but `</nam>` was found"). Entity bombs are refused before this."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1
    return None, None


def _check_json_depth(content: bytes, rel: Path) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before pyoxigraph sees it (it would crash)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(content):
        bracket = token.group()[:1]
        if bracket in b"[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                start = token.start()
                line = content.count(b"\n", 0, start) + 1
                column = start - content.rfind(b"\n", 0, start)
                raise SourceError(str(rel), line, column,
                                  f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        elif bracket in b"]}":
            depth -= 1


def _place(content: bytes, start: int) -> tuple[int, int]:
    return content.count(b"\n", 0, start) + 1, start - content.rfind(b"\n", 0, start)


def _check_xml_entities(content: bytes, rel: Path) -> None:
    """Refuse entity bombs before pyoxigraph expands them (it aborts the process when out of
    memory): entities defined by other entities, and references expanding beyond a bound."""
    doctype = _XML_DOCTYPE.search(content)
    if doctype is None:
        return
    line, column = _place(content, doctype.start())
    sizes: dict[bytes, int] = {}
    for entity in _XML_ENTITY.finditer(doctype.group(1)):
        value = entity.group(3) if entity.group(3) is not None else entity.group(4)
        if entity.group(1) or _XML_REFERENCE.search(value) or b"%" in value:
            raise SourceError(str(rel), line, column,
                              f"XML entity {entity.group(2).decode(errors='replace')} refers to "
                              "other entities (refused: entity expansion bomb)")
        sizes[entity.group(2)] = len(value)
    body = content[doctype.end():]
    expanded = sum(sizes.get(ref.group(1), 0) for ref in _XML_REFERENCE.finditer(body))
    if expanded > MAX_ENTITY_EXPANSION:
        raise SourceError(str(rel), line, column,
                          f"XML entities would expand to {expanded} bytes "
                          f"(more than {MAX_ENTITY_EXPANSION})")


def _check_xml_depth(content: bytes, rel: Path) -> None:
    """Refuse RDF/XML nested deeper than MAX_XML_DEPTH elements (parse time grows quadratically)."""
    depth = 0
    for tag in _XML_TAGS.finditer(content):
        if tag.group(0)[:2] in (b"<!", b"<?"):
            continue
        if tag.group(1):
            depth -= 1
        elif not tag.group(2):
            depth += 1
            if depth > MAX_XML_DEPTH:
                line, column = _place(content, tag.start())
                raise SourceError(str(rel), line, column,
                                  f"XML nested deeper than {MAX_XML_DEPTH} elements")


def _graph_sizes(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, counted by the store."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]


def _subject_files(sources: Sources) -> dict[str, list[Path]]:
    typed: dict[str, Path] = {}
    described: dict[str, list[Path]] = {}
    for source in sources.files:
        if source.kind == "shapes":
            continue
        for q in sources.graph_quads(source):
            files = described.setdefault(q.subject.value, [])
            if not files or files[-1] != source.path:  # a file's quads come together
                files.append(source.path)
            if q.predicate == _RDF_TYPE:
                typed.setdefault(q.subject.value, source.path)
    for iri, path in typed.items():  # the defining file first
        files = described[iri]
        files.insert(0, files.pop(files.index(path)))
    return described


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """One pyoxigraph term as the equal rdflib term (plain strings stay untyped)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(rdflib.XSD.string):
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))


def to_rdflib_graph(quads: Iterable[ox.Quad | ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.addN(
        (to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object), graph)
        for q in quads
    )
    return graph

