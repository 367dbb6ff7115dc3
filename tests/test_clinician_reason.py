"""The care team reads the clinician's sentence (caseload, clinic patient page, PDF); the patient reads their own."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import CourseFactory
from tracker.models import CareTeamMembership, DailyLog
from tracker.reports.pdf import report_context
from tracker.selectors.progress import patient_reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def calf(patient, physio):
    """Alice, alone in Bob's caseload, ticked "pain and swelling in one calf" yesterday."""
    CareTeamMembership.objects.filter(physio=physio).exclude(patient=patient).delete()
    today = patient.local_today()
    CourseFactory.create(patient=patient, kind="massage", day_zero=today - timedelta(days=20))
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=patient,
                date=today - timedelta(days=d),
                recorded_on=today,
                foot="left",
                first_step_pain=4,
                average_pain=3,
                rf_calf=d == 1,
            )
            for d in range(10)
        ]
    )
    [report] = patient_reports(patient=patient, today=today)
    yesterday = today - timedelta(days=1)
    assert report.clinician_reason == f"Red flag on {yesterday.day} {yesterday:%b}: pain and swelling in one calf."
    assert report.reason.startswith("You reported a warning sign")
    return report


def _text(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_caseload_shows_the_clinicians_sentence(calf, physio_client):
    html = _text(physio_client.get(reverse("clinic:caseload")))

    assert calf.clinician_reason in html
    assert calf.reason not in html
    assert "contact your care team today" not in html


def test_the_clinic_patient_page_shows_the_clinicians_sentence(calf, patient, physio_client):
    html = _text(physio_client.get(reverse("clinic:patient", args=[patient.public_id])))

    assert calf.clinician_reason in html
    assert calf.reason not in html


def test_the_pdf_shows_the_clinicians_sentence(calf, patient, physio):
    html = unescape(
        render_to_string(
            "tracker/report_pdf.html", report_context(patient=patient, today=patient.local_today(), prepared_by=physio)
        )
    )

    assert calf.clinician_reason in html
    assert calf.reason not in html


def test_the_patients_progress_page_keeps_the_patients_sentence(calf, patient_client):
    html = _text(patient_client.get(reverse("patient:progress")))

    assert calf.reason in html
    assert calf.clinician_reason not in html
