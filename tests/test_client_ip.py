"""The client's address for the audit trail and the lockout: X-Forwarded-For is trusted only from proxies."""

import pytest
from django.test import RequestFactory

from tests.factories import TEST_PASSWORD, PatientFactory
from tracker.models import AuditEvent
from tracker.services.audit import client_ip


def request(remote="10.0.0.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_it_uses_the_connecting_address_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    # A client cannot choose its own address by sending the header.
    assert client_ip(request(forwarded="203.0.113.7")) == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left entry is the client's own claim
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer entries than proxies: fall back to the connection
        (1, "not-an-address", None),
    ],
)
def test_it_trusts_x_forwarded_for_only_as_far_as_the_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.django_db
def test_the_sign_in_audit_and_the_lockout_see_the_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = PatientFactory.create()

    client.post(
        "/accounts/login/",
        {"username": user.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert AuditEvent.objects.get(action="login").ip_address == "203.0.113.7"


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_is_per_client_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = PatientFactory.create()

    def sign_in(password, address):
        return client.post(
            "/accounts/login/",
            {"username": user.username, "password": password},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong-password-1", "203.0.113.7")

    assert sign_in(TEST_PASSWORD, "203.0.113.7").status_code == 429  # the attacker's address is locked
    assert sign_in(TEST_PASSWORD, "198.51.100.20").status_code == 302  # the patient, elsewhere, still signs in
