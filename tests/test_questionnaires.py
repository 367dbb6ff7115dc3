"""The validated questionnaires' pure rules (issue 13): FAAM and PSFS scores, changes against their
thresholds, the status rule and the schedule. No database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.progress.questionnaires import (
    FAAM_ADL_ITEMS,
    FAAM_ANSWERS,
    FAAM_SPORTS_ITEMS,
    CourseDates,
    Direction,
    Measure,
    Occasion,
    Subscale,
    faam_scores,
    faam_subscale_score,
    item_text,
    meaningful_declines,
    measure_reading,
    psfs_score,
    questionnaire_due,
    report_with_function,
    score_change,
    status_with_function,
    subscale_of_item,
)
from tracker.progress.report import FunctionChange, OverallStatus
from tracker.progress.timelines import FAAM_MCID_CITATION, QUESTIONNAIRE_CITATIONS
from tracker.progress.wording import function_change_sentence, function_change_team

D0 = date(2026, 3, 2)


# --- The instrument -------------------------------------------------------------------------------------


def test_it_has_the_published_items_and_answers():
    assert len(FAAM_ADL_ITEMS) == 21 and len(FAAM_SPORTS_ITEMS) == 8
    assert FAAM_ADL_ITEMS[:4] == (
        "Standing",
        "Walking on even ground",
        "Walking on even ground without shoes",
        "Walking up hills",
    )
    assert FAAM_SPORTS_ITEMS[:2] == ("Running", "Jumping")
    assert [label for _, label in FAAM_ANSWERS] == [
        "No difficulty at all",
        "Slight difficulty",
        "Moderate difficulty",
        "Extreme difficulty",
        "Unable to do",
    ]
    assert [value for value, _ in FAAM_ANSWERS] == [4, 3, 2, 1, 0]


def test_it_numbers_items_across_the_two_subscales():
    assert subscale_of_item(1) == Subscale.ADL and item_text(1) == "Standing"
    assert subscale_of_item(21) == Subscale.ADL
    assert subscale_of_item(22) == Subscale.SPORTS and item_text(22) == "Running"
    with pytest.raises(ValueError, match="numbered 1 to 29"):
        subscale_of_item(30)


# --- FAAM scores ------------------------------------------------------------------------------------------


def test_it_scores_a_worked_example():
    # 21 answered: 10 x 4, 6 x 3, 5 x 2 = 40 + 18 + 10 = 68 of 84 -> 80.95
    result = faam_subscale_score(Subscale.ADL, [4] * 10 + [3] * 6 + [2] * 5)
    assert result.score == pytest.approx(68 / 84 * 100)
    assert result.score is not None and round(result.score, 1) == 81.0
    assert result.answered == 21 and result.not_applicable == 0


def test_it_leaves_not_applicable_items_out_of_the_score():
    # 19 answered, all "slight difficulty" (3), 2 N/A: 57 / 76 = 75, not 57 / 84
    result = faam_subscale_score(Subscale.ADL, [3] * 19 + [None, None])
    assert result.score == pytest.approx(75.0)
    assert result.answered == 19 and result.not_applicable == 2


def test_it_scores_adl_at_19_answered_and_not_at_18():
    assert faam_subscale_score(Subscale.ADL, [4] * 19).score == 100
    at_18 = faam_subscale_score(Subscale.ADL, [4] * 18 + [None] * 3)
    assert at_18.score is None and not at_18.scorable


def test_it_scores_sports_at_7_answered_and_not_at_6():
    assert faam_subscale_score(Subscale.SPORTS, [2] * 7).score == 50
    assert faam_subscale_score(Subscale.SPORTS, [2] * 6 + [None, None]).score is None


def test_an_all_not_applicable_subscale_cannot_be_scored():
    assert faam_subscale_score(Subscale.SPORTS, [None] * 8).score is None


def test_an_all_unable_subscale_scores_zero():
    assert faam_subscale_score(Subscale.SPORTS, [0] * 8).score == 0


def test_it_refuses_an_answer_out_of_range_or_too_many_answers():
    with pytest.raises(ValueError, match="0 to 4"):
        faam_subscale_score(Subscale.SPORTS, [5] * 8)
    with pytest.raises(ValueError, match="9 answers for 8 items"):
        faam_subscale_score(Subscale.SPORTS, [4] * 9)


def test_it_splits_a_response_into_its_subscales():
    answers = dict.fromkeys(range(1, 22), 4) | dict.fromkeys(range(22, 30), 0)
    scores = faam_scores(answers)
    assert scores[Subscale.ADL].score == 100 and scores[Subscale.SPORTS].score == 0


@given(
    st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=0, max_size=21),
    st.randoms(use_true_random=False),
)
def test_the_score_does_not_depend_on_the_order_of_the_answers(answers, random):
    shuffled = list(answers)
    random.shuffle(shuffled)
    assert faam_subscale_score(Subscale.ADL, answers) == faam_subscale_score(Subscale.ADL, shuffled)


@given(st.dictionaries(st.integers(1, 29), st.one_of(st.none(), st.integers(0, 4))))
def test_a_scored_subscale_is_between_0_and_100_and_needs_90_percent(answers):
    for result in faam_scores(answers).values():
        if result.score is not None:
            assert 0 <= result.score <= 100
            assert result.answered >= (19 if result.subscale == Subscale.ADL else 7)


# --- PSFS -------------------------------------------------------------------------------------------------


def test_psfs_is_the_mean_of_up_to_3_ratings():
    assert psfs_score([3, 5, 7]) == 5
    assert psfs_score([4, 5]) == 4.5
    assert psfs_score([]) is None
    with pytest.raises(ValueError, match="up to 3 activities"):
        psfs_score([1, 2, 3, 4])
    with pytest.raises(ValueError, match="0 to 10"):
        psfs_score([11])


# --- Changes against the thresholds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "before", "after", "direction"),
    [
        (Measure.FAAM_ADL, 52.0, 59.9, Direction.NO_REAL_CHANGE),  # just under the MCID of 8
        (Measure.FAAM_ADL, 52.0, 60.0, Direction.BETTER),  # just at it
        (Measure.FAAM_ADL, 60.0, 52.0, Direction.WORSE),
        (Measure.FAAM_SPORTS, 40.0, 48.9, Direction.NO_REAL_CHANGE),  # sports: 9
        (Measure.FAAM_SPORTS, 40.0, 49.0, Direction.BETTER),
        (Measure.PSFS, 4.0, 5.9, Direction.NO_REAL_CHANGE),  # the mean: MDC 2
        (Measure.PSFS, 4.0, 6.0, Direction.BETTER),
        (Measure.PSFS, 6.0, 4.0, Direction.WORSE),
        (Measure.PSFS_ACTIVITY, 4.0, 6.0, Direction.NO_REAL_CHANGE),  # one activity: MDC 3
        (Measure.PSFS_ACTIVITY, 4.0, 7.0, Direction.BETTER),
    ],
)
def test_a_change_is_meaningful_only_at_or_beyond_its_threshold(measure, before, after, direction):
    change = score_change(measure, (D0, before), (D0 + timedelta(days=14), after))
    assert change.direction == direction


def test_fractional_faam_scores_at_exactly_8_points_count():
    # 44 / 84 and 44 / 84 + 8 points: floating point must not make it 7.999999
    before = 44 / 84 * 100
    change = score_change(Measure.FAAM_ADL, (D0, before), (D0 + timedelta(days=14), before + 8))
    assert change.meaningful


def test_it_reads_the_latest_against_the_baseline_and_the_previous_score():
    reading = measure_reading(
        Measure.FAAM_ADL, [(D0 + timedelta(days=14), 58.0), (D0, 52.0), (D0 + timedelta(days=28), 71.0)]
    )
    assert reading.since_baseline is not None and reading.since_previous is not None
    assert reading.since_baseline.earlier == 52 and reading.since_baseline.direction == Direction.BETTER
    assert reading.since_previous.earlier == 58 and reading.since_previous.direction == Direction.BETTER
    assert measure_reading(Measure.FAAM_ADL, [(D0, 52.0)]).since_baseline is None


def test_a_meaningful_decline_is_found_once_per_measure():
    falling = measure_reading(Measure.FAAM_ADL, [(D0, 70.0), (D0 + timedelta(days=14), 60.0)])
    steady = measure_reading(Measure.PSFS, [(D0, 5.0), (D0 + timedelta(days=14), 4.0)])
    [decline] = meaningful_declines([falling, steady])
    assert decline.measure == Measure.FAAM_ADL and decline.change == -10


# --- The status rule --------------------------------------------------------------------------------------


def test_a_meaningful_decline_is_never_ahead():
    decline = score_change(Measure.FAAM_ADL, (D0, 70.0), (D0 + timedelta(days=14), 60.0))
    assert status_with_function(OverallStatus.AHEAD, [decline]) == OverallStatus.ON_TRACK
    assert status_with_function(OverallStatus.AHEAD, []) == OverallStatus.AHEAD
    # It never makes a status better, nor is it on its own worsening or behind.
    for status in (OverallStatus.WORSENING, OverallStatus.BEHIND, OverallStatus.ON_TRACK, OverallStatus.RED_FLAG):
        assert status_with_function(status, [decline]) == status


# --- Words ------------------------------------------------------------------------------------------------


def test_the_patient_reads_the_change_with_its_threshold():
    change = score_change(Measure.FAAM_ADL, (D0, 52.4), (D0 + timedelta(days=28), 71.4))
    finding = FunctionChange(change=change, against="baseline", citations=(FAAM_MCID_CITATION,))
    assert function_change_sentence(finding) == (
        "Your daily activities score went from 52 to 71 out of 100 since your first questionnaire: "
        "a real improvement (8 points or more is one)."
    )
    assert function_change_team(change) == "FAAM ADL 52 → 71 (+19; MCID 8) since baseline 2 Mar: better."


def test_a_small_change_is_no_real_change_in_words():
    change = score_change(Measure.PSFS, (D0, 4.0), (D0 + timedelta(days=14), 5.5))
    sentence = function_change_sentence(FunctionChange(change=change, against="previous"))
    assert "from 4 to 5.5 out of 10 since the last time: no real change yet (2 points or more is one)" in sentence


def test_every_questionnaire_threshold_is_cited():
    quotes = " ".join(c.quote for c in QUESTIONNAIRE_CITATIONS)
    for words in ("8 points (ADL) and 9 (sports)", "19 of 21, 7 of 8", "2 points for the mean, 3 for one activity"):
        assert words in quotes


# --- The schedule -----------------------------------------------------------------------------------------


def _due(today, *, done=(), requested=(), ended_on=None):
    return questionnaire_due(
        courses=[CourseDates(day_zero=D0, ended_on=ended_on)], completed_on=done, requested_on=requested, today=today
    )


def test_nothing_is_due_more_than_7_days_before_day_0():
    assert _due(D0 - timedelta(days=8)) is None


def test_the_baseline_is_due_from_7_days_before_day_0():
    due = _due(D0 - timedelta(days=7))
    assert due.occasion == Occasion.BASELINE


def test_a_baseline_answered_before_day_0_answers_day_0():
    assert _due(D0, done=[D0 - timedelta(days=7)]) is None
    assert _due(D0, done=[D0 - timedelta(days=8)]).occasion == Occasion.BASELINE


def test_it_is_due_every_2_weeks_while_the_course_is_active():
    done = [D0]
    assert _due(D0 + timedelta(days=13), done=done) is None
    due = _due(D0 + timedelta(days=14), done=done)
    assert due == type(due)(Occasion.FOLLOW_UP, D0 + timedelta(days=14))
    assert _due(D0 + timedelta(days=20), done=[*done, D0 + timedelta(days=15)]) is None
    assert _due(D0 + timedelta(days=28), done=[*done, D0 + timedelta(days=15)]).since == D0 + timedelta(days=28)


def test_it_is_due_when_the_course_ends_and_then_no_more():
    ended = D0 + timedelta(days=20)
    done = [D0, D0 + timedelta(days=14)]
    assert _due(ended, done=done, ended_on=ended).occasion == Occasion.END
    assert _due(ended + timedelta(days=13), done=done, ended_on=ended).occasion == Occasion.END
    assert _due(ended + timedelta(days=14), done=done, ended_on=ended) is None
    assert _due(ended + timedelta(days=1), done=[*done, ended], ended_on=ended) is None


def test_a_physiotherapists_request_makes_it_due_until_answered():
    done = [D0]
    asked = D0 + timedelta(days=5)
    assert _due(asked, done=done, requested=[asked]).occasion == Occasion.REQUESTED
    assert _due(asked + timedelta(days=2), done=[*done, asked + timedelta(days=1)], requested=[asked]) is None


def test_with_no_course_only_a_request_makes_it_due():
    assert questionnaire_due(courses=[], completed_on=[], requested_on=[], today=D0) is None
    due = questionnaire_due(courses=[], completed_on=[], requested_on=[D0], today=D0)
    assert due is not None and due.occasion == Occasion.REQUESTED


def test_an_ahead_course_with_a_meaningful_decline_reads_on_track():
    from tests.test_progress import BEFORE, make_course, report, steady

    ahead = report(
        make_course("endoscopic"),
        logs=BEFORE + steady(range(1, 15), 5) + steady(range(15, 25), 4, usual_activities="yes"),
        on=25,
    )
    assert ahead.status == OverallStatus.AHEAD
    decline = score_change(Measure.FAAM_SPORTS, (D0, 60.0), (D0 + timedelta(days=14), 50.0))
    capped = report_with_function(ahead, [decline])
    assert capped.status == OverallStatus.ON_TRACK and capped.decided_by is None
    assert "Nothing is behind" in capped.reason
    # A decline from before this course (older than its baseline window) does not count.
    old = score_change(Measure.FAAM_SPORTS, (D0 - timedelta(days=60), 60.0), (D0 - timedelta(days=30), 50.0))
    assert report_with_function(ahead, [old]) is ahead
    assert report_with_function(ahead, []) is ahead
