"""/manage/care-teams/: assign patients to physiotherapists and take them off, one at a time and in bulk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, CareTeamMembershipFactory, PatientFactory, PhysioFactory
from tracker.models import AuditAction, AuditEvent, CareTeamMembership
from tracker.permissions import patients_in_care_of
from tracker.services.accounts import ERROR_NOT_CLINICIAN, ERROR_SELF_ASSIGN

URL = "/manage/care-teams/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _change(client, physio, patients, action, follow=False, **extra):
    data = {"physio": str(physio.public_id), "patients": [str(p.public_id) for p in patients], "action": action}
    return client.post(reverse("manage:care_teams_change"), {**data, **extra}, follow=follow)


def test_the_url_is_as_designed():
    assert reverse("manage:care_teams") == URL


def test_it_lists_patients_with_their_care_team(admin_client_, patient, physio, other_physio):
    response = admin_client_.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice Archer" in page and "Bob Baker" in page


def test_it_shows_who_is_on_a_physios_team(admin_client_, patient, physio):
    PatientFactory.create(username="erin")
    response = admin_client_.get(URL, {"physio": physio.public_id})
    on_team = {p.username: p.on_team for p in response.context["page"]}
    assert on_team == {"alice": True, "erin": False}
    only_team = admin_client_.get(URL, {"physio": physio.public_id, "show": "team"})
    assert [p.username for p in only_team.context["page"]] == ["alice"]
    unassigned = admin_client_.get(URL, {"show": "unassigned"})
    assert [p.username for p in unassigned.context["page"]] == ["erin"]


def test_it_searches_patients_by_any_word_of_their_names_or_address(admin_client_, patient, physio):
    PatientFactory.create(username="erin", first_name="Erin", last_name="Ward", email="erin@clinic.example")
    PatientFactory.create(username="frank", first_name="Frank", last_name="Wardell")

    found = lambda q: [p.username for p in admin_client_.get(URL, {"q": q}).context["page"]]  # noqa: E731

    assert found("ward") == ["erin", "frank"]
    assert found("erin ward") == ["erin"]
    assert found("clinic.example") == ["erin"]
    assert found("nobody") == []


def test_it_assigns_one_patient_and_audits_it(admin_client_, clinic_admin, patient, other_physio):
    response = _change(admin_client_, other_physio, [patient], "assign")
    assert response.status_code == 302
    assert response.url == f"{URL}?physio={other_physio.public_id}"
    link = CareTeamMembership.objects.get(physio=other_physio, patient=patient)
    assert link.created_by == clinic_admin
    event = AuditEvent.objects.get(action=AuditAction.CARE_TEAM_ADD)
    assert event.actor == clinic_admin and event.patient == patient
    assert event.detail == {"physio": "charlie"}


def test_it_assigns_in_bulk_and_leaves_existing_links_alone(admin_client_, patient, physio):
    others = PatientFactory.create_batch(3)
    _change(admin_client_, physio, [patient, *others], "assign")
    assert set(patients_in_care_of(physio)) == {patient, *others}
    assert AuditEvent.objects.filter(action=AuditAction.CARE_TEAM_ADD).count() == 3  # alice was on it already


def test_it_takes_off_one_and_in_bulk(admin_client_, physio, patient):
    others = PatientFactory.create_batch(3)
    for p in others:
        CareTeamMembershipFactory.create(physio=physio, patient=p)

    _change(admin_client_, physio, [patient], "remove")
    assert set(patients_in_care_of(physio)) == set(others)
    _change(admin_client_, physio, others[:2], "remove")
    assert list(patients_in_care_of(physio)) == [others[2]]
    assert AuditEvent.objects.filter(action=AuditAction.CARE_TEAM_REMOVE).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.CARE_TEAM_REMOVE, patient=patient).exists()


def test_a_deactivated_physio_or_a_signed_out_visitor_is_in_care_of_no_one(physio, patient):
    """The scoping definition itself refuses, whatever the session or the care-team rows still say."""
    from django.contrib.auth.models import AnonymousUser

    assert list(patients_in_care_of(physio)) == [patient]
    physio.is_active = False
    assert list(patients_in_care_of(physio)) == []
    assert list(patients_in_care_of(AnonymousUser())) == []


def test_a_change_takes_effect_on_the_next_request(admin_client_, other_physio_client, other_physio, patient):
    """No caching: the physio's very next request sees the new care team."""
    patient_page = f"/clinic/patients/{patient.public_id}/"
    scoped = lambda: list(patients_in_care_of(other_physio))  # noqa: E731

    assert scoped() == []
    _change(admin_client_, other_physio, [patient], "assign")
    assert scoped() == [patient]
    assert other_physio_client.get(patient_page).status_code == 200
    _change(admin_client_, other_physio, [patient], "remove")
    assert scoped() == []
    assert other_physio_client.get(patient_page).status_code == 404


def test_it_refuses_a_patient_as_the_physio(admin_client_, patient):
    other = PatientFactory.create()
    response = _change(admin_client_, other, [patient], "assign", follow=True)
    assert not CareTeamMembership.objects.filter(physio=other).exists()
    assert "Select a valid choice" in response.content.decode()


