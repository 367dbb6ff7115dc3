"""Writes of the validated questionnaires (issue 13): a patient's FAAM and PSFS answers, a physiotherapist's
request for one now, and the alert a meaningful decline raises.

The audit trail records the response's kind and id and the names of the fields saved, never the answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import (
    Alert,
    AlertKind,
    AuditAction,
    Course,
    CourseStatus,
    FaamAnswer,
    PsfsActivity,
    PsfsRating,
    QuestionnaireKind,
    QuestionnaireRequest,
    QuestionnaireResponse,
    Severity,
    User,
)
from ..progress import wording
from ..progress.questionnaires import (
    FAAM_MAX_ANSWER,
    PSFS_MAX_RATING,
    Subscale,
    meaningful_declines,
    subscale_items,
)
from ..progress.timelines import PSFS_MAX_ACTIVITIES
from ..selectors.questionnaires import questionnaire_history
from .alert_notify import alerts_notify, emailed_at_once
from .audit import AuditContext, audit_record, record_target
from .progress_cache import snapshot_mark_stale

ANSWER_OUT_OF_RANGE = "Each answer is one of the choices shown."
NOT_THIS_SUBSCALE = "That question is not on this page."
TOO_MANY_ACTIVITIES = f"Name up to {PSFS_MAX_ACTIVITIES} activities."
RATING_OUT_OF_RANGE = f"Rate each activity from 0 to {PSFS_MAX_RATING}."
NO_RATING = "Rate at least one activity."
ACCOUNT_CLOSED = "This account is closed."


def _response(*, patient: User, kind: str, today: date) -> tuple[QuestionnaireResponse, bool]:
    course = Course.objects.filter(patient=patient, status=CourseStatus.ACTIVE).order_by("-day_zero", "-id").first()
    response, created = QuestionnaireResponse.objects.get_or_create(
        patient=patient, kind=kind, date=today, defaults={"course": course}
    )
    return response, created


def faam_save(
    *,
    patient: User,
    subscale: Subscale,
    answers: Mapping[int, int | None],
    finish: bool,
    today: date,
    audit: AuditContext,
) -> QuestionnaireResponse:
    """Save one FAAM subscale's answers for ``today`` (the patient's local date): {item: 0 to 4, or None for
    N/A}; items not in ``answers`` are left blank. ``finish`` marks the response completed (the last page).

    Saving again the same day replaces that subscale's answers. Refused (nothing saved) for an item not on this
    subscale or an answer outside 0 to 4. A completed response may raise a function-decline alert.
    """
    if not patient.is_active:
        raise ValidationError(ACCOUNT_CLOSED)
    items = {number for number, _ in subscale_items(subscale)}
    if any(item not in items for item in answers):
        raise ValidationError(NOT_THIS_SUBSCALE)
    if any(a is not None and not 0 <= a <= FAAM_MAX_ANSWER for a in answers.values()):
        raise ValidationError(ANSWER_OUT_OF_RANGE)
    with transaction.atomic():
        response, created = _response(patient=patient, kind=QuestionnaireKind.FAAM, today=today)
        response.faam_answers.filter(item__in=items).delete()
        FaamAnswer.objects.bulk_create(
            [FaamAnswer(response=response, item=item, answer=answer) for item, answer in sorted(answers.items())]
        )
        response.completed = response.completed or finish
        response.updated_at = timezone.now()
        response.save(update_fields=["completed", "updated_at"])
        audit_record(
            audit=audit,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            patient=patient,
            target=record_target("FAAM questionnaire", response.pk),
            detail={
                "records": [response.pk],
                "fields": [f"{subscale.value}_items"] + (["completed"] if finish else []),
            },
        )
        if response.completed:
            function_alerts_raise(patient=patient)
        snapshot_mark_stale([patient.pk])  # the caseload's status reads the function scores
    return response


def psfs_save(
    *, patient: User, ratings: Sequence[tuple[str, int]], today: date, audit: AuditContext
) -> QuestionnaireResponse:
    """Save today's PSFS: (activity name, rating 0 to 10) for up to 3 activities. An activity named before is
    the same activity (its name is kept); a new name adds one, up to 3 in all. Completed at once.
    """
    if not patient.is_active:
        raise ValidationError(ACCOUNT_CLOSED)
    names = [name.strip() for name, _ in ratings]
    if not ratings or any(not name for name in names):
        raise ValidationError(NO_RATING)
    if any(not 0 <= rating <= PSFS_MAX_RATING for _, rating in ratings):
        raise ValidationError(RATING_OUT_OF_RANGE)
    if len(set(names)) != len(names) or len(names) > PSFS_MAX_ACTIVITIES:
        raise ValidationError(TOO_MANY_ACTIVITIES)
    with transaction.atomic():
        known = {a.name: a for a in PsfsActivity.objects.select_for_update().filter(patient=patient)}
        new = [name for name in names if name not in known]
        if len(known) + len(new) > PSFS_MAX_ACTIVITIES:
            raise ValidationError(TOO_MANY_ACTIVITIES)
        for name in new:
            known[name] = PsfsActivity.objects.create(patient=patient, name=name)
        response, created = _response(patient=patient, kind=QuestionnaireKind.PSFS, today=today)
        response.psfs_ratings.all().delete()
        PsfsRating.objects.bulk_create(
            [
                PsfsRating(response=response, activity=known[name], rating=r)
                for name, (_, r) in zip(names, ratings, strict=True)
            ]
        )
        response.completed = True
        response.updated_at = timezone.now()
        response.save(update_fields=["completed", "updated_at"])
        audit_record(
            audit=audit,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            patient=patient,
            target=record_target("PSFS questionnaire", response.pk),
            detail={"records": [response.pk], "fields": ["ratings"] + (["new_activity"] if new else [])},
        )
        function_alerts_raise(patient=patient)
        snapshot_mark_stale([patient.pk])  # the caseload's status reads the function scores
    return response


def questionnaire_request(*, patient: User, kind: str, audit: AuditContext) -> QuestionnaireRequest:
    """A physiotherapist asks ``patient`` for a questionnaire now (due from the patient's today). Asking
    twice the same day is one request."""
    actor = audit.acting_user()
    if kind not in QuestionnaireKind.values:
        raise ValidationError("Choose the FAAM or the PSFS.")
    with transaction.atomic():
        request, created = QuestionnaireRequest.objects.get_or_create(
            patient=patient, kind=kind, requested_on=patient.local_today(), defaults={"requested_by": actor}
        )
        if created:  # asking again the same day changes nothing, so writes no event
            audit_record(
                audit=audit,
                action=AuditAction.CREATE,
                patient=patient,
                target=record_target(f"{kind.upper()} questionnaire request", request.pk),
                detail={"records": [request.pk]},
            )
    return request


def function_alerts_raise(*, patient: User) -> list[Alert]:
    """Raise a medium alert for each latest score meaningfully below its baseline or previous score.

    Keyed by measure and the day of the later score (and the activity, for one PSFS activity): the unique
    constraint raises each once, each insert in its own savepoint. Queries: 3 reads, then one insert each.
    """
    history = questionnaire_history(patient=patient)
    declines = meaningful_declines([*history.readings.values(), *history.activity_readings])
    course = next((r.response.course_id for r in reversed(history.rows) if r.response.course_id), None)
    created = []
    for change in declines:
        occurrence = f"{change.measure.value}:{change.activity}:{change.later_on.isoformat()}"[:100]
        alert = Alert(
            patient=patient,
            course_id=course,
            kind=AlertKind.FUNCTION_DECLINE,
            severity=Severity.MEDIUM,
            occurrence=occurrence,
            message=wording.function_change_team(change)[:500],
        )
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(alert)
    to_email = [alert for alert in created if emailed_at_once(alert)]
    if to_email:
        # As every other alert: e-mailed after the commit (never about a rolled-back one), once per alert and person.
        transaction.on_commit(partial(alerts_notify, alerts=to_email))
    return created
