"""Shared RDF building blocks: namespaces (`namespaces.py`), the format registry (`formats.py`)
and the one serialiser with its prefix rule (`serialize.py`).

Used by every step of the flow; imports nothing else of regiold.
"""
