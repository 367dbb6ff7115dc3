"""Questionnaire responses for tests (issue 13): saved straight into the tables, as the services would."""

from __future__ import annotations

from datetime import date

from tracker import models as m


def faam_response(
    patient: m.User, day: date, *, adl: int | None = 3, sports: int | None = 2, completed: bool = True
) -> m.QuestionnaireResponse:
    """A FAAM with every ADL item answered ``adl`` and every sports item ``sports`` (None: N/A)."""
    response = m.QuestionnaireResponse.objects.create(
        patient=patient, kind=m.QuestionnaireKind.FAAM, date=day, completed=completed
    )
    m.FaamAnswer.objects.bulk_create(
        [m.FaamAnswer(response=response, item=i, answer=adl if i <= 21 else sports) for i in range(1, 30)]
    )
    return response


def psfs_response(patient: m.User, day: date, ratings: dict[str, int]) -> m.QuestionnaireResponse:
    response = m.QuestionnaireResponse.objects.create(
        patient=patient, kind=m.QuestionnaireKind.PSFS, date=day, completed=True
    )
    for name, rating in ratings.items():
        activity, _ = m.PsfsActivity.objects.get_or_create(patient=patient, name=name)
        m.PsfsRating.objects.create(response=response, activity=activity, rating=rating)
    return response
