"""The daily log: /today/ and /log/YYYY-MM-DD/ (issue 4, items 1, 2, 3 and 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import CourseFactory, DailyLogFactory, PatientFactory, SessionFactory
from tracker.forms import patient as f
from tracker.models import Alert, AlertKind, AuditEvent, DailyLog, Severity
from tracker.services import logs as log_service
from tracker.services.audit import AuditContext
from tracker.services.logs import DAY_IN_FUTURE, DAY_TOO_OLD, daily_log_save

pytestmark = pytest.mark.django_db


def valid(foot="left", **extra):
    data = {f"{foot}-first_step_pain": "5", f"{foot}-average_pain": "4"}
    data.update({f"{foot}-{k}": v for k, v in extra.items()})
    return data


def save_left(patient, *, day, today, values):
    """The patient's own save of their left foot's log, as the log page makes it."""
    return daily_log_save(
        patient=patient, day=day, today=today, data_by_foot={"left": values}, audit=AuditContext(actor=patient)
    )


@pytest.fixture
def today(patient):
    return patient.local_today()


# ----------------------------------------------------------------------------------------------------------
# The form: feet, surgical fields, the pain scale
# ----------------------------------------------------------------------------------------------------------


def test_it_shows_the_pain_scale_first_with_words_at_the_ends(patient_client, course):
    html = patient_client.get("/today/").content.decode()

    assert html.index("Your first steps this morning") < html.index("Pain on average today")
    assert 'id="id_left-first_step_pain_0"' in html and 'id="id_left-first_step_pain_10"' in html
    assert "0 no pain" in html and "10 worst imaginable" in html
    assert "Weight on the foot" not in html  # not a surgery course


def test_it_shows_one_block_per_foot_for_a_course_on_both_feet(patient_client, patient):
    CourseFactory.create(patient=patient, foot="both")

    html = patient_client.get("/today/").content.decode()

    assert 'id="left-heading">Left foot' in html and 'id="right-heading">Right foot' in html


def test_it_shows_the_union_of_feet_over_several_courses(patient_client, patient):
    CourseFactory.create(patient=patient, foot="right", needling=True)
    CourseFactory.create(patient=patient, foot="left")

    html = patient_client.get("/today/").content.decode()

    assert "left-first_step_pain" in html and "right-first_step_pain" in html


def test_it_asks_about_weight_bearing_and_footwear_only_for_surgery_feet(patient_client, patient):
    CourseFactory.create(patient=patient, foot="left", endoscopic=True)
    CourseFactory.create(patient=patient, foot="right")

    html = patient_client.get("/today/").content.decode()

    assert 'name="left-weight_bearing"' in html and 'name="left-footwear"' in html
    assert 'name="right-weight_bearing"' not in html


def test_it_does_not_ask_about_surgery_once_the_surgery_course_ended(patient_client, patient):
    CourseFactory.create(patient=patient, foot="left", endoscopic=True, completed=True, day_zero=date(2026, 1, 1))

    html = patient_client.get("/today/").content.decode()

    assert 'name="left-weight_bearing"' not in html


def test_it_starts_weight_bearing_and_footwear_from_yesterdays_answer(patient_client, patient, today):
    CourseFactory.create(patient=patient, foot="left", endoscopic=True)
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=1), weight_bearing="partial", footwear="boot")

    html = patient_client.get("/today/").content.decode()

    assert 'value="partial" class="btn-check" id="id_left-weight_bearing_1" checked' in html
    assert 'value="boot" class="btn-check" id="id_left-footwear_1" checked' in html
    assert 'id="id_left-first_step_pain_5" checked' not in html  # pain is asked afresh every day


def test_it_says_so_when_there_is_no_course(patient_client):
    response = patient_client.get("/today/")

    assert response.status_code == 200
    assert "has not set up your treatment course" in response.content.decode()


# ----------------------------------------------------------------------------------------------------------
# Saving
# ----------------------------------------------------------------------------------------------------------


def test_it_saves_today_and_shows_the_trend_and_status(patient_client, patient, course, today):
    response = patient_client.post("/today/", valid(minutes_on_feet="120", note="Stiff at first"))

    assert response.status_code == 302 and response["Location"] == "/today/?saved=1"
    log = DailyLog.objects.get(patient=patient)
    assert (log.date, log.foot, log.first_step_pain, log.average_pain, log.minutes_on_feet, log.recorded_on) == (
        today,
        "left",
        5,
        4,
        120,
        today,
    )
    page = patient_client.get("/today/?saved=1").content.decode()
    assert "today is logged" in page
    assert "Home massage routine:" in page  # the status line from the progress report
    assert "Your first-step pain averaged 5 out of 10 over the last 7 days" in page


def test_saving_the_same_day_again_edits_it(patient_client, patient, course):
    patient_client.post("/today/", valid())
    patient_client.post("/today/", valid(note="changed") | {"left-first_step_pain": "3"})

    log = DailyLog.objects.get(patient=patient)
    assert (log.first_step_pain, log.note) == (3, "changed")
    actions = list(
        AuditEvent.objects.filter(target__startswith="daily log").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_it_saves_both_feet_together(patient_client, patient):
    CourseFactory.create(patient=patient, foot="both")

    patient_client.post("/today/", valid("left") | valid("right") | {"right-first_step_pain": "7"})

    assert dict(DailyLog.objects.values_list("foot", "first_step_pain")) == {"left": 5, "right": 7}


def test_a_rejected_foot_saves_neither_foot(patient_client, patient):
    CourseFactory.create(patient=patient, foot="both")

    response = patient_client.post(
        "/today/", valid("left") | {"right-first_step_pain": "12", "right-average_pain": "2"}
    )

    assert response.status_code == 200
    assert not DailyLog.objects.exists()


def test_it_saves_symptoms_and_bruising_after_needling(patient_client, patient, today):
    CourseFactory.create(patient=patient, needling=True)
    SessionFactory.create(patient=patient, needling=True, date=today - timedelta(days=1))

    patient_client.post("/today/", valid(sym_arch="on", needling_soreness="3", bruising="yes"))

    log = DailyLog.objects.get()
    assert (log.sym_arch, log.sym_stairs, log.needling_soreness, log.bruising) == (True, False, 3, True)


# Days 1 and 2 after a session: soreness is expected to settle "within a day or two" (002:36). Day 3: the day
# the "soreness lasting past 2 days" alert (DESIGN.md section 6) is read from, so it must be asked too.
@pytest.mark.parametrize(("days_ago", "asked"), [(0, False), (1, True), (2, True), (3, True), (4, False)])
def test_it_asks_about_needling_soreness_for_three_days_after_a_session(
    patient_client, patient, today, days_ago, asked
):
    CourseFactory.create(patient=patient, needling=True)
    SessionFactory.create(patient=patient, needling=True, date=today - timedelta(days=days_ago))

    html = patient_client.get("/today/").content.decode()

    assert ("left-needling_soreness" in html) is asked
    assert ("left-bruising" in html) is asked


def test_soreness_still_there_3_days_after_needling_reaches_the_care_team(patient_client, patient, today):
    course = CourseFactory.create(patient=patient, needling=True, day_zero=today - timedelta(days=10))
    SessionFactory.create(patient=patient, needling=True, course=course, date=today - timedelta(days=3))

    patient_client.post("/today/", valid(needling_soreness="4"))

    assert DailyLog.objects.get(date=today).needling_soreness == 4
    assert Alert.objects.filter(patient=patient, kind=AlertKind.NEEDLING_SORENESS).count() == 1


# ----------------------------------------------------------------------------------------------------------
# Validation: every rule, a clear message, what was typed kept, nothing saved changed
# ----------------------------------------------------------------------------------------------------------

RULES = [
    ({"left-first_step_pain": ""}, f.FIRST_STEP_REQUIRED),
    ({"left-first_step_pain": "11"}, f.SCORE_RANGE),
    ({"left-first_step_pain": "-1"}, f.SCORE_RANGE),
    ({"left-first_step_pain": "five"}, f.SCORE_RANGE),
    ({"left-average_pain": ""}, f.AVERAGE_REQUIRED),
    ({"left-average_pain": "10.5"}, f.SCORE_RANGE),
    ({"left-pain_after_activity": "11"}, f.SCORE_RANGE),
    ({"left-minutes_on_feet": "1441"}, f.MINUTES_RANGE),
    ({"left-minutes_on_feet": "-5"}, f.MINUTES_RANGE),
    ({"left-minutes_on_feet": "an hour"}, f.MINUTES_RANGE),
    ({"left-steps": "100001"}, f.STEPS_RANGE),
    ({"left-steps": "-1"}, f.STEPS_RANGE),
    ({"left-activity_level": "marathon"}, f.CHOICE_INVALID),
    ({"left-usual_activities": "maybe"}, f.CHOICE_INVALID),
    ({"left-weight_bearing": "some"}, f.CHOICE_INVALID),
    ({"left-footwear": "slippers"}, f.CHOICE_INVALID),
    ({"left-needling_soreness": "11"}, f.SCORE_RANGE),
    ({"left-bruising": "maybe"}, f.CHOICE_INVALID),
    ({"left-note": "x" * 2001}, "Keep the note to 2,000 characters or fewer (it has 2001)."),
    ({"left-note": "\U0001f9b6" * 2001}, "Keep the note to 2,000 characters or fewer (it has 2001)."),
]


@pytest.mark.parametrize(
    "note",
    [
        "\U0001f9b6" * 2000,  # 2,000 emoji: 2,000 characters (a browser's maxlength counted 4,000)
        "line\r\n" * 400,  # a browser sends each line break as CR LF: counted once, and stored as LF
    ],
    ids=["emoji", "crlf"],
)
def test_a_note_is_counted_in_characters_as_the_page_counts_them(patient_client, patient, course, note):
    html = patient_client.get("/today/").content.decode()
    assert 'data-count-max="2000"' in html and "maxlength" not in html

    response = patient_client.post("/today/", valid(note=note))

    assert response.status_code == 302
    saved = DailyLog.objects.get(patient=patient).note
    assert saved == note.replace("\r\n", "\n").strip() and len(saved) <= 2000


@pytest.mark.parametrize(("bad", "message"), RULES)
def test_it_refuses_each_bad_value_with_a_clear_message_and_loses_nothing(patient_client, patient, today, bad, message):
    CourseFactory.create(patient=patient, endoscopic=True)
    SessionFactory.create(patient=patient, needling=True, date=today - timedelta(days=1))
    saved = DailyLogFactory.create(patient=patient, date=today, first_step_pain=2, average_pain=2, note="kept")

    response = patient_client.post("/today/", valid(note="typed just now", steps="4321") | bad)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved yet" in html
    assert message.replace(",", ",") in html.replace("&#x27;", "'").replace("&quot;", '"')
    if "left-note" not in bad:
        assert "typed just now" in html  # what the patient typed is kept
    if "left-steps" not in bad:
        assert 'value="4321"' in html
    saved.refresh_from_db()
    assert (saved.first_step_pain, saved.note) == (2, "kept")
    assert not Alert.objects.exists()


def test_the_database_refuses_out_of_range_values_too(patient, today):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DailyLog.objects.create(
            patient=patient, date=today, foot="left", recorded_on=today, first_step_pain=11, average_pain=0
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyLog.objects.create(
            patient=patient,
            date=today,
            foot="left",
            recorded_on=today - timedelta(days=1),
            first_step_pain=1,
            average_pain=0,
        )


def test_the_service_validates_too(patient, course, today):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save_left(patient, day=today, today=today, values={"first_step_pain": 11, "average_pain": 1})
    with pytest.raises(ValueError, match="not daily log fields"):
        save_left(patient, day=today, today=today, values={"patient_id": 2, "first_step_pain": 1})
    assert not DailyLog.objects.exists()


# ----------------------------------------------------------------------------------------------------------
# The 7-day window
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days_ago", [1, 7])
def test_it_fills_in_a_missed_day_up_to_7_days_back(patient_client, patient, course, today, days_ago):
    day = today - timedelta(days=days_ago)

    assert patient_client.get(f"/log/{day.isoformat()}/").status_code == 200
    response = patient_client.post(f"/log/{day.isoformat()}/", valid())

    assert response["Location"] == f"/log/{day.isoformat()}/?saved=1"
    log = DailyLog.objects.get()
    assert (log.date, log.recorded_on) == (day, today)


@pytest.mark.parametrize(("offset", "message"), [(-8, DAY_TOO_OLD), (-30, DAY_TOO_OLD), (1, DAY_IN_FUTURE)])
def test_it_refuses_older_and_future_days_with_a_clear_message(patient_client, course, today, offset, message):
    url = f"/log/{(today + timedelta(days=offset)).isoformat()}/"

    for response in (patient_client.get(url), patient_client.post(url, valid())):
        assert response.status_code == 400
        assert message in response.content.decode().replace("&#x27;", "'")
    assert not DailyLog.objects.exists()


def test_it_gives_404_for_a_date_that_does_not_exist(patient_client, course):
    assert patient_client.get("/log/2026-02-30/").status_code == 404
    assert patient_client.get("/log/yesterday/").status_code == 404


def test_the_service_refuses_a_day_outside_the_window(patient, course, today):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="7 days back"):
        save_left(patient, day=today - timedelta(days=8), today=today, values={"first_step_pain": 1, "average_pain": 1})


# ----------------------------------------------------------------------------------------------------------
# Time zones: "today" is the patient's local date
# ----------------------------------------------------------------------------------------------------------

# 05:00 UTC on 2 March: 19:00 on 1 March in Honolulu (UTC-10), 18:00 on 2 March in Tongatapu (UTC+13).
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Pacific/Honolulu", date(2026, 3, 1)), ("Pacific/Tongatapu", date(2026, 3, 2)), ("UTC", date(2026, 3, 2))],
)
def test_today_is_the_patients_local_date(zone, expected):
    assert PatientFactory.build(time_zone=zone).local_today(NOW) == expected


@pytest.mark.parametrize(
    ("zone", "expected"), [("Pacific/Honolulu", date(2026, 3, 1)), ("Pacific/Tongatapu", date(2026, 3, 2))]
)
def test_today_saves_on_the_patients_local_date(client, zone, expected):
    patient = PatientFactory.create(time_zone=zone)
    CourseFactory.create(patient=patient, day_zero=date(2026, 2, 1))
    client.force_login(patient)

    with mock.patch("django.utils.timezone.now", return_value=NOW):
        page = client.get("/today/").content.decode()
        client.post("/today/", valid())
        # The day after the patient's today is the future, wherever the server is.
        future = client.get(f"/log/{(expected + timedelta(days=1)).isoformat()}/")

    assert f"{expected:%A} {expected.day} {expected:%B}" in page
    assert DailyLog.objects.get().date == expected
    assert future.status_code == 400


# ----------------------------------------------------------------------------------------------------------
# Red flags
# ----------------------------------------------------------------------------------------------------------


def test_a_red_flag_raises_a_critical_alert_and_the_page_says_what_to_do(patient_client, patient, course, today):
    patient_client.post("/today/", valid(rf_calf="on"))

    alert = Alert.objects.get(patient=patient, kind=AlertKind.RED_FLAG)
    assert alert.severity == Severity.CRITICAL
    html = patient_client.get("/today/?saved=1").content.decode()
    assert '<div id="rf-care-team" class="alert alert-warning border-2" >' in html  # shown, not hidden
    assert '<div id="rf-emergency" class="alert alert-danger border-3 border-danger" hidden>' in html
    assert html.index("contact your care team today") < html.index("<h1")


def test_breathlessness_says_emergency_care_now_before_anything_else(patient_client, patient, course):
    patient_client.post("/today/", valid(rf_breathless_chest="on"))

    html = patient_client.get("/today/?saved=1").content.decode()
    main = html[html.index("<main") :]
    assert '<div id="rf-emergency" class="alert alert-danger border-3 border-danger" >' in main
    assert main.index("Call emergency services now") < main.index("contact your care team today") < main.index("Saved:")
    assert Alert.objects.filter(kind=AlertKind.RED_FLAG, severity=Severity.CRITICAL).count() == 1


def test_a_rejected_submission_with_a_red_flag_still_shows_the_guidance(patient_client, course):
    html = patient_client.post("/today/", {"left-rf_breathless_chest": "on"}).content.decode()

    assert '<div id="rf-emergency" class="alert alert-danger border-3 border-danger" >' in html
    assert "Nothing was saved yet" in html


def test_every_red_flag_guidance_gives_the_clinics_number_and_hours_beside_the_emergency_numbers(
    patient_client, course, settings
):
    settings.CLINIC_PHONE, settings.CLINIC_HOURS = "+44 161 496 0999", "every day, 7 am to 9 pm"
    html = patient_client.post("/today/", {"left-rf_breathless_chest": "on"}).content.decode()

    emergency = html[html.index('id="rf-emergency"') : html.index('id="rf-care-team"')]
    care_team = html[html.index('id="rf-care-team"') : html.index("</div>", html.index('id="rf-care-team"'))]
    for box in (emergency, care_team):
        assert "999 in the UK, 112 in Europe, 911 in North America" in box
        assert '<a class="alert-link rf-clinic-phone" href="tel:+441614960999">+44 161 496 0999</a>' in box
    assert "(every day, 7 am to 9 pm)" in care_team
    assert '<div id="red-flag-guidance" aria-live="assertive">' in html


def test_a_new_patients_first_page_says_what_happens_next(patient_client, patient):
    from django.utils import timezone

    CourseFactory.create(
        patient=patient, kind="endoscopic", foot="right", day_zero=date(2026, 3, 2), created_at=timezone.now()
    )

    html = patient_client.get("/today/").content.decode()

    assert "Welcome. What happens next" in html
    assert "your endoscopic plantar fascia release (right foot), day 0 on Monday 2 March" in html
    assert html.index("Welcome. What happens next") < html.index('id="log-form"')

    DailyLogFactory.create(patient=patient, date=patient.local_today() - timedelta(days=1), foot="right")
    assert "What happens next" not in patient_client.get("/today/").content.decode()


def test_a_patient_without_a_course_is_told_what_happens_next_and_whom_to_call(patient_client, settings):
    html = patient_client.get("/today/").content.decode()

    assert "What happens next" in html and "They will do it at your next visit" in html
    assert settings.CLINIC_PHONE in html and 'id="log-form"' not in html


def test_a_patient_with_an_older_course_is_not_welcomed_again(patient_client, course):
    assert "What happens next" not in patient_client.get("/today/").content.decode()


def test_red_flag_boxes_are_marked_for_the_script(patient_client, course):
    html = patient_client.get("/today/").content.decode()

    assert 'name="left-rf_breathless_chest" class="form-check-input" data-red-flag="emergency"' in html
    assert 'name="left-rf_calf" class="form-check-input" data-red-flag="care-team"' in html
    assert "js/log_form.js" in html


# ----------------------------------------------------------------------------------------------------------
# Two submissions of the same day at once
# ----------------------------------------------------------------------------------------------------------


def test_a_concurrent_insert_of_the_same_day_becomes_an_update(patient, course, today):
    """The other request inserted the row between our read and our insert: retried as an update, no error."""
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=8)
    real = log_service._existing_logs
    calls = []

    def stale_first_read(**kwargs):
        calls.append(1)
        return {} if len(calls) == 1 else real(**kwargs)

    with mock.patch.object(log_service, "_existing_logs", side_effect=stale_first_read):
        save_left(patient, day=today, today=today, values={"first_step_pain": 3, "average_pain": 2})

    assert len(calls) == 2
    assert list(DailyLog.objects.values_list("first_step_pain", flat=True)) == [3]


def _version(html: str, foot: str = "left") -> str:
    import re

    match = re.search(rf'name="{foot}-version" value="([^"]*)"', html)
    assert match, "no version field"
    return match.group(1)


def test_a_second_tab_never_overwrites_the_first_tabs_save_silently(patient_client, patient, course, today):
    """Two tabs open on the same day: the first saves, the second's save is refused and both are shown."""
    tab_1 = _version(patient_client.get("/today/").content.decode())
    tab_2 = _version(patient_client.get("/today/").content.decode())
    assert tab_1 == tab_2 == "new"

    assert patient_client.post("/today/", valid(note="first tab", version=tab_1)).status_code == 302
    response = patient_client.post(
        "/today/", valid(first_step_pain="7", note="second tab", rf_fever="on", version=tab_2)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "this day was changed somewhere else" in html
    log = DailyLog.objects.get(patient=patient)
    assert (log.first_step_pain, log.note, log.rf_fever) == (5, "first tab", False)  # the first save is kept
    table = html[html.index("log-conflict-table") : html.index("keep-mine")]
    assert "<td>5</td><td><strong>7</strong></td>" in table.replace("\n", "").replace("  ", "")
    assert "first tab" in table and "second tab" in table
    assert ">Fever<" in table or "Fever" in table
    assert "Average" not in table  # only what differs
    assert "second tab" in html[html.index('id="log-form"') :]  # what the patient typed is still in the form

    # "Keep mine": the form now carries the newer version, so saving it again is a knowing choice.
    newer = _version(html)
    assert newer == log.updated_at.isoformat()
    kept = patient_client.post("/today/", valid(first_step_pain="7", note="second tab", rf_fever="on", version=newer))
    assert kept.status_code == 302
    log.refresh_from_db()
    assert (log.first_step_pain, log.note, log.rf_fever) == (7, "second tab", True)


def test_an_older_version_of_a_saved_day_is_refused_and_one_with_the_same_answers_is_not(
    patient_client, patient, course, today
):
    save_left(patient, day=today, today=today, values={"first_step_pain": 4, "average_pain": 4})
    opened = _version(patient_client.get("/today/").content.decode())
    save_left(patient, day=today, today=today, values={"first_step_pain": 6, "average_pain": 4})  # elsewhere

    same = patient_client.post("/today/", valid(first_step_pain="6", average_pain="4", version=opened))
    assert same.status_code == 302  # nothing to lose: the same answers
    refused = patient_client.post("/today/", valid(first_step_pain="2", average_pain="4", version=opened))
    assert refused.status_code == 200 and "Keep what is saved" in refused.content.decode()
    assert DailyLog.objects.get(patient=patient).first_step_pain == 6


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_leave_one_log(patient, course, today):
    """Two threads post the same day at the same moment (real connections): one log, no error page."""
    import threading

    from django.db import connections
    from django.test import Client

    if connection.vendor == "sqlite":
        pytest.skip("the SQLite test database is in memory, not shared between threads (runs on PostgreSQL)")
    results = []
    barrier = threading.Barrier(2)

    def post(pain):
        try:
            c = Client()
            c.force_login(patient)
            barrier.wait(timeout=10)
            results.append(c.post("/today/", valid() | {"left-first_step_pain": str(pain)}).status_code)
        finally:
            connections.close_all()  # a thread's connection would otherwise keep the test database open

    threads = [threading.Thread(target=post, args=(p,)) for p in (3, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results == [302, 302]
    assert DailyLog.objects.filter(patient=patient).count() == 1


# ----------------------------------------------------------------------------------------------------------
# Audit and query counts
# ----------------------------------------------------------------------------------------------------------


def test_viewing_the_log_is_audited(patient_client, patient, course, today):
    patient_client.get("/today/")

    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.patient, event.action, event.target) == (
        patient,
        patient,
        "view",
        "daily log form",  # not the day's date (issue 12: no clinical values in the trail)
    )


@pytest.mark.parametrize("days_logged", [1, 60])
def test_the_log_page_has_a_fixed_number_of_queries(
    patient_client, patient, today, django_assert_num_queries, days_logged
):
    CourseFactory.create(patient=patient, foot="both", endoscopic=True, day_zero=today - timedelta(days=70))
    for i in range(days_logged):
        for foot in ("left", "right"):
            DailyLogFactory.create(patient=patient, date=today - timedelta(days=i + 1), foot=foot)
    # 1 session, 2 user, 3 courses, 4 the week's logs, 5 needling sessions of the last 3 days, 6 audit insert,
    # 7-9 the questionnaires due (courses, response dates, requests),
    # 10-12 the idle-timeout middleware saving the session's last activity (savepoint, update, release)
    with django_assert_num_queries(12):
        assert patient_client.get("/today/").status_code == 200


@pytest.mark.django_db
def test_the_surgery_day_starts_with_empty_weight_bearing_and_footwear(patient_client, patient, today):
    # The day before surgery was logged in normal shoes with full weight; on the day of surgery those answers are
    # not copied (the engine reads milestones from day 1 in any case).
    CourseFactory.create(patient=patient, kind="open", foot="left", day_zero=today)
    DailyLogFactory.create(
        patient=patient, date=today - timedelta(days=1), foot="left", footwear="normal", weight_bearing="full"
    )
    form = patient_client.get("/today/").context["forms"][0]
    assert form.initial.get("footwear") is None and form.initial.get("weight_bearing") is None


@pytest.mark.django_db
def test_a_day_after_surgery_still_starts_from_the_last_answers(patient_client, patient, today):
    CourseFactory.create(patient=patient, kind="open", foot="left", day_zero=today - timedelta(days=3))
    DailyLogFactory.create(
        patient=patient, date=today - timedelta(days=1), foot="left", footwear="cast", weight_bearing="none"
    )
    form = patient_client.get("/today/").context["forms"][0]
    assert (form.initial["footwear"], form.initial["weight_bearing"]) == ("cast", "none")


# ----------------------------------------------------------------------------------------------------------
# The lean write path (issue 11): the database enforces the constraints, alerts read light rows
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days_logged", [1, 60])
def test_saving_a_day_has_a_fixed_number_of_queries(
    patient_client, patient, today, django_assert_num_queries, days_logged
):
    CourseFactory.create(patient=patient, foot="both", endoscopic=True, day_zero=today - timedelta(days=70))
    for i in range(days_logged):
        for foot in ("left", "right"):
            DailyLogFactory.create(patient=patient, date=today - timedelta(days=i + 1), foot=foot)
    # 1 session, 2 user, 3-5 the page's courses, week of logs and needling sessions; 6 savepoint, 7 the day's logs
    # (locked), 8-11 two inserts each with its edit-history row, 12 audit, 13 the caseload row marked stale,
    # 14-16 the alerts' courses, logs and sessions, 17 release; 18-20 the idle-timeout middleware. No check
    # constraint is queried one by one.
    with django_assert_num_queries(20):
        response = patient_client.post("/today/", valid("left") | valid("right"))
    assert response.status_code == 302
    assert DailyLog.objects.filter(patient=patient, date=today).count() == 2


def test_a_value_the_database_refuses_is_worded_and_changes_nothing(patient, course, today):
    """The Python checks are the first line, the database constraints the last: when only the database catches a
    value (here the field checks are skipped to reach it), the patient reads which answer, and nothing changes."""
    save_left(patient, day=today, today=today, values={"first_step_pain": 5, "average_pain": 4})
    events = AuditEvent.objects.count()
    versions = DailyLog.history.count()

    with mock.patch.object(DailyLog, "clean_fields"), pytest.raises(ValidationError) as refused:
        save_left(patient, day=today, today=today, values={"first_step_pain": 12, "average_pain": 3})

    assert refused.value.messages == [
        "The answer for first-step pain is outside what can be saved, so nothing was saved. Check it and save again."
    ]
    assert list(DailyLog.objects.values_list("first_step_pain", "average_pain")) == [(5, 4)]
    assert (AuditEvent.objects.count(), DailyLog.history.count()) == (events, versions)


def test_a_new_day_the_database_refuses_is_not_saved(patient, course, today):
    with mock.patch.object(DailyLog, "clean_fields"), pytest.raises(ValidationError):
        save_left(patient, day=today, today=today, values={"first_step_pain": 3, "average_pain": 11})

    assert not DailyLog.objects.exists()
    assert not AuditEvent.objects.exists()


def test_refusal_words_name_the_answer():
    assert log_service.refusal_words("dailylog_minutes_on_feet_range").startswith("The answer for ")
    assert log_service.refusal_words("dailylog_not_in_future") == DAY_IN_FUTURE


def test_alert_rows_carry_every_column_the_rules_read(patient, course, today):
    from tracker.selectors.log_rows import log_rows

    saved = DailyLogFactory.create(patient=patient, date=today, rf_calf=True, first_step_pain=6)
    (row,) = log_rows(patient_id=patient.pk, until=today)

    assert (row.pk, row.date, row.foot, row.first_step_pain, row.red_flags) == (
        saved.pk,
        today,
        saved.foot,
        6,
        ["rf_calf"],
    )


# ----------------------------------------------------------------------------------------------------------
# Issue 13: a meaningful function-score decline is never "ahead" on the saved page's status lines either
# ----------------------------------------------------------------------------------------------------------


def test_the_saved_status_line_is_never_ahead_with_a_meaningful_faam_decline(patient_client, patient, today):
    from tests.questionnaire_data import faam_response
    from tracker.progress.report import OverallStatus

    # Back to usual activities on day 15 after endoscopic release (most people: 3 to 6 weeks, 000:11): ahead.
    CourseFactory.create(patient=patient, kind="endoscopic", foot="left", day_zero=today - timedelta(days=20))
    for d in range(28):
        fields = {"usual_activities": "yes"} if d < 6 else {}
        pain = 6 if d >= 20 else (4 if d >= 6 else 3)
        DailyLogFactory.create(
            patient=patient, date=today - timedelta(days=d), recorded_on=today, first_step_pain=pain, **fields
        )
    faam_response(patient, today - timedelta(days=20), adl=4)  # baseline on day 0: 100

    before = patient_client.get("/today/?saved=1").context["status_lines"]
    assert [line["status"] for line in before] == [OverallStatus.AHEAD]

    faam_response(patient, today, adl=2)  # 50: far more than the 8-point MCID below the baseline (Martin 2005)
    response = patient_client.get("/today/?saved=1")
    assert [line["status"] for line in response.context["status_lines"]] == [OverallStatus.ON_TRACK]
    html = response.content.decode()
    assert ": On track.</strong>" in html and ": Ahead.</strong>" not in html
