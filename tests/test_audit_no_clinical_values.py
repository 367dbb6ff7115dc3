"""The audit trail records who did what to which record (ids, actions, field names), never a clinical value
(issue 12 item 1): a clinic admin on no care team reads it. Before, it held red flags ("rf_calf"), course
kinds, planned sessions, adverse reactions and log dates."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.models import Alert, AuditAction, AuditEvent, Course, Session
from tracker.services.audit import AuditContext, audit_detail, audit_record

NOTE = "Taping helped, calf tender"
ACK = "Phoned about the calf"
PLANNED = 17
# Values of the clinical record the scenario writes, none of which may appear in any audit row.
FORBIDDEN = [
    "rf_calf",
    "calf",
    "needling",
    "massage",
    "adverse",
    "red_flag",
    "red flag",
    "Taping",
    "Phoned",
    "Dry",
    "myofascial",
    "endoscopic",
]
ID_KEYS = {"records", "session_id", "alert_id", "note_id", "patients", "alerts", "course", "page", "pages"}


def _values(detail: dict) -> list[object]:
    """The detail's values, but for the ids (which are ids, not values)."""
    found: list[object] = []
    for key, value in detail.items():
        if key in ID_KEYS:
            continue
        found.extend(value if isinstance(value, list) else [value])
    return found


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _scenario(patient, patient_client, physio_client, admin_client_) -> dict[str, str]:
    today = timezone.localdate()
    log_day = today - timedelta(days=3)
    course_day = today - timedelta(days=40)
    public = patient.public_id
    # The physiotherapist starts a dry needling course with planned sessions, and a massage routine.
    for kind, planned in (("needling", str(PLANNED)), ("massage", "")):
        response = physio_client.post(
            reverse("clinic:course_start", args=[public]),
            {
                "course-kind": kind,
                "course-foot": "left",
                "course-day_zero": course_day.isoformat(),
                "course-planned_sessions": planned,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert Course.objects.filter(patient=patient, planned_sessions=PLANNED).exists()
    # The patient logs a day with a red flag, and a massage session with an adverse reaction.
    response = patient_client.post(
        reverse("patient:log_day", args=[log_day.isoformat()]),
        {"left-first_step_pain": "6", "left-average_pain": "5", "left-rf_calf": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = patient_client.post(
        reverse("patient:session_new"),
        {
            "kind": "massage",
            "technique": "myofascial",
            "tool": "ball",
            "minutes": "10",
            "areas": ["heel", "calf"],
            "preparation": "warm_soak",
            "discomfort": "7",
            "adverse_reaction": "on",
            "date": log_day.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Session.objects.filter(patient=patient, adverse_reaction=True).exists()
    # The care team writes a note, acknowledges the red-flag alert, reads and exports the record.
    assert physio_client.post(reverse("clinic:note_add", args=[public]), {"text": NOTE}).status_code == 302
    red_flag = Alert.objects.filter(patient=patient, kind="red_flag").first()
    assert red_flag is not None
    physio_client.post(reverse("clinic:alert_acknowledge", args=[public, red_flag.pk]), {"note": ACK})
    assert physio_client.get(reverse("clinic:patient", args=[public])).status_code == 200
    assert physio_client.get(reverse("clinic:logs_csv", args=[public])).status_code == 200
    # The admin reads the trail and exports it.
    assert admin_client_.get(reverse("manage:audit")).status_code == 200
    export = admin_client_.get(reverse("manage:audit_export"))
    assert export.status_code == 200
    return {"log_day": log_day.isoformat(), "course_day": course_day.isoformat(), "csv": b"".join(export).decode()}


def test_no_audit_row_holds_a_clinical_value(
    patient, physio, clinic_admin, patient_client, physio_client, admin_client_
):
    written = _scenario(patient, patient_client, physio_client, admin_client_)
    events = list(AuditEvent.objects.all())
    assert len(events) >= 10
    for event in events:
        text = " ".join([event.target, json.dumps(_values(event.detail))])
        for word in [*FORBIDDEN, written["log_day"], written["course_day"]]:
            assert word.lower() not in text.lower(), (word, event.target, event.detail)
        assert PLANNED not in _values(event.detail) and str(PLANNED) not in event.target.split(), event.detail
        assert set(event.detail) <= {
            "event", "fields", "records", "course", "note_id", "alert_id", "session_id", "patients", "alerts",
            "pages", "page", "imported", "refused", "role", "from", "to", "physio", "user", "records_cleared",
            "recovery_codes", "recovery_codes_left", "code_kind", "failures", "demo_device", "ip_address",
            "filters", "closed", "reason",
        }  # fmt: skip
    # The CSV the admin exported: its target and detail columns name no clinical value either.
    rows = list(csv.reader(io.StringIO(written["csv"])))
    for row in rows[1:]:
        text = f"{row[5]} {row[7]}".lower()
        for word in [*FORBIDDEN, written["log_day"], written["course_day"]]:
            assert word.lower() not in text, (word, row)


def test_reading_and_exporting_the_trail_are_audited(clinic_admin, admin_client_):
    before = AuditEvent.objects.count()
    admin_client_.get(reverse("manage:audit"), {"who": "bob", "action": "view"})
    viewed = AuditEvent.objects.filter(actor=clinic_admin, action=AuditAction.VIEW).get()
    assert viewed.target == "audit trail page 1"
    assert viewed.detail == {"page": 1, "filters": ["action", "who"]}
    b"".join(admin_client_.get(reverse("manage:audit_export"), {"who": "bob"}))
    exported = AuditEvent.objects.filter(actor=clinic_admin, action=AuditAction.EXPORT).get()
    assert exported.detail == {"filters": ["who"]}
    assert AuditEvent.objects.count() == before + 2


def test_audit_record_keeps_only_allowed_detail(patient):
    event = audit_record(
        audit=AuditContext(actor=None),
        action=AuditAction.UPDATE,
        target="course 1",
        patient=patient,
        detail={
            "red_flags": ["rf_calf"],
            "kind": "needling",
            "before": 4,
            "fields": ["planned_sessions"],
            "records": [3],
        },
    )
    event.refresh_from_db()
    assert event.detail == {"fields": ["planned_sessions"], "records": [3]}
    # Field names are names: a value smuggled in as a "field" is dropped.
    assert audit_detail({"fields": ["Pain and swelling in one calf"]}) == {}
    assert audit_detail({"event": ["not", "a", "string"]}) == {}
