"""The page query: everything one description needs from a SPARQL store, as one CONSTRUCT.

A remote store costs a round trip per query, so ``describe.describe`` asks once per page. The
CONSTRUCT returns a set of stored triples that holds, for every node the description reads, all
that the reading needs (``describe.py`` then walks it exactly as ``lookup.py`` walks an embedded
store), plus a few marker triples under ``urn:regiold:page`` that carry what only the store can
work out cheaply:

- ``?d <DEPENDENT> <PAGE>`` for the resource and each dependent node (breadth-first over
  ``DEPENDENT_LINKS`` and IRIs under ``{iri}/`` or ``{iri}#``, at most ``MAX_DEPTH`` hops);
- ``?s <ON_PAGE> <PAGE>`` for the subjects on the requested page of incoming links (sorted, the
  resource's dependents left out), and ``<PAGE> <INCOMING> n`` for their total;
- ``?source <RETRIEVED> date`` for each date a cited source carries (the page's "Stand").

The dependent set is a subquery: the resource and the nodes at the end of walks of one to
``MAX_DEPTH`` hops, each walk one flat group. Every branch is one flat group of that subquery (or of
the page's subjects) and triple patterns, which Oxigraph evaluates by index lookups row by row (see
``_Query.branches``); so the subquery is written once per branch, and the query is long.

Blank nodes hanging off the dependents cannot be named in a second query (their labels are the
store's own), so their branches are a second CONSTRUCT of the same form (``blanks=True``), asked
only when the first answer holds blank nodes: the site's data has none.

SPARQL 1.1 only (no property paths; BIND only of variables bound in its own group; ORDER BY on
``STR``). Virtuoso 7 cannot evaluate it (``RemoteStore.evaluates_page_query``): it answered a VALUES
block inside a UNION and the MINUS with no rows, and took seconds to plan the subqueries.
"""

from __future__ import annotations

from collections.abc import Iterable

from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import FOAF_NS as FOAF
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import PROV_NS as PROV
from regiold.rdf.namespaces import RDFS_NS as RDFS
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import SKOS_NS as SKOS
from regiold.rdf.namespaces import VCARD_NS as VCARD
from regiold.store.naming import LABEL_PROPERTIES, NAMING_PROPERTIES

PAGE = "urn:regiold:page"
DEPENDENT = "urn:regiold:dependent"
ON_PAGE = "urn:regiold:onPage"
INCOMING = "urn:regiold:incomingTotal"
RETRIEVED = "urn:regiold:retrieved"
# A LIMIT no description reaches: with it Oxigraph's planner knows the subquery is small and joins
# the patterns after it by index lookups per row; without it, it scanned every triple (1.3 s per page
# at 10^5 triples against 10 ms).
_NO_LIMIT = 10_000_000
TERM_LABEL_PROPERTIES: tuple[str, ...] = LABEL_PROPERTIES[:3]  # what a page shows for predicates


# Short names keep the query small (it is sent, parsed and planned once per page).
_PREFIXES = {"s": SDO, "org": ORG, "v": VCARD, "dct": DCT, "prov": PROV, "rdfs": RDFS,
             "skos": SKOS, "foaf": FOAF, "rg": "urn:regiold:"}
_PROLOGUE = " ".join(f"PREFIX {name}: <{ns}>" for name, ns in _PREFIXES.items())


def _short(iri: str) -> str:
    for name, ns in _PREFIXES.items():
        local = iri[len(ns):]
        if iri.startswith(ns) and local.isalnum():
            return f"{name}:{local}"
    return f"<{iri}>"


def _strings(iris: Iterable[str]) -> str:
    return ", ".join(_lit(i) for i in iris)


def _iris(iris: Iterable[str]) -> str:
    return ", ".join(_short(i) for i in iris)


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_construct(iri: str, *, dependent_links: Iterable[str], max_depth: int, page: int,
                   page_size: int, term_iris: Iterable[str] = (), blanks: bool = False) -> str:
    """The CONSTRUCT for page ``page`` of ``iri`` (``iri`` must be a valid IRI, see is_iri).

    ``term_iris``: IRIs whose labels the page shows whatever its triples (its ancestors).
    ``blanks``: the query for the blank nodes hanging off the dependents instead.
    """
    q = _Query(iri, sorted(dependent_links), max_depth)
    limit = "" if page_size <= 0 else f"OFFSET {(max(page, 1) - 1) * page_size} LIMIT {page_size}"
    return q.text(limit, sorted({*NAMING_PROPERTIES, *term_iris}), blanks=blanks)


