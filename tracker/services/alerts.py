"""Alerts for the care team (DESIGN.md section 6), raised from the findings of the progress reports.

``alerts_raise_for_patient`` is called after every saved log or session, and by ``manage.py raise_alerts`` for
what time alone causes (silence, a milestone becoming overdue). Each alert is raised from a finding of
``tracker.progress.calculate`` and its message is the care team's line for that finding
(``tracker.progress.wording``), so the pages and the alerts cannot disagree.

Each alert names its occurrence, and the database refuses a second alert with the same patient, kind and
occurrence (``Alert`` constraint ``alert_raised_once``): running twice, or on two servers at once, raises
nothing twice. An acknowledged alert stays, so the same occurrence is never raised again.

- A red flag is raised once per flag and day (and foot, for the local flags): chest pain ticked on a day already
  alerted for a calf raises its own critical alert.
- Worsening, a possible wound problem and persistent high pain are *episodes*: the occurrence is the course, the
  foot and the episode's first day. Filling in an earlier day can move that first day earlier; an alert already
  raised for a day inside the current stretch is the same episode, and nothing new is raised.
- Silence uses the one definition of ``tracker.progress.calculate.days_without_log``.

When the transaction that raised them commits, the new alerts that are e-mailed at once (every red flag) go to the
care team (``tracker.services.alert_notify``), once each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

from django.db import IntegrityError, transaction

from ..models import EMERGENCY_RED_FLAGS, Alert, AlertKind, CourseStatus, DailyLog, SessionKind, Severity, User
from ..progress import wording
from ..progress.calculate import (
    RECENT_DAYS,
    SILENT_AFTER_DAYS,
    SILENT_LONG_DAYS,
    SYSTEMIC_RED_FLAGS,
    days_without_log,
    first_loggable_day,
    red_flags,
)
from ..progress.report import CourseReport, Finding, FindingKind, MassageAdverse, MilestoneOverdue
from ..progress.timelines import MASSAGE_CAUTION_CITATION
from ..selectors.progress import PatientProgressData, patient_progress_data, reports_from_data
from .alert_notify import alerts_notify, emailed_at_once

NO_LOG_LOW_DAYS = SILENT_AFTER_DAYS  # DESIGN.md section 6: no log for 2 days (low)
NO_LOG_MEDIUM_DAYS = SILENT_LONG_DAYS  # ... or 7 days (medium)

# How each course finding is raised: (alert kind, severity, is it an episode).
_RAISED: dict[FindingKind, tuple[AlertKind, Severity, bool]] = {
    FindingKind.WOUND_CONCERN: (AlertKind.WOUND_CONCERN, Severity.HIGH, True),
    FindingKind.WORSENING: (AlertKind.WORSENING, Severity.HIGH, True),
    FindingKind.PERSISTENT_HIGH_PAIN: (AlertKind.PERSISTENT_HIGH_PAIN, Severity.LOW, True),
    FindingKind.MILESTONE_OVERDUE: (AlertKind.MILESTONE_OVERDUE, Severity.MEDIUM, False),
    FindingKind.PROTECTION_ENDED_EARLY: (AlertKind.PROTECTION_ENDED_EARLY, Severity.LOW, False),
    FindingKind.NEEDLING_NO_RESPONSE: (AlertKind.NEEDLING_NO_RESPONSE, Severity.MEDIUM, False),
    FindingKind.NO_IMPROVEMENT: (AlertKind.NO_IMPROVEMENT, Severity.MEDIUM, False),
    FindingKind.LINGERING_SORENESS: (AlertKind.NEEDLING_SORENESS, Severity.MEDIUM, False),
    FindingKind.POST_OP_NOT_BETTER: (AlertKind.POST_OP_NOT_BETTER, Severity.MEDIUM, False),
    # MASSAGE_ADVERSE is raised once per session from the sessions themselves (alert_candidates), not per report.
}
EPISODE_KINDS = frozenset(kind for kind, _, episode in _RAISED.values() if episode)


def _alert(
    *, patient_id: int, kind: str, severity: int, occurrence: str, message: str, course_id: int | None = None
) -> Alert:
    return Alert(
        patient_id=patient_id,
        course_id=course_id,
        kind=kind,
        severity=severity,
        occurrence=occurrence[:100],
        message=message[:500],
    )


def _occurrence(finding: Finding, report: CourseReport) -> str:
    course = report.course_public_id
    foot = getattr(finding, "foot", "")
    since = getattr(finding, "since", None)
    if since is not None:
        return f"{course}:{foot}:{since.isoformat()}"
    milestone = getattr(finding, "milestone", None)
    if milestone is not None:
        return f"{course}:{milestone.expectation.key}"
    session_on = getattr(finding, "session_on", None)
    if session_on is not None:
        return f"{course}:{session_on.isoformat()}"
    return course


def course_alerts(*, patient_id: int, report: CourseReport) -> list[Alert]:
    """The alerts one course's findings call for (pure: no query)."""
    found = []
    for finding in report.findings:
        raised = _RAISED.get(finding.kind)
        if raised is None:
            continue
        kind, severity, _ = raised
        if isinstance(finding, MilestoneOverdue) and _within_reported(finding):
            # Later than most people, but not yet later than one study's average (e.g. 10 weeks after endoscopic
            # release): the care team hears of it, without urgency.
            severity = Severity.LOW
        found.append(
            _alert(
                patient_id=patient_id,
                course_id=report.course_id,
                kind=kind,
                severity=severity,
                occurrence=_occurrence(finding, report),
                message=wording.alert_message(finding, report=report),
            )
        )
    return found


