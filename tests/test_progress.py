"""The progress calculation: pure functions, tested on unsaved model instances (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tracker.models import Course, DailyLog, Session
from tracker.progress.calculate import add_months, course_report
from tracker.progress.report import CourseReport, MilestoneStatus, OverallStatus

D0 = date(2026, 3, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def make_course(kind="massage", foot="left", *, status="active", ended_on=None, planned=None, day_zero=D0, pk=1):
    return Course(
        id=pk, kind=kind, foot=foot, day_zero=day_zero, status=status, ended_on=ended_on, planned_sessions=planned
    )


def log(n: int, pain: int = 5, foot: str = "left", **fields) -> DailyLog:
    return DailyLog(date=day(n), recorded_on=day(n), foot=foot, first_step_pain=pain, average_pain=pain, **fields)


def session(n: int, kind: str = "needling", **fields) -> Session:
    return Session(date=day(n), kind=kind, **fields)


def report(course, *, logs=(), sessions=(), on: int) -> CourseReport:
    return course_report(course=course, sessions=list(sessions), logs=list(logs), today=day(on))


def milestone(rep: CourseReport, key: str):
    [m] = [m for m in rep.milestones if m.expectation.key == key]
    return m


def steady(days, pain=5, foot="left", **fields):
    return [log(n, pain, foot, **fields) for n in days]


# ---------------------------------------------------------------------------------------------------------
# Day and week
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected_day", "expected_week"),
    [(-3, -3, 0), (0, 0, 1), (6, 6, 1), (7, 7, 2), (41, 41, 6), (42, 42, 7)],
)
def test_it_counts_day_and_week_from_day_zero(on, expected_day, expected_week):
    rep = report(make_course(), on=on)
    assert (rep.day, rep.week) == (expected_day, expected_week)


# ---------------------------------------------------------------------------------------------------------
# Milestones: every status, for every kind
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key", "logs", "on", "status", "reached"),
    [
        # Endoscopic: back to usual activities in 3 to 6 weeks (days 21 to 42), 000:11.
        ("endoscopic", "usual_activities", [log(5, usual_activities="no")], 10, MilestoneStatus.NOT_YET_DUE, None),
        ("endoscopic", "usual_activities", [log(25, usual_activities="partly")], 30, MilestoneStatus.NOT_YET_DUE, None),
        ("endoscopic", "usual_activities", [], 42, MilestoneStatus.NOT_YET_DUE, None),
        ("endoscopic", "usual_activities", [], 43, MilestoneStatus.OVERDUE, None),
        ("endoscopic", "usual_activities", [log(20, usual_activities="yes")], 50, MilestoneStatus.REACHED_EARLY, 20),
        ("endoscopic", "usual_activities", [log(21, usual_activities="yes")], 50, MilestoneStatus.REACHED_ON_TIME, 21),
        ("endoscopic", "usual_activities", [log(42, usual_activities="yes")], 50, MilestoneStatus.REACHED_ON_TIME, 42),
        ("endoscopic", "usual_activities", [log(43, usual_activities="yes")], 50, MilestoneStatus.REACHED_LATE, 43),
        # Reached is the first day: a later "yes" does not move it, an earlier "partly" does not count.
        (
            "endoscopic",
            "usual_activities",
            [log(30, usual_activities="yes"), log(28, usual_activities="partly"), log(35, usual_activities="yes")],
            50,
            MilestoneStatus.REACHED_ON_TIME,
            30,
        ),
        # Before day 0 (before surgery) the patient was in normal shoes: that does not count.
        ("endoscopic", "normal_shoes", [log(-2, footwear="normal")], 10, MilestoneStatus.NO_EXPECTED_TIME, None),
        ("endoscopic", "normal_shoes", [log(12, footwear="normal")], 20, MilestoneStatus.NO_EXPECTED_TIME, 12),
        (
            "endoscopic",
            "limited_weight_bearing",
            [log(2, weight_bearing="partial")],
            5,
            MilestoneStatus.NO_EXPECTED_TIME,
            2,
        ),
        (
            "endoscopic",
            "full_weight_bearing",
            [log(2, weight_bearing="partial")],
            5,
            MilestoneStatus.NO_EXPECTED_TIME,
            None,
        ),
        (
            "endoscopic",
            "full_weight_bearing",
            [log(40, weight_bearing="full")],
            45,
            MilestoneStatus.NO_EXPECTED_TIME,
            40,
        ),
        # Open: cast or walking boot for 2 to 3 weeks (days 14 to 21), 000:13.
        ("open", "out_of_cast_or_boot", [log(5, footwear="cast")], 10, MilestoneStatus.NOT_YET_DUE, None),
        ("open", "out_of_cast_or_boot", [log(10, footwear="supportive")], 30, MilestoneStatus.REACHED_EARLY, 10),
        ("open", "out_of_cast_or_boot", [log(17, footwear="postop")], 30, MilestoneStatus.REACHED_ON_TIME, 17),
        ("open", "out_of_cast_or_boot", [log(25, footwear="normal")], 30, MilestoneStatus.REACHED_LATE, 25),
        ("open", "out_of_cast_or_boot", [log(20, footwear="boot")], 22, MilestoneStatus.OVERDUE, None),
        ("open", "usual_activities", [], 200, MilestoneStatus.NO_EXPECTED_TIME, None),  # "longer": never judged
        ("open", "usual_activities", [log(60, usual_activities="yes")], 70, MilestoneStatus.NO_EXPECTED_TIME, 60),
        # Needling and massage: relief = 7-day mean 2+ points under the baseline; no window in the sources.
        # Baseline 6, then 3 from day 1: day 4's week is (6+6+6+3*4)/7 = 4.3, day 5's is (6+6+3*5)/7 = 3.9.
        (
            "needling",
            "pain_relief",
            steady(range(-3, 1), 6) + steady(range(1, 40), 5),
            40,
            MilestoneStatus.NO_EXPECTED_TIME,
            None,
        ),
        (
            "needling",
            "pain_relief",
            steady(range(-3, 1), 6) + steady(range(1, 40), 3),
            40,
            MilestoneStatus.NO_EXPECTED_TIME,
            5,
        ),
        # Baseline 7, 7 until day 9, then 3: day 12's week is (4*7+3*3)/7 = 5.3, day 13's (3*7+4*3)/7 = 4.7.
        (
            "massage",
            "pain_relief",
            steady(range(-7, 1), 7) + steady(range(1, 10), 7) + steady(range(10, 30), 3),
            30,
            MilestoneStatus.NO_EXPECTED_TIME,
            13,
        ),
        ("massage", "pain_relief", [], 30, MilestoneStatus.NO_EXPECTED_TIME, None),
    ],
)
def test_it_gives_each_milestone_its_status(kind, key, logs, on, status, reached):
    m = milestone(report(make_course(kind), logs=logs, on=on), key)
    assert m.status == status
    assert m.reached_on == (day(reached) if reached is not None else None)
    assert m.sentence.endswith(".")


def test_it_gives_windows_as_dates():
    m = milestone(report(make_course("endoscopic"), on=10), "usual_activities")
    assert (m.window_start, m.window_end) == (day(21), day(42))
    assert "3 to 6 weeks" in m.sentence


def test_it_judges_nothing_without_a_window():
    m = milestone(report(make_course("open"), on=400), "usual_activities")
    assert (m.window_start, m.window_end) == (None, None)
    assert "not judged" in m.sentence


def test_it_reaches_a_milestone_on_both_feet_only_when_both_reach_it():
    logs = [log(20, foot="left", usual_activities="yes"), log(30, foot="right", usual_activities="yes")]
    assert milestone(report(make_course("endoscopic", "both"), logs=logs, on=50), "usual_activities").reached_on == day(
        30
    )
    assert milestone(report(make_course("endoscopic", "both"), logs=logs[:1], on=50), "usual_activities").status == (
        MilestoneStatus.OVERDUE
    )


def test_it_ignores_the_other_foot_for_milestones():
    logs = [log(20, foot="right", usual_activities="yes")]
    assert milestone(report(make_course("endoscopic", "left"), logs=logs, on=50), "usual_activities").reached_on is None


def test_it_waits_for_a_fallback_baseline_of_3_days_before_relief_can_be_reached():
    # No logs around day 0: the baseline is the first 3 logged days (8, 8, 8); relief only after the third.
    logs = [log(3, 8), log(4, 8), log(5, 8), log(13, 2)]
    rep = report(make_course("massage"), logs=logs, on=14)
    assert rep.pain[0].baseline == 8
    assert rep.pain[0].baseline_source == "first_logged_days"
    assert milestone(rep, "pain_relief").reached_on == day(13)
    only_two = report(make_course("massage"), logs=[log(3, 8), log(13, 2)], on=14)
    assert milestone(only_two, "pain_relief").reached_on is None


# ---------------------------------------------------------------------------------------------------------
# Pain trend: baseline, 7-day mean, gaps
# ---------------------------------------------------------------------------------------------------------


def test_it_takes_the_baseline_from_day_minus_7_to_day_0():
    logs = [log(-9, 10), log(-7, 6), log(-1, 8), log(0, 7), log(1, 1)]
    trend = report(make_course(), logs=logs, on=1).pain[0]
    assert trend.baseline == 7  # (6 + 8 + 7) / 3: day -9 is too early, day 1 too late
    assert trend.baseline_source == "around_day_0"


def test_it_treats_gaps_as_gaps_not_zeros():
    logs = [log(0, 6), log(1, 6), log(5, 6)]  # days 2, 3, 4 and 6 not logged
    trend = report(make_course(), logs=logs, on=6).pain[0]
    assert trend.mean_7d == 6  # a zero for each gap would give 18 / 7
    gaps = [p for p in trend.series if p.first_step_pain is None]
    assert [p.day for p in gaps] == [day(2), day(3), day(4), day(6)]
    assert all(p.mean_7d == 6 for p in trend.series)


def test_it_has_no_7_day_mean_after_a_week_without_logs():
    trend = report(make_course(), logs=[log(0, 6)], on=10).pain[0]
    assert trend.mean_7d is None
    assert trend.change is None
    assert not trend.meaningful


@pytest.mark.parametrize(
    ("recent", "change", "meaningful", "improved"),
    [(4, -2, True, True), (5, -1, False, False), (7, 1, False, False), (8, 2, True, False), (3, -3, True, True)],
)
def test_it_calls_a_change_of_2_points_meaningful(recent, change, meaningful, improved):
    logs = steady(range(-3, 1), 6) + steady(range(1, 8), recent)
    trend = report(make_course(), logs=logs, on=7).pain[0]
    assert trend.change == change
    assert (trend.meaningful, trend.improved) == (meaningful, improved)


def test_it_ignores_logs_after_today():
    logs = steady(range(-3, 1), 6) + steady(range(1, 8), 6) + [log(9, 10, rf_fever=True)]
    rep = report(make_course(), logs=logs, on=7)
    assert rep.pain[0].mean_7d == 6
    assert rep.last_logged_on == day(7)
    assert rep.status == OverallStatus.ON_TRACK


# ---------------------------------------------------------------------------------------------------------
# Overall status: every status, every kind
# ---------------------------------------------------------------------------------------------------------

BASE = steady(range(-3, 1), 6)


@pytest.mark.parametrize(
    ("kind", "logs", "sessions", "on", "status", "words"),
    [
        # Red flag: any red flag in the 7 days ending today.
        ("open", [*BASE, log(34, 4, rf_calf=True)], [], 35, OverallStatus.RED_FLAG, "care team today"),
        ("endoscopic", [*BASE, log(3, 4, rf_wound=True)], [], 5, OverallStatus.RED_FLAG, "wound"),
        ("massage", [*BASE, log(9, 4, rf_breathless_chest=True)], [], 10, OverallStatus.RED_FLAG, "emergency"),
        (
            "needling",
            [*BASE, log(2, 4, rf_fever=True)],
            [],
            9,
            OverallStatus.ON_TRACK,
            "Nothing is behind",
        ),  # 8 days ago
        # Worsening: 7-day mean 2+ above baseline, or 7+ on 3 logged days running.
        ("massage", BASE + steady(range(1, 8), 8), [], 7, OverallStatus.WORSENING, "2 points worse"),
        (
            "needling",
            steady(range(-3, 1), 7) + steady(range(1, 4), 7),
            [],
            3,
            OverallStatus.WORSENING,
            "3 days running",
        ),
        (
            "needling",
            [*steady(range(-3, 1), 7), log(1, 7), log(3, 7), log(4, 7)],
            [],
            4,
            OverallStatus.ON_TRACK,
            "Nothing",
        ),
        ("endoscopic", BASE + steady(range(1, 12), 9), [], 11, OverallStatus.WORSENING, "worse"),
        # Behind: a milestone overdue, lingering needling soreness, no improvement after 6 months.
        (
            "endoscopic",
            BASE + steady(range(1, 50), 5, usual_activities="partly"),
            [],
            50,
            OverallStatus.BEHIND,
            "3 to 6 weeks after surgery",
        ),
        ("open", BASE + steady(range(1, 23), 5, footwear="boot"), [], 23, OverallStatus.BEHIND, "2 to 3 weeks"),
        (
            "needling",
            BASE + steady(range(1, 6), 5) + [log(6, 5, needling_soreness=2)],
            [session(0), session(3)],
            6,
            OverallStatus.BEHIND,
            "Soreness from needling",
        ),
        ("massage", BASE + steady(range(170, 190), 5), [], 185, OverallStatus.BEHIND, "After 6 months"),
        # Ahead: a milestone reached early, or a meaningful improvement, with nothing behind.
        (
            "endoscopic",
            BASE + steady([*range(1, 15), *range(16, 25)], 5) + [log(15, 5, usual_activities="yes")],
            [],
            25,
            OverallStatus.AHEAD,
            "earlier than the sources expect",
        ),
        ("open", [*BASE, log(10, 5, footwear="supportive")], [], 12, OverallStatus.AHEAD, "earlier"),
        ("massage", BASE + steady(range(20, 30), 3), [], 29, OverallStatus.AHEAD, "3 points better"),
        ("needling", BASE + steady(range(20, 30), 4), [session(0)], 29, OverallStatus.AHEAD, "real improvement"),
        # On track.
        ("massage", BASE + steady(range(1, 10), 5), [], 10, OverallStatus.ON_TRACK, "Nothing is behind"),
        (
            "needling",
            BASE + steady(range(1, 5), 6) + [log(2, 6, needling_soreness=3)],
            [session(0)],
            5,
            OverallStatus.ON_TRACK,
            "Nothing is behind",
        ),  # soreness within 2 days of the session: expected
        (
            "needling",
            [*BASE, log(4, 6, needling_soreness=3), log(5, 6, needling_soreness=0)],
            [session(0)],
            6,
            OverallStatus.ON_TRACK,
            "Nothing",
        ),  # settled: the latest record is 0
        ("endoscopic", [], [], 0, OverallStatus.ON_TRACK, "No days logged yet"),  # started today, nothing logged
        ("open", [log(0, 7)], [], 0, OverallStatus.ON_TRACK, "Nothing is behind"),  # started today, logged
        ("massage", [log(-2, 6)], [], -1, OverallStatus.ON_TRACK, "starts on"),  # before day 0
        ("needling", BASE, [], 12, OverallStatus.ON_TRACK, "no day is logged in the past week"),
    ],
)
def test_it_gives_the_overall_status_and_a_plain_reason(kind, logs, sessions, on, status, words):
    rep = report(make_course(kind), logs=logs, sessions=sessions, on=on)
    assert rep.status == status, rep.reason
    assert words in rep.reason
    assert rep.reason.endswith(".")
    for jargon in ("baseline", "mean", "7-day", "milestone", "NRS"):
        assert jargon not in rep.reason


def test_it_puts_red_flag_before_worsening_before_behind():
    logs = BASE + steady(range(1, 50), 9, usual_activities="no") + [log(49, 9, rf_fever=True)]
    assert report(make_course("endoscopic"), logs=logs, on=49).status == OverallStatus.RED_FLAG
    logs = BASE + steady(range(1, 50), 9, usual_activities="no")
    assert report(make_course("endoscopic"), logs=logs, on=49).status == OverallStatus.WORSENING


def test_it_is_not_ahead_when_something_is_behind():
    # Improved pain but overdue back-to-activities: behind wins.
    logs = BASE + steady(range(1, 50), 2, usual_activities="no")
    rep = report(make_course("endoscopic"), logs=logs, on=50)
    assert rep.pain[0].improved
    assert rep.status == OverallStatus.BEHIND


def test_it_counts_whole_body_red_flags_from_any_foot_but_local_ones_only_from_a_treated_foot():
    assert (
        report(make_course(foot="left"), logs=[log(3, foot="right", rf_fever=True)], on=4).status
        == OverallStatus.RED_FLAG
    )
    assert (
        report(make_course(foot="left"), logs=[log(3, foot="right", rf_wound=True)], on=4).status
        != OverallStatus.RED_FLAG
    )
    assert report(make_course(foot="left"), logs=[log(3, foot="left", rf_wound=True)], on=4).red_flag_days == (day(3),)


def test_it_judges_both_feet_by_the_worst_foot():
    logs = steady(range(-3, 1), 6, "left") + steady(range(1, 8), 3, "left")  # left: much better
    logs += steady(range(-3, 1), 6, "right") + steady(range(1, 8), 9, "right")  # right: worse
    rep = report(make_course(foot="both"), logs=logs, on=7)
    assert [t.foot for t in rep.pain] == ["left", "right"]
    assert rep.status == OverallStatus.WORSENING
    assert rep.worst_foot == "right"
    assert "right foot" in rep.reason


def test_it_is_ahead_on_both_feet_only_when_both_improved():
    logs = steady(range(-3, 1), 6, "left") + steady(range(1, 8), 3, "left")
    logs += steady(range(-3, 1), 6, "right") + steady(range(1, 8), 5, "right")
    assert report(make_course(foot="both"), logs=logs, on=7).status == OverallStatus.ON_TRACK


def test_it_reports_no_improvement_only_for_conservative_courses_after_6_months():
    logs = BASE + steady(range(170, 190), 6)
    assert report(make_course("massage"), logs=logs, on=185).no_improvement_after_6_months
    assert not report(make_course("massage"), logs=logs, on=180).no_improvement_after_6_months  # 6 months is day 184
    assert not report(make_course("endoscopic"), logs=logs, on=185).no_improvement_after_6_months
    improved = BASE + steady(range(170, 190), 3)
    assert not report(make_course("needling"), logs=improved, on=185).no_improvement_after_6_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 2), 6, date(2026, 9, 2)),
    ],
)
def test_it_adds_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


# ---------------------------------------------------------------------------------------------------------
# Sessions, ended courses, several courses
# ---------------------------------------------------------------------------------------------------------


def test_it_counts_needling_sessions_against_planned_and_the_source():
    sessions = [session(0), session(7), session(14), session(30)]  # the last is after today
    rep = report(make_course("needling", planned=6), sessions=[*sessions, session(3, "other")], on=20)
    s = rep.sessions
    assert (s.done, s.planned, s.typical_low, s.typical_high) == (3, 6, 4, 6)
    assert s.citation.source == "002_fa29d4789d40a23d.txt:35"


def test_it_gives_massage_no_session_number():
    rep = report(make_course("massage"), sessions=[session(1, "massage"), session(2, "massage")], on=5)
    assert (rep.sessions.done, rep.sessions.typical_low, rep.sessions.typical_high) == (2, None, None)


@pytest.mark.parametrize(("status", "verb"), [("completed", "was completed"), ("stopped", "was stopped")])
def test_it_judges_an_ended_course_up_to_its_end(status, verb):
    course = make_course("endoscopic", status=status, ended_on=day(30))
    logs = BASE + steady(range(1, 31), 5) + steady(range(31, 60), 9)  # worse after the end: not this course's
    rep = report(course, logs=logs, on=60)
    assert rep.as_of == day(30)
    assert (rep.day, rep.week) == (30, 5)
    assert rep.pain[0].mean_7d == 5
    assert milestone(rep, "usual_activities").status == MilestoneStatus.NOT_YET_DUE  # not overdue at day 30
    assert rep.status == OverallStatus.ON_TRACK
    assert rep.reason.startswith(f"This course {verb} on 1 April 2026")
    assert rep.today == day(60)


def test_it_reports_several_courses_from_the_same_logs():
    logs = BASE + steady(range(1, 40), 5, usual_activities="partly")
    endoscopic = report(make_course("endoscopic", pk=1), logs=logs, on=45)
    massage = report(make_course("massage", pk=2, day_zero=day(10)), logs=logs, on=45)
    assert endoscopic.status == OverallStatus.BEHIND
    assert massage.day == 35
    assert massage.pain[0].baseline == 5  # days 3 to 10, around its own day 0


def test_it_serialises_to_json_ready_data():
    import json

    rep = report(make_course("needling", foot="both"), logs=BASE, sessions=[session(0)], on=3)
    data = rep.as_dict()
    json.dumps(data)
    assert data["status"] == "on_track"
    assert data["day_zero"] == D0.isoformat()


# ---------------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------------

FIELDS = st.fixed_dictionaries(
    {
        "usual_activities": st.sampled_from(["", "no", "partly", "yes", "yes"]),
        "weight_bearing": st.sampled_from(["", "none", "partial", "full", "full"]),
        "footwear": st.sampled_from(["", "cast", "boot", "postop", "supportive", "normal", "normal"]),
        "needling_soreness": st.one_of(st.none(), st.integers(0, 4)),
        "rf_fever": st.booleans(),
    }
)


@st.composite
def histories(draw):
    """A course, a few weeks of logs (gaps, both feet, days before day 0), sessions and a day to judge on."""
    kind = draw(st.sampled_from(["endoscopic", "open", "needling", "massage"]))
    foot = draw(st.sampled_from(["left", "right", "both"]))
    feet = ["left", "right"] if foot == "both" else [foot]
    improving = draw(st.booleans())  # half the histories drift down, so pain relief is often reached
    days = draw(st.sets(st.integers(-10, 60), max_size=30))
    logs = []
    for n in sorted(days):
        for f in feet:
            if len(feet) == 1 or draw(st.integers(0, 3)) > 0:
                noise = draw(st.integers(-1, 1))
                pain = max(0, min(10, (8 - n // 6 if improving else draw(st.integers(0, 10))) + noise))
                logs.append(log(n, pain, f, **draw(FIELDS)))
    sessions = [
        session(n, "needling" if kind == "needling" else "massage")
        for n in draw(st.sets(st.integers(0, 60), max_size=6))
    ]
    on = draw(st.one_of(st.just(65), st.integers(-2, 70)))
    return make_course(kind, foot), logs, sessions, on


@settings(max_examples=150, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_property_the_report_does_not_depend_on_the_order_of_the_logs(history, rnd):
    course, logs, sessions, on = history
    shuffled = list(logs)
    rnd.shuffle(shuffled)
    assert report(course, logs=shuffled, sessions=sessions, on=on) == report(
        course, logs=logs, sessions=sessions, on=on
    )


@settings(max_examples=150, deadline=None)
@given(histories(), st.data())
def test_property_a_gap_after_a_reached_day_never_changes_it(history, data):
    """Removing logs dated after the day a milestone was reached leaves that day (and status) unchanged.

    (Removing the reaching day itself, or a day before it, may of course change it: that is not claimed.)
    """
    course, logs, sessions, on = history
    before = report(course, logs=logs, sessions=sessions, on=on)
    for m in before.milestones:
        if m.reached_on is None:
            continue
        event(f"reached: {m.expectation.key}")
        later = [i for i, lg in enumerate(logs) if lg.date > m.reached_on]
        removed = data.draw(st.sets(st.sampled_from(later)) if later else st.just(set()))
        kept = [lg for i, lg in enumerate(logs) if i not in removed]
        after = milestone(report(course, logs=kept, sessions=sessions, on=on), m.expectation.key)
        assert after.reached_on == m.reached_on
        assert after.status == m.status


# ---------------------------------------------------------------------------------------------------------
# The reads (tracker.selectors.progress): a fixed number of queries
# ---------------------------------------------------------------------------------------------------------


def _patient_with_history(*, today: date, kind: str = "massage", n_days: int = 20):
    from tests.factories import CourseFactory, PatientFactory, SessionFactory

    patient = PatientFactory()
    CourseFactory(patient=patient, kind=kind, day_zero=today - timedelta(days=n_days))
    DailyLog.objects.bulk_create(
        [
            DailyLog(
                patient=patient,
                date=today - timedelta(days=i),
                recorded_on=today,
                foot="left",
                first_step_pain=5,
                average_pain=4,
            )
            for i in range(n_days)
        ]
    )
    SessionFactory(patient=patient, date=today - timedelta(days=3))
    return patient


@pytest.mark.django_db
@pytest.mark.parametrize("n_patients", [5, 50])
def test_it_reports_a_caseload_in_3_queries_whatever_its_size(django_assert_num_queries, n_patients):
    from tracker.selectors.progress import progress_data_for_patients, reports_from_data

    today = date(2026, 5, 1)
    ids = [_patient_with_history(today=today).pk for _ in range(n_patients)]
    # 1. the courses (with their patient), 2. the logs, 3. the sessions; the reports themselves run no query.
    with django_assert_num_queries(3):
        data = progress_data_for_patients(patient_ids=ids, until=today)
        reports = {pid: reports_from_data(item, today=today) for pid, item in data.items()}
    assert set(reports) == set(ids)
    assert all(len(r) == 1 and r[0].sessions.done == 1 for r in reports.values())


@pytest.mark.django_db
def test_the_caseload_judges_each_patient_on_their_own_date_in_4_queries(django_assert_num_queries, monkeypatch):
    from datetime import UTC, datetime

    from tests.factories import PatientFactory, PhysioFactory
    from tracker.models import CareTeamMembership
    from tracker.selectors.clinic import caseload_rows

    # 10:30 UTC on 15 June: 16 June on Kiritimati (UTC+14), 14 June in Pago Pago (UTC-11). A server date, a UTC
    # date or one patient's date used for all would give at least one of them the wrong day.
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 6, 15, 10, 30, tzinfo=UTC))
    east = _patient_with_history(today=date(2026, 6, 16))
    west = _patient_with_history(today=date(2026, 6, 14))
    for patient, zone in ((east, "Pacific/Kiritimati"), (west, "Pacific/Pago_Pago")):
        patient.time_zone = zone
        patient.save()
    no_course = PatientFactory()
    physio = PhysioFactory()
    for patient in (east, west, no_course):
        CareTeamMembership.objects.create(patient=patient, physio=physio)
    # The caseload: 1. the patients with their columns, then 2. to 4. the courses, the logs, the sessions.
    with django_assert_num_queries(4):
        rows = {row.patient.pk: row for row in caseload_rows(physio=physio)}
    assert rows[no_course.pk].reports == []
    assert rows[east.pk].reports[0].today == date(2026, 6, 16)
    assert rows[west.pk].reports[0].today == date(2026, 6, 14)
    assert rows[east.pk].reports[0].last_logged_on == date(2026, 6, 16)  # her log of today counts


@pytest.mark.django_db
def test_it_reports_a_patients_courses_active_first_in_3_queries(django_assert_num_queries, patient):
    from tests.factories import CourseFactory, DailyLogFactory, SessionFactory
    from tracker.selectors.progress import patient_reports

    today = date(2026, 5, 1)
    old = CourseFactory(
        patient=patient, kind="massage", day_zero=date(2026, 1, 1), status="completed", ended_on=date(2026, 2, 1)
    )
    needling = CourseFactory(patient=patient, kind="needling", planned_sessions=6, day_zero=date(2026, 4, 1))
    endoscopic = CourseFactory(patient=patient, kind="endoscopic", day_zero=date(2026, 3, 1))
    SessionFactory(patient=patient, needling=True, course=needling, date=date(2026, 4, 1))
    SessionFactory(patient=patient, needling=True, course=None, date=date(2026, 4, 8))  # unlinked: the needling course
    SessionFactory(patient=patient, date=date(2026, 1, 10))  # unlinked massage: the old massage course
    DailyLogFactory(patient=patient, date=date(2026, 4, 30), first_step_pain=3)
    DailyLogFactory(patient=patient, date=date(2026, 4, 29), foot="right", first_step_pain=3)
    with django_assert_num_queries(3):
        reports = patient_reports(patient=patient, today=today)
    assert [r.course_id for r in reports] == [needling.pk, endoscopic.pk, old.pk]
    assert reports[0].sessions.done == 2
    assert reports[2].sessions.done == 1
    assert reports[0].last_logged_on == date(2026, 4, 30)


def test_it_judges_no_improvement_before_the_course_starts():
    # Logs before day 0: the 7 days ending day -3 (days -9 to -3) average 2, the baseline's days (-7 to -3 so
    # far) average 6. Nothing has started, so nothing is "better than when you started".
    logs = [log(-9, 0), log(-8, 0), log(-5, 6)]
    rep = report(make_course("massage"), logs=logs, on=-3)
    assert rep.status == OverallStatus.ON_TRACK, rep.reason
    assert "starts on" in rep.reason


# ---------------------------------------------------------------------------------------------------------
# The clinician's sentence (caseload, clinic patient page, PDF): third person, terse, numbers and sources
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "logs", "sessions", "on", "expected"),
    [
        ("open", [*BASE, log(34, 4, rf_calf=True)], [], 35, "Red flag on 5 Apr: pain and swelling in one calf."),
        (
            "massage",
            [*BASE, log(9, 4, rf_breathless_chest=True)],
            [],
            10,
            "Red flag on 11 Mar: breathlessness or chest pain, a possible emergency.",
        ),
        (
            "massage",
            BASE + steady(range(1, 8), 8),
            [],
            7,
            "Worsening since 9 Mar: 7-day mean first-step pain 8/10, +2 from baseline 6.",
        ),
        (
            "needling",
            steady(range(-3, 1), 7) + steady(range(1, 4), 7),
            [],
            3,
            "First-step pain 7/10 or more on 3 or more days running since 2 Mar.",
        ),
        (
            "endoscopic",
            BASE + steady(range(1, 50), 5, usual_activities="partly"),
            [],
            50,
            "Back to usual activities expected 3 to 6 weeks after surgery (by day 42, 000:11); not yet logged.",
        ),
        (
            "open",
            BASE + steady(range(1, 23), 5, footwear="boot"),
            [],
            23,
            "Out of the cast or walking boot expected 2 to 3 weeks after surgery (by day 21, 000:13); not yet logged.",
        ),
        (
            "needling",
            BASE + steady(range(1, 6), 5) + [log(6, 5, needling_soreness=2)],
            [session(0), session(3)],
            6,
            "Needling soreness still reported more than 2 days after the session of 5 Mar (usually settles within a "
            "day or two, 002:36).",
        ),
        (
            "massage",
            BASE + steady(range(170, 190), 5),
            [],
            185,
            "No drop of 2 points or more in first-step pain 6 months after day 0: 7-day mean first-step pain 5/10, -1 "
            "from baseline 6 (surgery is considered after 6 to 12 months without relief, 000:19, 000:25).",
        ),
        (
            "endoscopic",
            BASE + steady([*range(1, 15), *range(16, 25)], 5) + [log(15, 5, usual_activities="yes")],
            [],
            25,
            "Back to usual activities reached early, on 17 Mar (day 15; expected 3 to 6 weeks after surgery, 000:11).",
        ),
        (
            "massage",
            BASE + steady(range(20, 30), 3),
            [],
            29,
            "Improved by 2 points or more: 7-day mean first-step pain 3/10, -3 from baseline 6.",
        ),
        (
            "massage",
            BASE + steady(range(1, 10), 5),
            [],
            10,
            "Nothing behind the sources; 7-day mean first-step pain 5/10, -1 from baseline 6.",
        ),
        ("endoscopic", [], [], 0, "No days logged yet."),
        ("massage", [log(-2, 6)], [], -1, "Course starts on 2 March 2026; nothing to judge yet."),
        ("needling", BASE, [], 12, "Nothing behind the sources; nothing logged in the past 7 days."),
    ],
)
def test_it_gives_the_care_team_a_terse_third_person_sentence(kind, logs, sessions, on, expected):
    rep = report(make_course(kind), logs=logs, sessions=sessions, on=on)
    assert rep.clinician_reason == expected
    assert rep.clinician_reason != rep.reason
    for second_person in ("You ", "you ", "your ", "Your "):
        assert second_person not in rep.clinician_reason


def test_it_names_the_foot_in_the_care_teams_sentence_when_both_are_treated():
    logs = steady(range(-3, 1), 6, "left") + steady(range(1, 8), 3, "left")
    logs += steady(range(-3, 1), 6, "right") + steady(range(1, 8), 9, "right")
    rep = report(make_course(foot="both"), logs=logs, on=7)
    assert (
        rep.clinician_reason
        == "Right foot: worsening since 7 Mar: 7-day mean first-step pain 9/10, +3 from baseline 6."
    )


def test_it_says_in_the_care_teams_sentence_that_a_course_has_ended():
    course = make_course("endoscopic", status="stopped", ended_on=day(30))
    rep = report(course, logs=BASE + steady(range(1, 31), 5), on=60)
    assert rep.clinician_reason == (
        "Course stopped on 1 April 2026; at that point: nothing behind the sources; 7-day mean first-step pain "
        "5/10, -1 from baseline 6."
    )
