"""Hand-built progress reports for tests of code that shows them (the calculation has its own tests)."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.progress.report import (
    CourseReport,
    Expectation,
    MilestoneResult,
    MilestoneStatus,
    OverallStatus,
    PainPoint,
    PainTrend,
    SessionsProgress,
)
from tracker.progress.timelines import ENDOSCOPIC_USUAL_ACTIVITIES_CITATION


def make_report(
    *,
    day_zero: date,
    today: date,
    pains: dict[date, int],
    baseline: float | None = None,
    feet: tuple[str, ...] = ("left",),
    with_milestone: bool = False,
    status: OverallStatus = OverallStatus.ON_TRACK,
    kind: str = "massage",
) -> CourseReport:
    days = [day_zero + timedelta(days=i) for i in range((today - day_zero).days + 1)]
    series = tuple(PainPoint(day=d, first_step_pain=pains.get(d), mean_7d=pains.get(d)) for d in days)
    milestones: tuple[MilestoneResult, ...] = ()
    if with_milestone:
        expectation = Expectation(
            key="usual_activities",
            kind="endoscopic",
            title="Back to your usual activities",
            citation=ENDOSCOPIC_USUAL_ACTIVITIES_CITATION,
            window_start_day=21,
            window_end_day=42,
        )
        milestones = (
            MilestoneResult(
                expectation=expectation,
                status=MilestoneStatus.NOT_YET_DUE,
                reached_on=None,
                window_start=day_zero + timedelta(days=21),
                window_end=day_zero + timedelta(days=42),
            ),
        )
    return CourseReport(
        course_id=1,
        course_public_id="00000000-0000-0000-0000-000000000001",
        kind=kind,
        kind_label="Home massage routine",
        foot=feet[0] if len(feet) == 1 else "both",
        day_zero=day_zero,
        course_status="active",
        today=today,
        day=(today - day_zero).days,
        week=(today - day_zero).days // 7 + 1,
        sessions=SessionsProgress(done=0, planned=None, typical_low=None, typical_high=None, citation=None),
        milestones=milestones,
        pain=tuple(
            PainTrend(foot=f, baseline=baseline, mean_7d=None, change=None, meaningful=False, series=series)
            for f in feet
        ),
        findings=(),
        status=status,
        decided_by=None,
        last_logged_on=max(pains) if pains else None,
        as_of=today,
    )
