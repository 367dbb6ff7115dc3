"""The scale benchmark's tools (issue 11): the data builder at a tiny size, and the bare signed-in page."""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import clear_url_caches
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PatientFactory
from tracker.management.commands.build_scale_data import SCALE_PASSWORD
from tracker.models import Alert, CareTeamMembership, Course, CourseKind, DailyLog, Role, Session, User

pytestmark = pytest.mark.django_db

PATIENTS, DAYS = 12, 20


def build(*extra: str) -> str:
    out = StringIO()
    call_command("build_scale_data", "--patients", str(PATIENTS), "--days", str(DAYS), *extra, stdout=out)
    return out.getvalue()


def caseload(username: str) -> set[str]:
    return set(CareTeamMembership.objects.filter(physio__username=username).values_list("patient__username", flat=True))


def test_it_builds_patients_logs_courses_and_care_teams():
    output = build()
    patients = User.objects.filter(role=Role.PATIENT)
    assert sorted(patients.values_list("username", flat=True)) == [f"scale-patient-{n:04d}" for n in range(1, 13)]
    staff = User.objects.filter(role=Role.PHYSIO)
    assert staff.count() == 12
    # At this size every caseload holds every patient it can: scale-physio's 500 and the first load-test
    # physiotherapist's 50 are all 12; the small caseload falls back to the first 50.
    everyone = set(patients.values_list("username", flat=True))
    assert caseload("scale-physio") == everyone
    assert caseload("scale-physio-small") == everyone
    assert caseload("scale-physio-1") == everyone
    assert caseload("scale-physio-2") == set()

    first_patient = patients.first()
    assert first_patient is not None
    today = first_patient.local_today()
    logs = DailyLog.objects.all()
    assert 0 < logs.count() <= PATIENTS * DAYS * 2
    assert logs.filter(date__lt=today - timedelta(days=DAYS - 1)).count() == 0
    assert logs.filter(date__gt=today).count() == 0
    # Every patient starts on a home massage routine, and has logs; each row has its edit history's first version.
    assert set(Course.objects.filter(kind=CourseKind.MASSAGE).values_list("patient__username", flat=True)) == everyone
    assert set(logs.values_list("patient__username", flat=True)) == everyone
    assert Course.history.count() == Course.objects.count()
    first = DailyLog.history.filter(history_type="+")
    assert first.count() == logs.count() == DailyLog.history.count()
    assert set(first.values_list("history_user__username", flat=True)) == everyone
    assert {h.first_step_pain for h in first} == {log.first_step_pain for log in logs}
    assert Session.history.count() == Session.objects.count()
    assert Session.objects.filter(kind="massage").exists()
    assert "scale-benchmark-only" in output and "Built in" in output


@pytest.mark.parametrize("days", [DAYS, 120])
def test_every_patient_answered_every_scheduled_faam_and_psfs_on_the_day_it_fell_due(days):
    from tracker.models import FaamAnswer, PsfsRating, QuestionnaireResponse
    from tracker.progress.questionnaires import CourseDates, Measure, questionnaire_due
    from tracker.selectors.questionnaires import questionnaire_history

    build("--days", str(days))
    someone = User.objects.filter(role=Role.PATIENT).first()
    assert someone is not None
    today = someone.local_today()
    first_day = today - timedelta(days=days - 1)
    ends = 0
    for patient in User.objects.filter(role=Role.PATIENT):
        courses = [CourseDates(c.day_zero, c.ended_on) for c in Course.objects.filter(patient=patient)]
        ends += sum(1 for c in courses if c.ended_on is not None)
        for kind in ("faam", "psfs"):
            responses = QuestionnaireResponse.objects.filter(patient=patient, kind=kind, completed=True)
            dates = sorted(responses.values_list("date", flat=True))
            assert dates[0] == first_day  # the baseline, on day 0 of the first course
            # Every 2 weeks; 3 between a later course's baseline (7 days before its day 0) and its first follow-up.
            assert all(later - earlier <= timedelta(days=21) for earlier, later in pairwise(dates))
            # Nothing is ever left due: each one was answered on the day it fell due.
            for n in range(days):
                day = first_day + timedelta(days=n)
                done = [d for d in dates if d <= day]
                assert questionnaire_due(courses=courses, completed_on=done, requested_on=[], today=day) is None
            assert not responses.filter(course__isnull=True).exists()
        history = questionnaire_history(patient=patient)
        faams = QuestionnaireResponse.objects.filter(patient=patient, kind="faam").count()
        assert len(history.readings[Measure.FAAM_ADL].points) == faams  # every one scored (the 90 % rule)
        assert len(history.readings[Measure.PSFS].points) == faams
    if days > DAYS:
        assert ends, "some patients moved on to a second course: their first one's end was answered too"
    assert FaamAnswer.objects.count() == 29 * QuestionnaireResponse.objects.filter(kind="faam").count()
    assert PsfsRating.objects.count() == QuestionnaireResponse.objects.filter(kind="psfs").count()


def test_staff_have_a_confirmed_authenticator_and_everyone_the_printed_password():
    output = build()
    for physio in User.objects.filter(role=Role.PHYSIO):
        assert physio.second_factor_enabled
        assert TOTPDevice.objects.filter(user=physio, confirmed=True).count() == 1
    patient = User.objects.get(username="scale-patient-0001")
    assert patient.check_password(SCALE_PASSWORD)
    assert not patient.second_factor_enabled
    assert f"password is {SCALE_PASSWORD!r}" in output


def test_it_raises_the_alerts_the_rules_raise():
    build()
    raised = Alert.objects.count()
    assert raised > 0
    out = StringIO()
    call_command("raise_alerts", stdout=out)
    assert "raised 0 new alerts" in out.getvalue()  # already raised by the build


@pytest.mark.parametrize("extra", [(), ("--force",)])
def test_it_refuses_a_database_with_a_real_account_even_with_force(extra):
    PatientFactory.create(username="alice")
    with pytest.raises(CommandError, match=r"accounts this command did not make \(alice\)"):
        build(*extra)
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]
    assert not DailyLog.objects.exists() and not Course.objects.exists()


def test_it_replaces_its_own_data_only_with_force():
    build()
    logs = DailyLog.objects.count()
    with pytest.raises(CommandError, match="already here"):
        build()
    assert DailyLog.objects.count() == logs
    build("--force")
    assert User.objects.filter(role=Role.PATIENT).count() == PATIENTS
    assert DailyLog.objects.count() == logs  # the same seed builds the same clinic again
    assert DailyLog.history.count() == logs


# ----------------------------------------------------------------------------------------------------------
# The bare signed-in page
# ----------------------------------------------------------------------------------------------------------


def test_the_bare_page_does_not_exist_unless_the_benchmark_turns_it_on(patient_client):
    assert patient_client.get("/bench/bare/").status_code == 404


@pytest.fixture
def bare_view_on():
    import recovery.urls

    with override_settings(BENCHMARK_BARE_VIEW=True):
        importlib.reload(recovery.urls)
        clear_url_caches()
        yield
    importlib.reload(recovery.urls)
    clear_url_caches()


def test_the_bare_page_when_on_is_for_signed_in_users_only(bare_view_on, client, patient_client, physio_client):
    response = client.get("/bench/bare/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for signed_in in (patient_client, physio_client):
        response = signed_in.get("/bench/bare/")
        assert response.status_code == 200
        assert b"Signed in." in response.content
        assert "no-store" in response["Cache-Control"]  # through the same middleware as every page
