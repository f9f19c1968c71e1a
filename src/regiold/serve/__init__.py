"""Running the web app: gunicorn (`gunicorn.py`) or granian (`granian.py`, with `drain.py`: a
retiring worker stops accepting and answers what it holds; `memory.py`: each worker gives freed
memory back), and reloading the data without a restart (`reload.py`)."""
