"""The headers that limit what a page may load and use, and Django's deployment checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_settings import BASE


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("who", ["anonymous", "patient", "physio", "admin"])
def test_every_page_gets_a_strict_content_security_policy(who, client, patient_client, physio_client, admin_client_):
    browser = {"anonymous": client, "patient": patient_client, "physio": physio_client, "admin": admin_client_}[who]
    url = {"anonymous": reverse("login"), "patient": "/today/", "physio": "/clinic/", "admin": "/manage/users/"}[who]

    response = browser.get(url)

    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, nothing from another site
    assert csp["style-src"] == ["'self'"]  # no inline style either
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_page_turns_off_the_browser_features_it_does_not_use(client):
    header = client.get(reverse("login"))["Permissions-Policy"]

    features = dict(part.strip().split("=") for part in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_no_template_has_an_inline_script_or_style():
    """The policy allows none, so a browser would refuse them: caught here before a browser test is needed.
    (A json_script block is data, not script, and report_pdf.html is rendered only by WeasyPrint.)"""
    found = []
    for folder, _, files in os.walk(settings.BASE_DIR / "templates"):
        for name in files:
            path = os.path.join(folder, name)
            if name == "report_pdf.html":
                continue
            text = open(path, encoding="utf-8").read()  # noqa: SIM115
            for marker in (" style=", "<style", " onclick=", " onload=", " onchange=", " onsubmit=", "javascript:"):
                if marker in text:
                    found.append(f"{path}: {marker.strip()}")
            for line in text.splitlines():
                if "<script" in line and " src=" not in line:
                    found.append(f"{path}: inline <script>")
    assert not found, found


# ---------------------------------------------------------------------------------------------------------
# manage.py check --deploy
# ---------------------------------------------------------------------------------------------------------


def deploy_check(**env) -> set[str]:
    """The ids of the issues ``manage.py check --deploy`` reports with production settings (and ``env``)."""
    production = {
        "SECRET_KEY": "x" * 30 + "Kq8vR2mZ-deploy-check-only-7b1e5c9d4f0a3" + "y" * 10,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "heel.example.org",
        "DATABASE_URL": "sqlite://:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env={**BASE, **production, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"^\S*: \(([a-z_]+\.[A-Z]\d+)\)", result.stdout + result.stderr, flags=re.MULTILINE))


def test_check_deploy_warns_only_about_the_https_redirect_left_to_the_proxy():
    # README, "Deploying": the TLS-terminating proxy redirects HTTP to HTTPS, so the app does not.
    assert deploy_check() == {"security.W008"}


def test_check_deploy_is_silent_when_the_app_redirects_to_https_itself():
    assert deploy_check(SECURE_SSL_REDIRECT="true", BEHIND_PROXY="true") == set()


def test_check_deploy_catches_a_weak_setting():
    assert "security.W004" in deploy_check(SECURE_HSTS_SECONDS="0")
