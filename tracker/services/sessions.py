"""Writes of sessions a patient logs themselves: home massage, and other sessions (DESIGN.md section 4)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import AuditAction, CourseKind, Session, SessionKind, User
from ..selectors.patient import active_course_of_kind
from .alerts import alerts_raise_for_patient
from .audit import AuditContext, audit_record, record_target
from .history import saved_by
from .logs import day_window_error
from .progress_cache import snapshot_mark_stale

PATIENT_SESSION_KINDS = frozenset({SessionKind.MASSAGE, SessionKind.OTHER})
# Needling and surgery are recorded by the care team, not the patient.
KIND_NOT_FOR_PATIENT = "Needling and surgery are recorded by your care team."

_COURSE_KIND = {SessionKind.MASSAGE: CourseKind.MASSAGE}


def session_create(*, patient: User, data: Mapping[str, Any], today: date, audit: AuditContext) -> Session:
    """Create a session from ``data`` (Session field values: kind, date, and that kind's fields: a form's
    ``cleaned_data``).

    ``today`` is the patient's local date: like a daily log, a session can be dated up to 7 days back, never
    in the future. A massage is linked to the patient's active home-massage course, if any. An adverse
    reaction raises the care team's alert (``alerts_raise_for_patient``), in the same transaction.
    """
    if data.get("kind") not in PATIENT_SESSION_KINDS:
        raise ValidationError(KIND_NOT_FOR_PATIENT, code="kind")
    problem = day_window_error(day=data["date"], today=today)
    if problem:
        raise ValidationError({"date": problem})
    with transaction.atomic():
        course_kind = _COURSE_KIND.get(data["kind"])
        course = active_course_of_kind(patient=patient, kind=course_kind) if course_kind else None
        session = Session(patient=patient, course=course, created_by=patient, **data)
        session.full_clean(exclude=["patient", "course", "created_by", "performed_by"])
        saved_by(session, audit)
        session.save()
        snapshot_mark_stale([patient.pk])
        audit_record(
            audit=audit,
            action=AuditAction.CREATE,
            patient=patient,
            target=record_target("session", session.pk),
            detail={"session_id": session.pk},
        )
        alerts_raise_for_patient(patient=patient, today=today)
    return session
