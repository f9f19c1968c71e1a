"""Step 1 of the flow: parse `ontology/`, `data/` and `shapes/` into one store (`sources.py`) and
apply the person-data policy (`privacy.py`)."""
