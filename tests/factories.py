"""factory-boy factories, one per model, with traits for the common clinical situations."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

import factory
from django.utils import timezone

from tracker import models as m

TEST_PASSWORD = "correct-horse-battery-9"


def _save_user(obj: m.User, create: bool, extracted: object, **kwargs: object) -> None:
    """Save the user once its password is set (``skip_postgeneration_save`` turns off factory-boy's own save)."""
    if create:
        obj.save()


class UserFactory(factory.django.DjangoModelFactory[m.User]):
    class Meta:
        model = m.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = m.Role.PATIENT
    time_zone = "UTC"
    # Accounts in the tests exist from well before any date a test judges on (silence counts from the day a
    # patient could first log, which is never before their account existed).
    date_joined = datetime(2025, 1, 1, tzinfo=UTC)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)
    _save = factory.post_generation(_save_user)


class PatientFactory(UserFactory):
    username = factory.Sequence(lambda n: f"patient{n}")
    role = m.Role.PATIENT


class StaffFactory(UserFactory):
    """Staff have an authenticator set up, as every staff account does after its first sign-in;
    ``second_factor=False`` for one that has not set it up yet."""

    @factory.post_generation
    def second_factor(obj: m.User, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False and not obj.second_factor_enabled:
            from tests.second_factor import enrol

            enrol(obj)


class PhysioFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"physio{n}")
    role = m.Role.PHYSIO


class AdminFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    role = m.Role.ADMIN


class CareTeamMembershipFactory(factory.django.DjangoModelFactory[m.CareTeamMembership]):
    class Meta:
        model = m.CareTeamMembership

    patient = factory.SubFactory(PatientFactory)
    physio = factory.SubFactory(PhysioFactory)


class CourseFactory(factory.django.DjangoModelFactory[m.Course]):
    class Meta:
        model = m.Course

    patient = factory.SubFactory(PatientFactory)
    kind = m.CourseKind.MASSAGE
    foot = m.CourseFoot.LEFT
    day_zero = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=21))
    status = m.CourseStatus.ACTIVE
    # Set up on its day 0 (or now, for a course that starts later): silence counts from when it existed.
    created_at = factory.LazyAttribute(
        lambda o: min(timezone.now(), datetime.combine(o.day_zero, time.min, tzinfo=UTC))
    )

    class Params:
        endoscopic = factory.Trait(kind=m.CourseKind.ENDOSCOPIC)
        open_surgery = factory.Trait(kind=m.CourseKind.OPEN)
        needling = factory.Trait(kind=m.CourseKind.NEEDLING, planned_sessions=6)
        completed = factory.Trait(
            status=m.CourseStatus.COMPLETED, ended_on=factory.LazyAttribute(lambda o: o.day_zero + timedelta(days=42))
        )
        stopped = factory.Trait(
            status=m.CourseStatus.STOPPED, ended_on=factory.LazyAttribute(lambda o: o.day_zero + timedelta(days=14))
        )


class DailyLogFactory(factory.django.DjangoModelFactory[m.DailyLog]):
    class Meta:
        model = m.DailyLog

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(date.today)
    foot = m.Foot.LEFT
    recorded_on = factory.LazyAttribute(lambda o: o.date)
    first_step_pain = 5
    average_pain = 4

    class Params:
        red_flag = factory.Trait(rf_calf=True)
        emergency = factory.Trait(rf_breathless_chest=True)
        high_pain = factory.Trait(first_step_pain=8, average_pain=7)


class SessionFactory(factory.django.DjangoModelFactory[m.Session]):
    class Meta:
        model = m.Session

    patient = factory.SubFactory(PatientFactory)
    kind = m.SessionKind.MASSAGE
    date = factory.LazyFunction(date.today)
    minutes = 10
    technique = m.MassageTechnique.MYOFASCIAL
    tool = m.MassageTool.BALL
    areas = factory.LazyFunction(lambda: ["heel", "arch"])
    preparation = m.Preparation.WARM_SOAK
    discomfort = 2

    class Params:
        needling = factory.Trait(
            kind=m.SessionKind.NEEDLING,
            technique="",
            tool="",
            areas=[],
            preparation="",
            discomfort=None,
            minutes=20,
            sites=["calf", "heel"],
            twitch_response=True,
            soreness_after=3,
        )
        other = factory.Trait(
            kind=m.SessionKind.OTHER,
            technique="",
            tool="",
            areas=[],
            preparation="",
            discomfort=None,
            other_kind=m.OtherSessionKind.STRETCHING,
        )
        surgery = factory.Trait(
            kind=m.SessionKind.SURGERY,
            technique="",
            tool="",
            areas=[],
            preparation="",
            discomfort=None,
            minutes=None,
            surgery_kind=m.SurgeryKind.ENDOSCOPIC,
            foot=m.CourseFoot.LEFT,
        )
        adverse = factory.Trait(adverse_reaction=True, discomfort=7)


