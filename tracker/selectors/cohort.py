"""The cohort band as pages read it: from the cache (``tracker.models.CohortWeek``), in one query.

``cohort_bands({kind: last week or None}, exclude_patient_id=...)`` reads every kind's header (when it was
rebuilt) and the weeks asked for in one query, whatever the cohort's size or the length of its history. A kind
whose cache is missing or older than ``settings.COHORT_MAX_AGE`` is rebuilt first (``tracker.services.cohort``):
the page is right even with no cache. The band leaves out the patient who is looking and keeps the rule of at
least 5 other patients (``tracker.progress.cohort.band_point``), exactly as the reference computation
``tracker.progress.cohort.cohort_band`` does. ``measure_bands`` reads several measures at once (the progress
pages: first-step pain and the FAAM daily activities score, issue 13), still in one query.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import CohortMeasure, CohortWeek
from ..progress.cohort import band_point
from ..progress.report import BandPoint
from ..services.cohort import HEADER_WEEK, cohort_rebuild, unpack_ids, unpack_values


def cohort_bands(
    wanted: Mapping[str, int | None], *, exclude_patient_id: int | None, measure: str = CohortMeasure.PAIN
) -> dict[str, tuple[BandPoint, ...]]:
    """The band of each kind in ``wanted`` (CourseKind value -> last week wanted, None for all), by kind, of
    ``measure`` (first-step pain, or the FAAM daily activities score).

    One query when every kind is cached and fresh; a missing or stale kind adds its rebuild.
    """
    return measure_bands({measure: wanted}, exclude_patient_id=exclude_patient_id).get(measure, {})


def measure_bands(
    wanted: Mapping[str, Mapping[str, int | None]], *, exclude_patient_id: int | None
) -> dict[str, dict[str, tuple[BandPoint, ...]]]:
    """The bands of several measures at once: ``wanted`` is CohortMeasure value -> (CourseKind value -> last week
    wanted, None for all); the result is measure -> kind -> band.

    One query for all of them when every kind is cached and fresh (the progress pages read the pain band and the
    FAAM daily activities band together); a missing or stale kind adds its rebuild, which writes both measures.
    """
    wanted = {measure: kinds for measure, kinds in wanted.items() if kinds}
    if not wanted:
        return {}
    condition = Q()
    for kind in {kind for kinds in wanted.values() for kind in kinds}:
        condition |= Q(kind=kind, week=HEADER_WEEK)
    for measure, kinds in wanted.items():
        for kind, last in kinds.items():
            weeks = Q(week__lte=last) if last is not None else Q()
            condition |= Q(kind=kind, measure=measure) & weeks
    rows = list(CohortWeek.objects.filter(condition).order_by("kind", "measure", "week"))
    headers = {row.kind: row for row in rows if row.week == HEADER_WEEK}
    oldest = timezone.now() - settings.COHORT_MAX_AGE
    stale = sorted(
        {
            kind
            for kinds in wanted.values()
            for kind in kinds
            if kind not in headers or headers[kind].computed_at < oldest
        }
    )
    if stale:
        fresh = cohort_rebuild(stale)
        rows = [row for row in rows if row.kind not in stale] + [row for row in fresh if row.week != HEADER_WEEK]
    bands: dict[str, dict[str, list[BandPoint]]] = {
        measure: {kind: [] for kind in kinds} for measure, kinds in wanted.items()
    }
    for row in sorted(rows, key=lambda r: (r.kind, r.measure, r.week)):
        if row.week == HEADER_WEEK or row.kind not in bands.get(row.measure, {}):
            continue
        last = wanted[row.measure][row.kind]
        if last is not None and row.week > last:
            continue  # a rebuilt kind's rows: every week of both measures
        point = band_point(
            week=row.week,
            values=unpack_values(row.values),
            patient_ids=unpack_ids(row.patient_ids),
            exclude_patient_id=exclude_patient_id,
        )
        if point is not None:
            bands[row.measure][row.kind].append(point)
    return {measure: {kind: tuple(points) for kind, points in kinds.items()} for measure, kinds in bands.items()}
