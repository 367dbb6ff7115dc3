"""Throttling that fits (issue 12 item 6): password-reset e-mails per address and per client, with the same
answer over the limit; a cool-off instead of a hard lock; a cap per client address across user names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _reset(client, email, ip="203.0.113.5"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_emails_are_limited_per_address_with_the_same_answer(patient, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 3
    answers = [_reset(Client(), patient.email, ip=f"203.0.113.{i}") for i in range(1, 11)]
    assert len(mail.outbox) == 3
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("password_reset_done"))}


def test_reset_emails_are_limited_per_client(patient, settings, db):
    settings.PASSWORD_RESET_PER_ADDRESS = 100
    settings.PASSWORD_RESET_PER_CLIENT = 4
    from tests.factories import PatientFactory

    others = PatientFactory.create_batch(6)
    for other in others:
        _reset(Client(), other.email, ip="198.51.100.7")
    assert len(mail.outbox) == 4
    # Another client is not held back by that one.
    _reset(Client(), patient.email, ip="198.51.100.8")
    assert len(mail.outbox) == 5


def test_an_unknown_address_gets_the_same_answer(db):
    response = _reset(Client(), "nobody@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_lockout_cools_off(settings):
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_one_address_trying_many_user_names_is_capped(patient, settings):
    settings.SIGN_IN_FAILURES_PER_CLIENT = 5
    client = Client()
    for n in range(5):
        response = client.post(
            reverse("login"), {"username": f"guess{n}", "password": "wrong"}, REMOTE_ADDR="192.0.2.9"
        )
        assert response.status_code == 200
    refused = client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.9")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # A colleague on another address signs in.
    other = Client()
    signed_in = other.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert signed_in.status_code == 302
