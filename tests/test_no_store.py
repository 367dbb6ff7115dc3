"""Pages and files with a signed-in user's data are never kept by the browser or a shared cache.

After signing out on a shared computer, Back or the browser's cache must not show a patient's record again
(ASVS 8.2.1). Every response to a signed-in user says ``no-store``; public pages may be cached.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import DailyLogFactory


@pytest.mark.parametrize(
    "url_name",
    [
        "patient:today",
        "patient:history",
        "patient:progress",
        "patient:session_new",
        "patient:account",
        "patient:export_csv",
        "patient:export_json",
    ],
)
def test_a_patients_pages_and_exports_are_not_stored(patient_client, patient, url_name):
    DailyLogFactory.create(patient=patient, date=patient.local_today())

    response = patient_client.get(reverse(url_name))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("url_name", ["clinic:caseload", "clinic:alerts", "clinic:patient"])
def test_the_clinic_pages_are_not_stored(physio_client, patient, url_name):
    url = reverse(url_name, args=[patient.public_id]) if url_name == "clinic:patient" else reverse(url_name)

    response = physio_client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url_name", ["manage:users", "manage:care_teams", "manage:audit"])
def test_the_manage_pages_are_not_stored(admin_client_, url_name):
    response = admin_client_.get(reverse(url_name))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(patient_client):
    assert "no-store" in patient_client.get(reverse("clinic:caseload"))["Cache-Control"]


def test_the_public_sources_page_may_be_cached(client, db):
    response = client.get(reverse("public:sources"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
