"""The physiotherapist's changes: notes, alert acknowledgement, courses, needling sessions, diary import.

Every function is keyword-only, checks its input (``full_clean`` before ``save``), and writes an audit event
(who, what, which patient) in the same transaction as the change. Who acts is the ``AuditContext``'s actor:
a note, an acknowledgement and a needling session are a person's and refuse a context without one. Callers
have already scoped the patient with ``tracker.permissions.get_patient_in_care_or_404``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..csv_format import LogsFile, column_label, read_logs_csv
from ..models import (
    Alert,
    AlertStatus,
    AuditAction,
    ClinicalNote,
    Course,
    CourseKind,
    CourseStatus,
    DailyLog,
    NeedlingSite,
    Session,
    SessionKind,
    User,
    feet_of,
)
from .alerts import alerts_raise_for_patient
from .audit import AuditContext, audit_record, record_target
from .history import saved_by
from .progress_cache import snapshot_mark_stale

# Messages the forms show and the tests import.
NOTE_EMPTY = "Write the note before saving it."
ACK_NOTE_REQUIRED = "Write a short note saying what you did about this alert."
ALREADY_ACKNOWLEDGED = "This alert was already acknowledged."
COURSE_NOT_ACTIVE = "This course has already ended."
COURSE_ALREADY_ACTIVE = (
    "This patient already has an active course of this kind on this foot. Finish or stop it before starting another."
)
COURSE_NOT_NEEDLING = "Planned sessions and needling sessions belong to a dry needling course."
FINISH_OUTCOME_INVALID = "Choose whether the course was completed or stopped."
ENDED_BEFORE_DAY_ZERO = "The end date cannot be before the course's day 0."
DATE_IN_FUTURE = "The date cannot be in the future."
SESSION_BEFORE_DAY_ZERO = "The session cannot be before the course's day 0."

IMPORT_MAX_BYTES = 512 * 1024  # about 3,000 rows of the export format: years of a diary
IMPORT_MAX_ROWS = 3000
IMPORT_REQUIRED_COLUMNS = ("date", "foot", "first_step_pain", "average_pain")
IMPORT_NOTHING_IMPORTED = "Nothing was imported: fix the refused rows and upload the whole file again."


# ---------------------------------------------------------------------------------------------------------
# Notes and alerts
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, patient: User, text: str, audit: AuditContext) -> ClinicalNote:
    """A clinical note on ``patient`` by the context's actor. Never shown to the patient."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(NOTE_EMPTY)
    note = ClinicalNote(patient=patient, author=audit.acting_user(), text=text)
    note.full_clean()
    saved_by(note, audit)
    note.save()
    audit_record(
        audit=audit,
        action=AuditAction.CREATE,
        target=record_target("clinical note", note.pk),
        patient=patient,
        detail={"note_id": note.pk},
    )
    return note


@transaction.atomic
def alert_acknowledge(*, alert: Alert, note: str, audit: AuditContext) -> Alert:
    """Mark an open alert acknowledged by the context's actor now, with a short note saying what was done.

    The row is locked first, so two physiotherapists acknowledging at once record one acknowledgement.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError(ACK_NOTE_REQUIRED)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(ALREADY_ACKNOWLEDGED)
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by = audit.acting_user()
    alert.acknowledged_at = timezone.now()
    alert.acknowledgement_note = note
    alert.full_clean()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledgement_note"])
    snapshot_mark_stale([alert.patient_id])  # the row's alerts are read live; marked all the same
    audit_record(
        audit=audit,
        action=AuditAction.UPDATE,
        target=record_target("alert", alert.pk),
        patient=alert.patient,
        detail={"alert_id": alert.pk, "fields": ["status", "acknowledgement_note"]},
    )
    return alert


# ---------------------------------------------------------------------------------------------------------
# Courses and needling sessions
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def course_start(
    *,
    patient: User,
    kind: str,
    foot: str,
    day_zero: date,
    audit: AuditContext,
    planned_sessions: int | None = None,
) -> Course:
    """Start a course for ``patient``. Planned sessions only for a dry needling course."""
    if planned_sessions is not None and kind != CourseKind.NEEDLING:
        raise ValidationError({"planned_sessions": COURSE_NOT_NEEDLING})
    course = Course(
        patient=patient,
        kind=kind,
        foot=foot,
        day_zero=day_zero,
        planned_sessions=planned_sessions,
        created_by=audit.actor,
    )
    course.full_clean()  # the constraint's own message for a second active course of this kind on this foot
    saved_by(course, audit)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        # Two starts at once: the partial unique constraint refused the second.
        raise ValidationError(COURSE_ALREADY_ACTIVE) from None
    snapshot_mark_stale([patient.pk])
    audit_record(
        audit=audit,
        action=AuditAction.CREATE,
        target=record_target("course", course.public_id),
        patient=patient,
        detail={"course": str(course.public_id), "event": "started"},
    )
    return course


@transaction.atomic
def course_finish(*, course: Course, outcome: str, ended_on: date, today: date, audit: AuditContext) -> Course:
    """Complete or stop an active course on ``ended_on`` (not before day 0, not after ``today``)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != CourseStatus.ACTIVE:
        raise ValidationError(COURSE_NOT_ACTIVE)
    if outcome not in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise ValidationError({"outcome": FINISH_OUTCOME_INVALID})
    if ended_on > today:
        raise ValidationError({"ended_on": DATE_IN_FUTURE})
    if ended_on < course.day_zero:
        raise ValidationError({"ended_on": ENDED_BEFORE_DAY_ZERO})
    course.status = outcome
    course.ended_on = ended_on
    course.full_clean()
    saved_by(course, audit)
    course.save(update_fields=["status", "ended_on"])
    snapshot_mark_stale([course.patient_id])
    audit_record(
        audit=audit,
        action=AuditAction.UPDATE,
        target=record_target("course", course.public_id),
        patient=course.patient,
        detail={"course": str(course.public_id), "event": "finished", "fields": ["status", "ended_on"]},
    )
    return course


