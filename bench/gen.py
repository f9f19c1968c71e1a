"""Generate a large, valid directory site by cloning the real partners (deterministic).

    python bench/gen.py --orgs N [--seed S] [--from SITE] --out DIR

Each real partner file ``data/partners/{stem}.ttl`` (with ``data/organisations/{stem}-carriers.ttl``
and the ``data/people/`` files about it) is a template: its organisations, their dependent nodes
(address, board, memberships, services, contacts) and its people are copied N times in all, each
copy with its own slugs (``…-g000042``) and names ("… 42"). Everything the templates point to but
do not define (the network, areas, roles, service kinds, sources, shared carriers) stays shared, so
a copy is as valid as its original. ``ontology/``, ``shapes/`` and the other data files are copied
as they are, so ``regiold validate --data DIR`` checks the result with the real shapes.

The seed only decides which template each copy comes from; the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# Names and labels of copied organisations and their nodes get the copy's number; people keep
# theirs (a shape checks that a person's name is given name + family name).
RENAMED_LITERALS = {"https://schema.org/name", "http://www.w3.org/2000/01/rdf-schema#label"}
PER_FILE = 200  # copies per generated file: reviewable sizes, parallel-friendly parsing


@dataclass
class Template:
    stem: str
    orgs: list[str]  # one pattern per triple: (subject, predicate, object) with {n} slots
    people: list[str]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, required=True, help="partner copies to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--from", dest="source", type=Path, default=ROOT,
                        help="site whose data/partners/ are the templates (default: the repo)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", default=BASE, help="base IRI the files are parsed with")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    triples = generate(args.source, args.out, orgs=args.orgs, seed=args.seed, base=args.base)
    print(f"{args.out}: {args.orgs} partner copies, {triples} generated triple lines "
          f"in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def generate(source: Path, out: Path, *, orgs: int, seed: int = 1, base: str = BASE) -> int:
    """Write the site to ``out`` (replacing it); return the number of generated triple lines."""
    templates = load_templates(source, base)
    if not templates:
        raise SystemExit(f"{source}/data/partners/ holds no partner files to copy")
    if out.exists():
        shutil.rmtree(out)
    for kind in ("ontology", "shapes", "data"):
        shutil.copytree(source / kind, out / kind, ignore=shutil.ignore_patterns(".*"))
    rng = random.Random(seed)
    written = 0
    for first in range(0, orgs, PER_FILE):
        numbers = range(first, min(first + PER_FILE, orgs))
        chosen = [(n, rng.choice(templates)) for n in numbers]
        written += _write(out / "data" / "generated" / f"partners-{first // PER_FILE:05d}.ttl",
                          [line for n, t in chosen for line in _fill(t.orgs, n)])
        written += _write(out / "data" / "people" / "generated" / f"people-{first // PER_FILE:05d}.ttl",
                          [line for n, t in chosen for line in _fill(t.people, n)])
    return written


def load_templates(source: Path, base: str) -> list[Template]:
    templates = []
    for partner in sorted((source / "data" / "partners").glob("*.ttl")):
        org_files = [partner, source / "data" / "organisations" / f"{partner.stem}-carriers.ttl"]
        org_triples = [t for f in org_files if f.exists() for t in _parse(f, base)]
        owned_orgs = _typed_slugs(org_triples, f"{base}org/")
        people = [t for f in sorted((source / "data" / "people").glob("*.ttl"))
                  if _mentions(f, base, owned_orgs) for t in _parse(f, base)]
        owned = owned_orgs | _typed_slugs(people, f"{base}person/")
        rename = _Renamer(base, owned)
        templates.append(Template(partner.stem, [rename.pattern(t) for t in org_triples],
                                  [rename.pattern(t) for t in people]))
    return templates


class _Renamer:
    """Turns a template triple into a line pattern with ``{n}`` where a copy differs."""

    def __init__(self, base: str, owned: set[str]) -> None:
        self.base, self.owned = base, owned

    def pattern(self, triple: ox.Triple) -> str:
        rename_literal = (triple.predicate.value in RENAMED_LITERALS
                          and triple.subject.value.startswith(f"{self.base}org/"))
        return " ".join((self._term(triple.subject, False), self._term(triple.predicate, False),
                         self._term(triple.object, rename_literal))) + " ."

    def _term(self, term: object, rename_literal: bool) -> str:
        if isinstance(term, ox.NamedNode):
            return "<" + _braces(self._iri(term.value)) + ">"
        if isinstance(term, ox.BlankNode):
            return f"_:b{term.value}n{{n}}"
        assert isinstance(term, ox.Literal)
        if rename_literal:
            term = ox.Literal(f"{term.value} {{n}}", language=term.language) if term.language else (
                ox.Literal(f"{term.value} {{n}}", datatype=term.datatype))
            return _braces(str(term)).replace("{{n}}", "{n}")
        return _braces(str(term))

    def _iri(self, iri: str) -> str:
        if not iri.startswith(self.base):
            return iri
        relative = iri[len(self.base):]
        head, _, rest = relative.partition("/")
        slug, _, tail = rest.partition("/")
        if f"{head}/{slug}" in self.owned:
            return f"{head}/{slug}-g{{n}}" + (f"/{tail}" if tail else "")
        return relative


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}").replace("{{n}}", "{n}")


def _fill(patterns: list[str], n: int) -> list[str]:
    number = f"{n:06d}"
    return [p.format(n=number) for p in patterns]


def _typed_slugs(triples: list[ox.Triple], prefix: str) -> set[str]:
    """``org/x`` for every ``{prefix}x`` typed in these triples (dependent nodes follow their slug)."""
    kind = prefix.rstrip("/").rsplit("/", 1)[-1]
    return {f"{kind}/{t.subject.value[len(prefix):].split('/')[0]}" for t in triples
            if t.predicate == RDF_TYPE and t.subject.value.startswith(prefix)
            and "/" not in t.subject.value[len(prefix):]}


def _mentions(path: Path, base: str, owned: set[str]) -> bool:
    text = path.read_text()
    slugs = [o.split("/", 1)[1] for o in owned]
    return any(f"org/{s}>" in text or f"rm:{s} " in text or f"rm:{s}\n" in text or
               f"org/{s}/" in text for s in slugs)


def _parse(path: Path, base: str) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base)]


def _write(path: Path, lines: list[str]) -> int:
    if not lines:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# generated by bench/gen.py: relative IRIs, one triple per line\n"
                    + "\n".join(lines) + "\n")
    return len(lines)


if __name__ == "__main__":
    sys.exit(main())
