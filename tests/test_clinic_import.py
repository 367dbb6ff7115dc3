"""Importing an earlier diary: every row checked, a report of what was imported or refused, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import DailyLogFactory, PatientFactory
from tracker.csv_format import LOG_COLUMNS, logs_csv
from tracker.models import AuditAction, AuditEvent, DailyLog
from tracker.services import clinic as services
from tracker.services.audit import AuditContext


def _csv(rows: list[dict], columns=("date", "foot", "first_step_pain", "average_pain", "note")) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _post(client, patient, data: bytes, name="diary.csv"):
    return client.post(
        reverse("clinic:diary_import", args=[patient.public_id]),
        {"import-file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_it_imports_the_export_format_round_trip(patient, physio, physio_client):
    """Another patient's export, imported for alice: every column comes back, notes un-neutralised."""
    source = PatientFactory.create()
    today = patient.local_today()
    DailyLogFactory.create(
        patient=source,
        date=today - timedelta(days=30),
        note="-better today",
        rf_fever=True,
        bruising=True,
        needling_soreness=2,
        weight_bearing="partial",
        footwear="boot",
        steps=4000,
    )
    DailyLogFactory.create(patient=source, date=today - timedelta(days=29), foot="right", first_step_pain=0)
    data = logs_csv(DailyLog.objects.filter(patient=source)).encode()

    response = _post(physio_client, patient, data)

    assert response.status_code == 200
    assert "Imported all 2 rows." in response.content.decode()
    first = DailyLog.objects.get(patient=patient, foot="left")
    assert (
        first.note,
        first.rf_fever,
        first.bruising,
        first.needling_soreness,
        first.weight_bearing,
        first.footwear,
        first.steps,
        first.recorded_on,
    ) == ("-better today", True, True, 2, "partial", "boot", 4000, today)
    assert DailyLog.objects.get(patient=patient, foot="right").bruising is None
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, patient=patient)
    assert event.actor == physio and event.detail["imported"] == 2


def test_it_refuses_bad_rows_and_imports_nothing(patient, physio, physio_client):
    today = patient.local_today()
    DailyLogFactory.create(patient=patient, date=today - timedelta(days=10), foot="left")
    data = _csv(
        [
            {
                "date": (today - timedelta(days=20)).isoformat(),
                "foot": "left",
                "first_step_pain": 5,
                "average_pain": 4,
            },  # row 2: fine
            {
                "date": (today + timedelta(days=1)).isoformat(),
                "foot": "left",
                "first_step_pain": 5,
                "average_pain": 4,
            },  # 3: future
            {
                "date": (today - timedelta(days=19)).isoformat(),
                "foot": "left",
                "first_step_pain": 11,
                "average_pain": 4,
            },  # 4: 11
            {
                "date": (today - timedelta(days=18)).isoformat(),
                "foot": "middle",
                "first_step_pain": 5,
                "average_pain": 4,
            },  # 5: foot
            {"date": "18/03/2026", "foot": "left", "first_step_pain": "five", "average_pain": 4},  # 6: two errors
            {
                "date": (today - timedelta(days=20)).isoformat(),
                "foot": "left",
                "first_step_pain": 5,
                "average_pain": 4,
            },  # 7: twice
            {
                "date": (today - timedelta(days=10)).isoformat(),
                "foot": "left",
                "first_step_pain": 5,
                "average_pain": 4,
            },  # 8: saved
        ]
    )

    response = _post(physio_client, patient, data)

    assert response.status_code == 400
    assert DailyLog.objects.filter(patient=patient).count() == 1  # only the one already there
    report = response.context["report"]
    assert not report.saved and report.imported == []
    refused = dict(report.refused)
    assert sorted(refused) == [3, 4, 5, 6, 7, 8]
    assert "in the future" in refused[3][0]
    assert "first-step pain" in refused[4][0]
    assert "foot" in refused[5][0]
    assert len(refused[6]) == 2
    assert "appears twice (also row 2)" in refused[7][0]
    assert "already logged" in refused[8][0]
    html = response.content.decode()
    assert services.IMPORT_NOTHING_IMPORTED in html
    assert "6 of 7 rows refused" in html
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, patient=patient)
    assert event.detail["imported"] == 0 and event.detail["refused"] == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"date,foot\n2026-01-01,left\n", "missing: first_step_pain, average_pain"),
        (b"date,foot,first_step_pain,average_pain,password\n", "Unknown columns: password"),
        (b"date,foot,first_step_pain,average_pain\n", "no rows under the header"),
        ("date,foot,first_step_pain,average_pain\n2026-01-01,left,5,4,é\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_it_refuses_an_unreadable_file(patient, physio, data, message):
    report = services.diary_import(
        patient=patient, data=data, today=patient.local_today(), audit=AuditContext(actor=physio)
    )

    assert message in report.file_error
    assert not report.saved
    assert not DailyLog.objects.exists()


def test_it_refuses_a_file_that_is_too_large(patient, physio_client):
    data = b"date,foot,first_step_pain,average_pain\n" + b"x" * services.IMPORT_MAX_BYTES

    response = _post(physio_client, patient, data)

    assert response.status_code == 400
    assert "larger than 512 KB" in response.content.decode()
    assert not DailyLog.objects.exists()


def test_it_refuses_a_file_that_is_not_csv(patient, physio_client):
    response = _post(physio_client, patient, b"date,foot\n", name="diary.xlsx")

    assert response.status_code == 400
    assert not DailyLog.objects.exists()


def test_the_import_columns_are_the_export_columns():
    assert set(services.IMPORT_REQUIRED_COLUMNS) <= set(LOG_COLUMNS)


def test_it_refuses_a_cell_too_long_for_the_csv_reader_with_a_message(patient, physio_client):
    """A cell over the csv module's field limit (128 KB) inside a file under 512 KB: a refusal, not a 500."""
    day = (patient.local_today() - timedelta(days=3)).isoformat()
    data = f"date,foot,first_step_pain,average_pain,note\n{day},left,3,3,{'x' * 200_000}\n".encode()

    response = _post(physio_client, patient, data)

    assert response.status_code == 400
    assert "could not be read as CSV" in response.content.decode()
    assert not DailyLog.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.IMPORT, patient=patient).detail["imported"] == 0


