"""Gunicorn for the web service: docker-compose.yml and the Dockerfile start it with
``--config gunicorn.conf.py``. Flags on the command line win over these. Workers per container:
WEB_CONCURRENCY (gunicorn reads it itself)."""

import os

# A request may take long: one upload of 100,000 figures (about 4 s on the benchmark machine,
# docs/benchmarks.md, more on a busy one) or a progress report as PDF. Gunicorn's default of 30 s
# would kill such a worker halfway; this leaves room without letting a stuck worker hang forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On a restart or deploy, a worker may finish what it is doing for as long as a request may take.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", str(timeout)))
# Each worker is replaced after about this many requests, so the memory a large upload or a PDF
# leaves behind is given back; the jitter keeps the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# The portal is loaded once, in the master, and each worker is forked from it: a worker that
# replaces another (max_requests) serves at once, instead of first spending about two seconds of
# CPU importing Django and the portal while requests queue behind it (issue 16's load stage saw
# such restarts as the slowest answers of the run).
preload_app = True


def pre_fork(server, worker) -> None:
    """Nothing the master opened while loading (it should open nothing) is shared with a worker."""
    from django.db import connections

    connections.close_all()


# Behind a proxy that keeps connections open.
keepalive = 5

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
