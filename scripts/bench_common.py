"""What the scale benchmark's scripts share (issue 11, README "Benchmarks"): Django set up against the benchmark's
database, gunicorn serving it as production does, and signed-in session cookies made without signing in.

The database is DATABASE_URL's (default: the local PostgreSQL database ``heel_scale``, built by
``manage.py build_scale_data``). Never point it at a real clinic's database: the scripts write sessions, logs and
audit events into it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median, quantiles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/heel_scale"
WORKERS = 3
# A page may take longer than gunicorn's default 30 s before the speed work: a killed worker would be an error.
WORKER_TIMEOUT = 300
# A fixed CSRF secret for the benchmark's clients: sent as the csrftoken cookie and in the X-CSRFToken header
# (Django accepts the unmasked secret), so a POST needs no page fetched first.
CSRF_SECRET = "benchcsrfsecret0123456789abcdefg"  # noqa: S105 - 32 characters, benchmark only

sys.path.insert(0, str(ROOT))


def bench_environment(database_url: str | None = None) -> dict[str, str]:
    """The environment the server and the scripts share: production settings (DEBUG off), plain HTTP cookies,
    the bare page on, and TESTING's plain static files (no collectstatic needed) as the tests use."""
    url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "recovery.settings",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret-key-not-for-any-real-server"),
            "DEBUG": "false",
            "TESTING": "true",
            "SECURE_COOKIES": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "BENCHMARK_BARE_VIEW": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # The scale accounts are not people: the alerts the load test raises are e-mailed nowhere (the console
            # backend would print each one into the benchmark's output, and time the printing).
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # WhiteNoise's notice that nothing was collected: TESTING serves static files without collectstatic.
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        }
    )
    return env


def setup_django(database_url: str | None = None) -> str:
    """Set this process up as the server is (``bench_environment``); returns the database URL used."""
    env = bench_environment(database_url)
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    for name in (
        "DATABASE_URL",
        "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY",
        "DEBUG",
        "TESTING",
        "SECURE_COOKIES",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "BENCHMARK_BARE_VIEW",
        "ALLOWED_HOSTS",
        "EMAIL_BACKEND",
        "PYTHONWARNINGS",
    ):
        os.environ[name] = env[name]
    import django

    django.setup()
    return env["DATABASE_URL"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(database_url: str | None = None, *, workers: int = WORKERS) -> Iterator[str]:
    """gunicorn serving the app as ``make serve`` does (DEBUG off, ``workers`` workers) on a free port; yields
    its base URL and stops it afterwards."""
    env = bench_environment(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "recovery.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(WORKER_TIMEOUT),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    # A script stopped with SIGTERM still stops its server (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start on {base}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_in_cookies(user) -> dict[str, str]:
    """Cookies of a fresh session signed in as ``user``, past the second factor when the account needs one.

    The same mechanism as the tests: Django's test client's ``force_login`` (no password, so no sign-in
    throttling), then the mark django-otp's own ``login`` leaves on a session that passed a code from the
    account's confirmed authenticator. The one place the benchmark makes sessions: if the app adds another
    session marker, add it here.
    """
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tracker.selectors.second_factor import requires_second_factor

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if requires_second_factor(user):
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: CSRF_SECRET,
    }


def csrf_headers() -> dict[str, str]:
    """The header a POST carries with ``signed_in_cookies``'s CSRF cookie."""
    return {"X-CSRFToken": CSRF_SECRET}


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return quantiles(values, n=20, method="inclusive")[18]


def med(values: list[float]) -> float:
    return median(values)