def test_it_refuses_a_physio_as_a_patient(admin_client_, physio, other_physio):
    _change(admin_client_, physio, [other_physio], "assign")
    assert not CareTeamMembership.objects.filter(patient=other_physio).exists()


def test_it_refuses_a_deactivated_patient(admin_client_, physio):
    gone = PatientFactory.create(is_active=False)
    _change(admin_client_, physio, [gone], "assign")
    assert not CareTeamMembership.objects.filter(patient=gone).exists()


def test_an_admin_cannot_put_themselves_on_a_care_team(admin_client_, clinic_admin, patient):
    response = _change(admin_client_, clinic_admin, [patient], "assign", follow=True)
    assert ERROR_SELF_ASSIGN in response.content.decode()
    assert not CareTeamMembership.objects.filter(physio=clinic_admin).exists()


def test_another_admin_can_put_an_admin_on_a_care_team(admin_client_, patient):
    treating_admin = AdminFactory.create(username="tess")
    _change(admin_client_, treating_admin, [patient], "assign")
    assert list(patients_in_care_of(treating_admin)) == [patient]


def test_the_service_refuses_an_inactive_physio(clinic_admin, patient):
    from django.core.exceptions import ValidationError

    from tracker.services.accounts import care_team_assign
    from tracker.services.audit import AuditContext

    gone = PhysioFactory.create(is_active=False)
    with pytest.raises(ValidationError, match=ERROR_NOT_CLINICIAN):
        care_team_assign(physio=gone, patients=[patient], audit=AuditContext(actor=clinic_admin))


def test_it_needs_a_ticked_patient(admin_client_, physio):
    response = _change(admin_client_, physio, [], "assign", follow=True)
    assert "Tick at least one patient." in response.content.decode()


def test_it_goes_back_to_a_local_next_only(admin_client_, physio, patient):
    user_page = reverse("manage:user_detail", kwargs={"public_id": patient.public_id})
    assert _change(admin_client_, physio, [patient], "remove", next=user_page).url == user_page
    evil = _change(admin_client_, physio, [patient], "assign", next="https://evil.example/")
    assert evil.url.startswith(URL)


def test_only_admins_change_care_teams(physio_client, patient_client, other_physio, patient):
    assert _change(physio_client, other_physio, [patient], "assign").status_code == 403
    assert _change(patient_client, other_physio, [patient], "assign").status_code == 403
    assert physio_client.get(URL).status_code == 403
    assert not CareTeamMembership.objects.filter(physio=other_physio).exists()


def test_changes_are_post_only(admin_client_):
    assert admin_client_.get(reverse("manage:care_teams_change")).status_code == 405


@pytest.mark.parametrize("patients", [1, 30])
def test_the_page_runs_a_fixed_number_of_queries(admin_client_, django_assert_num_queries, physio, patients):
    for p in PatientFactory.create_batch(patients):
        CareTeamMembershipFactory.create(patient=p, physio=physio)
    # 1 session, 2 user, 3 the authenticator that verified the session, 4 the chosen physio (the form's choice),
    # 5 count, 6 the page of patients, 7 their care-team links with the physios, 8 the physios for the select,
    # 9-11 session saved (savepoint).
    with django_assert_num_queries(11):
        response = admin_client_.get(URL, {"physio": physio.public_id})
    assert response.status_code == 200


def test_a_deactivated_physio_can_be_taken_off_but_not_assigned(admin_client_, physio, patient):
    physio.is_active = False
    physio.save()
    erin = PatientFactory.create(username="erin")
    _change(admin_client_, physio, [erin], "assign")
    assert not CareTeamMembership.objects.filter(physio=physio, patient=erin).exists()
    _change(admin_client_, physio, [patient], "remove")
    assert not CareTeamMembership.objects.filter(physio=physio).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_assignment_made_at_the_same_moment_is_already_assigned(clinic_admin, other_physio):
    """Two admins assign the same physiotherapist at once (issue 12 item 5): the second's insert meets the
    first's uncommitted link, waits, and then hits the unique constraint. That is "already assigned", not a 500.

    Deterministic on PostgreSQL: one connection holds the link uncommitted while the service runs on another.
    """
    import threading
    import time

    from django.db import connection, connections, transaction

    from tracker.services.accounts import care_team_assign
    from tracker.services.audit import AuditContext

    if connection.vendor == "sqlite":
        pytest.skip("the SQLite test database is in memory, not shared between threads (runs on PostgreSQL)")
    erin = PatientFactory.create(username="erin")
    inserted, release = threading.Event(), threading.Event()

    def first_admin():
        try:
            with transaction.atomic():
                CareTeamMembership.objects.create(patient=erin, physio=other_physio, created_by=clinic_admin)
                inserted.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=first_admin)
    holder.start()
    assert inserted.wait(timeout=10)
    threading.Timer(1.0, release.set).start()  # commit while the service's insert waits on the same key
    started = time.monotonic()
    created = care_team_assign(physio=other_physio, patients=[erin], audit=AuditContext(actor=clinic_admin))
    holder.join()
    assert created == []
    assert time.monotonic() - started >= 0.5  # it did wait on the other insert
    assert CareTeamMembership.objects.filter(patient=erin, physio=other_physio).count() == 1
