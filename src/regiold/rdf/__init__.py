"""Shared RDF building blocks: namespaces (`namespaces.py`) and the format registry (`formats.py`).

Used by every step of the flow; imports nothing else of regiold.
"""
