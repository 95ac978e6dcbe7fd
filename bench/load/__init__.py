"""The load stage of make bench: many people at once against gunicorn (bench/load/runner.py)."""
