"""Loaded by pytest as a plugin (``-p tests.environment`` in pytest.ini), before Django's settings are read.

Tests run as production does (DEBUG off), with a throwaway key, plain static storage (no manifest to build)
and e-mail kept in Django's test outbox.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("TESTING", "true")
# No persistent connections: a thread's kept-alive connection (live server, concurrency tests) would hold the
# PostgreSQL test database open and stop it being dropped at the end of the run.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
# pytest-django and Playwright's sync API share one process and one thread: Django must allow its ORM to be
# used while Playwright's event loop is running.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
