"""The audit context: a view records who acted and from which address; a command or job records itself.

The services take an ``AuditContext``, never the request, so a management command can call them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import AlertFactory, CourseFactory
from tracker.models import AuditAction, AuditEvent, ClinicalNote, CourseStatus
from tracker.services import accounts as account_services
from tracker.services import clinic as clinic_services
from tracker.services.audit import AuditContext

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------------------------------------
# Commands and jobs
# ----------------------------------------------------------------------------------------------------------


def test_a_command_calls_a_service_with_a_system_context_and_the_event_has_no_address(patient):
    today = patient.local_today()
    course = CourseFactory.create(patient=patient, day_zero=today - timedelta(days=30))

    clinic_services.course_finish(
        course=course,
        outcome=CourseStatus.COMPLETED,
        ended_on=today,
        today=today,
        audit=AuditContext.for_command("close_courses"),
    )

    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, patient=patient)
    assert event.ip_address is None
    assert event.actor is None and event.actor_username == "system: close_courses"


def test_a_command_acting_for_a_person_records_that_person_without_an_address(patient, physio):
    note = clinic_services.note_add(
        patient=patient, text="Imported from the old system.", audit=AuditContext.for_command("import", actor=physio)
    )

    assert note.author == physio
    event = AuditEvent.objects.get(action=AuditAction.CREATE, patient=patient)
    assert (event.actor, event.actor_username, event.ip_address) == (physio, "bob", None)


@pytest.mark.parametrize(
    "call",
    [
        lambda patient, alert: clinic_services.note_add(
            patient=patient, text="x", audit=AuditContext.for_command("job")
        ),
        lambda patient, alert: clinic_services.alert_acknowledge(
            alert=alert, note="x", audit=AuditContext.for_command("job")
        ),
        lambda patient, alert: account_services.user_deactivate(user=patient, audit=AuditContext.for_command("job")),
    ],
)
def test_a_change_only_a_person_makes_refuses_a_context_without_one(patient, call):
    alert = AlertFactory.create(patient=patient)

    with pytest.raises(ValueError, match="give the audit context an actor"):
        call(patient, alert)

    assert not ClinicalNote.objects.exists() and not AuditEvent.objects.exists()
    alert.refresh_from_db()
    patient.refresh_from_db()
    assert alert.acknowledged_by is None and patient.is_active


def test_a_command_sends_an_invitation_with_the_site_url_setting(clinic_admin, settings):
    settings.SITE_URL = "https://clinic.example.org"

    account_services.invitation_create(
        email="new@example.org", role="physio", audit=AuditContext.for_command("invite", actor=clinic_admin)
    )

    assert "https://clinic.example.org/accounts/invitation/" in mail.outbox[0].body
    assert AuditEvent.objects.get(action=AuditAction.INVITE).ip_address is None


def test_a_password_reset_needs_the_site_address(clinic_admin, patient, settings):
    settings.SITE_URL = ""

    with pytest.raises(ValueError, match="site's address"):
        account_services.user_send_password_reset(user=patient, audit=AuditContext(actor=clinic_admin))

    assert mail.outbox == []


# ----------------------------------------------------------------------------------------------------------
# Views
# ----------------------------------------------------------------------------------------------------------


def test_from_request_takes_the_signed_in_user_and_the_client_address(patient, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    request.user = patient

    assert AuditContext.from_request(request) == AuditContext(actor=patient, ip_address="203.0.113.7")


def test_from_request_has_no_actor_when_signed_out():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")
    request.user = AnonymousUser()

    assert AuditContext.from_request(request) == AuditContext(actor=None, ip_address="10.0.0.9")


def test_a_page_view_records_the_client_address(physio, physio_client, patient):
    physio_client.get(reverse("clinic:patient", args=[patient.public_id]), REMOTE_ADDR="203.0.113.20")

    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient=patient)
    assert (event.actor, event.ip_address) == (physio, "203.0.113.20")


def test_a_change_through_a_view_records_the_client_behind_the_proxy(physio, physio_client, patient, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    physio_client.post(
        reverse("clinic:note_add", args=[patient.public_id]),
        {"text": "Plan: taper."},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    event = AuditEvent.objects.get(action=AuditAction.CREATE, patient=patient, target__startswith="clinical note")
    assert (event.actor, event.ip_address) == (physio, "203.0.113.7")


def test_a_patients_own_write_records_the_patient_and_the_address(patient, patient_client, course):
    patient_client.post(
        reverse("patient:today"), {"left-first_step_pain": "3", "left-average_pain": "2"}, REMOTE_ADDR="203.0.113.30"
    )

    event = AuditEvent.objects.get(action=AuditAction.CREATE, target__startswith="daily log")
    assert (event.actor, event.patient, event.ip_address) == (patient, patient, "203.0.113.30")


def test_an_accepted_invitation_is_the_new_accounts_own_event_with_the_visitors_address(
    admin_client_, clinic_admin, client
):
    admin_client_.post(reverse("manage:invite"), {"email": "new@example.org", "role": "patient"})
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    path = link.group(1)

    client.post(
        path,
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Patient",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
        },
        REMOTE_ADDR="203.0.113.40",
    )

    event = AuditEvent.objects.get(action=AuditAction.INVITE, detail__event="accepted")
    assert event.actor is not None and event.actor.username == "newbie" and event.patient == event.actor
    assert event.ip_address == "203.0.113.40"


@pytest.mark.parametrize(("secure", "scheme"), [(False, "http"), (True, "https")])
def test_the_links_an_admin_sends_start_with_the_address_they_use(admin_client_, patient, secure, scheme):
    admin_client_.post(reverse("manage:invite"), {"email": "new@example.org", "role": "physio"}, secure=secure)
    admin_client_.post(reverse("manage:user_password_reset", args=[patient.public_id]), secure=secure)

    invitation, reset = mail.outbox
    assert f"{scheme}://testserver/accounts/invitation/" in invitation.body
    assert f"{scheme}://testserver/accounts/reset/" in reset.body
