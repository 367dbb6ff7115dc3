"""Hand-built progress reports for tests of code that shows them (the calculation has its own tests)."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.progress.report import (
    Citation,
    CourseReport,
    Expectation,
    MilestoneResult,
    MilestoneStatus,
    OverallStatus,
    PainPoint,
    PainTrend,
    SessionsProgress,
)


def make_report(
    *,
    day_zero: date,
    today: date,
    pains: dict[date, int],
    baseline: float | None = None,
    feet: tuple[str, ...] = ("left",),
    with_milestone: bool = False,
    status: OverallStatus = OverallStatus.ON_TRACK,
    reason: str = "Your pain is coming down as expected.",
    kind: str = "massage",
) -> CourseReport:
    days = [day_zero + timedelta(days=i) for i in range((today - day_zero).days + 1)]
    series = tuple(PainPoint(day=d, first_step_pain=pains.get(d), mean_7d=pains.get(d)) for d in days)
    milestones = ()
    if with_milestone:
        expectation = Expectation(
            key="usual_activities",
            kind="endoscopic",
            title="Back to your usual activities",
            citation=Citation(
                source="000_1e061efd59e99644.txt:11",
                quote="Most people return to their normal activities in 3 to 6 weeks.",
            ),
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
                sentence="Expected 3 to 6 weeks after surgery.",
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
        red_flag_days=(),
        lingering_needling_soreness=False,
        no_improvement_after_6_months=False,
        status=status,
        reason=reason,
        last_logged_on=max(pains) if pains else None,
    )