class _Query:
    def __init__(self, iri: str, links: list[str], max_depth: int) -> None:
        self.root = f"<{iri}>"
        stem = iri.rstrip("/#")
        self.links = _iris(links)
        self.max_depth = max_depth
        self.stem = (_lit(stem + "/"), _lit(stem + "#"))

    def _under(self, var: str) -> str:
        return f"(STRSTARTS(STR({var}), {self.stem[0]}) || STRSTARTS(STR({var}), {self.stem[1]}))"

    def _hop(self, start: str, end: str) -> str:
        """One step from ``start`` to a dependent ``end``: an IRI under the resource linked either
        way, or any IRI reached through a dependent link."""
        link = f"?l{end[1:]}"  # one per hop: the hops of a walk share a group
        return (f"{{ {start} {link} {end} FILTER(isIRI({end}) && ({self._under(end)} "
                f"|| {link} IN ({self.links}))) }} UNION "
                f"{{ {end} {link} {start} FILTER(isIRI({end}) && {self._under(end)}) }}")

    def _walk(self, length: int, var: str) -> str:
        """Nodes ``length`` hops from the resource, bound to ``var``. One flat group of hops:
        nested DISTINCT levels made Oxigraph evaluate the fourth level as a scan."""
        ends = [*(f"?n{j}" for j in range(1, length)), var]
        hops = [self._hop(start, end) for start, end in zip([self.root, *ends], ends, strict=False)]
        return f"{{ SELECT DISTINCT {var} WHERE {{ {' '.join(f'{{ {h} }}' for h in hops)} }} }}"

    def dependents(self, var: str) -> str:
        """A subquery binding ``var`` to the resource and each of its dependents."""
        walks = " UNION ".join(self._walk(d, var) for d in range(1, self.max_depth + 1))
        return (f"{{ SELECT DISTINCT {var} WHERE {{ {{ VALUES {var} {{ {self.root} }} }} UNION {walks} }} "
                f"LIMIT {_NO_LIMIT} }}")

    def linking(self) -> str:
        """``?i``: distinct IRIs linking to the resource that are not its dependents."""
        return (f"{{ SELECT DISTINCT ?i WHERE {{ ?i ?ip {self.root} FILTER(isIRI(?i)) }} }} "
                f"MINUS {self.dependents('?i')}")

    def text(self, limit: str, constant_terms: list[str], *, blanks: bool = False) -> str:
        return (f"{_PROLOGUE} CONSTRUCT {{ ?s ?p ?o . ?n rg:dependent rg:page . "
                "?i rg:onPage rg:page . rg:page rg:incomingTotal ?total . ?source rg:retrieved ?when } "
                f"WHERE {{ {_union(self.branches(limit, constant_terms, blanks=blanks))} }}")

    def branches(self, limit: str, constant_terms: list[str], *, blanks: bool = False) -> list[str]:
        """Each branch one flat group: a subquery that binds the nodes, then triple patterns.
        Oxigraph's planner looks those up row by row; a UNION after the subquery, an OPTIONAL
        or a predicate list ``?p IN (…)`` made it scan the store instead (0.2-2 s a page at 10^4
        triples). ``blanks``: only the branches for blank nodes hanging off the dependents."""
        naming = f"FILTER(STR(?p) IN ({_strings(NAMING_PROPERTIES)}))"
        term = f"FILTER(STR(?p) IN ({_strings(TERM_LABEL_PROPERTIES)}) && isLiteral(?o))"
        relation = (f"(EXISTS {{ ?i a org:Membership }} || "
                    f"NOT EXISTS {{ ?i ?lp ?lv FILTER(?lp IN ({_iris(LABEL_PROPERTIES)})) }})")
        # the triples of the nodes ?m, the names of what they link to, the labels of their
        # predicates and of the classes of linked IRIs
        kinds = ["?m ?p ?o BIND(?m AS ?s)",
                 f"?m ?q ?s FILTER(isIRI(?s)) ?s ?p ?o {naming}",
                 f"?m ?s ?x . ?s ?p ?o {term}",
                 f"?m ?q ?x FILTER(isIRI(?x)) ?x a ?c . ?c ?p ?o BIND(?c AS ?s) {term}"]
        if blanks:  # the blank nodes hanging off the dependents, two levels (as lookup.py)
            reach = [f"{self.dependents('?d')} ?d ?q0 ?m FILTER(isBlank(?m))",
                     f"{self.dependents('?d')} ?d ?q0 ?b FILTER(isBlank(?b)) ?b ?q1 ?m "
                     "FILTER(isBlank(?m))"]
            return [f"{r} {k}" for r in reach for k in kinds]
        cite = "?n ?cite ?source FILTER(isIRI(?source) && ?cite IN (dct:source, prov:wasDerivedFrom))"
        entity = "?n a prov:Entity BIND(?n AS ?source)"
        copy = "?copy prov:wasDerivedFrom ?source . ?copy prov:generatedAtTime ?when"
        dependents, page = self.dependents("?n"), self.page(limit)
        return [
            *(f"{self.dependents('?m')} {k}" for k in kinds),
            dependents,
            # the dates of the sources the dependents cite (or are)
            f"{dependents} {cite} ?source prov:generatedAtTime ?when",
            f"{dependents} {cite} {copy}",
            f"{dependents} ?n a prov:Entity . ?n prov:generatedAtTime ?when BIND(?n AS ?source)",
            f"{dependents} {entity} {copy}",
            # the page's subjects: their links here, their names, and for relations made into
            # nodes (memberships, unlabelled subjects) their IRI links; labels of the predicates
            # and classes, names of what relations link to and the labels of its classes
            f"{page} ?i ?p ?o FILTER(?o = {self.root} || STR(?p) IN "
            f"({_strings(NAMING_PROPERTIES)}) || (isIRI(?o) && {relation})) BIND(?i AS ?s)",
            f"{page} ?i ?s ?x FILTER(?x = {self.root} || (isIRI(?x) && {relation})) . ?s ?p ?o {term}",
            f"{page} ?i a ?s . ?s ?p ?o {term}",
            f"{page} ?i ?q ?s FILTER(isIRI(?s) && {relation}) ?s ?p ?o {naming}",
            f"{page} ?i ?q ?x FILTER(isIRI(?x) && {relation}) ?x a ?c . ?c ?p ?o BIND(?c AS ?s) {term}",
            f"{{ SELECT (COUNT(?i) AS ?total) WHERE {{ {self.linking()} }} }}",
            # labels of the naming properties and of the page's ancestors
            f"VALUES ?s {{ {' '.join(f'<{t}>' for t in constant_terms)} }} ?s ?p ?o {term}",
        ]

    def page(self, limit: str) -> str:
        """``?i``: the subjects on the requested page of incoming links."""
        return f"{{ SELECT ?i WHERE {{ {self.linking()} }} ORDER BY STR(?i) {limit} }}"


def _union(branches: list[str]) -> str:
    return "{ " + " } UNION { ".join(branches) + " }"