def _within_reported(finding: MilestoneOverdue) -> bool:
    reported = finding.milestone.expectation.reported
    return reported is not None and finding.day <= reported.day


def red_flag_alerts(*, patient_id: int, logs: Iterable[DailyLog], today: date) -> list[Alert]:
    """One critical alert per red flag, per day (and foot, for a local flag), for the last 7 days.

    A flag on a day in the last 7, or ticked in the last 7 days (``recorded_on``, the patient's date at save) on an
    older day: patients may fill in the day 7 days back, and such a flag must still reach the care team once.
    """
    since = today - timedelta(days=RECENT_DAYS - 1)
    recent = [log for log in logs if log.date <= today and (since <= log.date or since <= log.recorded_on)]
    found = []
    for finding in red_flags(logs=recent, feet=None, since=date.min, until=today):
        for flag in finding.flags:
            one = replace(finding, flags=(flag,), emergency=flag in EMERGENCY_RED_FLAGS)
            where = "" if flag in SYSTEMIC_RED_FLAGS else f":{finding.foot}"
            found.append(
                _alert(
                    patient_id=patient_id,
                    kind=AlertKind.RED_FLAG,
                    severity=Severity.CRITICAL,
                    occurrence=f"{finding.day.isoformat()}{where}:{flag}",
                    message=wording.red_flag_alert_message(one),
                )
            )
    return found


def silence_alerts(*, patient: User, data: PatientProgressData, today: date) -> list[Alert]:
    since = first_loggable_day(courses=data.courses, joined_at=patient.date_joined, zone=patient.zone)
    if since is None or since > today:
        return []
    logged = [log.date for log in data.logs if log.date <= today]
    last = max(logged) if logged else None
    missed = days_without_log(last_logged_on=last, since=since, today=today)
    occurrence = f"last-log:{last.isoformat()}" if last else f"never:{since.isoformat()}"
    found = []
    for days, kind, severity in (
        (NO_LOG_LOW_DAYS, AlertKind.NO_LOG_2, Severity.LOW),
        (NO_LOG_MEDIUM_DAYS, AlertKind.NO_LOG_7, Severity.MEDIUM),
    ):
        if missed >= days:
            found.append(
                _alert(
                    patient_id=patient.pk,
                    kind=kind,
                    severity=severity,
                    occurrence=occurrence,
                    message=wording.silence_team(missed=missed, last_logged_on=last),
                )
            )
    return found


def alert_candidates(
    *, patient: User, data: PatientProgressData, reports: list[CourseReport], today: date
) -> list[Alert]:
    """Every alert the rules call for on ``today``, unsaved (pure: no query). Duplicates are dropped later."""
    found = red_flag_alerts(patient_id=patient.pk, logs=data.logs, today=today)
    for session in data.sessions:
        if session.kind == SessionKind.MASSAGE and session.adverse_reaction and session.date <= today:
            found.append(
                _alert(
                    patient_id=patient.pk,
                    course_id=session.course_id,
                    kind=AlertKind.MASSAGE_ADVERSE,
                    severity=Severity.MEDIUM,
                    occurrence=f"session:{session.pk}",
                    message=wording.finding_team(
                        MassageAdverse(day=session.date, citations=(MASSAGE_CAUTION_CITATION,))
                    ),
                )
            )
    for report in reports:
        if report.course_status == CourseStatus.ACTIVE and report.day >= 0:
            found.extend(course_alerts(patient_id=patient.pk, report=report))
    found.extend(silence_alerts(patient=patient, data=data, today=today))
    return found


def existing_alert_keys(*, patient_id: int, kinds: set[str]) -> set[tuple[str, str]]:
    """(kind, occurrence) of the patient's alerts of these kinds, open or acknowledged. One query."""
    return set(Alert.objects.filter(patient_id=patient_id, kind__in=kinds).values_list("kind", "occurrence"))


def same_episode(alert: Alert, existing: set[tuple[str, str]]) -> bool:
    """An episode alert whose course and foot already have an alert dated inside this stretch (see the module)."""
    if alert.kind not in EPISODE_KINDS:
        return False
    prefix, _, since = alert.occurrence.rpartition(":")
    return any(
        kind == alert.kind and occurrence.startswith(prefix + ":") and occurrence.rpartition(":")[2] >= since
        for kind, occurrence in existing
    )


def alerts_raise_for_patient(*, patient: User, today: date) -> list[Alert]:
    """Raise the alerts the rules call for on ``today`` (the patient's local date); return only the new ones.

    Queries: courses, logs and sessions (as light rows), the existing alerts, then one insert (in a savepoint) per new alert.
    Safe to call twice or from two servers at once: a duplicate insert hits the unique constraint inside its
    own savepoint and is skipped, so the caller's transaction carries on.
    """
    data = patient_progress_data(patient=patient, until=today)
    # Only the active courses raise alerts (alert_candidates): the others are not judged.
    reports = reports_from_data(data, today=today, active_only=True)
    candidates = alert_candidates(patient=patient, data=data, reports=reports, today=today)
    if not candidates:
        return []
    existing = existing_alert_keys(patient_id=patient.pk, kinds={a.kind for a in candidates})
    created = []
    for alert in candidates:
        key = (alert.kind, alert.occurrence)
        if key in existing or same_episode(alert, existing):
            continue
        existing.add(key)
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            # Another server raised the same occurrence between our read and this insert.
            continue
        created.append(alert)
    to_email = [alert for alert in created if emailed_at_once(alert)]
    if to_email:
        # After the commit: never e-mail about an alert that was rolled back. One e-mail per alert and person.
        transaction.on_commit(partial(alerts_notify, alerts=to_email))
    return created
