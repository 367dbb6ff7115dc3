"""What the sources say recovery should look like, as cited data (DESIGN.md section 2).

Every expectation carries its citation: ``file:line`` in ../shared/sources/ with the source's own words,
copied verbatim (``tests/test_timelines.py`` checks each quote against its line), or a CLINICAL.md reference
with words copied from CLINICAL.md.

The rule for windows: a window (``window_start_day`` .. ``window_end_day``, days since day 0, inclusive) is
set only where the source gives a number. Where it gives words ("soon after surgery", "as soon as it is
comfortable", "longer", "a few sessions"), the window is None, the page shows the words, and nothing is
judged against it. No number here that the cited words do not contain.

Weeks become days as 7 days a week: "3 to 6 weeks" is day 21 to day 42.
"""

from __future__ import annotations

from tracker.models import CourseKind

from .report import Citation, Expectation

SURGERY_LEAFLET = "000_1e061efd59e99644.txt"
MASSAGE_ARTICLE = "001_30ee24981d7ad049.txt"
NEEDLING_ARTICLE = "002_fa29d4789d40a23d.txt"


def _cite(file: str, line: int, quote: str) -> Citation:
    return Citation(source=f"{file}:{line}", quote=quote)


# ---------------------------------------------------------------------------------------------------------
# Rules used by the calculation, with their sources
# ---------------------------------------------------------------------------------------------------------

# A change of 2 points or more in first-step pain on the 0 to 10 scale is meaningful (CLINICAL.md, "The
# product's rule", resting on Farrar 2001 and Landorf 2010).
MEANINGFUL_CHANGE_POINTS = 2
MEANINGFUL_CHANGE_CITATION = Citation(
    source="CLINICAL.md: Measuring pain (Farrar JT et al. Pain 2001; Landorf KB et al. J Foot Ankle Res 2010)",
    quote="a change of 2 points or more on the 0 to 10 scale (about 19 mm of 100) is a meaningful change in "
    "first-step pain",
)

# Needling: "4 to 6 sessions" (a count of sessions, not days).
NEEDLING_TYPICAL_SESSIONS = (4, 6)
NEEDLING_SESSIONS_CITATION = _cite(NEEDLING_ARTICLE, 35, "most patients require 4 to 6 sessions for optimal results")

# Needling soreness "usually subside[s] within a day or two": still reported more than 2 days after a session
# is lingering. Counted from each session's own date, so it is not a window since day 0.
NEEDLING_SORENESS_SETTLES_DAYS = 2
NEEDLING_SORENESS_CITATION = _cite(NEEDLING_ARTICLE, 36, "These sensations usually subside within a day or two")

# Conservative courses: surgery is considered after 6 to 12 months of home and nonsurgical treatment without
# relief. The calculation checks "no meaningful improvement" from 6 calendar months after day 0 (the start of
# the range: the earliest point at which the sources say the question arises).
NO_IMPROVEMENT_MONTHS = 6
NO_IMPROVEMENT_CITATION = _cite(
    SURGERY_LEAFLET,
    19,
    "your doctor may recommend surgery if you continue to have severe symptoms after 6 to 12 months of home and "
    "other nonsurgical treatment",
)

# Massage: stop and consult on pain or an adverse reaction.
MASSAGE_STOP_CITATION = _cite(MASSAGE_ARTICLE, 11, "discontinue use if you experience pain or adverse reactions")

# Massage sessions: "a few" is words, not a number.
MASSAGE_SESSIONS_CITATION = _cite(
    MASSAGE_ARTICLE,
    113,
    "many people notice reduced pain and improved mobility after a few fascia blasting sessions",
)


# ---------------------------------------------------------------------------------------------------------
# The expectations, per course kind
# ---------------------------------------------------------------------------------------------------------

