"""Integrity lives in the database: each constraint refuses bad data written past the forms."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    AlertFactory,
    AuditEventFactory,
    CareTeamMembershipFactory,
    ClinicalNoteFactory,
    CourseFactory,
    DailyLogFactory,
    InvitationFactory,
    PatientFactory,
    PhysioFactory,
    ReminderSentFactory,
    SessionFactory,
)
from tracker.models import AuditAction, Course, CourseStatus, DailyLog, Role, Session, feet_of

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory.create(**kwargs)


def test_it_builds_every_model_from_its_factory():
    for factory in (
        CareTeamMembershipFactory,
        CourseFactory,
        DailyLogFactory,
        SessionFactory,
        ClinicalNoteFactory,
        AlertFactory,
        AuditEventFactory,
        InvitationFactory,
        ReminderSentFactory,
    ):
        assert factory.create().pk is not None


def test_it_keeps_one_log_per_patient_day_and_foot():
    log = DailyLogFactory.create(date=DAY, foot="left")

    refused(DailyLogFactory, patient=log.patient, date=DAY, foot="left")
    assert DailyLogFactory.create(patient=log.patient, date=DAY, foot="right").pk  # the other foot is its own log
    assert DailyLog.objects.filter(patient=log.patient, date=DAY).count() == 2


@pytest.mark.parametrize("field", ["first_step_pain", "average_pain", "pain_after_activity", "needling_soreness"])
@pytest.mark.parametrize("value", [11, 200])
def test_it_refuses_a_score_above_10(field, value):
    refused(DailyLogFactory, **{field: value})


@pytest.mark.parametrize("field", ["first_step_pain", "average_pain"])
def test_it_accepts_the_ends_of_the_scale(field):
    assert DailyLogFactory.create(**{field: 0}).pk
    assert DailyLogFactory.create(**{field: 10}).pk


def test_it_refuses_a_negative_score():
    # PositiveSmallIntegerField has its own CHECK (>= 0) on both databases.
    refused(DailyLogFactory, first_step_pain=-1)


def test_it_refuses_a_log_dated_after_the_day_it_was_entered():
    refused(DailyLogFactory, date=DAY + timedelta(days=1), recorded_on=DAY)
    assert DailyLogFactory.create(date=DAY - timedelta(days=3), recorded_on=DAY).pk


@pytest.mark.parametrize(
    "fields",
    [
        {"minutes_on_feet": 1441},
        {"steps": 100_001},
        {"foot": "both"},
        {"weight_bearing": "hopping"},
        {"footwear": "slippers"},
    ],
)
def test_it_refuses_out_of_range_log_fields(fields):
    refused(DailyLogFactory, **fields)


def test_it_refuses_an_active_course_with_an_end_date_and_a_finished_one_without():
    refused(CourseFactory, status=CourseStatus.ACTIVE, ended_on=DAY)
    refused(CourseFactory, status=CourseStatus.COMPLETED, ended_on=None)
    refused(CourseFactory, status=CourseStatus.STOPPED, day_zero=DAY, ended_on=DAY - timedelta(days=1))
    assert CourseFactory.create(status=CourseStatus.COMPLETED, day_zero=DAY, ended_on=DAY).pk


@pytest.mark.parametrize(
    "fields", [{"kind": "reiki"}, {"foot": "none"}, {"planned_sessions": 0}, {"planned_sessions": 21}]
)
def test_it_refuses_invalid_course_fields(fields):
    refused(CourseFactory, **fields)


def test_it_refuses_sessions_missing_what_their_kind_needs():
    refused(SessionFactory, technique="")
    refused(SessionFactory, other=True, other_kind="")
    refused(SessionFactory, surgery=True, surgery_kind="")
    refused(SessionFactory, discomfort=11)
    refused(SessionFactory, minutes=0)
    refused(SessionFactory, surgery=True, date=DAY, immobilised_until=DAY - timedelta(days=1))


def test_it_raises_an_alert_once_per_occurrence():
    alert = AlertFactory.create(occurrence="2026-11-20 left")

    refused(AlertFactory, patient=alert.patient, kind=alert.kind, occurrence="2026-11-20 left")


def test_it_refuses_an_acknowledged_alert_without_a_time():
    refused(AlertFactory, status="acknowledged", acknowledged_at=None)


def test_it_refuses_a_care_team_link_twice_or_to_oneself():
    link = CareTeamMembershipFactory.create()

    refused(CareTeamMembershipFactory, patient=link.patient, physio=link.physio)
    refused(CareTeamMembershipFactory, patient=link.patient, physio=link.patient)


def test_it_sends_one_reminder_per_patient_per_day():
    sent = ReminderSentFactory.create(local_date=DAY)

    refused(ReminderSentFactory, patient=sent.patient, local_date=DAY)


def test_it_addresses_patients_and_courses_by_random_uuid():
    a, b = PatientFactory.create(), PatientFactory.create()
    course = CourseFactory.create(patient=a)

    assert a.public_id != b.public_id and a.public_id.version == 4
    assert course.public_id.version == 4


def test_it_lists_both_feet_for_a_course_on_both():
    assert Course(foot="both").feet == ("left", "right")
    assert Course(foot="left").feet == ("left",)


@pytest.mark.parametrize(
    ("course_foot", "feet"), [("left", ("left",)), ("right", ("right",)), ("both", ("left", "right"))]
)
def test_one_definition_of_the_feet_a_course_treats(course_foot, feet):
    """The model, the progress engine and the cohort band all read a course's feet from ``feet_of``."""
    assert feet_of(course_foot) == feet
    assert all(type(foot) is str for foot in feet_of(course_foot))  # plain values, as the logs store them
    assert Course(foot=course_foot).feet == feet