@pytest.mark.parametrize("cell", ["a\x00b", "\x00"])
def test_it_refuses_a_nul_character_with_the_row_and_saves_nothing(patient, physio_client, cell):
    """PostgreSQL cannot store NUL in text (a 500 there); every database gets the same clear refusal."""
    today = patient.local_today()
    data = _csv(
        [
            {"date": (today - timedelta(days=4)).isoformat(), "foot": "left", "first_step_pain": 5, "average_pain": 4},
            {
                "date": (today - timedelta(days=3)).isoformat(),
                "foot": "left",
                "first_step_pain": 5,
                "average_pain": 4,
                "note": cell,
            },
        ]
    )

    response = _post(physio_client, patient, data)

    assert response.status_code == 400
    assert "note contains a NUL character" in response.content.decode()
    assert not DailyLog.objects.exists()


@pytest.mark.django_db
def test_a_day_logged_by_the_patient_during_the_import_refuses_it_cleanly(patient, physio, physio_client, monkeypatch):
    """The patient saves a day between the import's checks and its insert: no 500, nothing half-imported."""
    today = patient.local_today()
    day = today - timedelta(days=3)
    real_check = services._check_rows

    def check_then_patient_saves(*args, **kwargs):
        checked = real_check(*args, **kwargs)
        DailyLogFactory.create(patient=patient, date=day, foot="left", first_step_pain=2)  # the patient, meanwhile
        return checked

    monkeypatch.setattr(services, "_check_rows", check_then_patient_saves)
    data = _csv(
        [
            {"date": (today - timedelta(days=4)).isoformat(), "foot": "left", "first_step_pain": 6, "average_pain": 5},
            {"date": day.isoformat(), "foot": "left", "first_step_pain": 7, "average_pain": 6},
        ]
    )

    response = _post(physio_client, patient, data)

    # Refused, as any import that saves nothing is: 400, the reason, and no "Imported" report.
    assert response.status_code == 400
    html = response.content.decode()
    assert services.IMPORT_RACE_ERROR in html
    assert "Imported" not in html
    # Only the patient's own log exists: the import added nothing, and did not change it.
    assert list(DailyLog.objects.filter(patient=patient).values_list("date", "first_step_pain")) == [(day, 2)]
    # One audit event, the refusal: the import's own event was rolled back with its rows.
    [event] = AuditEvent.objects.filter(patient=patient, action=AuditAction.IMPORT)
    assert event.target == "diary import refused, nothing imported"
    # Counts only: the file's name and the refusal's words are not audit detail (issue 12).
    assert event.detail == {"event": "diary import refused", "imported": 0, "refused": 0}


def test_rows_for_a_foot_the_course_does_not_treat_are_refused_and_nothing_is_imported(patient, physio_client):
    from tests.factories import CourseFactory

    CourseFactory.create(patient=patient, foot="right")
    today = patient.local_today()
    data = _csv(
        [
            {"date": (today - timedelta(days=4)).isoformat(), "foot": "right", "first_step_pain": 5, "average_pain": 4},
            {"date": (today - timedelta(days=3)).isoformat(), "foot": "left", "first_step_pain": 5, "average_pain": 4},
        ]
    )

    response = _post(physio_client, patient, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "left foot: no course of this patient treats the left foot (only the right)" in html
    assert services.IMPORT_NOTHING_IMPORTED in html
    assert not DailyLog.objects.filter(patient=patient).exists()

    right_only = _csv(
        [{"date": (today - timedelta(days=4)).isoformat(), "foot": "right", "first_step_pain": 5, "average_pain": 4}]
    )
    assert _post(physio_client, patient, right_only).status_code == 200
    assert DailyLog.objects.filter(patient=patient, foot="right").count() == 1
