"""Alerts for the care team (DESIGN.md section 6), raised from the same rules as the progress report.

``alerts_raise_for_patient`` is called after every saved log or session, and by ``manage.py raise_alerts``
for what time alone causes (silence, a milestone becoming overdue). Each alert names its occurrence (a log
date and foot, a milestone, the last logged day...) and the database refuses a second alert with the same
patient, kind and occurrence (``Alert`` constraint ``alert_raised_once``): running twice, or on two servers at
once, raises nothing twice. An acknowledged alert stays, so the same occurrence is never raised again; a
new occurrence (a new silence after a new log, a new red flag day) raises a new alert.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.db import IntegrityError, transaction

from ..models import (
    RED_FLAG_FIELDS,
    Alert,
    AlertKind,
    CourseStatus,
    SessionKind,
    Severity,
    User,
)
from ..progress.calculate import RECENT_DAYS, format_day
from ..progress.report import CourseReport, MilestoneStatus
from ..selectors.progress import (
    PatientProgressData,
    progress_data_for_patients,
    reports_from_data,
    sessions_for_course,
)

NO_LOG_LOW_DAYS = 2  # DESIGN.md section 6: no log for 2 days (low)
NO_LOG_MEDIUM_DAYS = 7  # ... or 7 days (medium)

_RED_FLAG_LABELS = dict(RED_FLAG_FIELDS)


def _alert(*, patient_id: int, kind: str, severity: int, occurrence: str, message: str, course_id=None) -> Alert:
    return Alert(
        patient_id=patient_id,
        course_id=course_id,
        kind=kind,
        severity=severity,
        occurrence=occurrence[:100],
        message=message[:500],
    )


def _course_alerts(*, patient_id: int, report: CourseReport, data: PatientProgressData) -> list[Alert]:
    course = report.course_public_id
    label = report.kind_label
    found: list[Alert] = []
    course_alert = partial(_alert, patient_id=patient_id, course_id=report.course_id)
    for trend in report.pain:
        if trend.worsening_since is not None:
            found.append(
                course_alert(
                    kind=AlertKind.WORSENING,
                    severity=Severity.HIGH,
                    occurrence=f"{course}:{trend.foot}:{trend.worsening_since.isoformat()}",
                    message=f"{label}, {trend.foot} foot: 7-day mean first-step pain {trend.mean_7d:.1f}/10, "
                    f"{trend.change:+.1f} from baseline {trend.baseline:.1f}, since {format_day(trend.worsening_since)}.",
                )
            )
        if trend.high_pain_run_start is not None:
            # Keyed by foot and first day, not course: two courses on one foot see the same run once.
            found.append(
                course_alert(
                    kind=AlertKind.HIGH_PAIN_RUN,
                    severity=Severity.HIGH,
                    occurrence=f"{trend.foot}:{trend.high_pain_run_start.isoformat()}",
                    message=f"{trend.foot.capitalize()} foot: first-step pain 7/10 or more on 3 or more days running "
                    f"from {format_day(trend.high_pain_run_start)}.",
                )
            )
    for milestone in report.milestones:
        if milestone.status == MilestoneStatus.OVERDUE:
            found.append(
                course_alert(
                    kind=AlertKind.MILESTONE_OVERDUE,
                    severity=Severity.MEDIUM,
                    occurrence=f"{course}:{milestone.expectation.key}",
                    message=f'{label}: "{milestone.expectation.title}" expected {milestone.expectation.window_words} '
                    f"(by {format_day(milestone.window_end)}), not shown in the logs ({milestone.expectation.citation.source}).",
                )
            )
    if report.lingering_needling_soreness:
        course_obj = next(c for c in data.courses if c.pk == report.course_id)
        own = sessions_for_course(course_obj, data.sessions, data.courses)
        latest = max((s.date for s in own if s.kind == SessionKind.NEEDLING and s.date <= report.as_of), default=None)
        found.append(
            course_alert(
                kind=AlertKind.NEEDLING_SORENESS,
                severity=Severity.MEDIUM,
                occurrence=f"{course}:{latest.isoformat() if latest else 'session'}",
                message=f"{label}: needling soreness still reported more than 2 days after the session of "
                f"{format_day(latest) if latest else 'the latest session'} (usually settles within a day or two, 002:36).",
            )
        )
    if report.no_improvement_after_6_months:
        found.append(
            course_alert(
                kind=AlertKind.NO_IMPROVEMENT,
                severity=Severity.MEDIUM,
                occurrence=course,
                message=f"{label}: no meaningful drop (2 points) in first-step pain 6 months after day 0 "
                "(surgery is considered after 6 to 12 months without relief, 000:19, 000:25).",
            )
        )
    return found


def alert_candidates(
    *, patient_id: int, data: PatientProgressData, reports: list[CourseReport], today: date
) -> list[Alert]:
    """Every alert the rules call for on ``today``, unsaved (pure: no query). Duplicates are dropped later."""
    found: list[Alert] = []

    since = today - timedelta(RECENT_DAYS - 1)
    for log in sorted(data.logs, key=lambda log: (log.date, log.foot)):
        # A red flag on a day in the last 7, or ticked in the last 7 days (``recorded_on``, the patient's date
        # at save) on an older day: patients may fill in the day 7 days back, which the report's 7-day window
        # no longer shows, and such a flag must still reach the care team once.
        recent = since <= log.date or (log.recorded_on is not None and since <= log.recorded_on)
        if recent and log.date <= today and log.red_flags:
            labels = "; ".join(_RED_FLAG_LABELS[f] for f in log.red_flags)
            found.append(
                _alert(
                    patient_id=patient_id,
                    kind=AlertKind.RED_FLAG,
                    severity=Severity.CRITICAL,
                    occurrence=f"{log.date.isoformat()}:{log.foot}",
                    message=f"Red flag on {format_day(log.date)} ({log.foot} foot): {labels}.",
                )
            )

    for session in data.sessions:
        if session.kind == SessionKind.MASSAGE and session.adverse_reaction and session.date <= today:
            found.append(
                _alert(
                    patient_id=patient_id,
                    course_id=session.course_id,
                    kind=AlertKind.MASSAGE_ADVERSE,
                    severity=Severity.MEDIUM,
                    occurrence=f"session:{session.pk}",
                    message=f"Adverse reaction to home massage on {format_day(session.date)} "
                    "(the article says to stop and consult, 001:11).",
                )
            )

    active = [r for r in reports if r.course_status == CourseStatus.ACTIVE and r.day >= 0]
    for report in active:
        found.extend(_course_alerts(patient_id=patient_id, report=report, data=data))

    if active:
        logged = [log.date for log in data.logs if log.date <= today]
        if logged:
            last = max(logged)
            # Whole days without a log: today is not over yet, so it does not count.
            missed = (today - last).days - 1
            occurrence = f"last-log:{last.isoformat()}"
            since_words = f"since {format_day(last)}"
        else:
            start = min(r.day_zero for r in active)
            missed = (today - start).days
            occurrence = f"never:{start.isoformat()}"
            since_words = f"since the course started on {format_day(start)}"
        for days, kind, severity in (
            (NO_LOG_LOW_DAYS, AlertKind.NO_LOG_2, Severity.LOW),
            (NO_LOG_MEDIUM_DAYS, AlertKind.NO_LOG_7, Severity.MEDIUM),
        ):
            if missed >= days:
                found.append(
                    _alert(
                        patient_id=patient_id,
                        kind=kind,
                        severity=severity,
                        occurrence=occurrence,
                        message=f"No daily log for {missed} days ({since_words}).",
                    )
                )
    return found


def existing_alert_keys(*, patient_id: int, kinds: set[str]) -> set[tuple[str, str]]:
    """(kind, occurrence) of the patient's alerts of these kinds, open or acknowledged. One query."""
    return set(Alert.objects.filter(patient_id=patient_id, kind__in=kinds).values_list("kind", "occurrence"))


def alerts_raise_for_patient(*, patient: User, today: date) -> list[Alert]:
    """Raise the alerts the rules call for on ``today`` (the patient's local date); return only the new ones.

    Queries: courses, logs, sessions, the existing alerts, then one insert (in a savepoint) per new alert.
    Safe to call twice or from two servers at once: a duplicate insert hits the unique constraint inside its
    own savepoint and is skipped, so the caller's transaction carries on.
    """
    data = progress_data_for_patients(patient_ids=[patient.pk], until=today)[patient.pk]
    reports = reports_from_data(data, today=today)
    candidates = alert_candidates(patient_id=patient.pk, data=data, reports=reports, today=today)
    if not candidates:
        return []
    existing = existing_alert_keys(patient_id=patient.pk, kinds={a.kind for a in candidates})
    created = []
    for alert in candidates:
        key = (alert.kind, alert.occurrence)
        if key in existing:
            continue
        existing.add(key)
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            # Another server raised the same occurrence between our read and this insert.
            continue
        created.append(alert)
    return created
