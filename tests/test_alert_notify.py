"""E-mails to the care team about alerts (issue 14): red flags at once and once, the daily digest."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import (
    AdminFactory,
    AlertFactory,
    CareTeamMembershipFactory,
    CourseFactory,
    PatientFactory,
    PhysioFactory,
)
from tracker.models import Alert, AlertDigestSent, AlertKind, AlertStatus, Severity
from tracker.services.alert_notify import alert_digest_send, alert_notify, alerts_notify_pending
from tracker.services.alerts import alerts_raise_for_patient
from tracker.services.audit import AuditContext
from tracker.services.logs import daily_log_save

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
# Words that would tell a reader of the e-mail something clinical (the alert's own message is clinical).
CLINICAL_WORDS = re.compile(r"chest|breath|calf|pain|swell|fever|wound|red flag|clot|numb", re.IGNORECASE)


@pytest.fixture
def team():
    patient = PatientFactory.create(first_name="Alice", last_name="Ash")
    CourseFactory.create(patient=patient, kind="massage", day_zero=TODAY - timedelta(days=20))
    physios = [PhysioFactory.create(), PhysioFactory.create()]
    for physio in physios:
        CareTeamMembershipFactory.create(patient=patient, physio=physio)
    PhysioFactory.create()  # not on the care team: never e-mailed
    return patient, physios


def tick(patient, **flags):
    day = {"first_step_pain": 4, "average_pain": 3, **flags}
    daily_log_save(
        patient=patient, day=TODAY, today=TODAY, data_by_foot={"left": day}, audit=AuditContext(actor=patient)
    )


def test_a_red_flag_e_mails_each_member_of_the_care_team_once_when_saved(
    team, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://heel.example.org"
    patient, physios = team
    with django_capture_on_commit_callbacks(execute=True):
        tick(patient, rf_calf=True)
    with django_capture_on_commit_callbacks(execute=True):
        tick(patient, rf_calf=True, rf_breathless_chest=True)  # the chest pain is a second critical alert

    assert Alert.objects.filter(patient=patient, severity=Severity.CRITICAL).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([p.email for p in physios] * 2)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)  # nobody sees the others
    for message in mail.outbox:
        assert message.subject == "Urgent: a patient on your care team has an alert"
        assert "a patient on your care team has an urgent alert" in message.body.lower()
        assert f"https://heel.example.org/clinic/patients/{patient.public_id}/" in message.body
        # No clinical detail, and not even the patient's name.
        assert not CLINICAL_WORDS.search(str(message.subject) + str(message.body)), message.body
        assert "Alice" not in message.body and "Ash" not in message.body
    assert all(a.notified_at is not None for a in Alert.objects.filter(patient=patient))


def test_it_is_sent_once_per_alert_however_many_times_it_is_raised_and_notified(
    team, django_capture_on_commit_callbacks
):
    patient, physios = team
    with django_capture_on_commit_callbacks(execute=True):
        tick(patient, rf_calf=True)
        tick(patient, rf_calf=True)  # raised twice: the second raises nothing
        alerts_raise_for_patient(patient=patient, today=TODAY)
    [alert] = Alert.objects.filter(patient=patient)
    # Two servers notify the same alert (each with its own copy of the row, notified_at still empty).
    stale_1, stale_2 = Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)
    stale_1.notified_at = stale_2.notified_at = None
    assert alert_notify(alert=stale_1) == 0
    assert alert_notify(alert=stale_2) == 0
    assert alerts_notify_pending(now=timezone.now()) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in physios)


def test_only_the_first_of_two_notifiers_sends(team):
    patient, _ = team
    alert = AlertFactory.create(patient=patient, kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL)

    assert alert_notify(alert=alert) == 2
    assert alert_notify(alert=alert) == 0
    assert len(mail.outbox) == 2


def test_a_failed_send_is_retried_by_raise_alerts_and_not_lost(team, monkeypatch):
    patient, physios = team
    alert = AlertFactory.create(patient=patient, kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL)

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert alert_notify(alert=alert) == 0
    alert.refresh_from_db()
    assert alert.notified_at is None  # free to be tried again
    monkeypatch.undo()

    call_command("raise_alerts", stdout=StringIO())
    urgent = [m.to[0] for m in mail.outbox if m.subject.startswith("Urgent")]
    assert sorted(urgent) == sorted(p.email for p in physios)
    alert.refresh_from_db()
    assert alert.notified_at is not None


def test_a_patient_with_no_care_team_has_the_clinic_admins_told():
    patient = PatientFactory.create()
    admin = AdminFactory.create()
    AdminFactory.create(is_active=False)
    alert = AlertFactory.create(patient=patient, kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL)

    assert alert_notify(alert=alert) == 1
    assert mail.outbox[0].to == [admin.email]


def test_with_nobody_to_tell_the_alert_is_never_marked_told_and_is_tried_again():
    patient = PatientFactory.create()  # no care team, and no clinic admin with an address
    AdminFactory.create(email="")
    alert = AlertFactory.create(patient=patient, kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL)

    assert alert_notify(alert=alert) == 0
    alert.refresh_from_db()
    assert alert.notified_at is None and mail.outbox == []
    admin = AdminFactory.create()  # someone to tell now: the retry reaches them
    assert alerts_notify_pending(now=timezone.now()) == 1
    assert mail.outbox[0].to == [admin.email]


def test_a_function_decline_is_e_mailed_to_the_care_team_at_once(team, settings, django_capture_on_commit_callbacks):
    from tests.questionnaire_data import faam_response
    from tracker.services.questionnaires import function_alerts_raise

    settings.ALERT_EMAILS = "immediate"
    patient, physios = team
    faam_response(patient, TODAY - timedelta(days=14), adl=3, sports=None)
    faam_response(patient, TODAY, adl=2, sports=None)  # -25: beyond the MCID of 8
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = function_alerts_raise(patient=patient)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in physios)
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert not any(CLINICAL_WORDS.search(f"{m.subject} {m.body}") for m in mail.outbox)


@pytest.mark.parametrize(
    ("setting", "severity", "emailed"),
    [
        ("immediate", Severity.HIGH, True),
        ("immediate", Severity.MEDIUM, True),
        ("immediate", Severity.LOW, False),
        ("digest", Severity.HIGH, False),
        ("digest", Severity.MEDIUM, False),
        ("digest", Severity.CRITICAL, True),  # a red flag always goes at once
    ],
)
def test_the_clinic_chooses_at_once_or_a_digest_for_high_and_medium_alerts(team, settings, setting, severity, emailed):
    settings.ALERT_EMAILS = setting
    patient, _ = team
    AlertFactory.create(patient=patient, severity=severity, created_at=timezone.now(), notified_at=None)

    alerts_notify_pending(now=timezone.now())

    assert len(mail.outbox) == (2 if emailed else 0)
    if emailed and severity != Severity.CRITICAL:
        assert mail.outbox[0].subject == "A patient on your care team has a new alert"


def test_the_digest_counts_open_high_and_medium_alerts_once_a_day(team, settings):
    settings.ALERT_EMAILS = "digest"
    patient, (first, second) = team
    other = PatientFactory.create()
    CareTeamMembershipFactory.create(patient=other, physio=first)
    AlertFactory.create(patient=patient, severity=Severity.HIGH, kind=AlertKind.WORSENING)
    AlertFactory.create(patient=patient, severity=Severity.MEDIUM, kind=AlertKind.NO_LOG_7)
    AlertFactory.create(patient=other, severity=Severity.MEDIUM, kind=AlertKind.NO_LOG_7)
    AlertFactory.create(patient=other, severity=Severity.LOW, kind=AlertKind.NO_LOG_2)  # not in a digest
    AlertFactory.create(
        patient=other,
        severity=Severity.HIGH,
        kind=AlertKind.WORSENING,
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
    )  # handled

    assert alert_digest_send(on=TODAY) == 2
    assert alert_digest_send(on=TODAY) == 0  # a second run, or a second server, the same day
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "3 open alerts (high or medium) for 2 patients" in bodies[first.email]
    assert "2 open alerts (high or medium) for 1 patient " in bodies[second.email]
    assert not any(CLINICAL_WORDS.search(str(m.subject) + str(m.body)) for m in mail.outbox)
    assert AlertDigestSent.objects.filter(local_date=TODAY).count() == 2

    out = StringIO()
    call_command("send_alert_digest", f"--on={TODAY + timedelta(days=1)}", stdout=out)
    assert "2 digest(s) sent." in out.getvalue() and len(mail.outbox) == 4


def test_no_digest_unless_the_clinic_chose_it(team, settings):
    settings.ALERT_EMAILS = "immediate"
    patient, _ = team
    AlertFactory.create(patient=patient, severity=Severity.HIGH, kind=AlertKind.WORSENING)
    out = StringIO()
    call_command("send_alert_digest", stdout=out)
    assert "nothing to do" in out.getvalue() and mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_servers_notifying_at_once_send_one_e_mail_per_person_on_postgresql():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises writers")
    patient = PatientFactory.create()
    physios = [PhysioFactory.create(), PhysioFactory.create()]
    for physio in physios:
        CareTeamMembershipFactory.create(patient=patient, physio=physio)
    alerts = [
        AlertFactory.create(patient=patient, kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL) for _ in range(5)
    ]
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def server():
        try:
            mine = [Alert.objects.select_related("patient").get(pk=a.pk) for a in alerts]  # each its own copy
            barrier.wait(timeout=10)
            sent.append(sum(alert_notify(alert=a) for a in mine))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(sent) == len(alerts) * len(physios) == len(mail.outbox)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([p.email for p in physios] * len(alerts))
