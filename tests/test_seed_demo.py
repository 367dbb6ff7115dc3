"""The demo data: the accounts the README lists, idempotent, and never with DEBUG off."""

import io
import re
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Alert, CareTeamMembership, Course, DailyLog, Session, User

pytestmark = pytest.mark.django_db


def seed(settings) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return [m.objects.count() for m in (User, Course, DailyLog, Session, CareTeamMembership, Alert)]


def test_it_loads_the_demo_clinic(settings):
    output = seed(settings)

    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "physio": "physio",
        "admin": "admin",
        "endoscopic": "patient",
        "open": "patient",
        "needling": "patient",
        "massage": "patient",
        "recent": "patient",
        "early": "patient",
        "wound": "patient",
    }
    assert all(User.objects.get(username=u).check_password("recover-demo") for u in roles)
    assert "recover-demo" in output
    physio = User.objects.get(username="physio")
    assert set(CareTeamMembership.objects.filter(physio=physio).values_list("patient__username", flat=True)) == {
        "endoscopic",
        "open",
        "needling",
        "massage",
        "recent",
        "early",
        "wound",
    }


@pytest.mark.parametrize("username", ["endoscopic", "open", "needling", "massage", "wound"])
def test_it_gives_each_patient_an_active_course_and_4_to_8_weeks_of_logs(settings, username):
    seed(settings)
    patient = User.objects.get(username=username)

    course = Course.objects.get(patient=patient, status="active")
    assert course.kind == {"wound": "open"}.get(username, username)
    days = DailyLog.objects.filter(patient=patient).dates("date", "day")
    first, last = days.first(), days.last()
    assert first is not None and last is not None
    span_weeks = (last - first).days / 7
    assert 4 <= span_weeks <= 8
    assert Session.objects.filter(patient=patient).exists()


def test_it_shows_every_status_and_the_expected_post_operative_peak(settings):
    from tracker.progress.report import FindingKind
    from tracker.selectors.progress import patient_reports

    seed(settings)
    statuses = {}
    for username in ("endoscopic", "open", "needling", "massage", "recent", "early", "wound"):
        patient = User.objects.get(username=username)
        [report] = patient_reports(patient=patient, today=patient.local_today())
        statuses[username] = (report.status.value, report.decided_by.kind if report.decided_by else None)
    assert statuses == {
        "endoscopic": ("behind", FindingKind.MILESTONE_OVERDUE),
        "open": ("red_flag", FindingKind.RED_FLAG),
        "needling": ("on_track", FindingKind.IMPROVED),  # a real improvement, as expected by week 5
        "massage": ("on_track", None),
        "recent": ("on_track", FindingKind.POST_OP_EXPECTED),  # the pain peak after surgery: no alert
        "early": ("ahead", FindingKind.MILESTONE_EARLY),
        "wound": ("worsening", FindingKind.WOUND_CONCERN),
    }
    recent = User.objects.get(username="recent")
    assert not Alert.objects.filter(patient=recent).exists()
    assert Alert.objects.filter(patient__username="wound", kind="wound_concern", severity=3).exists()


def test_it_raises_the_red_flag_alert_for_the_open_patient(settings):
    seed(settings)

    alert = Alert.objects.get(kind="red_flag")
    assert alert.patient.username == "open" and alert.severity == 4


def test_it_adds_nothing_the_second_time(settings):
    seed(settings)
    before = counts()

    output = seed(settings)

    assert counts() == before
    assert "nothing added" in output


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_the_demo_staff_have_the_published_authenticator_key_and_the_command_prints_it(settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.second_factor import code_at
    from tracker.services.second_factor import DEMO_TOTP_SECRET, secret_hex

    output = seed(settings)

    devices = TOTPDevice.objects.filter(confirmed=True)
    assert sorted(d.user.username for d in devices) == ["admin", "physio"]
    assert {d.key for d in devices} == {secret_hex(DEMO_TOTP_SECRET)}
    assert all(User.objects.get(username=u).second_factor_enabled for u in ("admin", "physio"))
    assert DEMO_TOTP_SECRET in output and "works only with DEBUG on" in output
    # The code printed is the one an app holding the key shows (this step, or the last if the clock just moved).
    printed = re.search(r"The code right now is (\d{6})", output)
    assert printed is not None
    step = int(time.time()) // 30
    assert printed.group(1) in {code_at(secret_hex(DEMO_TOTP_SECRET), t) for t in (step - 1, step)}


def test_the_demo_shows_an_edited_day_to_the_care_team(settings):
    from tracker.selectors.history import edited_days

    seed(settings)
    patient = User.objects.get(username="open")

    [day] = edited_days(patient=patient)
    assert day.date == patient.local_today() - timedelta(days=1)
    assert "rf_calf" in {change.field for change in day.edits[0].changes}
    assert day.edits[0].by == patient.display_name


def test_each_demo_patient_has_a_baseline_and_the_scheduled_questionnaires(settings):
    from tracker.models import QuestionnaireResponse
    from tracker.progress.questionnaires import Direction, Measure
    from tracker.selectors.questionnaires import questionnaire_history, questionnaires_due

    seed(settings)
    for patient in User.objects.filter(role="patient"):
        course = Course.objects.get(patient=patient)
        today = patient.local_today()
        days = sorted(set(QuestionnaireResponse.objects.filter(patient=patient).values_list("date", flat=True)))
        assert days[0] <= course.day_zero  # the baseline
        assert len(days) == 1 + (today - course.day_zero).days // 14
        assert questionnaires_due(patient=patient, today=today) == []  # nothing missed so far
    needling = questionnaire_history(patient=User.objects.get(username="needling"))
    gain = needling.readings[Measure.FAAM_ADL].since_baseline
    assert gain is not None
    assert gain.direction == Direction.BETTER and gain.change >= 8
    assert Alert.objects.filter(patient__username="wound", kind="function_decline", severity=2).exists()
    assert not Alert.objects.filter(kind="function_decline").exclude(patient__username="wound").exists()
