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

The dependent set is a chain of ``SELECT DISTINCT`` levels (each level one hop further), written
once per branch that needs it: each branch is then a plain join of a subquery and triple patterns,
which Oxigraph and Virtuoso 7 both evaluate as index lookups from the subquery's rows. Only SPARQL
1.1 that both evaluate alike is used: no property paths, no VALUES (Virtuoso 7 answers a VALUES
block inside a UNION with no rows), BIND only of constants or of variables bound in its own group,
ORDER BY on ``STR``.
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
                   page_size: int, term_iris: Iterable[str] = ()) -> str:
    """The CONSTRUCT for page ``page`` of ``iri`` (``iri`` must be a valid IRI, see is_iri).

    ``term_iris``: IRIs whose labels the page shows whatever its triples (its ancestors).
    """
    q = _Query(iri, sorted(dependent_links), max_depth)
    limit = "" if page_size <= 0 else f"OFFSET {(max(page, 1) - 1) * page_size} LIMIT {page_size}"
    return q.text(limit, sorted({*NAMING_PROPERTIES, *term_iris}))


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
        return (f"{{ SELECT DISTINCT {var} WHERE {{ {{ BIND({self.root} AS {var}) }} UNION {walks} }} "
                f"LIMIT {_NO_LIMIT} }}")

    def nodes(self) -> str:
        """A subquery binding ``?m`` to the dependents and the blank nodes hanging off them
        (two levels, as lookup.py)."""
        return (f"{{ SELECT DISTINCT ?m WHERE {{ {self.dependents('?d')} OPTIONAL {{ "
                "?d ?q0 ?b1 FILTER(isBlank(?b1)) OPTIONAL { ?b1 ?q1 ?b2 FILTER(isBlank(?b2)) } } "
                "{ BIND(0 AS ?level) } UNION { BIND(1 AS ?level) } UNION { BIND(2 AS ?level) } "
                "BIND(IF(?level = 0, ?d, IF(?level = 1, ?b1, ?b2)) AS ?m) "
                f"FILTER(BOUND(?m)) }} LIMIT {_NO_LIMIT} }}")

    def linking(self) -> str:
        """``?i``: distinct IRIs linking to the resource that are not its dependents."""
        return (f"{{ SELECT DISTINCT ?i WHERE {{ ?i ?ip {self.root} FILTER(isIRI(?i)) }} }} "
                f"MINUS {self.dependents('?i')}")

    def text(self, limit: str, constant_terms: list[str]) -> str:
        return (f"{_PROLOGUE} CONSTRUCT {{ ?s ?p ?o . ?n ?tag rg:page . ?i ?tag rg:page . "
                f"rg:page rg:incomingTotal ?total . ?source rg:retrieved ?when }} "
                f"WHERE {{ {_union(self.branches(limit, constant_terms))} }}")

    def branches(self, limit: str, constant_terms: list[str]) -> list[str]:
        # STR(?p) rather than ?p: Oxigraph's planner turned ``?p IN (…)`` into a scan of every
        # label in the store ahead of the lookups from the page's nodes
        naming = f"FILTER(STR(?p) IN ({_strings(NAMING_PROPERTIES)}))"
        term = f"FILTER(STR(?p) IN ({_strings(TERM_LABEL_PROPERTIES)}) && isLiteral(?o))"
        relation = (f"FILTER(EXISTS {{ ?i a org:Membership }} || "
                    f"NOT EXISTS {{ ?i ?lp ?lv FILTER(?lp IN ({_iris(LABEL_PROPERTIES)})) }})")
        # the triples of the dependents and of blank nodes hanging off them (?m), the names of
        # what they link to, the labels of their predicates and of the classes of linked IRIs
        own = ["?m ?p ?o BIND(?m AS ?s)",
               f"?m ?q ?s FILTER(isIRI(?s)) ?s ?p ?o {naming}",
               f"?m ?s ?x . ?s ?p ?o {term}",
               f"?m ?q ?x FILTER(isIRI(?x)) ?x a ?c . ?c ?p ?o BIND(?c AS ?s) {term}"]
        dated = ("{ ?source prov:generatedAtTime ?when } UNION "
                 "{ ?copy prov:wasDerivedFrom ?source . ?copy prov:generatedAtTime ?when }")
        marked = ["BIND(rg:dependent AS ?tag)",
                  # the dates of the sources they cite
                  f"?n ?cite ?source FILTER(isIRI(?source) && ?cite IN (dct:source, "
                  f"prov:wasDerivedFrom)) {dated}",
                  f"?n a prov:Entity BIND(?n AS ?source) {dated}"]
        page = [
            "BIND(rg:onPage AS ?tag)",
            # the page's incoming links, the names and classes of their subjects
            f"?i ?p {self.root} BIND(?i AS ?s) BIND({self.root} AS ?o)",
            f"?i ?p ?o {naming} BIND(?i AS ?s)",
            f"?i ?s {self.root} . ?s ?p ?o {term}",
            f"?i a ?s . ?s ?p ?o {term}",
            # relations made into nodes (memberships, unlabelled subjects) bring their IRI links
            f"?i ?p ?o FILTER(isIRI(?o)) {relation} BIND(?i AS ?s)",
            f"?i ?q ?s FILTER(isIRI(?s)) {relation} ?s ?p ?o {naming}",
            f"?i ?s ?x FILTER(isIRI(?x)) {relation} ?s ?p ?o {term}",
            f"?i ?q ?x FILTER(isIRI(?x)) {relation} ?x a ?s . ?s ?p ?o {term}",
        ]
        return [
            f"{self.nodes()} {_union(own)}",
            f"{self.dependents('?n')} {_union(marked)}",
            f"{{ SELECT ?i WHERE {{ {self.linking()} }} ORDER BY STR(?i) {limit} }} {_union(page)}",
            f"{{ SELECT (COUNT(?i) AS ?total) WHERE {{ {self.linking()} }} }}",
            # labels of the naming properties and of the page's ancestors
            *(f"<{t}> ?p ?o BIND(<{t}> AS ?s) {term}" for t in constant_terms),
        ]


def _union(branches: list[str]) -> str:
    return "{ " + " } UNION { ".join(branches) + " }"
