"""Alerts for the care team: the rules, raised once per occurrence, by the service and by raise_alerts."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from tests.factories import AlertFactory, CourseFactory, DailyLogFactory, PatientFactory, SessionFactory
from tracker.models import Alert, AlertKind, AlertStatus, DailyLog, Severity
from tracker.services import alerts as alerts_module
from tracker.services.alerts import alerts_raise_for_patient
from tracker.services.audit import AuditContext
from tracker.services.logs import daily_log_save

TODAY = date(2026, 6, 15)


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def logs(patient, days, pain=5, foot="left", **fields):
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=patient,
                date=ago(n),
                recorded_on=ago(n),
                foot=foot,
                first_step_pain=pain,
                average_pain=pain,
                **fields,
            )
            for n in days
        ]
    )


def kinds(alerts):
    return sorted((a.kind, a.severity) for a in alerts)


# Each scenario: (set-up on the patient, expected (kind, severity, occurrence) among the alerts raised).
def _red_flag(p):
    CourseFactory.create(patient=p, kind="open", day_zero=ago(30))
    logs(p, range(3))
    DailyLogFactory.create(patient=p, date=ago(3), rf_calf=True)
    # One alert per flag and day; the calf concerns the whole body, so no foot in the key.
    return AlertKind.RED_FLAG, Severity.CRITICAL, f"{ago(3).isoformat()}:rf_calf"


def _worsening(p):
    course = CourseFactory.create(patient=p, kind="massage", day_zero=ago(10))
    logs(p, range(10, 14), pain=4)  # around day 0 (days -3 to 0): baseline 4
    logs(p, range(5), pain=6)  # days 6 to 10 at 6 (days 1 to 5 are gaps)
    # Treatment days only: from day 6, the first logged, the level is 6: 2 points worse than the start.
    return AlertKind.WORSENING, Severity.HIGH, f"{course.public_id}:left:{ago(4).isoformat()}"


def _persistent_high_pain(p):
    # 7 before the course, 8 on days 8, 9 and 10: 7 or more for 3 days at the usual level (not 2 points above).
    course = CourseFactory.create(patient=p, kind="needling", planned_sessions=6, day_zero=ago(10))
    logs(p, range(10, 14), pain=7)
    logs(p, range(3), pain=8)
    return AlertKind.PERSISTENT_HIGH_PAIN, Severity.LOW, f"{course.public_id}:left:{ago(2).isoformat()}"


def _run_above_the_start(p):
    # 5 before the course, 8 on days 8, 9 and 10: a run of 7+ meaningfully above the start is worsening.
    course = CourseFactory.create(patient=p, kind="massage", day_zero=ago(10))
    logs(p, range(10, 14), pain=5)
    logs(p, range(3, 10), pain=4)
    logs(p, range(3), pain=8)
    return AlertKind.WORSENING, Severity.HIGH, f"{course.public_id}:left:{ago(2).isoformat()}"


def _wound_concern(p):
    # After surgery: 8 for days 1 to 5, settled at 3 from day 6, then 6 for the last week.
    course = CourseFactory.create(patient=p, kind="open", day_zero=ago(30))
    logs(p, range(30, 34), pain=5, footwear="cast")
    logs(p, range(25, 30), pain=8, footwear="cast")
    logs(p, range(7, 25), pain=3, footwear="supportive")
    logs(p, range(7), pain=6, footwear="supportive")
    # The stretch 2 points above the settled 3 starts when 5 of the 7 days are at 6: (2*3 + 5*6) / 7 = 5.1.
    return AlertKind.WOUND_CONCERN, Severity.HIGH, f"{course.public_id}:left:{ago(2).isoformat()}"


def _protection_ended_early(p):
    course = CourseFactory.create(patient=p, kind="open", day_zero=ago(12))
    logs(p, range(12, 16), pain=5)
    logs(p, range(3, 12), pain=6, footwear="cast")
    logs(p, range(3), pain=5, footwear="supportive")  # out of the cast on day 10
    return AlertKind.PROTECTION_ENDED_EARLY, Severity.LOW, f"{course.public_id}:out_of_cast_or_boot"


def _needling_no_response(p):
    course = CourseFactory.create(patient=p, kind="needling", planned_sessions=6, day_zero=ago(49))
    for week in range(6):
        SessionFactory.create(patient=p, needling=True, course=course, date=ago(49 - 7 * week))
    logs(p, range(56))
    return AlertKind.NEEDLING_NO_RESPONSE, Severity.MEDIUM, str(course.public_id)


def _overdue(p):
    # Day 50 after endoscopic release, not back to usual activities: later than most people (3 to 6 weeks), but
    # not yet later than one study's mean of 10 weeks: a low alert.
    course = CourseFactory.create(patient=p, kind="endoscopic", day_zero=ago(50))
    logs(p, range(50, 54), pain=6)
    logs(p, range(50), pain=3, usual_activities="partly")
    return AlertKind.MILESTONE_OVERDUE, Severity.LOW, f"{course.public_id}:usual_activities"


def _overdue_past_the_study_mean(p):
    course = CourseFactory.create(patient=p, kind="endoscopic", day_zero=ago(80))
    logs(p, range(80, 84), pain=6)
    logs(p, range(80), pain=3, usual_activities="partly")
    return AlertKind.MILESTONE_OVERDUE, Severity.MEDIUM, f"{course.public_id}:usual_activities"


def _post_op_worse_than_before(p):
    course = CourseFactory.create(patient=p, kind="open", day_zero=ago(30))
    logs(p, range(30, 34), pain=5)
    logs(p, range(30), pain=7)
    return AlertKind.POST_OP_NOT_BETTER, Severity.MEDIUM, str(course.public_id)


def _soreness(p):
    course = CourseFactory.create(patient=p, kind="needling", planned_sessions=6, day_zero=ago(10))
    SessionFactory.create(patient=p, needling=True, course=course, date=ago(5))
    logs(p, range(11))
    DailyLog.objects.filter(patient=p, date=ago(1)).update(needling_soreness=2)
    return AlertKind.NEEDLING_SORENESS, Severity.MEDIUM, f"{course.public_id}:{ago(5).isoformat()}"


def _adverse(p):
    course = CourseFactory.create(patient=p, kind="massage", day_zero=ago(10))
    logs(p, range(11))
    s = SessionFactory.create(patient=p, course=course, date=ago(1), adverse=True)
    return AlertKind.MASSAGE_ADVERSE, Severity.MEDIUM, f"session:{s.pk}"


def _no_improvement(p):
    course = CourseFactory.create(patient=p, kind="needling", planned_sessions=6, day_zero=ago(200))
    logs(p, range(200, 204), pain=6)
    logs(p, range(5), pain=5)
    return AlertKind.NO_IMPROVEMENT, Severity.MEDIUM, str(course.public_id)


def _silent_2(p):
    CourseFactory.create(patient=p, kind="massage", day_zero=ago(20))
    logs(p, range(3, 20))  # yesterday and the day before: no log
    return AlertKind.NO_LOG_2, Severity.LOW, f"last-log:{ago(3).isoformat()}"


def _silent_7(p):
    CourseFactory.create(patient=p, kind="massage", day_zero=ago(30))
    logs(p, range(8, 30))
    return AlertKind.NO_LOG_7, Severity.MEDIUM, f"last-log:{ago(8).isoformat()}"


def _never_logged(p):
    CourseFactory.create(patient=p, kind="massage", day_zero=ago(3))
    return AlertKind.NO_LOG_2, Severity.LOW, f"never:{ago(3).isoformat()}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scenario",
    [
        _red_flag,
        _worsening,
        _persistent_high_pain,
        _run_above_the_start,
        _wound_concern,
        _protection_ended_early,
        _needling_no_response,
        _overdue,
        _overdue_past_the_study_mean,
        _post_op_worse_than_before,
        _soreness,
        _adverse,
        _no_improvement,
        _silent_2,
        _silent_7,
        _never_logged,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_it_raises_each_alert_the_rules_call_for(patient, scenario):
    kind, severity, occurrence = scenario(patient)
    raised = alerts_raise_for_patient(patient=patient, today=TODAY)
    matching = [a for a in raised if a.kind == kind]
    assert [(a.severity, a.occurrence) for a in matching] == [(severity, occurrence)], [
        (a.kind, a.occurrence) for a in raised
    ]
    assert all(a.pk and a.message for a in raised)
    assert Alert.objects.filter(patient=patient, kind=kind, occurrence=occurrence).count() == 1


@pytest.mark.django_db
def test_it_raises_nothing_for_a_patient_logging_steadily(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(25))
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []


@pytest.mark.django_db
def test_it_raises_each_alert_once(patient):
    _overdue(patient)
    DailyLogFactory.create(patient=patient, date=ago(60), rf_fever=True)  # long ago: not raised
    first = alerts_raise_for_patient(patient=patient, today=TODAY)
    assert [a.kind for a in first] == [AlertKind.MILESTONE_OVERDUE]
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []
    assert Alert.objects.filter(patient=patient, kind=AlertKind.MILESTONE_OVERDUE).count() == 1


@pytest.mark.django_db
def test_it_does_not_raise_an_acknowledged_occurrence_again(patient):
    _, _, occurrence = _red_flag(patient)
    AlertFactory.create(
        patient=patient,
        kind=AlertKind.RED_FLAG,
        severity=Severity.CRITICAL,
        occurrence=occurrence,
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
    )
    assert [a for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == AlertKind.RED_FLAG] == []


@pytest.mark.django_db
def test_it_raises_a_new_silence_after_a_new_log(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(5, 20))
    assert kinds(alerts_raise_for_patient(patient=patient, today=TODAY)) == [(AlertKind.NO_LOG_2, Severity.LOW)]
    logs(patient, [3])
    # The new silence (since 3 days ago) is a new occurrence.
    assert [a.occurrence for a in alerts_raise_for_patient(patient=patient, today=TODAY)] == [
        f"last-log:{ago(3).isoformat()}"
    ]
    logs(patient, [0, 1, 2])
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []


@pytest.mark.django_db
def test_it_leaves_ended_courses_and_future_courses_alone_for_time_alerts(patient):
    CourseFactory.create(patient=patient, kind="endoscopic", day_zero=ago(80), status="completed", ended_on=ago(60))
    CourseFactory.create(patient=patient, kind="massage", day_zero=TODAY + timedelta(days=5))
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []


@pytest.mark.django_db
def test_it_skips_a_duplicate_another_server_inserted_and_keeps_the_transaction_usable(patient, monkeypatch):
    _overdue(patient)
    [first] = alerts_raise_for_patient(patient=patient, today=TODAY)
    # Pretend our read ran before the other server's insert: the insert hits the unique constraint.
    monkeypatch.setattr(alerts_module, "existing_alert_keys", lambda **kwargs: set())
    with transaction.atomic():
        assert alerts_raise_for_patient(patient=patient, today=TODAY) == []
        assert Alert.objects.filter(patient=patient).count() == 1  # the transaction still works
    assert Alert.objects.get(patient=patient).pk == first.pk


# ---------------------------------------------------------------------------------------------------------
# manage.py raise_alerts
# ---------------------------------------------------------------------------------------------------------


def _clinic():
    """A small clinic: one patient overdue, one silent, one fine, one inactive, one with no active course."""
    overdue, silent, fine, inactive, ended = (PatientFactory.create() for _ in range(5))
    _overdue(overdue)
    _silent_7(silent)
    CourseFactory.create(patient=fine, kind="massage", day_zero=ago(10))
    logs(fine, range(10))
    _red_flag(inactive)
    inactive.is_active = False
    inactive.save()
    CourseFactory.create(patient=ended, kind="massage", day_zero=ago(100), status="stopped", ended_on=ago(50))
    return overdue, silent, fine, inactive, ended


def run(*args) -> str:
    out = StringIO()
    call_command("raise_alerts", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_raises_time_alerts_for_active_patients_and_is_idempotent():
    overdue, silent, fine, inactive, ended = _clinic()
    assert "Checked 3 patients; raised 3 new alerts." in run("--on", TODAY.isoformat())
    assert kinds(Alert.objects.filter(patient=overdue)) == [(AlertKind.MILESTONE_OVERDUE, Severity.LOW)]
    assert kinds(Alert.objects.filter(patient=silent)) == [
        (AlertKind.NO_LOG_2, Severity.LOW),
        (AlertKind.NO_LOG_7, Severity.MEDIUM),
    ]
    assert not Alert.objects.filter(patient__in=[fine, inactive, ended]).exists()
    assert "raised 0 new alerts" in run("--on", TODAY.isoformat())
    assert Alert.objects.count() == 3


@pytest.mark.django_db
def test_the_command_uses_each_patients_local_today(patient, monkeypatch):
    # Pinned to 20:00 UTC, when Kiritimati (UTC+14) is already on the next day: judged on the UTC date, the
    # patient would have missed only 1 whole day and raise nothing, so the test fails whatever the real clock.
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 6, 15, 20, 0, tzinfo=UTC))
    patient.time_zone = "Pacific/Kiritimati"
    patient.save()
    today = patient.local_today()
    assert today == date(2026, 6, 16)
    CourseFactory.create(patient=patient, kind="massage", day_zero=today - timedelta(days=10))
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=3), recorded_on=today - timedelta(days=3))
    run()
    assert Alert.objects.get(patient=patient).occurrence == f"last-log:{(today - timedelta(days=3)).isoformat()}"


@pytest.mark.django_db
def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--on", "15/06/2026")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_command_run_twice_at_once_raises_no_duplicate_on_postgresql(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises writers")
    clinic = [_clinic() for _ in range(4)]
    # Both runs skip the "already raised?" read, so both try every insert and race on the unique constraint.
    monkeypatch.setattr(alerts_module, "existing_alert_keys", lambda **kwargs: set())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    outputs: list[str] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            outputs.append(run("--on", TODAY.isoformat()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(outputs) == 2
    assert Alert.objects.count() == 3 * len(clinic)
    raised = sum(int(o.split("raised ")[1].split(" ")[0]) for o in outputs)
    assert raised == 3 * len(clinic), outputs  # every alert reported new by exactly one of the two runs
    monkeypatch.undo()
    assert "raised 0 new alerts" in run("--on", TODAY.isoformat())


@pytest.mark.django_db
def test_it_raises_a_red_flag_filled_in_for_the_oldest_day_a_patient_may_still_fill_in(patient):
    # Today and the 7 days before can be filled in (tracker.selectors.patient.EDITABLE_DAYS_BACK). A red flag
    # ticked today on the day 7 days back is older than the report's 7-day window, but the care team has
    # never heard of it: it must raise its critical alert now.
    CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(7))
    # The patient's own save, which raises the alerts in the same transaction.
    daily_log_save(
        patient=patient,
        day=ago(7),
        today=TODAY,
        data_by_foot={"left": {"first_step_pain": 5, "average_pain": 5, "rf_fever": True}},
        audit=AuditContext(actor=patient),
    )

    raised = Alert.objects.filter(patient=patient, kind=AlertKind.RED_FLAG)
    assert [(a.severity, a.occurrence) for a in raised] == [(Severity.CRITICAL, f"{ago(7).isoformat()}:rf_fever")]
    assert "fever" in raised[0].message
    # Raised once: running the rules again raises nothing new.
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []


@pytest.mark.django_db
def test_it_does_not_raise_an_old_red_flag_that_was_recorded_long_ago(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(7))
    DailyLog.objects.create(
        patient=patient, date=ago(9), recorded_on=ago(9), foot="left", first_step_pain=5, average_pain=5, rf_fever=True
    )

    assert [a for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == AlertKind.RED_FLAG] == []


# ---------------------------------------------------------------------------------------------------------
# Occurrences: one alert per red flag; one per episode, however its days are filled in
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chest_pain_added_to_a_day_already_alerted_for_a_calf_raises_its_own_critical_alert(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(1, 10))
    day = {"first_step_pain": 4, "average_pain": 3, "rf_calf": True}
    daily_log_save(
        patient=patient, day=TODAY, today=TODAY, data_by_foot={"left": day}, audit=AuditContext(actor=patient)
    )
    [calf] = Alert.objects.filter(patient=patient, kind=AlertKind.RED_FLAG)
    calf.status, calf.acknowledged_at = AlertStatus.ACKNOWLEDGED, timezone.now()
    calf.save()

    day["rf_breathless_chest"] = True
    daily_log_save(
        patient=patient, day=TODAY, today=TODAY, data_by_foot={"left": day}, audit=AuditContext(actor=patient)
    )

    alerts = Alert.objects.filter(patient=patient, kind=AlertKind.RED_FLAG).order_by("created_at", "pk")
    assert [(a.occurrence, a.status) for a in alerts] == [
        (f"{TODAY.isoformat()}:rf_calf", AlertStatus.ACKNOWLEDGED),
        (f"{TODAY.isoformat()}:rf_breathless_chest", AlertStatus.OPEN),
    ]
    assert "breathlessness or chest pain" in alerts[1].message and alerts[1].severity == Severity.CRITICAL


@pytest.mark.django_db
def test_a_local_red_flag_is_raised_per_foot(patient):
    CourseFactory.create(patient=patient, kind="open", foot="both", day_zero=ago(20))
    DailyLogFactory.create(patient=patient, date=ago(1), foot="left", rf_wound=True)
    DailyLogFactory.create(patient=patient, date=ago(1), foot="right", rf_wound=True, rf_fever=True)
    DailyLog.objects.filter(patient=patient, date=ago(1), foot="left").update(rf_fever=True)
    raised = sorted(
        a.occurrence for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == "red_flag"
    )
    # The wound on each foot; the fever once (it concerns the whole body).
    assert raised == sorted([f"{ago(1)}:left:rf_wound", f"{ago(1)}:right:rf_wound", f"{ago(1)}:rf_fever"])


@pytest.mark.django_db
def test_filling_in_an_earlier_day_never_raises_a_second_alert_for_the_same_episode(patient):
    course = CourseFactory.create(patient=patient, kind="massage", day_zero=ago(20))
    logs(patient, range(20, 24), pain=4)  # before the course: starting level 4
    logs(patient, range(3), pain=7)  # the last 3 days at 7: a run of 7+, 3 points above the start
    logs(patient, range(4, 20), pain=4)  # day 3 back not yet filled in
    [first] = [a for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == AlertKind.WORSENING]
    assert first.occurrence == f"{course.public_id}:left:{ago(2).isoformat()}"

    # The patient fills in day 3 back, also at 7: the same episode now started a day earlier.
    logs(patient, [3], pain=7)
    again = [a for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == AlertKind.WORSENING]
    assert again == []
    assert Alert.objects.filter(patient=patient, kind=AlertKind.WORSENING).count() == 1


@pytest.mark.django_db
def test_a_new_episode_after_the_last_one_ended_raises_a_new_alert(patient):
    course = CourseFactory.create(patient=patient, kind="massage", day_zero=ago(30))
    logs(patient, range(30, 34), pain=4)
    logs(patient, range(12, 30), pain=4)
    logs(patient, range(9, 12), pain=8)  # an episode 9 to 11 days back
    logs(patient, range(3, 9), pain=4)
    alerts_raise_for_patient(patient=patient, today=ago(9))
    logs(patient, range(3), pain=8)  # a new one, after days back at the usual level
    raised = [a for a in alerts_raise_for_patient(patient=patient, today=TODAY) if a.kind == AlertKind.WORSENING]
    assert [a.occurrence for a in raised] == [f"{course.public_id}:left:{ago(2).isoformat()}"]
    assert Alert.objects.filter(patient=patient, kind=AlertKind.WORSENING).count() == 2


@pytest.mark.django_db
def test_the_expected_post_operative_peak_raises_nothing(patient):
    CourseFactory.create(patient=patient, kind="endoscopic", day_zero=ago(5))
    logs(patient, range(5, 12), pain=5)
    logs(patient, range(5), pain=8, sym_swelling_redness=True)
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []


@pytest.mark.django_db
def test_soreness_the_days_after_a_needling_session_raises_nothing(patient):
    course = CourseFactory.create(patient=patient, kind="needling", planned_sessions=6, day_zero=ago(14))
    for n in (14, 7, 0):
        SessionFactory.create(patient=patient, needling=True, course=course, date=ago(n))
    logs(patient, range(14, 20), pain=5)
    for n in range(14):
        sore = (14 - n) % 7 in (1, 2)  # the 2 days after each session
        logs(patient, [n], pain=9 if sore else 5, needling_soreness=3 if sore else None)
    assert alerts_raise_for_patient(patient=patient, today=TODAY) == []
