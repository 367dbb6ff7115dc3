"""Issue 14, part 4: a patient never reads a source's file name, only its title, linked to /sources/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from tracker.models import Role, User

pytestmark = pytest.mark.django_db

FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|CLINICAL\.md")


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def patient_pages(user: User) -> list[str]:
    today = user.local_today()
    return [
        "/today/",
        f"/log/{today.isoformat()}/",
        f"/log/{(today - timedelta(days=2)).isoformat()}/",
        "/history/",
        "/progress/",
        "/sessions/new/",
        "/account/",
        "/account/close/",
        "/sources/",
    ]


def test_it_shows_no_file_name_on_any_patient_page_of_the_demo(demo):
    patients = list(User.objects.filter(role=Role.PATIENT))
    assert len(patients) >= 5
    for user in patients:
        client = Client()
        client.force_login(user)
        for url in patient_pages(user):
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert not FILE_NAME.search(html), (user.username, url, FILE_NAME.search(html))


def test_the_progress_page_cites_titles_with_the_quote_and_a_link(demo):
    client = Client()
    client.force_login(User.objects.get(username="endoscopic"))

    html = client.get("/progress/").content.decode()

    assert 'href="/sources/#source-surgery-leaflet">Plantar fascia release, patient leaflet (Healthwise, 2023)' in html
    assert "<q>" in html


def test_the_sources_page_gives_the_file_to_the_care_team_only(client, physio_client):
    assert not FILE_NAME.search(client.get("/sources/").content.decode())

    html = physio_client.get("/sources/").content.decode()
    assert "000_1e061efd59e99644.txt" in html
    assert 'id="source-surgery-leaflet"' in html


def test_the_chart_says_why_there_is_no_band_of_other_patients(patient_client, patient):
    from tests.factories import CourseFactory, DailyLogFactory
    from tracker.progress.cohort import MIN_PATIENTS

    today = patient.local_today()
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=10))
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=4)

    html = patient_client.get("/progress/").content.decode()

    assert f"appears once at least {MIN_PATIENTS} other patients" in html


def test_a_two_foot_course_gets_one_canvas_per_foot(patient_client, patient):
    from tests.factories import CourseFactory, DailyLogFactory
    from tracker.models import CourseFoot, Foot

    today = patient.local_today()
    CourseFactory.create(patient=patient, foot=CourseFoot.BOTH, day_zero=today - timedelta(days=10))
    for foot in (Foot.LEFT, Foot.RIGHT):
        DailyLogFactory.create(patient=patient, foot=foot, date=today, first_step_pain=4)

    html = patient_client.get("/progress/").content.decode()

    assert '<canvas id="chart-1-left" data-progress-chart="chart-1-data" data-foot="0"' in html
    assert '<canvas id="chart-1-right" data-progress-chart="chart-1-data" data-foot="1"' in html
