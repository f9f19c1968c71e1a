"""The data stewards' write commands: `import` (`importer/`), `release` (`release.py`),
`diff` (`diff.py`), `forget` (`forget.py`).

Never imported by the read path."""
