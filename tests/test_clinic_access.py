"""Least privilege on every /clinic/ URL: out of the care team is 404 (any method), the wrong role 403,
signed out goes to sign-in, and changes are POST-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AlertFactory, CourseFactory
from tests.second_factor import sign_in_verified
from tracker.models import Alert, ClinicalNote, Course, DailyLog, Session
from tracker.urls import clinic as clinic_urls

# Every clinic URL about one patient, with its arguments and the methods it answers.
PATIENT_URLS = {
    "patient": ("GET",),
    "report_pdf": ("GET",),
    "logs_csv": ("GET",),
    "note_add": ("POST",),
    "alert_acknowledge": ("POST",),
    "course_start": ("POST",),
    "course_finish": ("POST",),
    "course_planned_sessions": ("POST",),
    "needling_session_record": ("POST",),
    "diary_import": ("POST",),
    "patient_sessions": ("GET",),
    "patient_notes": ("GET",),
    "questionnaire_request": ("POST",),
}
LIST_URLS = ("caseload", "alerts")


def test_the_tables_cover_every_clinic_url():
    names = {pattern.name for pattern in clinic_urls.urlpatterns}
    assert names == set(PATIENT_URLS) | set(LIST_URLS), "add the new clinic URL to the access tests"


@pytest.fixture
def targets(patient, physio):
    """The objects each patient URL needs: a needling course and an open alert of alice."""
    course = CourseFactory.create(patient=patient, needling=True)
    alert = AlertFactory.create(patient=patient, critical=True)
    return {"course": course, "alert": alert}


def url_for(name: str, patient, targets) -> str:
    kwargs = {"public_id": patient.public_id}
    if name == "alert_acknowledge":
        kwargs["alert_id"] = targets["alert"].pk
    if name in ("course_finish", "course_planned_sessions", "needling_session_record"):
        kwargs["course_id"] = targets["course"].public_id
    return reverse(f"clinic:{name}", kwargs=kwargs)


# A POST body that would succeed for the care team, so a 404 proves the scoping, not a bad form.
VALID_POSTS = {
    "note_add": {"text": "Seen today."},
    "alert_acknowledge": {"note": "Phoned."},
    "course_start": {"course-kind": "massage", "course-foot": "left", "course-day_zero": "2026-01-01"},
    "course_finish": {},
    "course_planned_sessions": {},
    "needling_session_record": {},
    "diary_import": {},
}


def _snapshot():
    return (
        ClinicalNote.objects.count(),
        Course.objects.count(),
        Session.objects.count(),
        DailyLog.objects.count(),
        Alert.objects.filter(status="open").count(),
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(PATIENT_URLS))
def test_another_physio_gets_404_on_every_patient_url(name, method, patient, targets, other_physio_client):
    url = url_for(name, patient, targets)
    before = _snapshot()

    response = getattr(other_physio_client, method.lower())(url, VALID_POSTS.get(name, {}))

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(PATIENT_URLS))
def test_an_admin_off_the_care_team_gets_404(name, method, patient, targets, admin_client_):
    response = getattr(admin_client_, method.lower())(url_for(name, patient, targets), VALID_POSTS.get(name, {}))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["alert_acknowledge", "course_finish", "course_planned_sessions", "needling_session_record"]
)
def test_another_patients_course_or_alert_is_404(name, patient, physio, physio_client, targets):
    """bob may see alice, but a course or alert of someone else in alice's URL is still a 404."""
    other = {"course": CourseFactory.create(needling=True), "alert": AlertFactory.create(critical=True)}
    response = physio_client.post(url_for(name, patient, other), VALID_POSTS.get(name, {}))

    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(PATIENT_URLS))
def test_a_patient_gets_403(name, patient, targets, patient_client):
    method = PATIENT_URLS[name][0].lower()
    assert getattr(patient_client, method)(url_for(name, patient, targets)).status_code == 403


@pytest.mark.parametrize("name", LIST_URLS)
def test_a_patient_gets_403_on_the_lists(name, patient_client):
    assert patient_client.get(reverse(f"clinic:{name}")).status_code == 403


@pytest.mark.parametrize("name", sorted(PATIENT_URLS))
def test_signed_out_goes_to_sign_in(name, patient, targets, client):
    method = PATIENT_URLS[name][0].lower()
    response = getattr(client, method)(url_for(name, patient, targets))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(PATIENT_URLS))
def test_the_wrong_method_is_405_for_the_care_team(name, patient, targets, physio_client):
    wrong = "post" if PATIENT_URLS[name] == ("GET",) else "get"
    assert getattr(physio_client, wrong)(url_for(name, patient, targets)).status_code == 405


@pytest.mark.parametrize("name", sorted(n for n, m in PATIENT_URLS.items() if m == ("POST",)))
def test_changes_need_the_csrf_token(name, patient, targets, physio):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, physio)
    before = _snapshot()

    response = client.post(url_for(name, patient, targets), VALID_POSTS.get(name, {}))

    assert response.status_code == 403
    assert _snapshot() == before


def test_an_unknown_patient_is_404(physio_client):
    assert physio_client.get("/clinic/patients/00000000-0000-0000-0000-000000000000/").status_code == 404
