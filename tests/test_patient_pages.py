"""The patient's other pages: history, progress, sessions, account, export, closing; and who may see them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from tests.factories import (
    AlertFactory,
    ClinicalNoteFactory,
    CourseFactory,
    DailyLogFactory,
    PatientFactory,
    SessionFactory,
)
from tests.questionnaire_data import faam_response, psfs_response
from tracker.forms import patient as f
from tracker.models import Alert, AlertKind, AuditEvent, Session, User
from tracker.services.cohort import cohort_rebuild_all
from tracker.services.logs import DAY_TOO_OLD

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(patient):
    return patient.local_today()


# ----------------------------------------------------------------------------------------------------------
# History
# ----------------------------------------------------------------------------------------------------------


def test_history_lists_every_day_with_gaps_and_links_the_editable_ones(patient_client, patient, today):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=10))
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=1), first_step_pain=6)
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=9), first_step_pain=7, rf_fever=True)

    html = patient_client.get("/history/").content.decode()

    assert "2 days logged, 9 not logged" in html
    assert html.count("Not logged") == 9
    assert "first steps 6/10" in html and "warning sign" in html
    assert f'href="/log/{(today - timedelta(days=7)).isoformat()}/"' in html
    assert f'href="/log/{(today - timedelta(days=8)).isoformat()}/"' not in html  # too old to edit
    assert 'href="/today/"' in html


@pytest.mark.parametrize("days_logged", [1, 90])
def test_history_has_a_fixed_number_of_queries(patient_client, patient, today, django_assert_num_queries, days_logged):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=100))
    for i in range(days_logged):
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=i))
    # 1 session, 2 user, 3 courses, 4 the totals (one aggregate), 5 the page's logs (only the columns shown),
    # 6 audit insert, 7-9 idle-timeout session save
    with django_assert_num_queries(9):
        assert patient_client.get("/history/").status_code == 200
    with django_assert_num_queries(9):
        assert patient_client.get("/history/?page=3").status_code == 200


def test_history_shows_four_weeks_a_page_with_totals_over_all_of_it(patient_client, patient, today):
    # 60 days from day 0 to today: pages of 28, 28 and 4 days.
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=59))
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=3)
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=27), first_step_pain=4)  # page 1's last
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=28), first_step_pain=8)  # page 2's first
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=59), first_step_pain=9)  # page 3, day 0

    first = patient_client.get("/history/")
    second = patient_client.get("/history/?page=2")
    last = patient_client.get("/history/?page=3")

    days = [[d.day for d in r.context["history"].days] for r in (first, second, last)]
    assert [len(d) for d in days] == [28, 28, 4]
    assert days[0][0] == today and days[0][-1] == today - timedelta(days=27)
    assert days[1][0] == today - timedelta(days=28) and days[2][-1] == today - timedelta(days=59)
    for response in (first, second, last):
        assert "4 days logged, 56 not logged" in response.content.decode()
    assert "first steps 4/10" in first.content.decode() and "first steps 8/10" not in first.content.decode()
    assert "first steps 8/10" in second.content.decode()
    assert 'href="?page=2"' in first.content.decode()  # older
    assert 'href="?page=1"' in second.content.decode() and 'href="?page=3"' in second.content.decode()
    assert "Page 3 of 3" in last.content.decode()


@pytest.mark.parametrize("asked", ["99", "0", "-1"])
def test_a_history_page_out_of_range_is_the_last_page(patient_client, patient, today, asked):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=40))

    response = patient_client.get(f"/history/?page={asked}")

    assert response.context["history"].page.number == 2
    assert response.context["history"].days[-1].day == today - timedelta(days=40)


def test_a_history_page_that_is_not_a_number_is_the_first(patient_client, patient, today):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=40))

    assert patient_client.get("/history/?page=abc").context["history"].days[0].day == today


def test_a_short_history_has_no_page_links(patient_client, patient, today):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=27))

    html = patient_client.get("/history/").content.decode()

    assert "Pages of days" not in html
    assert "0 days logged, 28 not logged" in html


def test_the_weekly_view_counts_days_means_and_sessions_per_week(patient_client, patient, today):
    monday = today - timedelta(days=today.weekday())
    CourseFactory.create(patient=patient, foot="both", day_zero=monday - timedelta(days=14))
    # Last week: two days, the left foot 4 and 6 (mean 5.0), the right foot 7 on one day; one session.
    last_week = monday - timedelta(days=7)
    DailyLogFactory.create(patient=patient, date=last_week, foot="left", first_step_pain=4)
    DailyLogFactory.create(patient=patient, date=last_week, foot="right", first_step_pain=7)
    DailyLogFactory.create(patient=patient, date=last_week + timedelta(days=6), foot="left", first_step_pain=6)
    SessionFactory.create(patient=patient, date=last_week + timedelta(days=2))
    SessionFactory.create(patient=patient, date=monday - timedelta(days=14))  # the week before

    response = patient_client.get("/history/weeks/")

    weeks = response.context["history"].weeks
    assert [w.monday for w in weeks] == [monday, last_week, monday - timedelta(days=14)]
    this, last, first = weeks
    assert (this.days_logged, this.mean_first_step_pain, this.sessions) == (0, {"left": None, "right": None}, 0)
    assert (last.days_logged, last.mean_first_step_pain, last.sessions) == (2, {"left": 5.0, "right": 7.0}, 1)
    assert (first.days_logged, first.sessions) == (0, 1)
    html = re.sub(r">\s+<", "><", response.content.decode())
    assert "<td>2 of 7</td><td>5.0/10</td><td>7.0/10</td><td>1</td>" in html
    assert AuditEvent.objects.filter(actor=patient, action="view", target="weekly history of daily logs").exists()


@pytest.mark.parametrize("weeks_logged", [1, 30])
def test_the_weekly_view_has_a_fixed_number_of_queries_and_pages(
    patient_client, patient, today, django_assert_num_queries, weeks_logged
):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=7 * 30))
    for i in range(weeks_logged):
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=7 * i))
        SessionFactory.create(patient=patient, date=today - timedelta(days=7 * i))
    # 1 session, 2 user, 3 courses, 4 the first day (aggregate), 5 the page's logs by week (aggregate),
    # 6 the page's sessions by week (aggregate), 7 audit insert, 8-10 idle-timeout session save
    with django_assert_num_queries(10):
        response = patient_client.get("/history/weeks/")
    assert len(response.context["history"].weeks) == 12
    last = patient_client.get("/history/weeks/?page=9")
    assert last.context["history"].page.number == 3  # 31 weeks: pages of 12, 12 and 7; out of range is the last
    assert len(last.context["history"].weeks) == len(range(31)[24:])


# ----------------------------------------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------------------------------------


def test_progress_shows_the_chart_data_table_milestones_sessions_and_status(patient_client, patient, today):
    CourseFactory.create(patient=patient, endoscopic=True, day_zero=today - timedelta(days=30))
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=4)
    SessionFactory.create(patient=patient, surgery=True, date=today - timedelta(days=30))

    response = patient_client.get("/progress/")

    html = response.content.decode()
    assert '<canvas id="chart-1" data-progress-chart="chart-1-data" role="img"' in html
    chart = json.loads(html.split('<script id="chart-1-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"][-1] == today.isoformat() and chart["feet"][0]["pain"][-1] == 4
    assert chart["sessions"][0]["label"] == "Surgery"
    assert any(m["source"] == "Plantar fascia release, patient leaflet (Healthwise, 2023)" for m in chart["milestones"])
    assert "<caption>" in html and '<th scope="row">' in html
    assert (
        "Back to your usual activities" in html
        and "Most people return to their normal activities in 3 to 6 weeks." in html
    )
    assert (
        'href="/sources/#source-surgery-leaflet">Plantar fascia release, patient leaflet (Healthwise, 2023)</a>' in html
    )
    assert ".txt" not in html and "CLINICAL.md" not in html  # a patient never sees a file name
    report = response.context["items"][0]["report"]
    assert report.reason in html.replace("&#x27;", "'")


def test_progress_shows_the_needling_sessions_bar_against_the_plan(patient_client, patient, today):
    course = CourseFactory.create(patient=patient, needling=True, day_zero=today - timedelta(days=14))
    for days in (14, 7):
        SessionFactory.create(patient=patient, needling=True, course=course, date=today - timedelta(days=days))

    html = patient_client.get("/progress/").content.decode()

    assert "2 sessions done of 6 planned." in html
    assert 'aria-valuenow="2" aria-valuemin="0" aria-valuemax="6"' in html
    assert "most patients require 4 to 6 sessions for optimal results" in html


def test_progress_includes_the_cohort_band_when_there_are_five_other_patients(patient_client, patient, today):
    start = today - timedelta(days=10)
    CourseFactory.create(patient=patient, day_zero=start)
    for _ in range(5):
        other = PatientFactory.create()
        CourseFactory.create(patient=other, day_zero=start)
        DailyLogFactory.create(patient=other, date=start + timedelta(days=1), first_step_pain=6)

    chart = patient_client.get("/progress/").context["items"][0]["chart"]

    assert chart["band"] is not None and chart["band"]["median"][1] == 6.0


@pytest.mark.parametrize("days_logged", [1, 60])
def test_progress_has_a_fixed_number_of_queries(patient_client, patient, today, django_assert_num_queries, days_logged):
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=70))
    for i in range(days_logged):
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=i))
    for i in range(0, days_logged, 14):
        faam_response(patient, today - timedelta(days=i))
        psfs_response(patient, today - timedelta(days=i), {"Walking to work": 5, "Stairs": 4})
    cohort_rebuild_all()  # the cohort band's cache, as the hourly job leaves it (a missing one adds its rebuild)
    # 1 session, 2 user, 3-5 the questionnaires (responses, FAAM answers, PSFS ratings), 6 courses, 7 logs,
    # 8 sessions, 9 the cohort bands (every kind, pain and the FAAM daily activities score, cached, one query),
    # 10 audit insert, 11-13 idle-timeout session save
    with django_assert_num_queries(13):
        assert patient_client.get("/progress/").status_code == 200


# ----------------------------------------------------------------------------------------------------------
# Sessions
# ----------------------------------------------------------------------------------------------------------

MASSAGE = {
    "kind": "massage",
    "technique": "myofascial",
    "tool": "ball",
    "minutes": "10",
    "areas": ["heel", "arch"],
    "preparation": "warm_soak",
    "discomfort": "3",
}


def test_it_logs_a_massage_session_linked_to_the_massage_course(patient_client, patient, course, today):
    response = patient_client.post("/sessions/new/", MASSAGE | {"date": today.isoformat()})

    session = Session.objects.get()
    assert response["Location"] == f"/sessions/new/?saved={session.pk}"
    assert (session.kind, session.technique, session.areas, session.course, session.created_by) == (
        "massage",
        "myofascial",
        ["heel", "arch"],
        course,
        patient,
    )
    assert AuditEvent.objects.filter(action="create", target=f"session {session.pk}").exists()
    assert "Saved: home massage" in patient_client.get(response["Location"]).content.decode()


def test_it_logs_another_session(patient_client, patient, today):
    patient_client.post(
        "/sessions/new/", {"kind": "other", "other_kind": "shockwave", "date": today.isoformat(), "note": "2nd"}
    )

    session = Session.objects.get()
    assert (session.kind, session.other_kind, session.technique, session.note) == ("other", "shockwave", "", "2nd")


def test_an_adverse_reaction_shows_the_sources_caution_and_raises_an_alert(patient_client, patient, course, today):
    response = patient_client.post("/sessions/new/", MASSAGE | {"date": today.isoformat(), "adverse_reaction": "on"})

    html = patient_client.get(response["Location"]).content.decode()
    assert "discontinue use if you experience pain or adverse reactions." in html
    assert "Fascia massage for plantar fasciitis, article (KOAPRO)" in html
    assert ".txt" not in html
    assert Alert.objects.filter(patient=patient, kind=AlertKind.MASSAGE_ADVERSE).count() == 1


SESSION_RULES = [
    ({"kind": ""}, f.SESSION_KIND_REQUIRED),
    ({"kind": "needling"}, f.SESSION_KIND_REQUIRED),
    ({"technique": ""}, f.TECHNIQUE_REQUIRED),
    ({"technique": "hammer"}, f.CHOICE_INVALID),
    ({"minutes": "0"}, f.SESSION_MINUTES_RANGE),
    ({"minutes": "601"}, f.SESSION_MINUTES_RANGE),
    ({"areas": ["knee"]}, f.CHOICE_INVALID),
    ({"discomfort": "11"}, f.SCORE_RANGE),
    ({"date": "soon"}, f.DATE_INVALID),
    ({"kind": "other", "other_kind": ""}, f.OTHER_KIND_REQUIRED),
]


@pytest.mark.parametrize(("bad", "message"), SESSION_RULES)
def test_it_refuses_each_bad_session_value(patient_client, course, today, bad, message):
    response = patient_client.post("/sessions/new/", MASSAGE | {"date": today.isoformat(), "note": "kept text"} | bad)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "kept text" in response.content.decode()
    assert not Session.objects.exists()


def test_it_refuses_a_session_outside_the_7_days(patient_client, course, today):
    response = patient_client.post("/sessions/new/", MASSAGE | {"date": (today - timedelta(days=8)).isoformat()})

    assert DAY_TOO_OLD in response.content.decode().replace("&#x27;", "'")
    assert not Session.objects.exists()


def test_the_saved_session_banner_never_shows_another_patients_session(patient_client):
    other = SessionFactory.create(patient=PatientFactory.create(), adverse_reaction=True)

    html = patient_client.get(f"/sessions/new/?saved={other.pk}").content.decode()

    assert "Saved:" not in html


@pytest.mark.parametrize("saved", ["x", "1.5", "9" * 30])
def test_the_saved_session_banner_ignores_a_malformed_id(patient_client, patient, saved):
    SessionFactory.create(patient=patient)

    response = patient_client.get("/sessions/new/", {"saved": saved})

    assert response.status_code == 200
    assert "Saved:" not in response.content.decode()


# ----------------------------------------------------------------------------------------------------------
# Account: settings, export, closing
# ----------------------------------------------------------------------------------------------------------


def test_it_changes_the_time_zone_and_reminder(patient_client, patient):
    response = patient_client.post(
        "/account/", {"time_zone": "Pacific/Auckland", "reminder_enabled": "on", "reminder_hour": "19"}
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.time_zone, patient.reminder_enabled, patient.reminder_hour) == ("Pacific/Auckland", True, 19)
    assert AuditEvent.objects.filter(action="account", target="account settings").exists()


def test_the_patient_sets_their_phone_number_and_the_audit_does_not_record_it(patient_client, patient):
    settings_form = {"time_zone": "UTC", "reminder_hour": "8"}
    assert 'autocomplete="tel"' in patient_client.get("/account/").content.decode()

    response = patient_client.post("/account/", settings_form | {"phone": " +44 (0)20 7946-0123 "})

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+44 (0)20 7946-0123"
    assert 'value="+44 (0)20 7946-0123"' in patient_client.get("/account/").content.decode()
    event = AuditEvent.objects.get(action="account", target="account settings")
    assert event.detail == {"fields": ["phone"]}
    assert "7946" not in str(event.detail)


@pytest.mark.parametrize("bad", ["call me", "+44 20 7946 0123 4567 89", "12"])
def test_it_refuses_a_phone_number_that_is_not_one(patient_client, patient, bad):
    patient.phone = "020 7946 0000"
    patient.save()
    response = patient_client.post("/account/", {"time_zone": "UTC", "reminder_hour": "8", "phone": bad})

    html = response.content.decode()
    assert "Nothing was saved yet" in html
    assert ("digits, spaces and + ( ) - only" in html) or ("at most 20 characters" in html)
    patient.refresh_from_db()
    assert patient.phone == "020 7946 0000"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, f.TIME_ZONE_INVALID),
        ({"reminder_hour": "24"}, f.HOUR_RANGE),
        ({"reminder_hour": "-1"}, f.HOUR_RANGE),
    ],
)
def test_it_refuses_bad_settings(patient_client, patient, bad, message):
    response = patient_client.post("/account/", {"time_zone": "Europe/London", "reminder_hour": "8"} | bad)

    assert message in response.content.decode()
    patient.refresh_from_db()
    assert patient.time_zone == "UTC"


def test_the_csv_export_has_all_own_logs_in_the_one_format(patient_client, patient, today):
    from tracker.csv_format import LOG_COLUMNS

    DailyLogFactory.create(patient=patient, date=today, note="=HYPERLINK(1)")
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=1), foot="right")
    DailyLogFactory.create(patient=PatientFactory.create(), date=today, note="not mine")

    response = patient_client.get("/account/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0].keys()) == (*LOG_COLUMNS, "edited")
    assert len(rows) == 2 and rows[1]["note"] == "'=HYPERLINK(1)"
    assert AuditEvent.objects.filter(action="export", patient=patient).exists()


def test_the_json_export_has_profile_courses_logs_sessions_and_no_clinical_notes(
    patient_client, patient, course, today
):
    DailyLogFactory.create(patient=patient, date=today, note="my note")
    SessionFactory.create(patient=patient, course=course)
    ClinicalNoteFactory.create(patient=patient, text="Care team only: SECRET")
    AlertFactory.create(patient=patient)
    DailyLogFactory.create(patient=PatientFactory.create(), date=today, note="not mine")

    response = patient_client.get("/account/export.json")

    data = json.loads(response.content)
    assert data["profile"]["username"] == "alice"
    assert data["courses"][0]["kind"] == "massage"
    assert [log["note"] for log in data["daily_logs"]] == ["my note"]
    assert data["sessions"][0]["technique"] == "myofascial" and data["sessions"][0]["course"] == str(course.public_id)
    text = response.content.decode()
    assert "SECRET" not in text and "clinical_notes" not in text and "not mine" not in text
    assert "password" not in text


def test_closing_the_account_needs_confirmation(patient_client, patient):
    response = patient_client.post("/account/close/", {})

    assert f.CLOSE_CONFIRM_REQUIRED in response.content.decode()
    patient.refresh_from_db()
    assert patient.is_active


def test_closing_the_account_deactivates_signs_out_and_keeps_the_record(patient_client, patient, course, today):
    DailyLogFactory.create(patient=patient, date=today)
    patient.reminder_enabled = True
    patient.save()
    assert "not deleted" in patient_client.get("/account/close/").content.decode()

    response = patient_client.post("/account/close/", {"confirm": "on"})

    assert response["Location"] == "/accounts/login/"
    patient.refresh_from_db()
    assert (patient.is_active, patient.reminder_enabled) == (False, False)
    assert patient.daily_logs.count() == 1
    assert AuditEvent.objects.filter(action="account", target="account closed by the patient").exists()
    assert patient_client.get("/today/").status_code == 302  # signed out


# ----------------------------------------------------------------------------------------------------------
# Who may see what
# ----------------------------------------------------------------------------------------------------------

PATIENT_PAGES = [
    "/today/",
    "/history/",
    "/progress/",
    "/sessions/new/",
    "/account/",
    "/account/close/",
    "/account/export.csv",
    "/account/export.json",
]


@pytest.mark.parametrize("url", ["/clinic/", "/manage/users/", "/manage/care-teams/", "/manage/audit/"])
def test_a_patient_gets_403_on_pages_for_other_roles(patient_client, url):
    assert patient_client.get(url).status_code == 403


@pytest.mark.parametrize("url", PATIENT_PAGES)
@pytest.mark.parametrize("who", ["physio_client", "other_physio_client", "admin_client_"])
def test_other_roles_get_403_on_patient_pages(request, url, who):
    assert request.getfixturevalue(who).get(url).status_code == 403


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_patient_sees_none_of_another_patients_data(patient_client, patient, today):
    other = PatientFactory.create(username="zed")
    CourseFactory.create(patient=other, foot="right", endoscopic=True)
    DailyLogFactory.create(patient=other, date=today, foot="right", first_step_pain=9, note="zed's note")
    SessionFactory.create(patient=other, note="zed's session")
    CourseFactory.create(patient=patient, foot="left")

    pages = [patient_client.get(url).content.decode() for url in PATIENT_PAGES[:5]]
    pages.append(patient_client.get("/account/export.json").content.decode())
    pages.append(patient_client.get(f"/log/{today.isoformat()}/").content.decode())

    for html in pages:
        assert "zed" not in html
        assert "right-first_step_pain" not in html
    # Posting a foot the patient is not treated for changes nobody's log.
    patient_client.post(
        "/today/",
        {
            "right-first_step_pain": "1",
            "right-average_pain": "1",
            "left-first_step_pain": "2",
            "left-average_pain": "2",
        },
    )
    assert other.daily_logs.get().first_step_pain == 9
    assert User.objects.get(pk=other.pk).is_active


def test_pages_refuse_other_methods(patient_client):
    assert patient_client.post("/history/").status_code == 405
    assert patient_client.post("/progress/").status_code == 405
    assert patient_client.post("/account/export.csv").status_code == 405
