"""The clinic admin's clinical-data boundary (DESIGN.md section 1, issue 6 point 4).

An admin manages accounts and care teams but reads no clinical data of a patient (logs, sessions, notes,
progress, reports) unless also on that patient's care team. Checked on every URL of the patient and clinic
URL modules, found by walking their ``urlpatterns`` (so a clinical URL added later is covered without
editing this file), plus the pages DESIGN.md section 7 promises, each skipped with a reason until it exists.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

import tracker.urls.clinic as clinic_urls
import tracker.urls.patient as patient_urls
from tests.factories import (
    AlertFactory,
    CareTeamMembershipFactory,
    ClinicalNoteFactory,
    CourseFactory,
    DailyLogFactory,
    SessionFactory,
)
from tests.second_factor import sign_in_verified
from tracker.models import AuditAction, AuditEvent

SECRETS = ("SECRET-LOG-NOTE", "SECRET-SESSION-NOTE", "SECRET-CLINICAL-NOTE")

# DESIGN.md section 7: the clinical pages, as paths ({patient} is the patient's public_id).
DESIGNED_PATHS = [
    "/today/",
    "/log/{day}/",
    "/history/",
    "/progress/",
    "/sessions/new/",
    "/account/",
    "/clinic/",
    "/clinic/alerts/",
    "/clinic/patients/{patient}/",
    "/clinic/patients/{patient}/report.pdf",
    "/clinic/patients/{patient}/logs.csv",
]


def _url_names(module, namespace: str) -> list[tuple[str, tuple[str, ...]]]:
    """(namespaced name, URL parameter names) for every named pattern of a URL module."""
    names = []
    for pattern in module.urlpatterns:
        if getattr(pattern, "name", None):
            params = tuple(pattern.pattern.regex.groupindex)
            names.append((f"{namespace}:{pattern.name}", params))
    return names


CLINICAL_URL_NAMES = _url_names(patient_urls, "patient") + _url_names(clinic_urls, "clinic")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinical_record(patient, physio):
    """Alice, with something of every kind of clinical data, each carrying a marker that must not leak."""
    course = CourseFactory.create(patient=patient, needling=True)
    DailyLogFactory.create(patient=patient, note=SECRETS[0])
    SessionFactory.create(patient=patient, note=SECRETS[1])
    ClinicalNoteFactory.create(patient=patient, author=physio, text=SECRETS[2])
    alert = AlertFactory.create(patient=patient, course=course)
    return {"patient": patient, "course": course, "alert": alert}


def _kwargs(params: tuple[str, ...], record) -> dict | None:
    """URL arguments for ``params``, or None when a parameter is of a kind this test does not know."""
    values = {
        "public_id": record["patient"].public_id,
        "patient_id": record["patient"].public_id,
        "course_id": record["course"].public_id,
        "alert_id": record["alert"].pk,
        "day": timezone.localdate().isoformat(),
        "date": timezone.localdate().isoformat(),
        "subscale": "adl",
    }
    if any(p not in values for p in params):
        return None
    return {p: values[p] for p in params}


def _traces(record) -> tuple[str, ...]:
    patient = record["patient"]
    return (*SECRETS, str(patient.public_id), patient.get_full_name())


def _assert_no_clinical_read(response, record, *, method: str, url: str, allow_empty_list: bool):
    if response.status_code in (403, 404) or (method == "POST" and response.status_code == 405):
        return
    # A page about no patient in particular (the caseload, open alerts) may answer, but empty of Alice.
    assert allow_empty_list and response.status_code == 200, f"{method} {url} answered {response.status_code}"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode(errors="replace")
    for trace in _traces(record):
        assert trace not in text, f"{method} {url} shows {trace!r}"


@pytest.fixture(params=["clinic_admin", "other_physio"])
def outsider(request, db):
    """Someone not on Alice's care team: the clinic admin (the point here), and another physio for contrast."""
    user = request.getfixturevalue(request.param)
    client = Client()
    sign_in_verified(client, user)
    return user, client


@pytest.mark.parametrize(("url_name", "params"), CLINICAL_URL_NAMES, ids=[n for n, _ in CLINICAL_URL_NAMES])
def test_an_outsider_reads_nothing_at_any_clinical_url(outsider, clinical_record, url_name, params):
    user, client = outsider
    kwargs = _kwargs(params, clinical_record)
    if kwargs is None:
        pytest.fail(f"{url_name} takes {params}; teach _kwargs() that parameter so the URL is covered")
    url = reverse(url_name, kwargs=kwargs)
    about_a_patient = "public_id" in params or "patient_id" in params
    for method in ("GET", "POST"):
        response = client.get(url) if method == "GET" else client.post(url, {})
        _assert_no_clinical_read(
            response, clinical_record, method=method, url=url, allow_empty_list=not about_a_patient
        )
    if about_a_patient:
        # Out of scope is a 404 whatever the role, so the URL does not reveal that Alice exists.
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(
        actor=user, patient=clinical_record["patient"], action__in=[AuditAction.VIEW, AuditAction.EXPORT]
    ).exists()


