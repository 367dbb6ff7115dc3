"""Settings come from the environment and fail loudly on a malformed value."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

BASE = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "recovery.settings"}


def load(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly ``env`` (plus PATH)."""
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
