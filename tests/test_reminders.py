"""Daily reminders: ``manage.py send_reminders`` (hourly from cron)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import DailyLogFactory, PatientFactory, PhysioFactory, ReminderSentFactory
from tracker.models import ReminderSent
from tracker.services.reminders import reminder_send, reminders_due, reminders_send

pytestmark = pytest.mark.django_db

# 05:00 UTC on 2 March 2026: 19:00 on 1 March in Honolulu (UTC-10), 18:00 on 2 March in Tongatapu (UTC+13),
# 05:00 in London.
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


def wants(zone="UTC", hour=5, **kwargs):
    return PatientFactory.create(time_zone=zone, reminder_enabled=True, reminder_hour=hour, **kwargs)


def run(now=None):
    out = StringIO()
    call_command("send_reminders", f"--now={now or NOW.isoformat()}", stdout=out)
    return out.getvalue()


def test_it_reminds_each_patient_at_their_own_local_hour():
    honolulu = wants("Pacific/Honolulu", 19)
    tonga = wants("Pacific/Tongatapu", 18)
    wants("Pacific/Tongatapu", 19)  # not their hour yet
    london = wants("Europe/London", 5)

    due = {(d.patient, d.local_date) for d in reminders_due(now=NOW)}

    assert due == {(honolulu, date(2026, 3, 1)), (tonga, date(2026, 3, 2)), (london, date(2026, 3, 2))}


def test_it_skips_patients_who_logged_their_local_today():
    honolulu = wants("Pacific/Honolulu", 19)
    tonga = wants("Pacific/Tongatapu", 18)
    DailyLogFactory.create(patient=honolulu, date=date(2026, 3, 1))  # their today
    DailyLogFactory.create(patient=tonga, date=date(2026, 3, 1))  # their yesterday: today is still to log

    assert [d.patient for d in reminders_due(now=NOW)] == [tonga]


def test_it_skips_whoever_did_not_ask_is_closed_has_no_email_or_is_not_a_patient():
    PatientFactory.create(reminder_enabled=False, reminder_hour=5)
    wants(is_active=False)
    wants(email="")
    PhysioFactory.create(reminder_enabled=True, reminder_hour=5)

    assert reminders_due(now=NOW) == []


def test_it_sends_one_email_with_a_link_and_no_health_details():
    patient = wants("Pacific/Honolulu", 19, first_name="Hana")

    assert "1 reminder sent." in run()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    assert message.subject == "Time for today's heel log"
    assert "Hello Hana" in message.body and "Sunday 1 March" in message.body
    assert ReminderSent.objects.get().local_date == date(2026, 3, 1)


def test_running_twice_sends_one_email():
    wants()

    run()
    out = run()

    assert len(mail.outbox) == 1
    assert "0 reminders sent." in out


def test_a_second_server_that_read_the_same_list_does_not_send_again():
    """Both servers found the patient due; the one whose insert loses sends nothing."""
    patient = wants()
    (due,) = reminders_due(now=NOW)
    ReminderSentFactory.create(patient=patient, local_date=due.local_date)  # the other server got there first

    assert reminder_send(patient=due.patient, local_date=due.local_date) is False
    assert mail.outbox == []


def test_the_database_allows_one_reminder_per_patient_and_local_date():
    patient = wants()
    ReminderSentFactory.create(patient=patient, local_date=date(2026, 3, 2))

    with pytest.raises(IntegrityError):
        ReminderSent.objects.create(patient=patient, local_date=date(2026, 3, 2))


def test_the_next_local_day_gets_its_own_reminder():
    wants()

    reminders_send(now=NOW)
    reminders_send(now=datetime(2026, 3, 3, 5, 0, tzinfo=UTC))

    assert len(mail.outbox) == 2


def test_it_includes_the_site_link_when_given():
    wants()

    call_command(
        "send_reminders", f"--now={NOW.isoformat()}", "--site-url=https://heel.example.org/", stdout=StringIO()
    )

    assert "https://heel.example.org/today/" in mail.outbox[0].body


def test_a_naive_now_is_utc_and_a_bad_one_is_refused():
    wants()

    run("2026-03-02T05:30:00")
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="ISO 8601"):
        run("yesterday")


def test_without_now_it_uses_the_current_time(monkeypatch):
    """Cron runs it with no arguments: the hour that counts is the current one."""
    london = wants("Europe/London", 5)
    wants("Europe/London", 6)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    out = StringIO()

    call_command("send_reminders", stdout=out)

    assert out.getvalue() == "1 reminder sent.\n"
    assert [m.to for m in mail.outbox] == [[london.email]]


def test_it_mentions_a_due_questionnaire_in_the_same_email():
    from tests.factories import CourseFactory

    due = wants("Pacific/Honolulu", 19, first_name="Hana")
    CourseFactory.create(patient=due, day_zero=date(2026, 2, 27))  # the baseline is due
    quiet = wants("Pacific/Honolulu", 19, first_name="Ivo")  # no course: nothing due

    run()

    assert len(mail.outbox) == 2  # one each, no extra e-mail
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "A short questionnaire about what you can do is also due" in bodies[due.email]
    assert "questionnaire" not in bodies[quiet.email]