@transaction.atomic
def course_planned_sessions_set(*, course: Course, planned_sessions: int, audit: AuditContext) -> Course:
    """Set how many needling sessions are planned (1 to 20) on an active dry needling course."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.kind != CourseKind.NEEDLING:
        raise ValidationError(COURSE_NOT_NEEDLING)
    if course.status != CourseStatus.ACTIVE:
        raise ValidationError(COURSE_NOT_ACTIVE)
    course.planned_sessions = planned_sessions
    course.full_clean()
    saved_by(course, audit)
    course.save(update_fields=["planned_sessions"])
    snapshot_mark_stale([course.patient_id])
    audit_record(
        audit=audit,
        action=AuditAction.UPDATE,
        target=record_target("course", course.public_id),
        patient=course.patient,
        detail={"course": str(course.public_id), "fields": ["planned_sessions"]},
    )
    return course


def needling_session_record(
    *,
    course: Course,
    date: date,
    minutes: int,
    sites: list[str],
    twitch_response: bool | None,
    soreness_after: int | None,
    today: date,
    audit: AuditContext,
    note: str = "",
) -> Session:
    """Record a dry needling session the context's actor performed on this course, then raise any alert it causes."""
    actor = audit.acting_user()
    with transaction.atomic():
        if course.kind != CourseKind.NEEDLING:
            raise ValidationError(COURSE_NOT_NEEDLING)
        if course.status != CourseStatus.ACTIVE:
            raise ValidationError(COURSE_NOT_ACTIVE)
        if date > today:
            raise ValidationError({"date": DATE_IN_FUTURE})
        if date < course.day_zero:
            raise ValidationError({"date": SESSION_BEFORE_DAY_ZERO})
        unknown = [s for s in sites if s not in NeedlingSite.values]
        if unknown:
            raise ValidationError({"sites": f"Unknown needling site: {', '.join(unknown)}."})
        session = Session(
            patient=course.patient,
            course=course,
            kind=SessionKind.NEEDLING,
            date=date,
            minutes=minutes,
            sites=list(sites),
            twitch_response=twitch_response,
            soreness_after=soreness_after,
            note=note.strip(),
            performed_by=actor,
            created_by=actor,
        )
        session.full_clean()
        saved_by(session, audit)
        session.save()
        snapshot_mark_stale([course.patient_id])
        audit_record(
            audit=audit,
            action=AuditAction.CREATE,
            target=record_target("session", session.pk),
            patient=course.patient,
            detail={"session_id": session.pk},
        )
    # After the commit: the alerts service has its own transaction and its own idempotency.
    alerts_raise_for_patient(patient=course.patient, today=today)
    return session


# ---------------------------------------------------------------------------------------------------------
# Diary import
# ---------------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did. ``row`` numbers are the file's line numbers (the header is row 1)."""

    valid: list[tuple[int, date, str]] = field(default_factory=list)  # rows that passed: (row, date, foot)
    refused: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, reasons)
    file_error: str = ""  # the file as a whole could not be read
    rows_read: int = 0
    saved: bool = False  # True only when every row passed and all were saved

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.refused and bool(self.valid)

    @property
    def imported(self) -> list[tuple[int, date, str]]:
        """The rows saved: all of them, or none."""
        return self.valid if self.saved else []


