"""The caseload cache (``CaseloadSnapshot``): every write makes the next read right, a race loses no write, a new
local date is recomputed (DST too), a random history reads the same as a fresh computation, fixed queries."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    AlertFactory,
    CareTeamMembershipFactory,
    CourseFactory,
    DailyLogFactory,
    PatientFactory,
    PhysioFactory,
    bulk_caseload,
)
from tests.test_clinic_caseload import CASELOAD_QUERIES, CASELOAD_QUERIES_COLD
from tracker.models import (
    AlertStatus,
    CareTeamMembership,
    CaseloadSnapshot,
    Course,
    CourseKind,
    CourseStatus,
    Foot,
    Role,
    Severity,
    User,
    UsualActivities,
)
from tracker.progress.caseload import ENGINE_VERSION, Need, with_alerts
from tracker.progress.questionnaires import Measure, Subscale, subscale_items
from tracker.reports.questionnaire_panel import questionnaire_panel
from tracker.selectors.clinic import caseload_queryset, caseload_rows
from tracker.selectors.questionnaires import function_declines_for_patients
from tracker.services import accounts, clinic, patient_account
from tracker.services.audit import AuditContext
from tracker.services.logs import daily_log_save
from tracker.services.progress_cache import (
    compute_entries,
    local_day_bounds,
    snapshot_mark_stale,
    snapshots_refresh,
    snapshots_store,
)
from tracker.services.questionnaires import faam_save, psfs_save
from tracker.services.sessions import session_create

CASELOAD = reverse("clinic:caseload")


@pytest.fixture
def team(physio):
    """Bob with an empty caseload (his fixture patient alice is not part of these tests)."""
    CareTeamMembership.objects.filter(physio=physio).delete()
    return physio


def _patient(physio, name="Pat", *, course=True, **course_fields) -> User:
    patient = PatientFactory.create(username=name.lower(), first_name=name, last_name="Test")
    CareTeamMembershipFactory.create(patient=patient, physio=physio)
    if course:
        CourseFactory.create(patient=patient, **course_fields)
    return patient


def _row(physio, patient, now=None):
    rows = [r for r in caseload_rows(physio=physio, now=now) if r.patient.pk == patient.pk]
    return rows[0] if rows else None


def _fresh(patient: User, now: datetime) -> dict:
    """What a computation from scratch says of ``patient`` at ``now``, open alerts applied as the caseload does."""
    entry = compute_entries([patient], now=now)[patient.pk]
    top = patient.alerts.filter(status=AlertStatus.OPEN).order_by("-severity", "-created_at").first()
    need, reason = with_alerts(
        need=entry.need,
        reason=entry.reason,
        red_flag=entry.red_flag,
        top_severity_critical=top is not None and top.severity == Severity.CRITICAL,
        top_alert=top.message if top else None,
    )
    return {
        "need": need,
        "reason": reason,
        "today": entry.computed_for,
        "courses": entry.courses,
        "trend": entry.trend,
        "last_logged_on": entry.last_logged_on,
        "latest_first_step_pain": entry.latest_first_step_pain,
        "days_logged_7": entry.days_logged_7,
        "faam_adl": (entry.faam_adl, entry.faam_adl_change, entry.faam_adl_direction),
    }


def _shown(row) -> dict:
    return {
        "need": row.need,
        "reason": row.reason,
        "today": row.today,
        "courses": [vars(c) for c in row.courses],
        "trend": row.trend,
        "last_logged_on": row.last_logged_on,
        "latest_first_step_pain": row.latest_first_step_pain,
        "days_logged_7": row.days_logged_7,
        "faam_adl": (row.faam_adl, row.faam_adl_change, row.faam_adl_direction),
    }


def _assert_marked_then_fresh(physio, patient, before_generation: int) -> None:
    """The write marked the row stale, and the next read shows what a fresh computation shows."""
    snapshot = CaseloadSnapshot.objects.get(pk=patient.pk)
    assert snapshot.stale and snapshot.generation > before_generation
    now = timezone.now()
    patient.refresh_from_db()
    assert _shown(_row(physio, patient, now)) == _fresh(patient, now)
    assert not CaseloadSnapshot.objects.get(pk=patient.pk).stale


def _generation(patient) -> int:
    return CaseloadSnapshot.objects.get(pk=patient.pk).generation


def _audit(actor):
    return AuditContext(actor=actor)


# ---------------------------------------------------------------------------------------------------------
# One test per write path: after the write, the next caseload read reflects it
# ---------------------------------------------------------------------------------------------------------


def test_a_saved_log_shows_on_the_next_read(team):
    patient = _patient(team)
    today = patient.local_today()
    assert _row(team, patient).latest_first_step_pain is None
    gen = _generation(patient)

    daily_log_save(
        patient=patient,
        day=today,
        today=today,
        data_by_foot={"left": {"first_step_pain": 7, "average_pain": 5}},
        audit=_audit(patient),
    )

    _assert_marked_then_fresh(team, patient, gen)
    row = _row(team, patient)
    assert (row.latest_first_step_pain, row.last_logged_on, row.days_logged_7) == (7, today, 1)


def test_a_patients_session_marks_the_row(team):
    patient = _patient(team)
    today = patient.local_today()
    _row(team, patient)
    gen = _generation(patient)

    session_create(
        patient=patient,
        data={"kind": "other", "date": today, "other_kind": "stretching"},
        today=today,
        audit=_audit(patient),
    )

    _assert_marked_then_fresh(team, patient, gen)


def test_a_needling_session_and_planned_sessions_mark_the_row(team):
    patient = _patient(team, needling=True)
    course = Course.objects.get(patient=patient)
    today = patient.local_today()
    _row(team, patient)

    gen = _generation(patient)
    clinic.needling_session_record(
        course=course,
        date=today,
        minutes=20,
        sites=["heel"],
        twitch_response=True,
        soreness_after=3,
        today=today,
        audit=_audit(team),
    )
    _assert_marked_then_fresh(team, patient, gen)

    gen = _generation(patient)
    clinic.course_planned_sessions_set(course=course, planned_sessions=4, audit=_audit(team))
    _assert_marked_then_fresh(team, patient, gen)


def test_a_started_and_a_finished_course_show_on_the_next_read(team):
    patient = _patient(team, course=False)
    today = patient.local_today()
    assert _row(team, patient).need == Need.NO_COURSE

    course = clinic.course_start(
        patient=patient, kind=CourseKind.MASSAGE, foot="left", day_zero=today - timedelta(days=3), audit=_audit(team)
    )
    row = _row(team, patient)
    assert row.need != Need.NO_COURSE
    assert [(c.kind, c.day) for c in row.courses] == [(CourseKind.MASSAGE, 3)]

    clinic.course_finish(course=course, outcome=CourseStatus.STOPPED, ended_on=today, today=today, audit=_audit(team))
    row = _row(team, patient)
    assert (row.need, row.courses) == (Need.NO_COURSE, [])


def test_care_team_changes_show_on_the_next_read(team, clinic_admin):
    patient = PatientFactory.create(username="newcomer")
    CourseFactory.create(patient=patient)
    assert _row(team, patient) is None

    accounts.care_team_assign(physio=team, patients=[patient], audit=_audit(clinic_admin))
    assert _row(team, patient) is not None
    gen = _generation(patient)
    assert CaseloadSnapshot.objects.get(pk=patient.pk).stale is False

    accounts.care_team_remove(physio=team, patients=[patient], audit=_audit(clinic_admin))
    assert _generation(patient) > gen
    assert _row(team, patient) is None


def test_deactivation_reactivation_and_role_change_show_on_the_next_read(team, clinic_admin):
    patient = _patient(team)
    assert _row(team, patient) is not None
    gen = _generation(patient)

    accounts.user_deactivate(user=patient, audit=_audit(clinic_admin))
    assert _generation(patient) > gen
    assert _row(team, patient) is None

    accounts.user_reactivate(user=patient, audit=_audit(clinic_admin))
    patient.refresh_from_db()
    _assert_marked_then_fresh(team, patient, gen)
    assert _row(team, patient) is not None

    gen = _generation(patient)
    accounts.user_change_role(user=patient, role=Role.PHYSIO, audit=_audit(clinic_admin))
    assert _generation(patient) > gen
    assert _row(team, patient) is None


def test_a_closed_account_leaves_the_caseload(team):
    patient = _patient(team)
    assert _row(team, patient) is not None
    gen = _generation(patient)

    patient_account.account_close(patient=patient, audit=_audit(patient))

    assert _generation(patient) > gen
    assert _row(team, patient) is None


def test_a_time_zone_change_rejudges_the_patient_on_their_new_date(team, monkeypatch):
    # 12:30 UTC: 13 June in London, already 14 June on Kiritimati (UTC+14).
    now = datetime(2026, 6, 13, 12, 30, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    patient = _patient(team, day_zero=date(2026, 6, 1))
    patient.time_zone = "Europe/London"
    patient.save()
    DailyLogFactory.create(patient=patient, date=date(2026, 6, 13), first_step_pain=4)
    row = _row(team, patient, now)
    assert (row.today, row.days_since_log) == (date(2026, 6, 13), 0)

    patient_account.account_settings_update(
        patient=patient, time_zone="Pacific/Kiritimati", reminder_enabled=False, reminder_hour=8, audit=_audit(patient)
    )

    row = _row(team, patient, now)
    assert (row.today, row.days_since_log) == (date(2026, 6, 14), 1)
    assert row.courses[0].day == 13


def test_an_acknowledged_critical_alert_leaves_the_first_place(team):
    patient = _patient(team)
    alert = AlertFactory.create(patient=patient, severity=Severity.CRITICAL, message="Chest pain reported.")
    row = _row(team, patient)
    assert (row.need, row.reason) == (Need.CRITICAL, "Chest pain reported.")

    clinic.alert_acknowledge(alert=alert, note="Called, fine.", audit=_audit(team))

    assert _row(team, patient).need != Need.CRITICAL


def test_an_imported_diary_shows_on_the_next_read(team):
    patient = _patient(team)
    today = patient.local_today()
    _row(team, patient)
    gen = _generation(patient)
    rows = [f"{(today - timedelta(days=d)).isoformat()},left,{d},2," for d in range(1, 4)]
    data = ("date,foot,first_step_pain,average_pain,note\n" + "\n".join(rows) + "\n").encode()

    report = clinic.diary_import(patient=patient, data=data, today=today, audit=_audit(team))

    assert report.saved, report
    _assert_marked_then_fresh(team, patient, gen)
    row = _row(team, patient)
    assert (row.latest_first_step_pain, row.last_logged_on, row.days_logged_7) == (1, today - timedelta(days=1), 3)


def _ahead_patient(physio) -> User:
    """Back to usual activities on day 15 after endoscopic release (most people: 3 to 6 weeks, 000:11): ahead."""
    patient = _patient(physio, "Ahead", kind=CourseKind.ENDOSCOPIC, day_zero=physio.local_today() - timedelta(days=20))
    today = patient.local_today()
    for d in range(28):
        fields = {"usual_activities": UsualActivities.YES} if d < 6 else {}
        DailyLogFactory.create(
            patient=patient,
            date=today - timedelta(days=d),
            foot=Foot.LEFT,
            recorded_on=today,
            first_step_pain=6 if d >= 20 else (4 if d >= 6 else 3),
            average_pain=3,
            **fields,
        )
    return patient


def _faam(patient, day, answer):
    items = {number: answer for number, _ in subscale_items(Subscale.ADL)}
    faam_save(patient=patient, subscale=Subscale.ADL, answers=items, finish=True, today=day, audit=_audit(patient))


def test_a_finished_faam_marks_the_row_and_a_meaningful_decline_is_never_ahead(team):
    patient = _ahead_patient(team)
    today = patient.local_today()
    _faam(patient, today - timedelta(days=20), 4)  # the baseline, on day 0: 100
    assert _row(team, patient).need == Need.AHEAD  # no decline
    gen = _generation(patient)

    _faam(patient, today, 2)  # 50 today: far more than the FAAM ADL's MCID below the baseline (8 points)

    _assert_marked_then_fresh(team, patient, gen)
    row = _row(team, patient)
    assert row.need == Need.ON_TRACK
    assert "ahead" not in row.reason.lower()
    assert (row.faam_adl, row.faam_adl_change, row.faam_adl_direction) == (50.0, -50.0, "worse")
    assert row.faam_adl_change_words == "-50 since baseline: meaningful decline"
    # The caseload reads the same declines as /progress/, the clinic page and the PDF.
    psfs_save(patient=patient, ratings=[("Walking", 2)], today=today - timedelta(days=14), audit=_audit(patient))
    psfs_save(patient=patient, ratings=[("Walking", 9)], today=today, audit=_audit(patient))
    panel = questionnaire_panel(patient=patient)["decline_changes"]
    assert function_declines_for_patients(patient_ids=[patient.pk]) == {patient.pk: panel}
    assert [c.measure for c in panel] == [Measure.FAAM_ADL]


def test_a_saved_faam_page_and_a_psfs_mark_the_row(team):
    patient = _patient(team)
    today = patient.local_today()
    _row(team, patient)
    gen = _generation(patient)
    items = {number: 3 for number, _ in subscale_items(Subscale.ADL)}
    faam_save(patient=patient, subscale=Subscale.ADL, answers=items, finish=False, today=today, audit=_audit(patient))
    _assert_marked_then_fresh(team, patient, gen)

    gen = _generation(patient)
    psfs_save(patient=patient, ratings=[("Walking the dog", 4)], today=today, audit=_audit(patient))
    _assert_marked_then_fresh(team, patient, gen)


def test_the_faam_adl_column_is_sorted_in_sql_with_nulls_last(team, physio_client):
    today = team.local_today()
    low, high, _none, dropped = (_patient(team, name) for name in ("Low", "High", "None", "Dropped"))
    _faam(low, today - timedelta(days=14), 1)  # 25
    _faam(low, today, 2)  # 50: +25, a meaningful improvement
    _faam(high, today, 4)  # 100, no baseline change yet
    _faam(dropped, today - timedelta(days=14), 4)  # 100
    _faam(dropped, today, 3)  # 75: -25, a meaningful decline

    by_score = [r.patient.first_name for r in caseload_rows(physio=team, sort="faam_adl")]
    by_change = [r.patient.first_name for r in caseload_rows(physio=team, sort="faam_adl_change")]

    assert by_score == ["Low", "Dropped", "High", "None"]
    assert by_change == ["Dropped", "Low", "High", "None"]  # High: one score, no change
    page = physio_client.get(CASELOAD, {"sort": "faam_adl_change"})
    assert [r.patient.first_name for r in page.context["page"]] == by_change
    html = page.content.decode()
    assert "-25 since baseline: meaningful decline" in html
    assert "+25 since baseline: meaningful improvement" in html
    assert "No FAAM yet" in html


# ---------------------------------------------------------------------------------------------------------
# A write between a refresh's read and its store is never lost
# ---------------------------------------------------------------------------------------------------------


def test_a_write_during_a_refresh_is_not_overwritten_by_the_older_computation(team):
    patient = _patient(team)
    today = patient.local_today()
    now = timezone.now()
    _row(team, patient, now)
    noted = _generation(patient)
    snapshot_mark_stale([patient.pk])  # something made the row stale; a reader starts to recompute it
    noted = _generation(patient)
    older = compute_entries([patient], now=now)  # the reader has read the data...

    daily_log_save(  # ...then the patient saves a day...
        patient=patient,
        day=today,
        today=today,
        data_by_foot={"left": {"first_step_pain": 9, "average_pain": 8}},
        audit=_audit(patient),
    )
    # ...then the reader stores what it computed before the write: refused, the row stays stale.
    assert snapshots_store(older, patients={patient.pk: patient}, generations={patient.pk: noted}) == 0
    assert CaseloadSnapshot.objects.get(pk=patient.pk).stale

    assert _row(team, patient).latest_first_step_pain == 9


def test_a_write_racing_the_first_ever_refresh_is_not_lost(team):
    patient = _patient(team)
    assert not CaseloadSnapshot.objects.filter(pk=patient.pk).exists()
    # The reader saw no row (generation None) and reads the data; a write marks the row (adding it) meanwhile.
    snapshot_mark_stale([patient.pk])
    assert snapshots_refresh([patient], generations={patient.pk: None}) == 0
    assert CaseloadSnapshot.objects.get(pk=patient.pk).stale
    # Without the race, the same call stores.
    assert snapshots_refresh([patient]) == 1


def test_a_stored_row_is_fresh_and_marking_it_stale_bumps_its_generation(team):
    patient = _patient(team)
    assert snapshots_refresh([patient]) == 1
    snapshot = CaseloadSnapshot.objects.get(pk=patient.pk)
    assert (snapshot.stale, snapshot.engine) == (False, ENGINE_VERSION)
    snapshot_mark_stale([patient.pk, patient.pk])
    assert CaseloadSnapshot.objects.get(pk=patient.pk).generation == snapshot.generation + 1


def test_a_row_made_by_another_engine_is_recomputed(team):
    patient = _patient(team)
    _row(team, patient)
    CaseloadSnapshot.objects.filter(pk=patient.pk).update(engine="old", reason="An old sentence.")
    assert _row(team, patient).reason != "An old sentence."
    assert CaseloadSnapshot.objects.get(pk=patient.pk).engine == ENGINE_VERSION


# ---------------------------------------------------------------------------------------------------------
# A new local date is recomputed, on a DST day too
# ---------------------------------------------------------------------------------------------------------


def test_a_patient_whose_local_date_changed_is_recomputed(team):
    patient = _patient(team, day_zero=date(2026, 6, 1))
    DailyLogFactory.create(patient=patient, date=date(2026, 6, 13), first_step_pain=4)
    first = _row(team, patient, datetime(2026, 6, 13, 23, 0, tzinfo=UTC))
    assert (first.today, first.need != Need.SILENT) == (date(2026, 6, 13), True)

    later = _row(team, patient, datetime(2026, 6, 16, 0, 30, tzinfo=UTC))

    assert later.today == date(2026, 6, 16)
    assert later.need == Need.SILENT and later.days_since_log == 3


def test_the_day_the_clocks_go_forward_ends_an_hour_early(team):
    # Europe/London, 29 March 2026: 23 hours long, from 00:00 UTC to 23:00 UTC (midnight BST).
    start, end = local_day_bounds(date(2026, 3, 29), User(time_zone="Europe/London").zone)
    assert (start, end) == (datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 3, 29, 23, 0, tzinfo=UTC))

    patient = _patient(team, day_zero=date(2026, 3, 20))
    patient.time_zone = "Europe/London"
    patient.save()
    assert _row(team, patient, datetime(2026, 3, 29, 22, 30, tzinfo=UTC)).today == date(2026, 3, 29)
    # 23:30 UTC is 00:30 on 30 March in London: a 24-hour day from midnight UTC would still say the 29th.
    assert _row(team, patient, datetime(2026, 3, 29, 23, 30, tzinfo=UTC)).today == date(2026, 3, 30)


def test_the_day_the_clocks_go_back_lasts_25_hours(team):
    patient = _patient(team, day_zero=date(2026, 10, 10))
    patient.time_zone = "Europe/London"
    patient.save()
    # 25 October 2026 in London: 23:00 UTC on the 24th to 00:00 UTC on the 26th.
    assert _row(team, patient, datetime(2026, 10, 25, 23, 30, tzinfo=UTC)).today == date(2026, 10, 25)
    assert _row(team, patient, datetime(2026, 10, 26, 0, 30, tzinfo=UTC)).today == date(2026, 10, 26)


# ---------------------------------------------------------------------------------------------------------
# Property: whatever the writes, the caseload shows what a fresh computation shows
# ---------------------------------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"]
START = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # two days before London's clocks go forward

_who = st.integers(min_value=0, max_value=2)
OPERATIONS = st.one_of(
    st.tuples(st.just("log"), _who, st.integers(0, 3), st.integers(0, 10), st.booleans()),
    st.tuples(st.just("session"), _who, st.integers(0, 3)),
    st.tuples(st.just("course_start"), _who, st.sampled_from([CourseKind.MASSAGE, CourseKind.NEEDLING])),
    st.tuples(st.just("course_finish"), _who),
    st.tuples(st.just("time_passes"), st.integers(1, 40)),
    st.tuples(st.just("time_zone"), _who, st.sampled_from(ZONES)),
    st.tuples(st.just("deactivate"), _who),
    st.tuples(st.just("reactivate"), _who),
    st.tuples(st.just("faam"), _who, st.integers(0, 4)),
    st.tuples(st.just("psfs"), _who, st.integers(0, 10)),
)


class _Rollback(Exception):
    pass


def _apply(operation, patients, admin, now):
    from django.core.exceptions import ValidationError

    kind, *args = operation
    if kind == "time_passes":
        return now + timedelta(hours=args[0])
    patient = patients[args[0]]
    patient.refresh_from_db()
    today = patient.local_today(now)
    try:
        if kind == "log":
            _, back, pain, red_flag = args
            data = {"first_step_pain": pain, "average_pain": max(0, pain - 1), "rf_calf": red_flag}
            day = today - timedelta(days=back)
            daily_log_save(patient=patient, day=day, today=today, data_by_foot={"left": data}, audit=_audit(patient))
        elif kind == "session":
            day = today - timedelta(days=args[1])
            data = {"kind": "other", "date": day, "other_kind": "stretching"}
            session_create(patient=patient, data=data, today=today, audit=_audit(patient))
        elif kind == "course_start":
            clinic.course_start(
                patient=patient, kind=args[1], foot="left", day_zero=today - timedelta(days=10), audit=_audit(admin)
            )
        elif kind == "course_finish":
            course = Course.objects.filter(patient=patient, status=CourseStatus.ACTIVE).first()
            if course is not None:
                clinic.course_finish(
                    course=course, outcome=CourseStatus.COMPLETED, ended_on=today, today=today, audit=_audit(admin)
                )
        elif kind == "time_zone":
            patient_account.account_settings_update(
                patient=patient, time_zone=args[1], reminder_enabled=False, reminder_hour=8, audit=_audit(patient)
            )
        elif kind == "faam":
            items = {number: args[1] for number, _ in subscale_items(Subscale.ADL)}
            faam_save(
                patient=patient, subscale=Subscale.ADL, answers=items, finish=True, today=today, audit=_audit(patient)
            )
        elif kind == "psfs":
            psfs_save(patient=patient, ratings=[("Walking", args[1])], today=today, audit=_audit(patient))
        elif kind == "deactivate" and patient.is_active:
            accounts.user_deactivate(user=patient, audit=_audit(admin))
        elif kind == "reactivate" and not patient.is_active:
            accounts.user_reactivate(user=patient, audit=_audit(admin))
    except ValidationError:
        pass  # a refused write changes nothing: the cache must still agree
    return now


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=8))
def test_the_caseload_always_shows_what_a_fresh_computation_shows(operations, team, clinic_admin):
    try:
        with transaction.atomic():
            patients = [_patient(team, f"P{i}", day_zero=(START - timedelta(days=20 + 7 * i)).date()) for i in range(3)]
            now = START
            caseload_rows(physio=team, now=now)  # every row cached, then the writes
            for operation in operations:
                now = _apply(operation, patients, clinic_admin, now)
                rows = {r.patient.pk: r for r in caseload_rows(physio=team, now=now)}
                for patient in patients:
                    patient.refresh_from_db()
                    assert (patient.pk in rows) == patient.is_active
                    if patient.pk in rows:
                        assert _shown(rows[patient.pk]) == _fresh(patient, now), operation
            raise _Rollback
    except _Rollback:
        pass


# ---------------------------------------------------------------------------------------------------------
# Queries: fixed whatever the number of patients and days, warm or cold
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("days", [10, 100])
def test_the_caseload_page_runs_a_fixed_number_of_queries(team, physio_client, count, days, django_assert_num_queries):
    today = team.local_today()
    patients = bulk_caseload(physio=team, count=count, today=today, logs_per_patient=days)

    with django_assert_num_queries(CASELOAD_QUERIES_COLD):  # every row missing
        physio_client.get(CASELOAD)
    with django_assert_num_queries(CASELOAD_QUERIES):  # every row fresh
        warm = physio_client.get(CASELOAD)
    snapshot_mark_stale([p.pk for p in patients])
    with django_assert_num_queries(CASELOAD_QUERIES_COLD - 1):  # every row stale (none to add)
        cold = physio_client.get(CASELOAD)

    assert warm.context["page"].paginator.count == count
    assert [_shown(r) for r in cold.context["page"]] == [_shown(r) for r in warm.context["page"]]


def test_the_caseload_is_sorted_and_paginated_in_sql(team):
    bulk_caseload(physio=team, count=30, today=team.local_today())
    patients = caseload_queryset(physio=team)
    assert patients.count() == 30
    assert len(list(patients[:25])) == 25


# ---------------------------------------------------------------------------------------------------------
# The command and the hourly job
# ---------------------------------------------------------------------------------------------------------


def test_rebuild_progress_cache_recomputes_every_row(team):
    patients = [_patient(team, f"P{i}") for i in range(3)]
    _row(team, patients[0])
    CaseloadSnapshot.objects.filter(pk=patients[0].pk).update(reason="Wrong.", stale=False)
    out = io.StringIO()

    call_command("rebuild_progress_cache", stdout=out)

    every = User.objects.filter(role=Role.PATIENT).count()  # alice, off this caseload, too
    assert f"Rebuilt the caseload rows of {every} patient(s)." in out.getvalue()
    snapshots = CaseloadSnapshot.objects.filter(pk__in=[p.pk for p in patients])
    assert snapshots.count() == 3 and not snapshots.filter(stale=True).exists()
    assert snapshots.get(pk=patients[0].pk).reason != "Wrong."


def test_raise_alerts_refreshes_every_row_not_fresh(team):
    patients = [_patient(team, f"P{i}") for i in range(2)]
    _row(team, patients[0])
    snapshot_mark_stale([patients[0].pk])
    out = io.StringIO()

    call_command("raise_alerts", stdout=out)

    assert "Refreshed 2 caseload row(s)." in out.getvalue()
    assert not CaseloadSnapshot.objects.filter(stale=True).exists()
    fresh = PhysioFactory.create()
    assert fresh.pk not in set(CaseloadSnapshot.objects.values_list("pk", flat=True))  # patients only
