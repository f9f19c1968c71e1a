"""How long `regiold validate` takes on the repository's own data (issue 2: under 5 s).

Prints the median of N fresh validations (no cache), wall and CPU seconds, and the ratio to
parsing the same files, measured in the same run as the anchor.

    .venv/bin/python bench/validate_repo.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from regiold import validate
from regiold.ingest import sources

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"


def timed(func: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def main(runs: int) -> None:
    parse = [timed(lambda: sources.parse_site(ROOT, base_iri=BASE)) for _ in range(runs)]
    loaded = sources.parse_site(ROOT, base_iri=BASE)
    check = [timed(lambda: validate.run(loaded)) for _ in range(runs)]
    parse_wall = statistics.median(w for w, _ in parse)
    wall = statistics.median(w for w, _ in check)
    cpu = statistics.median(c for _, c in check)
    print(f"repository data: {len(loaded.files)} files, {loaded.triple_count} triples")
    print(f"parse      median {parse_wall * 1000:8.1f} ms wall")
    print(f"validate   median {wall * 1000:8.1f} ms wall, {cpu * 1000:8.1f} ms CPU "
          f"({wall / parse_wall:.1f}x parse; target < 5 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
