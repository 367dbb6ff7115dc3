"""Signing staff in with a second factor, in the tests: a TOTP code computed from the device's own key.

``enrol`` gives an account a confirmed authenticator (the staff factories do it by default); ``code_for`` is the
code that authenticator shows now (or the next one, if the current one was already used: django-otp accepts a
code once); ``sign_in_verified`` signs a test client in and passes the second factor through the real page.
"""

from __future__ import annotations

import re
import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import User
from tracker.services.second_factor import new_secret, secret_hex


def enrol(user: User, *, secret: str | None = None) -> TOTPDevice:
    """A confirmed authenticator for ``user`` (a fresh random key unless ``secret`` is given)."""
    device = TOTPDevice.objects.create(
        user=user, name="Test authenticator", key=secret_hex(secret or new_secret()), confirmed=True
    )
    User.objects.filter(pk=user.pk).update(second_factor_enabled=True)
    user.second_factor_enabled = True
    return device


def code_at(key_hex: str, t: int) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = t * totp.step
    return f"{totp.token():06d}"


def code_for(device: TOTPDevice) -> str:
    """A code ``device`` accepts now: the current step's, or the next step's (within django-otp's tolerance of
    one step) when the current one was already used; if both were, wait for the next step."""
    device.refresh_from_db()
    now = int(time.time()) // device.step
    step = max(now, device.last_t + 1)
    if step > now + device.tolerance:
        time.sleep((step - device.tolerance) * device.step - time.time() + 0.1)
    return code_at(device.key, step)


def secret_code(secret: str) -> str:
    """The code an authenticator holding the base32 ``secret`` shows now (for the set-up page)."""
    return code_at(secret_hex(secret), int(time.time()) // 30)


def verify(client: Client, user: User) -> None:
    """Pass the second factor on ``client`` (already signed in as ``user``) with a valid code."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    # The page first, for its CSRF cookie: a client that enforces CSRF checks signs in like a browser.
    assert client.get(reverse("second_factor_verify")).status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("second_factor_verify"), {"code": code_for(device), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "/second-factor/" not in response["Location"], response


def sign_in_verified(client: Client, user: User) -> Client:
    """``client`` signed in as ``user``; for staff, and patients who turned it on, with the second factor passed."""
    client.force_login(user)
    if user.second_factor_enabled:
        verify(client, user)
    return client


SECRET_ON_PAGE = re.compile(r'id="setup-secret">([A-Z2-7 ]+)<')


def set_up_through_page(client: Client) -> list[str]:
    """Set up an authenticator on the set-up page as a person would: read the key the page shows, enter the code
    an app holding it shows. Returns the recovery codes the next page shows once."""
    page = client.get(reverse("second_factor_setup")).content.decode()
    match = SECRET_ON_PAGE.search(page)
    assert match, "the set-up page shows the key in text"
    response = client.post(reverse("second_factor_setup"), {"code": secret_code(match.group(1))})
    assert response.status_code == 302, response.content.decode()[:2000]
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    return list(codes_page.context["codes"])