class ClinicalNoteFactory(factory.django.DjangoModelFactory[m.ClinicalNote]):
    class Meta:
        model = m.ClinicalNote

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(PhysioFactory)
    text = factory.Faker("sentence")


class AlertFactory(factory.django.DjangoModelFactory[m.Alert]):
    class Meta:
        model = m.Alert

    patient = factory.SubFactory(PatientFactory)
    kind = m.AlertKind.NO_LOG_2
    severity = m.Severity.LOW
    occurrence = factory.Sequence(lambda n: f"occurrence-{n}")
    message = "No log for 2 days."

    class Params:
        critical = factory.Trait(kind=m.AlertKind.RED_FLAG, severity=m.Severity.CRITICAL, message="Red flag ticked.")
        acknowledged = factory.Trait(
            status=m.AlertStatus.ACKNOWLEDGED, acknowledged_at=factory.LazyFunction(timezone.now)
        )


class AuditEventFactory(factory.django.DjangoModelFactory[m.AuditEvent]):
    class Meta:
        model = m.AuditEvent

    actor = factory.SubFactory(PhysioFactory)
    actor_username = factory.LazyAttribute(lambda o: o.actor.username if o.actor else "")
    action = m.AuditAction.VIEW
    patient = factory.SubFactory(PatientFactory)
    target = "patient page"


class InvitationFactory(factory.django.DjangoModelFactory[m.Invitation]):
    class Meta:
        model = m.Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = m.Role.PHYSIO
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest())
    created_by = factory.SubFactory(AdminFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ReminderSentFactory(factory.django.DjangoModelFactory[m.ReminderSent]):
    class Meta:
        model = m.ReminderSent

    patient = factory.SubFactory(PatientFactory)
    local_date = factory.LazyFunction(date.today)


def bulk_caseload(
    *, physio: m.User, count: int, today: date, logs_per_patient: int = 10, prefix: str = "bulk"
) -> list[m.User]:
    """``count`` patients on ``physio``'s care team, each with an active massage course, ``logs_per_patient``
    daily logs up to ``today`` and an open low alert, created with bulk_create (fast enough for 500).

    Passwords are unusable (hashing 500 passwords would dominate the test's time).
    """
    patients = m.User.objects.bulk_create(
        [
            m.User(
                username=f"{prefix}{i}",
                first_name=f"First{i}",
                last_name=f"Last{i:04d}",
                role=m.Role.PATIENT,
                password="!",
            )
            for i in range(count)
        ]
    )
    patients = list(m.User.objects.filter(username__startswith=prefix).order_by("pk"))
    m.CareTeamMembership.objects.bulk_create([m.CareTeamMembership(patient=p, physio=physio) for p in patients])
    m.Course.objects.bulk_create(
        [
            m.Course(patient=p, kind=m.CourseKind.MASSAGE, foot=m.CourseFoot.LEFT, day_zero=today - timedelta(days=21))
            for p in patients
        ]
    )
    m.DailyLog.objects.bulk_create(
        [
            m.DailyLog(
                patient=p,
                date=today - timedelta(days=d),
                foot=m.Foot.LEFT,
                recorded_on=today,
                first_step_pain=(i + d) % 8,
                average_pain=3,
            )
            for i, p in enumerate(patients)
            for d in range(logs_per_patient)
        ]
    )
    m.Alert.objects.bulk_create(
        [
            m.Alert(
                patient=p,
                kind=m.AlertKind.NO_LOG_2,
                severity=m.Severity.LOW,
                occurrence=f"bulk-{p.pk}",
                message="No log for 2 days.",
            )
            for p in patients
        ]
    )
    return patients
