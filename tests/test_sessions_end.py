"""Sessions end when their reasons do (issue 12 item 3): deactivation, closing an account and a role change end
every session of that user, and a staff session ends at an absolute limit (STAFF_SESSION_MAX_HOURS) however
active. Before, a deactivated account's old cookie worked again once it was reactivated."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AdminFactory
from tests.second_factor import sign_in_verified
from tracker.middleware import ENDED_MESSAGE, SIGNED_IN_KEY
from tracker.models import Role


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def second_admin(db):
    return AdminFactory.create(username="erik")


@pytest.fixture
def second_admin_client(second_admin):
    return sign_in_verified(Client(), second_admin)


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(patient, patient_client, admin_client_):
    other_device = sign_in_verified(Client(), patient)
    assert patient_client.get(reverse("patient:today")).status_code == 200
    admin_client_.post(reverse("manage:user_deactivate", args=[patient.public_id]))
    admin_client_.post(reverse("manage:user_reactivate", args=[patient.public_id]))

    for client in (patient_client, other_device):
        response = client.get(reverse("patient:today"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert not _signed_in(client)
    assert ENDED_MESSAGE in patient_client.get(response["Location"]).content.decode()
    # Signing in again works: the new session carries the new number.
    patient.refresh_from_db()
    assert sign_in_verified(Client(), patient).get(reverse("patient:today")).status_code == 200


def test_a_role_change_ends_every_session(patient, patient_client, admin_client_):
    admin_client_.post(reverse("manage:user_role", args=[patient.public_id]), {"role": Role.PHYSIO})
    patient.refresh_from_db()
    assert patient.role == Role.PHYSIO
    assert patient_client.get(reverse("home")).url.startswith(reverse("login"))
    assert not _signed_in(patient_client)


def test_closing_the_account_ends_sessions_on_other_devices(patient, patient_client):
    other_device = sign_in_verified(Client(), patient)
    response = patient_client.post(reverse("patient:account_close"), {"confirm": "on"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert not patient.is_active
    response = other_device.get(reverse("patient:today"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Were the account reopened, that old session would still not work.
    patient.is_active = True
    patient.save(update_fields=["is_active"])
    response = other_device.get(reverse("patient:today"))
    assert response.status_code == 302 and not _signed_in(other_device)


def test_a_staff_session_ends_at_the_absolute_limit_however_active(physio_client, settings):
    settings.STAFF_SESSION_MAX_HOURS = 12
    url = reverse("clinic:caseload")
    assert physio_client.get(url).status_code == 200
    session = physio_client.session
    session[SIGNED_IN_KEY] = time.time() - 11 * 3600
    session.save()
    assert physio_client.get(url).status_code == 200  # active, and under 12 hours
    session = physio_client.session
    session[SIGNED_IN_KEY] = time.time() - 12 * 3600 - 60
    session.save()
    response = physio_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _signed_in(physio_client)
    assert "12 hours" in physio_client.get(response["Location"]).content.decode()


def test_a_patient_session_has_no_absolute_limit(patient_client, settings):
    settings.STAFF_SESSION_MAX_HOURS = 12
    session = patient_client.session
    session[SIGNED_IN_KEY] = time.time() - 3 * 86400
    session.save()
    assert patient_client.get(reverse("patient:today")).status_code == 200


def test_a_session_from_before_the_change_ends_once(patient, patient_client):
    session = patient_client.session
    del session["session_generation"]
    session.save()
    assert patient_client.get(reverse("patient:today")).status_code == 302
