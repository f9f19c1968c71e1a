"""Running the web app: gunicorn (`gunicorn.py`) or granian (`granian.py`, with `drain.py`: a
retiring worker stops accepting and answers what it holds), and reloading the data without a
restart (`reload.py`)."""
