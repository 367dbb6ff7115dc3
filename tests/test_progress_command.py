"""``manage.py progress USERNAME [--on YYYY-MM-DD] [--json]``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import CourseFactory, DailyLogFactory
from tracker.selectors.progress import patient_reports

pytestmark = pytest.mark.django_db


def progress(*args) -> str:
    out = StringIO()
    call_command("progress", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


@pytest.mark.parametrize(
    ("username", "kind", "status"),
    [
        ("endoscopic", "endoscopic", "behind"),  # day 49, not yet back to usual activities (000:11: 3 to 6 weeks)
        ("open", "open", "red_flag"),  # pain and swelling in one calf yesterday
        ("needling", "needling", "on_track"),
        ("early", "endoscopic", "ahead"),  # back to usual activities on day 18
        ("massage", "massage", "on_track"),
        ("recent", "endoscopic", "on_track"),  # day 3 after surgery: the expected pain peak
        ("wound", "open", "worsening"),  # pain rising again after it settled, with swelling
    ],
)
def test_it_prints_json_for_each_demo_patient(demo, username, kind, status):
    # seed_demo dates its data from timezone.localdate().
    reports = json.loads(progress(username, "--json", "--on", timezone.localdate().isoformat()))
    [report] = reports
    assert report["kind"] == kind
    assert report["status"] in {"red_flag", "worsening", "behind", "on_track", "ahead"}
    assert report["reason"]
    if status:
        assert report["status"] == status, report["reason"]


def test_the_json_is_the_report_the_pages_show(patient):
    CourseFactory.create(patient=patient, kind="endoscopic", day_zero=date(2026, 1, 1))
    DailyLogFactory.create(patient=patient, date=date(2026, 1, 2))
    DailyLogFactory.create(patient=patient, date=date(2026, 2, 28), usual_activities="partly")  # not back by 6 weeks
    printed = json.loads(progress("alice", "--json", "--on", "2026-03-01"))
    assert printed == [r.as_dict() for r in patient_reports(patient=patient, today=date(2026, 3, 1))]
    assert printed[0]["status"] == "behind"


def test_it_prints_readable_text_by_default(patient):
    CourseFactory.create(patient=patient, kind="needling", planned_sessions=6, foot="both", day_zero=date(2026, 1, 1))
    text = progress("alice", "--on", "2026-01-10")
    assert "Dry needling course (both feet), day 0 2026-01-01, active" in text
    assert "Day 9, week 2" in text
    assert "Sessions: 0 of 6 planned (the source says 4 to 6)" in text
    assert "Status: On track" in text
    assert "Not judged (002:44)" in text  # the care team's short reference: source 002, line 44


def test_it_lists_the_red_flag_days_in_the_text(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=date(2026, 1, 1))
    DailyLogFactory.create(patient=patient, date=date(2026, 1, 3), red_flag=True)
    DailyLogFactory.create(patient=patient, date=date(2026, 1, 5), foot="right", emergency=True)
    DailyLogFactory.create(patient=patient, date=date(2026, 1, 6))

    text = progress("alice", "--on", "2026-01-08")

    assert "  Finding: Red flag on 3 Jan" in text
    assert "  Finding: Red flag on 5 Jan" in text and "breathlessness or chest pain" in text
    assert "Last logged: 2026-01-06" in text


def test_it_defaults_to_the_patients_local_today(patient):
    CourseFactory.create(patient=patient, kind="massage", day_zero=patient.local_today() - timedelta(days=3))
    assert json.loads(progress("alice", "--json"))[0]["today"] == patient.local_today().isoformat()


def test_it_says_when_there_is_no_course(patient):
    assert "alice has no treatment course yet." in progress("alice")
    assert json.loads(progress("alice", "--json")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user is called 'nobody'"),
        (["bob"], "not a patient"),
        (["alice", "--on", "yesterday"], "YYYY-MM-DD"),
    ],
)
def test_it_refuses_clearly(physio, args, message):
    with pytest.raises(CommandError, match=message):
        progress(*args)
