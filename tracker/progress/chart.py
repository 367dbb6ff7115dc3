"""The progress chart's data: one course report (plus its sessions and the cohort band) as JSON-ready series.

Shared by the patient's /progress/ page and the physiotherapist's patient page. The page renders
``templates/tracker/partials/progress_chart.html`` with ``chart`` (this payload) and ``chart_id``; the data
travels in a ``json_script`` element and ``static/js/progress_chart.js`` draws it with Chart.js.

Every series is aligned to ``labels`` (ISO dates, one per day of the report's pain series). A day with no
log is ``None`` (JSON null), drawn as a gap, never as a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, TypedDict

from .report import BandPoint, CourseReport
from .timelines import MEANINGFUL_CHANGE_POINTS
from .wording import chart_summary

FOOT_LABELS = {"left": "Left foot", "right": "Right foot"}


class FootSeries(TypedDict):
    """One treated foot's lines, each aligned to the payload's ``labels``."""

    foot: str
    label: str
    pain: list[int | None]
    mean_7d: list[float | None]
    latest_mean_7d: float | None
    baseline: float | None
    target: float | None
    change: float | None
    meaningful: bool


class MilestoneWindow(TypedDict):
    title: str
    start: str  # ISO date
    end: str  # ISO date
    status: str
    status_label: str
    source: str


class SessionMark(TypedDict):
    date: str  # ISO date
    label: str
    index: int | None  # position in ``labels``; None when the day has no point on the chart


class BandSeries(TypedDict):
    median: list[float | None]
    q1: list[float | None]
    q3: list[float | None]
    patients_min: int


class ChartData(TypedDict):
    """The chart without its text alternative (``tracker.progress.wording.chart_summary`` describes this)."""

    course: str
    title: str
    kind: str
    day_zero: str  # ISO date
    labels: list[str]  # ISO dates
    feet: list[FootSeries]
    milestones: list[MilestoneWindow]
    sessions: list[SessionMark]
    band: BandSeries | None
    y_max: int


class ChartPayload(ChartData):
    summary: str


class ChartRow(TypedDict):
    date: date
    feet: list[dict[str, float | None]]  # per foot, in the payload's order: "pain" and "mean_7d"
    band_median: float | None
    sessions: str


class SessionLike(Protocol):
    """What a session marker needs: a ``Session``, or anything with a ``date`` (and optionally a ``label``)."""

    @property
    def date(self) -> date: ...


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _labels(report: CourseReport) -> list[date]:
    return sorted({point.day for trend in report.pain for point in trend.series})


def _band_series(labels: Sequence[date], *, day_zero: date, band: Iterable[BandPoint] | None) -> BandSeries | None:
    by_week = {point.week: point for point in band or ()}
    if not by_week:
        return None
    median: list[float | None] = []
    q1: list[float | None] = []
    q3: list[float | None] = []
    for day in labels:
        offset = (day - day_zero).days
        point = by_week.get(offset // 7 + 1) if offset >= 0 else None
        median.append(_round(point.median) if point else None)
        q1.append(_round(point.q1) if point else None)
        q3.append(_round(point.q3) if point else None)
    if all(v is None for v in median):
        return None
    drawn = {(day - day_zero).days // 7 + 1 for day in labels if day >= day_zero} & by_week.keys()
    return {
        "median": median,
        "q1": q1,
        "q3": q3,
        "patients_min": min(by_week[week].patients for week in drawn),
    }


def _session_label(session: SessionLike) -> str:
    if hasattr(session, "get_kind_display"):
        return str(session.get_kind_display())
    return str(getattr(session, "label", "Session"))


def chart_payload(
    *, report: CourseReport, band: Iterable[BandPoint] | None, sessions: Iterable[SessionLike] = ()
) -> ChartPayload:
    """The chart of one course as plain JSON-ready data.

    ``band``: the cohort's ``BandPoint``s by week since day 0 (``tracker.progress.cohort.cohort_band``), or
    None / empty when the clinic has too few patients on the same kind of course.
    ``sessions``: this course's sessions (``Session`` objects, or anything with ``date`` and ``label``),
    drawn as markers; optional, so a caller without them still gets a chart.
    """
    labels = _labels(report)
    index = {day: i for i, day in enumerate(labels)}
    feet: list[FootSeries] = []
    for trend in report.pain:
        by_day = {point.day: point for point in trend.series}
        pain = [by_day[d].first_step_pain if d in by_day else None for d in labels]
        mean = [_round(by_day[d].mean_7d) if d in by_day else None for d in labels]
        baseline = _round(trend.baseline)
        feet.append(
            {
                "foot": trend.foot,
                "label": FOOT_LABELS.get(trend.foot, trend.foot),
                "pain": pain,
                "mean_7d": mean,
                "latest_mean_7d": _round(trend.mean_7d),
                "baseline": baseline,
                # The meaningful-improvement line: 2 points below the starting level, never below 0.
                "target": None if baseline is None else max(0.0, round(baseline - MEANINGFUL_CHANGE_POINTS, 1)),
                "change": _round(trend.change),
                "meaningful": trend.meaningful,
            }
        )
    milestones: list[MilestoneWindow] = []
    for m in report.milestones:
        if m.window_start is None or m.window_end is None:
            continue
        milestones.append(
            {
                "title": m.expectation.title,
                "start": m.window_start.isoformat(),
                "end": m.window_end.isoformat(),
                "status": m.status.value,
                "status_label": m.status.label,
                "source": m.expectation.citation.label,
            }
        )
    session_marks: list[SessionMark] = []
    for s in sessions:
        day = s.date
        session_marks.append({"date": day.isoformat(), "label": _session_label(s), "index": index.get(day)})
    data: ChartData = {
        "course": report.course_public_id,
        "title": f"{report.kind_label}, from {report.day_zero:%d %b %Y}",
        "kind": report.kind,
        "day_zero": report.day_zero.isoformat(),
        "labels": [d.isoformat() for d in labels],
        "feet": feet,
        "milestones": milestones,
        "sessions": session_marks,
        "band": _band_series(labels, day_zero=report.day_zero, band=band),
        "y_max": 10,
    }
    return {**data, "summary": chart_summary(data)}


def chart_rows(payload: ChartPayload, last: int | None = None) -> list[ChartRow]:
    """The chart's numbers, one row per day (only the ``last`` days if given), for the accessible table under
    the chart."""
    rows: list[ChartRow] = []
    band = payload.get("band")
    sessions_by_day: dict[str, list[str]] = {}
    for s in payload["sessions"]:
        sessions_by_day.setdefault(s["date"], []).append(s["label"])
    first = 0 if last is None else max(0, len(payload["labels"]) - last)
    for i, day in enumerate(payload["labels"][first:], start=first):
        rows.append(
            {
                "date": date.fromisoformat(day),
                "feet": [{"pain": f["pain"][i], "mean_7d": f["mean_7d"][i]} for f in payload["feet"]],
                "band_median": band["median"][i] if band else None,
                "sessions": ", ".join(sessions_by_day.get(day, [])),
            }
        )
    return rows
