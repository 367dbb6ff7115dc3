"""Shared fixtures: the cast of every test.

alice is a patient, bob her physiotherapist (on her care team), charlie another physiotherapist (not on
it), dana a clinic admin (on no care team).
"""

from __future__ import annotations

import os

import pytest

# The environment (DEBUG off, DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's sync API beside pytest-django) is
# set in tests/environment.py, loaded as a plugin before Django reads its settings.
assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"

from tests.factories import (  # noqa: E402
    AdminFactory,
    CareTeamMembershipFactory,
    CourseFactory,
    PatientFactory,
    PhysioFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Rate limits count in Django's cache (tracker.services.throttle): each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(db):
    return PatientFactory.create(username="alice", first_name="Alice", last_name="Archer")


@pytest.fixture
def physio(db, patient):
    bob = PhysioFactory.create(username="bob", first_name="Bob", last_name="Baker")
    CareTeamMembershipFactory.create(patient=patient, physio=bob)
    return bob


@pytest.fixture
def other_physio(db):
    return PhysioFactory.create(username="charlie", first_name="Charlie", last_name="Chen")


@pytest.fixture
def clinic_admin(db):
    return AdminFactory.create(username="dana", first_name="Dana", last_name="Diaz")


@pytest.fixture
def course(patient):
    return CourseFactory.create(patient=patient)


def _client_for(client_class, user):
    """Signed in as ``user``: staff pass the second factor with a code from their authenticator's key."""
    from tests.second_factor import sign_in_verified

    return sign_in_verified(client_class(), user)


@pytest.fixture
def patient_client(patient):
    from django.test import Client

    return _client_for(Client, patient)


@pytest.fixture
def physio_client(physio):
    from django.test import Client

    return _client_for(Client, physio)


@pytest.fixture
def other_physio_client(other_physio):
    from django.test import Client

    return _client_for(Client, other_physio)


@pytest.fixture
def admin_client_(clinic_admin):
    """Signed in as the clinic admin (not Django's superuser ``admin_client``)."""
    from django.test import Client

    return _client_for(Client, clinic_admin)
