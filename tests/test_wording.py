"""The one wording module: patients read plain words with titles, the care team terse lines with references, and
an alert's message is the care team's line for the same finding."""

from __future__ import annotations

import re

import pytest

from tests.test_progress import (
    BASE,
    BEFORE,
    DOWN,
    NO_CHANGE,
    PEAK,
    SETTLED,
    STORIES,
    log,
    make_course,
    milestone,
    report,
    session,
    steady,
    weekly,
)
from tracker.progress import wording
from tracker.progress.report import Audience, FindingKind, MilestoneStatus
from tracker.services.alerts import course_alerts

JARGON = ("baseline", "mean", "7-day", "milestone", "NRS", "reference", "CLINICAL.md", ".txt", "000:", "001:", "002:")
FILE_REFERENCE = re.compile(r"\b00[0-2]:\d+")


def _story(kind: FindingKind):
    course_kind, logs, sessions, on, planned = STORIES[kind]
    return report(make_course(course_kind, planned=planned), logs=logs, sessions=sessions, on=on)


@pytest.mark.parametrize("kind", list(FindingKind))
def test_the_patient_reads_plain_words_without_file_names(kind):
    rep = _story(kind)
    reason = rep.reason
    assert reason.endswith(".") and reason[0].isupper()
    for word in JARGON:
        assert word not in reason, (kind, word, reason)
    for m in rep.milestones:
        for word in JARGON:
            assert word not in m.sentence, (kind, word, m.sentence)


@pytest.mark.parametrize("kind", list(FindingKind))
def test_the_care_team_reads_a_terse_third_person_line(kind):
    rep = _story(kind)
    line = rep.clinician_reason
    assert line.endswith(".")
    for second_person in ("You ", "you ", "your ", "Your "):
        assert second_person not in line, line
    assert line != rep.reason


def test_care_team_only_findings_are_never_the_patients_reason_but_are_the_care_teams():
    rep = _story(FindingKind.PERSISTENT_HIGH_PAIN)
    assert rep.first(FindingKind.PERSISTENT_HIGH_PAIN).audience == Audience.CARE_TEAM
    assert "7 or more" not in rep.reason and "Persistent" not in rep.reason
    assert "Persistent high pain" in rep.clinician_reason


@pytest.mark.parametrize(
    "kind",
    [
        k
        for k in FindingKind
        if k not in {FindingKind.IMPROVED, FindingKind.POST_OP_EXPECTED, FindingKind.MILESTONE_EARLY}
    ],
)
def test_an_alert_says_what_the_care_teams_page_says(kind):
    rep = _story(kind)
    if kind in {FindingKind.RED_FLAG, FindingKind.MASSAGE_ADVERSE}:
        pytest.skip("raised from the logs and sessions themselves, worded by finding_team: tests/test_alerts.py")
    [alert] = [a for a in course_alerts(patient_id=1, report=rep) if a.kind in {k.value for k in _alert_kinds(kind)}]
    finding = rep.first(kind)
    assert wording.finding_team(finding, rep) in alert.message


def _alert_kinds(kind):
    from tracker.services.alerts import _RAISED

    return {_RAISED[kind][0]}


def test_a_wound_concern_tells_the_patient_to_contact_the_care_team_and_names_the_signs():
    rep = _story(FindingKind.WOUND_CONCERN)
    assert "contact your care team today" in rep.reason
    assert "signs of infection" in rep.reason
    assert "Allina/Regina leaflets" in rep.clinician_reason and "000:33" in rep.clinician_reason


def test_later_than_most_people_with_the_case_series_figure_beside_it():
    rep = report(make_course("endoscopic"), logs=BASE + steady(range(1, 50), 3, usual_activities="partly"), on=50)
    m = milestone(rep, "usual_activities")
    assert m.status == MilestoneStatus.OVERDUE
    assert "later than most people" in m.sentence
    assert "In one study, people were back to full activities after 10 weeks on average" in m.sentence
    assert "Miyamoto" in m.sentence
    assert "later than most people" in rep.reason


def test_a_study_figure_is_shown_as_reported_in_one_study_never_next_to_no_expected_time():
    rep = report(make_course("endoscopic"), logs=BASE + steady(range(1, 10), 5), on=10)
    m = milestone(rep, "full_weight_bearing")
    assert "In one study, people walked with their full weight after 40 days on average" in m.sentence
    assert "no expected time" not in m.sentence.lower()
    assert "no expected time" not in m.status.label.lower()


def test_a_protective_period_ended_early_asks_to_check_the_surgeons_plan():
    rep = _story(FindingKind.PROTECTION_ENDED_EARLY)
    m = milestone(rep, "out_of_cast_or_boot")
    assert "surgeon's plan" in m.sentence
    assert "surgeon's plan" in rep.reason
    assert "ahead" not in rep.reason.lower()


def test_the_needling_response_review_names_sessions_weeks_and_sources():
    rep = report(make_course("needling", planned=6), logs=NO_CHANGE, sessions=weekly(6), on=49)
    assert "6 needling sessions" in rep.reason and "7 weeks" in rep.reason and "end of the first month" in rep.reason
    assert (
        "002:35" in rep.clinician_reason
        and "002:44" in rep.clinician_reason
        and "Cotchett 2014" in rep.clinician_reason
    )


def test_the_expected_post_operative_peak_is_worded_as_expected():
    rep = report(make_course("endoscopic"), logs=BEFORE + PEAK, on=5)
    assert "expected" in rep.reason
    falling = report(make_course("endoscopic"), logs=BEFORE + PEAK + DOWN[:5], on=10)
    assert "coming down" in falling.reason


def test_an_ended_course_says_so():
    course = make_course("endoscopic", status="stopped", ended_on=log(30).date)
    rep = report(course, logs=BEFORE + steady(range(1, 31), 5), on=60)
    assert rep.reason.startswith("This course was stopped on 1 April 2026")
    assert rep.clinician_reason.startswith("Course stopped on 1 April 2026")


@pytest.mark.parametrize(("value", "text"), [(None, "–"), (2.0, "2"), (1.25, "1.2"), (6.75, "6.8"), (0.04, "0")])
def test_numbers_read_as_people_write_them(value, text):
    assert wording.score(value) == text


def test_soreness_after_a_session_is_never_told_to_the_patient_as_worsening():
    rep = report(make_course("needling"), logs=[*BEFORE, log(1, 9), log(2, 9), log(3, 5)], sessions=[session(0)], on=3)
    assert "worse" not in rep.reason


def test_settled_then_rising_names_the_settled_level():
    rep = report(make_course("open"), logs=BEFORE + PEAK + DOWN + SETTLED + steady(range(24, 31), 6), on=30)
    assert "3 it had settled at after surgery" in rep.reason
    assert "settled post-op level 3" in rep.clinician_reason