IMPORT_RACE_ERROR = (
    "A day in the file was logged by the patient while it was being imported, so nothing was imported. "
    "Upload the file again: the report will show which days are already logged."
)


def diary_import(*, patient: User, data: bytes, today: date, audit: AuditContext, filename: str = "") -> ImportReport:
    """Import an earlier diary (the export format of ``tracker.csv_format``) as ``patient``'s logs.

    All or nothing: every row is checked (the log form's and the model's rules: a date not after ``today``,
    scores 0 to 10, valid choices, one log per date and foot, none already saved), and if any row is refused
    nothing is saved. The report lists each imported and each refused row (with the reasons).
    """
    parsed = read_logs_csv(data, required=IMPORT_REQUIRED_COLUMNS, max_bytes=IMPORT_MAX_BYTES, max_rows=IMPORT_MAX_ROWS)
    report = ImportReport(file_error=parsed.error, rows_read=parsed.rows_read)
    logs = _check_rows(parsed, patient=patient, today=today, report=report) if parsed.rows else []
    if report.ok:
        try:
            with transaction.atomic():
                # One history row per imported log, naming the importer (bulk_create sends no save signal).
                bulk_create_with_history(logs, DailyLog, default_user=audit.actor, default_change_reason="diary import")
                snapshot_mark_stale([patient.pk])
                audit_record(
                    audit=audit,
                    action=AuditAction.IMPORT,
                    target="daily logs (diary import)",
                    patient=patient,
                    detail={"event": "diary import", "imported": len(logs), "refused": 0},
                )
        except IntegrityError:
            # The patient saved a log for one of these days between the check and the insert: the unique
            # constraint refused the batch, and the transaction left nothing half-imported.
            report.file_error = IMPORT_RACE_ERROR
        else:
            report.saved = True
            alerts_raise_for_patient(patient=patient, today=today)
    if not report.saved:
        audit_record(
            audit=audit,
            action=AuditAction.IMPORT,
            target="diary import refused, nothing imported",
            patient=patient,
            detail={"event": "diary import refused", "imported": 0, "refused": len(report.refused)},
        )
    return report


def _row_log(values: Mapping[str, object], *, patient: User, today: date) -> tuple[DailyLog, list[str]]:
    """The log a row's values make, and why it is not a valid log (the model's rules, a date after today)."""
    errors: list[str] = []
    log = DailyLog(patient=patient, recorded_on=today, **values)
    if log.date and log.date > today:
        errors.append(f"date {log.date.isoformat()} is in the future")
    try:
        # Uniqueness is checked against the whole file and the saved logs by the caller, in one query.
        log.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.extend(f"{column_label(name)}: {m[0].lower() + m[1:] if m else m}" for m in messages)
    return log, errors


def import_foot_untreated(foot: str, treated: set[str]) -> str:
    """Why a row for ``foot`` is refused when the patient's courses treat only ``treated``."""
    feet = " and ".join(sorted(treated))
    return (
        f"{foot} foot: no course of this patient treats the {foot} foot (only the {feet}). Check the file's "
        f"feet, or start a course for the {foot} foot first"
    )


def _check_rows(parsed: LogsFile, *, patient: User, today: date, report: ImportReport) -> list[DailyLog]:
    """The logs of the rows that pass every check; each row is recorded in ``report`` as valid or refused.

    A row for a foot that none of the patient's courses (of any status) treats is refused: a left-foot diary
    imported for a right-foot course is a mix-up, not data. A patient with no course yet accepts either foot.
    """
    existing = set(DailyLog.objects.filter(patient=patient).values_list("date", "foot"))
    treated = {
        foot
        for course_foot in Course.objects.filter(patient=patient).values_list("foot", flat=True)
        for foot in feet_of(course_foot)
    }
    seen: dict[tuple[date, str], int] = {}
    logs: list[DailyLog] = []
    for row in parsed.rows:
        errors = list(row.errors)
        if not errors:
            log, errors = _row_log(row.values, patient=patient, today=today)
        if not errors:
            key = (log.date, log.foot)
            if treated and log.foot not in treated:
                errors.append(import_foot_untreated(log.foot, treated))
            elif key in existing:
                errors.append(
                    f"{log.foot} foot on {log.date.isoformat()} is already logged (an import never overwrites)"
                )
            elif key in seen:
                errors.append(f"{log.foot} foot on {log.date.isoformat()} appears twice (also row {seen[key]})")
            else:
                seen[key] = row.line
        if errors:
            report.refused.append((row.line, errors))
        else:
            logs.append(log)
            report.valid.append((row.line, log.date, log.foot))
    return logs
