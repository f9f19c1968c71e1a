"""What the dataset description and the dumps cost at load time, against loading the data itself.

    python bench/dataset.py [--orgs N] [--site DIR]

Without ``--site`` it writes a synthetic site of N organisations (11 triples each) to a temporary
folder; ``--site`` measures any site folder (e.g. one made by ``bench/gen.py``). The anchor is the
load the server does anyway (parse + embedded store), measured in the same run; ``publish`` runs
once with an empty cache (a new data version) and once with the dumps cached (a restart, or
another worker).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from regiold.ingest import sources
from regiold.publish import dataset
from regiold.settings import Settings
from regiold.store import open_store


def synthetic_site(folder: Path, orgs: int) -> Path:
    for kind in ("ontology", "data", "shapes"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    (folder / "ontology" / "o.ttl").write_text(
        "<def/> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    (folder / "shapes" / "none.ttl").write_text("")
    lines = ["@prefix schema: <https://schema.org/> .", "@prefix org: <http://www.w3.org/ns/org#> ."]
    for i in range(orgs):
        lines.append(
            f'<org/o{i}> a schema:Organization, org:Organization ; schema:name "Org {i}"@de, '
            f'"Org {i}"@en ; schema:url <https://o{i}.example/> ; schema:address <org/o{i}/address> ;'
            f' schema:description "Beschreibung {i}"@de .')
        lines.append(f'<org/o{i}/address> a schema:PostalAddress ; schema:streetAddress "Weg {i}" ; '
                     f'schema:postalCode "4{i % 10000:04d}" .')
    (folder / "data" / "orgs.ttl").write_text("\n".join(lines) + "\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--site", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or synthetic_site(Path(tmp) / "site", args.orgs)
        settings = Settings.load({"site_dir": site, "cache_dir": Path(tmp) / "cache"}, environ={})
        start = time.perf_counter()
        parsed = sources.parse_site(site, base_iri=settings.base_iri)
        store = open_store(parsed, settings)
        load = time.perf_counter() - start
        start = time.perf_counter()
        described = dataset.publish(settings, parsed, store, cache_dir=settings.cache_dir)
        first = time.perf_counter() - start
        start = time.perf_counter()
        dataset.publish(settings, parsed, store, cache_dir=settings.cache_dir)
        cached = time.perf_counter() - start
        sizes = sum(f.size for f in described.dumps.values())
        print(f"triples                       {described.stats.triples:>12,}")
        print(f"load (parse + store), anchor  {load:>10.2f} s   1.00")
        print(f"publish, new data version     {first:>10.2f} s   {first / load:.2f}")
        print(f"publish, dumps cached         {cached:>10.3f} s   {cached / load:.3f}")
        print(f"dump bytes written            {sizes:>12,}")


if __name__ == "__main__":
    main()
