"""Step 2 of the flow: SHACL validation of the parsed sources.

| module | what |
| --- | --- |
| `report.py` | `run(sources)` → `Report` (violations grouped by focus node), cached by content hash |
| `shacl.py` | runs pyshacl in this process or split over forked workers (`validate_workers`) |
| `graph.py` | `IndexedGraph`: the read-fast rdflib graph pyshacl reads |
"""

from regiold.validate.report import Report, Violation, inline_sparql_targets, run

__all__ = ["Report", "Violation", "inline_sparql_targets", "run"]
