"""Every view that takes ``next`` follows it only to a path on this site, and never fails on a bad one (issue 12
item 4): before, ``next=foo`` or ``next=a:b`` made ``redirect()`` look it up as a URL name, a 500 after the change
was saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, AlertFactory, PatientFactory, PhysioFactory
from tracker.models import Alert, AlertStatus, CareTeamMembership

BAD_NEXT = ["foo", "a:b", "//evil.com", "https://evil.com", "/\\evil", "javascript:alert(1)", "/\t/evil.com", ""]


def _assert_safe(response) -> None:
    assert response.status_code < 500
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        assert location.startswith("/"), location
        assert not location.startswith(("//", "/\\")), location
        assert "evil" not in location.split("?")[0], location


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_sign_in_follows_only_a_local_next(target, patient):
    response = Client().post(
        f"{reverse('login')}?next={target}", {"username": "alice", "password": TEST_PASSWORD, "next": target}
    )
    _assert_safe(response)
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.parametrize("target", BAD_NEXT)
def test_sign_in_page_when_signed_in_follows_only_a_local_next(target, patient_client):
    _assert_safe(patient_client.get(reverse("login"), {"next": target}))


def test_a_local_next_is_still_followed(patient):
    response = Client().post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD, "next": "/account/"})
    assert response.status_code == 302 and response["Location"] == "/account/"


@pytest.mark.parametrize("target", BAD_NEXT)
@pytest.mark.parametrize("step", ["second_factor_verify", "second_factor_setup"])
def test_second_factor_pages_follow_only_a_local_next(target, step, db):
    staff = PhysioFactory.create(second_factor=step == "second_factor_verify")
    client = Client()
    client.force_login(staff)
    _assert_safe(client.get(reverse(step), {"next": target}))
    _assert_safe(client.post(f"{reverse(step)}?next={target}", {"code": "000000", "next": target}))


@pytest.mark.parametrize("target", BAD_NEXT)
def test_alert_acknowledge_never_fails_after_saving(target, physio_client, patient):
    alert = AlertFactory.create(patient=patient)
    url = reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk])
    response = physio_client.post(url, {"next": target, "note": "Phoned her."})
    _assert_safe(response)
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:patient", args=[patient.public_id])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("target", BAD_NEXT)
def test_care_team_change_never_fails_after_saving(target, admin_client_, other_physio):
    erin = PatientFactory.create(username="erin")
    data = {"physio": str(other_physio.public_id), "patients": [str(erin.public_id)], "action": "assign"}
    response = admin_client_.post(reverse("manage:care_teams_change"), {**data, "next": target})
    _assert_safe(response)
    assert response["Location"].startswith(reverse("manage:care_teams"))
    assert CareTeamMembership.objects.filter(patient=erin, physio=other_physio).exists()