@pytest.mark.parametrize("path", DESIGNED_PATHS)
def test_an_admin_reads_nothing_at_the_designed_clinical_pages(admin_client_, clinical_record, path):
    url = path.format(patient=clinical_record["patient"].public_id, day=timezone.localdate().isoformat())
    resolve(url)  # every designed page exists: a Resolver404 here fails the test
    response = admin_client_.get(url)
    _assert_no_clinical_read(response, clinical_record, method="GET", url=url, allow_empty_list="{patient}" not in path)
    if "{patient}" in path:
        assert response.status_code == 404


def test_every_designed_patient_page_is_named_in_the_url_modules():
    """Guards the walk above: a designed page that resolves is one of the names it covers."""
    covered = {name for name, _ in CLINICAL_URL_NAMES}
    for path in DESIGNED_PATHS:
        match = resolve(path.format(patient="00000000-0000-0000-0000-000000000000", day="2026-01-01"))
        assert match.view_name in covered or match.view_name == "home", path


def test_an_admin_on_the_care_team_reads_the_patient_page(clinic_admin, clinical_record):
    patient = clinical_record["patient"]
    CareTeamMembershipFactory.create(patient=patient, physio=clinic_admin)
    client = Client()
    sign_in_verified(client, clinic_admin)
    url = reverse("clinic:patient", kwargs={"public_id": patient.public_id})
    response = client.get(url)
    assert response.status_code == 200
    assert patient.get_full_name() in response.content.decode()


def test_the_manage_pages_show_no_clinical_data(admin_client_, clinical_record):
    patient = clinical_record["patient"]
    for url in (
        reverse("manage:users"),
        reverse("manage:users") + "?q=alice",
        reverse("manage:user_detail", kwargs={"public_id": patient.public_id}),
        reverse("manage:care_teams"),
        reverse("manage:audit"),
    ):
        text = admin_client_.get(url).content.decode()
        for secret in SECRETS:
            assert secret not in text, url


def test_django_admin_is_closed_to_a_clinic_admin(admin_client_, clinical_record):
    """Django's /admin/ would show every model: superusers only."""
    for url in ("/admin/", "/admin/tracker/user/", "/admin/tracker/course/", "/admin/tracker/auditevent/"):
        response = admin_client_.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url


def test_django_admin_gives_a_superuser_no_unaudited_way_to_clinical_data(client, patient, clinical_record):
    """Django's admin writes no AuditEvent. A superuser on no care team could list every patient's courses
    there, and add themselves to a care team (which /manage/ refuses) without a trace on the audit trail."""
    from tests.factories import AdminFactory
    from tracker.models import CareTeamMembership

    root = AdminFactory.create(username="root", is_superuser=True, is_staff=True)
    sign_in_verified(client, root)
    links = CareTeamMembership.objects.count()

    assert client.get("/admin/tracker/course/").status_code == 404
    assert client.get("/admin/tracker/careteammembership/").status_code == 200  # who looks after whom: names only
    assert client.get("/admin/tracker/careteammembership/add/").status_code == 403
    response = client.post("/admin/tracker/careteammembership/add/", {"patient": patient.pk, "physio": root.pk})
    assert response.status_code == 403
    assert CareTeamMembership.objects.count() == links
    assert client.get(f"/clinic/patients/{patient.public_id}/").status_code == 404


def test_django_admin_changes_no_account(client, patient):
    """Django's admin is read-only (issue 12 item 7): a superuser there changes no role or password, since that
    would go around the audit trail, the end of the account's sessions and the care-team rules."""
    from tests.factories import AdminFactory
    from tracker.models import User

    root = AdminFactory.create(username="root", is_superuser=True, is_staff=True)
    sign_in_verified(client, root)
    old_password = User.objects.get(pk=patient.pk).password

    assert client.get(f"/admin/tracker/user/{patient.pk}/change/").status_code == 200  # it can look
    change = client.post(
        f"/admin/tracker/user/{patient.pk}/change/",
        {"username": patient.username, "role": "physio", "time_zone": "UTC", "is_active": "on"},
    )
    assert change.status_code == 403
    password = client.post(
        f"/admin/tracker/user/{patient.pk}/password/",
        {"password1": "another-long-pass-91", "password2": "another-long-pass-91"},
    )
    assert password.status_code == 403
    assert client.post("/admin/tracker/user/add/", {"username": "x"}).status_code == 403
    assert client.post(f"/admin/tracker/user/{patient.pk}/delete/", {"post": "yes"}).status_code == 403
    after = User.objects.get(pk=patient.pk)
    assert (after.role, after.password) == ("patient", old_password)
