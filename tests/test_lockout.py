"""Lockout after repeated failed sign-ins (django-axes, by user name and address), and an admin's unlock.

Everything goes through the real sign-in form: django-axes needs the request (its address) to count.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tracker.models import AuditAction, AuditEvent

WRONG = "not-the-password-1"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_in(client, username="alice", password=TEST_PASSWORD, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _lock(client, username="alice", address="127.0.0.1", limit=5):
    responses = [_sign_in(client, username, WRONG, address) for _ in range(limit)]
    return responses[-1]


def test_four_failures_do_not_lock(client, patient):
    for _ in range(4):
        assert _sign_in(client, password=WRONG).status_code == 200
    assert _sign_in(client).status_code == 302


def test_the_fifth_failure_locks_and_the_right_password_is_then_refused(client, patient):
    response = _lock(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "This account is locked" in page
    assert "contact your clinic" in page.lower()

    response = _sign_in(client)  # the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(client, patient, physio):
    _lock(client)
    # Another account from the same address, and the same account from another address, still sign in.
    assert _sign_in(client, username="bob").status_code == 302
    client.logout()
    assert _sign_in(client, address="10.0.0.2").status_code == 302


def test_failures_and_the_lockout_are_audited(client, patient):
    _lock(client)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 5
    assert {e.actor_username for e in failed} == {"alice"}
    assert {e.ip_address for e in failed} == {"127.0.0.1"}
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.actor_username == "alice"
    assert lockout.patient == patient
    assert lockout.ip_address == "127.0.0.1"


def test_a_failed_sign_in_for_an_unknown_name_is_audited_without_an_account(client, db):
    _sign_in(client, username="mallory", password=WRONG)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None and event.actor_username == "mallory"


def test_a_sign_in_is_audited(client, patient):
    _sign_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == patient and event.ip_address == "127.0.0.1"


def test_an_admin_sees_the_lock_and_unlocks_it(client, admin_client_, clinic_admin, patient):
    _lock(client)
    detail_url = reverse("manage:user_detail", kwargs={"public_id": patient.public_id})

    listing = admin_client_.get(reverse("manage:users")).content.decode()
    assert "Locked out" in listing
    page = admin_client_.get(detail_url).content.decode()
    assert "127.0.0.1" in page and "Unlock the account" in page

    response = admin_client_.post(reverse("manage:user_unlock", kwargs={"public_id": patient.public_id}))
    assert response.status_code == 302 and response.url == detail_url

    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert _sign_in(client).status_code == 302
    unlock = AuditEvent.objects.get(action=AuditAction.UNLOCK)
    assert unlock.actor == clinic_admin and unlock.patient == patient
    assert "Not locked out" in admin_client_.get(detail_url).content.decode()


def test_only_an_admin_unlocks(client, physio_client, patient):
    _lock(client)
    response = physio_client.post(reverse("manage:user_unlock", kwargs={"public_id": patient.public_id}))
    assert response.status_code == 403
    assert _sign_in(client).status_code == 429


def test_a_successful_sign_in_clears_earlier_failures(client, patient):
    for _ in range(4):
        _sign_in(client, password=WRONG)
    assert _sign_in(client).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, password=WRONG).status_code == 200