def test_a_session_survives_its_course_being_deleted():
    course = CourseFactory.create()
    session = SessionFactory.create(course=course)
    course.delete()

    assert Session.objects.get(pk=session.pk).course is None


def test_it_refuses_a_time_zone_that_is_not_an_iana_name():
    """The model's own check, behind every form that sets a time zone (reminders are sent at its local hour)."""
    user = PatientFactory.create(time_zone="Europe/London")
    user.full_clean()

    user.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError) as refusal:
        user.full_clean()

    assert refusal.value.message_dict == {"time_zone": ["Choose a time zone from the list, such as Europe/London."]}


def test_each_record_names_itself_in_words():
    """What Django's admin and its change log show for each record (``__str__``)."""
    at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    alice = PatientFactory.create(username="alice", first_name="Alice", last_name="Ward")
    physio = PhysioFactory.create(username="sam", first_name="", last_name="")  # no name: the user name stands in

    assert str(alice) == "Alice Ward"
    assert str(physio) == "sam"
    assert str(CareTeamMembershipFactory.create(patient=alice, physio=physio)) == "sam looks after Alice Ward"
    assert str(CourseFactory.create(patient=alice, kind="needling", foot="both", day_zero=DAY)) == (
        "Dry needling course (both feet) from 20 Nov 2026"
    )
    assert str(CourseFactory.create(patient=alice, kind="open", foot="left", day_zero=DAY)) == (
        "Open plantar fascia release (left foot) from 20 Nov 2026"
    )
    assert str(DailyLogFactory.create(patient=alice, date=DAY, foot="left", first_step_pain=6)) == (
        "Alice Ward 2026-11-20 left: first steps 6/10"
    )
    assert str(SessionFactory.create(patient=alice, date=DAY)) == "Home massage on 20 Nov 2026"
    assert str(ClinicalNoteFactory.create(patient=alice, author=physio, created_at=at)) == (
        "Note on Alice Ward by sam at 2026-11-20 09:30"
    )
    assert str(AlertFactory.create(patient=alice, critical=True)) == "Critical Red flag for Alice Ward"
    assert str(
        AuditEventFactory.create(actor=physio, patient=alice, at=at, action=AuditAction.VIEW, target="patient page")
    ) == ("2026-11-20 09:30 sam view patient page")
    assert (
        str(AuditEventFactory.create(actor=None, at=at, target="sign-in refused"))
        == "2026-11-20 09:30 - view sign-in refused"
    )
    assert str(InvitationFactory.create(email="new@example.org", role=Role.PHYSIO)) == (
        "Invitation for new@example.org as Physiotherapist"
    )
    assert str(ReminderSentFactory.create(patient=alice, local_date=DAY)) == "Reminder to Alice Ward for 2026-11-20"