ENDOSCOPIC: tuple[Expectation, ...] = (
    Expectation(
        key="limited_weight_bearing",
        kind=CourseKind.ENDOSCOPIC,
        title="Putting some weight on your foot",
        citation=_cite(SURGERY_LEAFLET, 11, "you may be able to do limited weight-bearing soon after surgery"),
        # "soon after surgery": words, no number.
    ),
    Expectation(
        key="full_weight_bearing",
        kind=CourseKind.ENDOSCOPIC,
        title="Walking with your full weight on your foot",
        citation=Citation(
            source="CLINICAL.md: Miyamoto W et al. Knee Surg Sports Traumatol Arthrosc 2018",
            quote="full weight-bearing at a mean of 40 days",
        ),
        # An average from one case series of 30 people is not a window: shown, not judged.
    ),
    Expectation(
        key="normal_shoes",
        kind=CourseKind.ENDOSCOPIC,
        title="Back in normal shoes",
        citation=_cite(
            SURGERY_LEAFLET, 11, "You may also begin wearing normal shoes again as soon as it is comfortable."
        ),
        # "as soon as it is comfortable": words, no number.
    ),
    Expectation(
        key="usual_activities",
        kind=CourseKind.ENDOSCOPIC,
        title="Back to your usual activities",
        citation=_cite(SURGERY_LEAFLET, 11, "Most people return to their normal activities in 3 to 6 weeks."),
        window_start_day=3 * 7,
        window_end_day=6 * 7,
        window_words="3 to 6 weeks after surgery",
    ),
    Expectation(
        key="full_activities_study",
        kind=CourseKind.ENDOSCOPIC,
        title="In one study, full activities came at 10 weeks on average",
        citation=Citation(
            source="CLINICAL.md: Miyamoto W et al. Knee Surg Sports Traumatol Arthrosc 2018",
            quote="full activities at a mean of 10 weeks",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="physical_therapy",
        kind=CourseKind.ENDOSCOPIC,
        title="Physical therapy may follow",
        citation=_cite(SURGERY_LEAFLET, 15, "Physical therapy may be recommended after surgery."),
        is_milestone=False,
    ),
)

OPEN: tuple[Expectation, ...] = (
    Expectation(
        key="out_of_cast_or_boot",
        kind=CourseKind.OPEN,
        title="Out of the cast or walking boot",
        citation=_cite(
            SURGERY_LEAFLET,
            13,
            "you may wear a non-weight-bearing cast or walking boot for 2 to 3 weeks after surgery",
        ),
        window_start_day=2 * 7,
        window_end_day=3 * 7,
        window_words="2 to 3 weeks after surgery",
    ),
    Expectation(
        key="usual_activities",
        kind=CourseKind.OPEN,
        title="Back to your usual activities",
        citation=_cite(
            SURGERY_LEAFLET, 13, "It will take longer to return to normal activities with this type of surgery."
        ),
        # "longer" (than endoscopic surgery's 3 to 6 weeks) gives no number: not judged.
    ),
    Expectation(
        key="physical_therapy",
        kind=CourseKind.OPEN,
        title="Physical therapy may follow",
        citation=_cite(SURGERY_LEAFLET, 15, "Physical therapy may be recommended after surgery."),
        is_milestone=False,
    ),
)


# Shared by both conservative kinds (needling and home massage).
def _conservative(kind: str) -> tuple[Expectation, ...]:
    return (
        Expectation(
            key="surgery_considered",
            kind=kind,
            title="If there is no relief after 6 to 12 months, your doctor may talk with you about surgery",
            citation=NO_IMPROVEMENT_CITATION,
            is_milestone=False,
            # Months, not days: the calculation counts calendar months from day 0 (see calculate.py).
            window_words="6 to 12 months after starting",
        ),
        Expectation(
            key="surgery_after_6_months",
            kind=kind,
            title="Surgery may be an option after at least 6 months of home treatment",
            citation=_cite(
                SURGERY_LEAFLET,
                25,
                "Plantar fascia release surgery may be an option if you have tried home treatment for at least 6 months.",
            ),
            is_milestone=False,
            window_words="at least 6 months after starting",
        ),
    )


NEEDLING: tuple[Expectation, ...] = (
    Expectation(
        key="pain_relief",
        kind=CourseKind.NEEDLING,
        title="Pain relief starting (first-step pain down by 2 points)",
        citation=_cite(
            NEEDLING_ARTICLE,
            44,
            "Most of the positive effects usually start to be felt towards the end of the first month of "
            "treatment and increase gradually over time.",
        ),
        # Deliberately no window. "Towards the end of the first month" names no first day ("towards"), and it
        # is when effects *start* to be felt, increasing "gradually over time" after: not the 2-point drop the
        # calculation can read off the logs. Turning it into "overdue at day 31" would judge patients against a
        # number the source does not give. The words are shown; nothing is judged.
    ),
    Expectation(
        key="relief_after_few_sessions",
        kind=CourseKind.NEEDLING,
        title="Many people feel relief after just a few sessions",
        citation=_cite(
            NEEDLING_ARTICLE,
            37,
            "Many patients experience noticeable relief and improved foot function after just a few sessions",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="sessions",
        kind=CourseKind.NEEDLING,
        title="Most people need 4 to 6 sessions of 15 to 30 minutes",
        citation=NEEDLING_SESSIONS_CITATION,
        is_milestone=False,
        window_words="4 to 6 sessions (a number of sessions, not a time)",
    ),
    Expectation(
        key="session_length",
        kind=CourseKind.NEEDLING,
        title="A session lasts 15 to 30 minutes",
        citation=_cite(NEEDLING_ARTICLE, 35, "Sessions typically last between 15 and 30 minutes"),
        is_milestone=False,
    ),
    Expectation(
        key="soreness_settles",
        kind=CourseKind.NEEDLING,
        title="Mild soreness, warmth or heaviness after a session settles within a day or two",
        citation=NEEDLING_SORENESS_CITATION,
        is_milestone=False,
        window_words="within a day or two of each session",
    ),
    Expectation(
        key="soreness_is_normal",
        kind=CourseKind.NEEDLING,
        title="Mild soreness, warmth or heaviness after a session is normal",
        citation=_cite(
            NEEDLING_ARTICLE, 36, "After treatment, it’s normal to feel mild soreness, warmth, or heaviness in the area"
        ),
        is_milestone=False,
    ),
    Expectation(
        key="bruising",
        kind=CourseKind.NEEDLING,
        title="Some mild soreness or bruising may follow a session",
        citation=_cite(NEEDLING_ARTICLE, 39, "some mild soreness or bruising may occur afterward"),
        is_milestone=False,
    ),
    Expectation(
        key="soreness_resolves_study",
        kind=CourseKind.NEEDLING,
        title="In studies, soreness after needling went within 24 to 48 hours",
        citation=Citation(
            source="CLINICAL.md: post-needling soreness, neck pain trials",
            quote="Post-needling soreness resolved within 24 to 48 hours",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="combined_therapies",
        kind=CourseKind.NEEDLING,
        title="Needling often goes with stretching exercises and shockwave therapy",
        citation=_cite(
            NEEDLING_ARTICLE,
            44,
            "dry needling commonly being accompanied by stretching exercises and shockwave therapy",
        ),
        is_milestone=False,
    ),
    *_conservative(CourseKind.NEEDLING),
)

MASSAGE: tuple[Expectation, ...] = (
    Expectation(
        key="pain_relief",
        kind=CourseKind.MASSAGE,
        title="Less pain after a few sessions (first-step pain down by 2 points)",
        citation=MASSAGE_SESSIONS_CITATION,
        # "a few": words, no number.
    ),
    Expectation(
        key="not_a_quick_fix",
        kind=CourseKind.MASSAGE,
        title="Recovery is not a quick fix",
        citation=_cite(MASSAGE_ARTICLE, 95, "plantar fasciitis recovery isn't a quick fix"),
        is_milestone=False,
    ),
    Expectation(
        key="persistence",
        kind=CourseKind.MASSAGE,
        title="Keep going if improvement is slow: it takes persistence",
        citation=_cite(
            MASSAGE_ARTICLE, 113, "Don't stop if you don't see improvement quickly because it takes persistence."
        ),
        is_milestone=False,
    ),
    Expectation(
        key="stop_on_pain",
        kind=CourseKind.MASSAGE,
        title="Stop and contact your care team if massage causes pain or a bad reaction",
        citation=MASSAGE_STOP_CITATION,
        is_milestone=False,
    ),
    Expectation(
        key="techniques",
        kind=CourseKind.MASSAGE,
        title="Techniques: fascia blasting, deep tissue massage, trigger point therapy, myofascial release, "
        "reflexology, gua sha",
        citation=_cite(
            MASSAGE_ARTICLE,
            53,
            "These are the most effective types of fascia massage that can help in the recovery process.",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="preparation",
        kind=CourseKind.MASSAGE,
        title="Prepare with a 5 to 10 minute warm soak, or light stretching",
        citation=_cite(MASSAGE_ARTICLE, 85, "Soak your feet in warm water for 5–10 minutes."),
        is_milestone=False,
    ),
    Expectation(
        key="strokes",
        kind=CourseKind.MASSAGE,
        title="Stroke the arch and heel, from the heel toward the toes",
        citation=_cite(MASSAGE_ARTICLE, 87, "starting from the heel and moving toward the toes"),
        is_milestone=False,
    ),
    Expectation(
        key="calf_and_achilles",
        kind=CourseKind.MASSAGE,
        title="Massage the calf and Achilles tendon too",
        citation=_cite(MASSAGE_ARTICLE, 89, "The calf muscles and Achilles tendon should not be overlooked as well."),
        is_milestone=False,
    ),
    *_conservative(CourseKind.MASSAGE),
)

# Rules that apply to every course kind (``kind`` is "" for "any kind").
GENERAL: tuple[Expectation, ...] = (
    Expectation(
        key="meaningful_change",
        kind="",
        title="A change of 2 points or more in first-step pain (0 to 10) is a real change",
        citation=MEANINGFUL_CHANGE_CITATION,
        is_milestone=False,
        window_words="2 points on the 0 to 10 scale",
    ),
)

_BY_KIND: dict[str, tuple[Expectation, ...]] = {
    CourseKind.ENDOSCOPIC: ENDOSCOPIC,
    CourseKind.OPEN: OPEN,
    CourseKind.NEEDLING: NEEDLING,
    CourseKind.MASSAGE: MASSAGE,
}

ALL_EXPECTATIONS: tuple[Expectation, ...] = (*ENDOSCOPIC, *OPEN, *NEEDLING, *MASSAGE, *GENERAL)

# Every citation the product uses, including the rules above that are not expectations of one kind.
ALL_CITATIONS: tuple[Citation, ...] = tuple(
    dict.fromkeys(
        [
            *(e.citation for e in ALL_EXPECTATIONS),
            NEEDLING_SESSIONS_CITATION,
            NEEDLING_SORENESS_CITATION,
            NO_IMPROVEMENT_CITATION,
            MASSAGE_STOP_CITATION,
            MASSAGE_SESSIONS_CITATION,
            MEANINGFUL_CHANGE_CITATION,
        ]
    )
)


def expectations_for(kind: str) -> tuple[Expectation, ...]:
    """The expectations for one course kind (a ``CourseKind`` value), in the order the page shows them.

    Raises ``KeyError`` for an unknown kind: a course of a kind with no timeline is a programming error.
    """
    return _BY_KIND[kind]


def milestones_for(kind: str) -> tuple[Expectation, ...]:
    """The expectations of one kind that something can reach (``is_milestone``)."""
    return tuple(e for e in expectations_for(kind) if e.is_milestone)


def window_in_words(expectation: Expectation) -> str:
    """The expected time in plain words, or a sentence saying the sources give none."""
    if expectation.window_words:
        return expectation.window_words
    if expectation.window_start_day is not None and expectation.window_end_day is not None:
        return f"days {expectation.window_start_day} to {expectation.window_end_day} after day 0"
    return "No time given: the source's words are shown, and nothing is judged against them"
