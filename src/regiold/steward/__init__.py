"""The data stewards' write commands: `import` (`importer/`), `release` and `diff` (`release.py`).

Never imported by the read path."""
