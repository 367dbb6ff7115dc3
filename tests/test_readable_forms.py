"""Issue 14, part 4: the log form, the session form and the progress page say what is true, once, in the right tense."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import CourseFactory, DailyLogFactory, SessionFactory
from tracker.forms import patient as f
from tracker.models import CourseFoot, DailyLog, SessionKind
from tracker.progress.calculate import SYSTEMIC_RED_FLAGS

pytestmark = pytest.mark.django_db


def both_feet(foot="left", **extra):
    data: dict[str, str] = {}
    for side in ("left", "right"):
        data |= {f"{side}-first_step_pain": "5", f"{side}-average_pain": "4"}
    return data | extra


def test_the_whole_body_warning_signs_are_the_engines(db):
    assert set(f.WHOLE_BODY_RED_FLAGS) == SYSTEMIC_RED_FLAGS


def test_it_asks_the_whole_body_warning_signs_once_for_two_feet(patient_client, patient):
    CourseFactory.create(patient=patient, foot=CourseFoot.BOTH)

    html = patient_client.get("/today/").content.decode()

    assert html.count('name="left-rf_fever"') == 1 and 'name="right-rf_fever"' not in html
    assert 'name="right-rf_calf"' not in html and 'name="right-rf_breathless_chest"' not in html
    assert 'name="right-rf_numbness"' in html  # a sign of one foot is still asked per foot
    assert "(asked once for both feet)" in html


def test_a_whole_body_sign_ticked_once_is_saved_on_both_feet(patient_client, patient):
    CourseFactory.create(patient=patient, foot=CourseFoot.BOTH)

    response = patient_client.post("/today/", both_feet(**{"left-rf_fever": "on", "right-rf_numbness": "on"}))

    assert response.status_code == 302
    logs = {log.foot: log for log in DailyLog.objects.filter(patient=patient)}
    assert logs["left"].rf_fever and logs["right"].rf_fever
    assert logs["right"].rf_numbness and not logs["left"].rf_numbness


def test_it_asks_about_the_wound_only_after_surgery(patient_client, patient):
    CourseFactory.create(patient=patient)  # conservative
    assert 'name="left-rf_wound"' not in patient_client.get("/today/").content.decode()


def test_it_asks_about_the_wound_after_surgery(patient_client, patient):
    CourseFactory.create(patient=patient, endoscopic=True)
    assert 'name="left-rf_wound"' in patient_client.get("/today/").content.decode()


def test_a_past_day_is_worded_in_the_past(patient_client, patient):
    CourseFactory.create(patient=patient)
    day = patient.local_today() - timedelta(days=2)

    past = patient_client.get(f"/log/{day.isoformat()}/").content.decode()
    today = patient_client.get("/today/").content.decode()

    assert "Your first steps that morning" in past and "this morning" not in past
    assert "Pain on average that day" in past and "Symptoms that day" in past
    assert "Your first steps this morning" in today


def test_a_past_day_left_empty_says_that_morning(patient_client, patient):
    CourseFactory.create(patient=patient)
    day = patient.local_today() - timedelta(days=2)

    html = patient_client.post(f"/log/{day.isoformat()}/", {}).content.decode()

    assert f.FIRST_STEP_REQUIRED_PAST in html


def test_no_label_says_optional_twice(patient_client, patient):
    CourseFactory.create(patient=patient, kind="massage")
    for url in ("/today/", "/sessions/new/"):
        html = patient_client.get(url).content.decode()
        assert "(optional) <span" not in html and "(optional)</span> <span" not in html, url
        assert "(optional) (optional)" not in html


def test_the_session_form_opens_on_the_patients_own_kind(patient_client, patient):
    CourseFactory.create(patient=patient, kind="massage")
    html = patient_client.get("/sessions/new/").content.decode()
    assert 'value="massage" class="btn-check" checked' in html or (
        'value="massage"' in html and html.split('value="massage"')[1].split(">")[0].count("checked") == 1
    )


def test_the_session_form_opens_on_something_else_without_a_massage_course(patient_client, patient):
    CourseFactory.create(patient=patient, needling=True)
    html = patient_client.get("/sessions/new/").content.decode()
    assert "checked" in html.split('value="other"')[1].split(">")[0]


def test_the_massage_technique_is_not_labelled_optional(patient_client, patient):
    CourseFactory.create(patient=patient, kind="massage")
    html = patient_client.get("/sessions/new/").content.decode()
    legend = html.split(">Technique")[1].split("</legend>")[0]
    assert "(optional)" not in legend
    assert "(optional)" in html.split(">Tool")[1].split("</legend>")[0]


def test_after_surgery_usual_activities_is_asked_in_view(patient_client, patient):
    CourseFactory.create(patient=patient, endoscopic=True)
    html = patient_client.get("/today/").content.decode()
    folded = html.split("<details")[1].split("</details>")[0]
    assert "Back to your usual activities?" in html and "Back to your usual activities?" not in folded


def test_progress_says_where_to_answer_a_milestone_not_shown_yet(patient_client, patient):
    today = patient.local_today()
    CourseFactory.create(patient=patient, endoscopic=True, day_zero=today - timedelta(days=50))
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=3, usual_activities="no")

    html = patient_client.get("/progress/").content.decode()

    assert "answer “Back to your usual activities?” in your daily log" in html


def test_progress_counts_sessions_as_the_chart_draws_them(patient_client, patient):
    today = patient.local_today()
    course = CourseFactory.create(patient=patient, needling=True, day_zero=today - timedelta(days=20))
    SessionFactory.create(patient=patient, needling=True, course=course, date=today - timedelta(days=14))
    for days in (10, 5, 2):
        SessionFactory.create(
            patient=patient,
            kind=SessionKind.OTHER,
            other_kind="stretching",
            course=course,
            date=today - timedelta(days=days),
        )

    response = patient_client.get("/progress/")

    html = response.content.decode()
    chart = response.context["items"][0]["chart"]
    assert len(chart["sessions"]) == 4
    assert "1 session done of" in html or "1 session done." in html
    assert "4 sessions logged on this course (1 dry needling, 3 other), as on the chart." in html
