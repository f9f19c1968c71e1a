"""Running the web app: gunicorn (`gunicorn.py`) or granian (`granian.py`), and reloading the data
without a restart (`reload.py`)."""
