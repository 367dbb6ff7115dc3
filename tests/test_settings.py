"""Settings come from the environment and fail loudly on a malformed value."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

BASE = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "recovery.settings",
    # Under `make test` coverage measures the fresh interpreter too (pyproject.toml, [tool.coverage.run] patch).
    **{name: value for name, value in os.environ.items() if name.startswith("COVERAGE_")},
}


def load(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly ``env`` (plus PATH, and coverage's own variables)."""
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.ALLOWED_HOSTS, s.EMAIL_BACKEND)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_it_uses_sqlite_and_the_console_e_mail_by_default():
    result = load(DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert "True django.db.backends.sqlite3 UTC" in result.stdout
    assert "console.EmailBackend" in result.stdout


def test_it_reads_postgres_from_database_url():
    result = load(
        SECRET_KEY="k", DATABASE_URL="postgres://u:p@db.example:5432/clinic", ALLOWED_HOSTS="a.example,b.example"
    )

    assert result.returncode == 0, result.stderr
    assert "False django.db.backends.postgresql UTC ['a.example', 'b.example']" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with"),
        ({"DEBUG": "true", "DATABASE_URL": "postgres://[::1/clinic"}, "DATABASE_URL is malformed"),
        ({"DEBUG": "true", "TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be an IANA time zone"),
        ({"DEBUG": "true", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number"),
        ({"DEBUG": "true", "SITE_URL": "heel.example.org"}, "SITE_URL must start with http"),
        ({"DEBUG": "true", "STAFF_IDLE_TIMEOUT_MINUTES": "0"}, "STAFF_IDLE_TIMEOUT_MINUTES must be at least 1"),
    ],
)
def test_it_fails_loudly_on_a_missing_or_malformed_value(env, message):
    result = load(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_it_runs_the_tests_with_debug_off():
    assert settings.DEBUG is False


@pytest.fixture
def handler_signals_without_connection_recycling():
    """As Django's test client does: the handlers' close_old_connections would touch the test database."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("handler_signals_without_connection_recycling")
def test_the_wsgi_entry_point_serves_the_app():
    """``recovery.wsgi.application`` is what gunicorn serves (``make serve``): a page comes back through it."""
    from wsgiref.util import setup_testing_defaults

    from recovery.wsgi import application

    environ = {"PATH_INFO": "/sources/", "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    started: list[tuple[str, dict[str, str]]] = []

    def start_response(status, headers, exc_info=None):
        started.append((status, dict(headers)))

    body = b"".join(application(environ, start_response))

    [(status, headers)] = started
    assert status == "200 OK"
    assert headers["X-Frame-Options"] == "DENY"
    assert b"Where our expectations come from</h1>" in body


@pytest.mark.usefixtures("handler_signals_without_connection_recycling")
def test_the_asgi_entry_point_serves_the_app():
    """``recovery.asgi.application``, for an ASGI server: the same page, through Django's ASGI handler."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from recovery.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/sources/",
        "raw_path": b"/sources/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if not messages:
            await asyncio.Future()  # the client stays connected: Django stops listening once it has answered
        return messages.pop()

    async def send(message):
        sent.append(message)

    # In a thread of its own: in a worker that ran the browser tests, Playwright's event loop is running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, application(scope, receive, send)).result(timeout=60)

    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert b"Where our expectations come from</h1>" in b"".join(m.get("body", b"") for m in sent[1:])
