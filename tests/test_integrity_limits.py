"""Small integrity gaps (issue 12 item 8): one active course per patient, kind and foot (a database constraint,
with a clear message); the CSV formula neutraliser normalises (NFKC) before checking; a request body over the
cap is refused with a 413 before it is read."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import CourseFactory
from tracker.csv_format import safe_cell
from tracker.models import Course, CourseStatus
from tracker.services import clinic as services
from tracker.services.audit import AuditContext


def test_the_database_refuses_a_second_active_course_of_a_kind_on_a_foot(patient):
    CourseFactory.create(patient=patient, kind="massage", foot="left")
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.bulk_create([Course(patient=patient, kind="massage", foot="left", day_zero=date(2026, 1, 5))])
    # Another foot, another kind, or once the first has ended: allowed.
    Course.objects.bulk_create(
        [
            Course(patient=patient, kind="massage", foot="right", day_zero=date(2026, 1, 5)),
            Course(patient=patient, kind="needling", foot="left", day_zero=date(2026, 1, 5)),
            Course(
                patient=patient,
                kind="massage",
                foot="left",
                day_zero=date(2025, 1, 5),
                status=CourseStatus.STOPPED,
                ended_on=date(2025, 2, 5),
            ),
        ]
    )


def test_the_service_says_so_in_words(patient, physio):
    CourseFactory.create(patient=patient, kind="massage", foot="left")
    with pytest.raises(ValidationError) as refused:
        services.course_start(
            patient=patient, kind="massage", foot="left", day_zero=date(2026, 1, 5), audit=AuditContext(actor=physio)
        )
    assert services.COURSE_ALREADY_ACTIVE in str(refused.value)
    assert Course.objects.filter(patient=patient).count() == 1


def test_the_course_form_shows_the_message_and_saves_nothing(patient, physio_client):
    CourseFactory.create(patient=patient, kind="massage", foot="left")
    data = {"course-kind": "massage", "course-foot": "left", "course-day_zero": "2026-01-05"}
    response = physio_client.post(reverse("clinic:course_start", args=[patient.public_id]), data, follow=True)
    assert response.status_code in (200, 400)
    assert "already has an active course of this kind on this foot" in response.content.decode()
    assert Course.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize(
    "value", ["＝1+1", "＋1", "－1", "＠SUM(A1)", "=1+1", "﹦1"]
)  # full-width and small forms of = + - @
def test_the_neutraliser_normalises_before_checking(value):
    assert safe_cell(value) == "'" + value


def test_plain_text_is_left_alone():
    assert safe_cell("Ｈeel") == "Ｈeel"


def test_a_body_over_the_cap_is_refused_before_it_is_read(physio_client, patient, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    url = reverse("clinic:note_add", args=[patient.public_id])
    response = physio_client.post(url, {"text": "x" * 5000})
    assert response.status_code == 413
    assert not patient.clinical_notes.exists()
    assert physio_client.post(url, {"text": "Short note."}).status_code == 302


def test_django_upload_limits_are_set(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_BODY_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_BODY_BYTES
    assert settings.MIDDLEWARE[0] == "tracker.middleware.RequestSizeLimitMiddleware"
