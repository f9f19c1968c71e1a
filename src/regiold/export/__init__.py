"""The static export: every representation as a file (`build.py`) and the web server rules that
negotiate between them (`rules.py`). Never imported by the read path."""
