"""What the sources say recovery should look like, as cited data (DESIGN.md section 2), and every other
citation the product shows.

Every citation is a ``Citation`` object built here: a line of one of the three source documents in
../shared/sources/ with the source's own words, copied verbatim, or a reference listed in CLINICAL.md with words
copied from CLINICAL.md (``tests/test_timelines.py`` checks each quote against its line or against CLINICAL.md).
No source reference is written as a string anywhere else in the code: the findings carry these objects, and
``tracker.progress.wording`` shows them ("Farrar et al., Pain 2001" for a patient, "000:11" for the care team).

The rule for windows: a window (``window_start_day`` .. ``window_end_day``, days since day 0, inclusive) is
set only where the source gives a number. Where it gives words ("soon after surgery", "as soon as it is
comfortable", "longer", "a few sessions"), the window is None, the page shows the words, and nothing is
judged against it. No number here that the cited words do not contain. Where the leaflet gives no time but a
study in CLINICAL.md gives a figure, the figure is shown as "reported in one study" (``ReportedFigure``) and
still nothing is judged against it.

Weeks become days as 7 days a week: "3 to 6 weeks" is day 21 to day 42.
"""

from __future__ import annotations

from tracker.models import CourseKind

from .report import Citation, DocumentKind, Expectation, MilestoneKind, ReportedFigure, SourceDocument

# ---------------------------------------------------------------------------------------------------------
# The documents
# ---------------------------------------------------------------------------------------------------------

SURGERY_LEAFLET_DOC = SourceDocument(
    key="surgery-leaflet",
    title="Plantar fascia release, patient leaflet",
    publisher="Healthwise, 2023",
    kind=DocumentKind.SOURCE,
    file="000_1e061efd59e99644.txt",
)
MASSAGE_ARTICLE_DOC = SourceDocument(
    key="massage-article",
    title="Fascia massage for plantar fasciitis, article",
    publisher="KOAPRO",
    kind=DocumentKind.SOURCE,
    file="001_30ee24981d7ad049.txt",
)
NEEDLING_ARTICLE_DOC = SourceDocument(
    key="needling-article",
    title="Dry needling for plantar fasciitis, clinic article",
    publisher="Leaside Sports Medicine",
    kind=DocumentKind.SOURCE,
    file="002_fa29d4789d40a23d.txt",
)


CLINICAL_REFERENCE_FILE = "CLINICAL.md"  # the product's clinical reference, beside the source documents


def _study(key: str, title: str, publisher: str, reference: str, section: str, short: str) -> SourceDocument:
    return SourceDocument(
        key=key,
        title=title,
        publisher=publisher,
        kind=DocumentKind.STUDY,
        file=CLINICAL_REFERENCE_FILE,
        reference=reference,
        clinical_section=section,
        short=short,
    )


PAIN = "Measuring pain"
TIMELINES = "Timelines reported beyond the source documents"
RED_FLAGS = "Red flags: contact the care team"
QUESTIONNAIRES = "Questionnaires"

LANDORF_2010 = _study(
    "landorf-2010",
    "Landorf et al., J Foot Ankle Res 2010",
    "J Foot Ankle Res, 2010",
    "Landorf KB, Radford JA, Hudson S. J Foot Ankle Res 2010;3:7",
    PAIN,
    "Landorf 2010",
)
FARRAR_2001 = _study(
    "farrar-2001", "Farrar et al., Pain 2001", "Pain, 2001", "Farrar JT et al. Pain 2001", PAIN, "Farrar 2001"
)
SALAFFI_2004 = _study(
    "salaffi-2004",
    "Salaffi et al., Eur J Pain 2004",
    "Eur J Pain, 2004",
    "Salaffi F et al. Eur J Pain 2004",
    PAIN,
    "Salaffi 2004",
)
JAAOS_2008 = _study(
    "jaaos-2008",
    "Plantar fasciitis: evaluation and treatment, J Am Acad Orthop Surg 2008",
    "J Am Acad Orthop Surg, 2008",
    'J Am Acad Orthop Surg 2008, "Plantar Fasciitis: Evaluation and Treatment"',
    TIMELINES,
    "JAAOS 2008",
)
MIYAMOTO_2018 = _study(
    "miyamoto-2018",
    "Miyamoto et al., Knee Surg Sports Traumatol Arthrosc 2018",
    "Knee Surg Sports Traumatol Arthrosc, 2018",
    "Miyamoto W et al. Knee Surg Sports Traumatol Arthrosc 2018",
    TIMELINES,
    "Miyamoto 2018",
)
COTCHETT_2014 = _study(
    "cotchett-2014",
    "Cotchett et al., Phys Ther 2014",
    "Phys Ther, 2014",
    "Cotchett MP, Munteanu SE, Landorf KB. Phys Ther 2014",
    TIMELINES,
    "Cotchett 2014",
)
NECK_PAIN_TRIALS = _study(
    "needling-neck-trials",
    "Dry needling trials in neck pain",
    "trials listed in the clinical reference",
    "post-needling soreness, neck pain trials",
    TIMELINES,
    "neck pain trials",
)
INFECTION_LEAFLETS = _study(
    "infection-leaflets",
    "Foot surgery leaflets (Allina Health; Regina Qu'Appelle Health Region)",
    "patient education leaflets",
    "Allina Health; Regina Qu'Appelle Health Region foot surgery leaflets",
    RED_FLAGS,
    "Allina/Regina leaflets",
)

MARTIN_2005 = _study(
    "martin-2005",
    "Foot and Ankle Ability Measure (FAAM): Martin et al., Foot Ankle Int 2005",
    "Foot Ankle Int, 2005",
    "Martin RL et al. Foot Ankle Int 2005;26(11):968-83, doi:10.1177/107110070502601113",
    QUESTIONNAIRES,
    "Martin 2005",
)
STRATFORD_1995 = _study(
    "stratford-1995",
    "Patient-Specific Functional Scale (PSFS): Stratford et al., Physiotherapy Canada 1995",
    "Physiotherapy Canada, 1995",
    "Stratford P et al. Physiotherapy Canada 1995;47:258-63",
    QUESTIONNAIRES,
    "Stratford 1995",
)

DOCUMENTS: tuple[SourceDocument, ...] = (
    SURGERY_LEAFLET_DOC,
    MASSAGE_ARTICLE_DOC,
    NEEDLING_ARTICLE_DOC,
    FARRAR_2001,
    LANDORF_2010,
    SALAFFI_2004,
    JAAOS_2008,
    MIYAMOTO_2018,
    COTCHETT_2014,
    NECK_PAIN_TRIALS,
    INFECTION_LEAFLETS,
    MARTIN_2005,
    STRATFORD_1995,
)

# File names, for the sources page's table of files (the care team's small print cites them).
SURGERY_LEAFLET = SURGERY_LEAFLET_DOC.file
MASSAGE_ARTICLE = MASSAGE_ARTICLE_DOC.file
NEEDLING_ARTICLE = NEEDLING_ARTICLE_DOC.file


def _cite(document: SourceDocument, line: int, quote: str) -> Citation:
    return Citation(document=document, line=line, quote=quote)


def _clinical(document: SourceDocument, quote: str) -> Citation:
    return Citation(document=document, quote=quote)


# ---------------------------------------------------------------------------------------------------------
# Rules used by the calculation, with their sources
# ---------------------------------------------------------------------------------------------------------

# A change of 2 points or more in first-step pain on the 0 to 10 scale is meaningful (CLINICAL.md, "The
# product's rule", resting on Farrar 2001 and Landorf 2010).
MEANINGFUL_CHANGE_POINTS = 2
MEANINGFUL_CHANGE_CITATION = _clinical(
    FARRAR_2001,
    "0 to 10 numeric rating scale, chronic pain: a drop of about 2 points or about 30 % is clinically important",
)
FIRST_STEP_MID_CITATION = _clinical(
    LANDORF_2010, "Minimal important difference on a 100 mm VAS: 19 mm for first-step pain"
)

# The smallest change that counts at all: 1 point (Salaffi 2004). Used only to say pain is *rising* (not yet a
# meaningful rise) when swelling or redness is reported on top of it after surgery.
MINIMAL_CHANGE_POINTS = 1
MINIMAL_CHANGE_CITATION = _clinical(SALAFFI_2004, "1 point or 15 % is the minimal change")

# After surgery: increasing pain near the incision and increasing redness, warmth or swelling are signs of
# infection (CLINICAL.md, red flags); the leaflet names delayed wound healing and infection as risks (000:33-34).
INFECTION_SIGNS_CITATION = _clinical(
    INFECTION_LEAFLETS, "increasing redness, warmth or swelling; increasing pain near the incision"
)
WOUND_HEALING_RISK_CITATION = _cite(SURGERY_LEAFLET_DOC, 33, "Delayed wound healing.")
INFECTION_RISK_CITATION = _cite(SURGERY_LEAFLET_DOC, 34, "Infection.")
WOUND_CONCERN_CITATIONS = (INFECTION_SIGNS_CITATION, WOUND_HEALING_RISK_CITATION, INFECTION_RISK_CITATION)

# Needling: "4 to 6 sessions" (a count of sessions, not days).
NEEDLING_TYPICAL_SESSIONS = (4, 6)
NEEDLING_SESSIONS_CITATION = _cite(
    NEEDLING_ARTICLE_DOC, 35, "most patients require 4 to 6 sessions for optimal results"
)
SESSION_LENGTH_CITATION = _cite(NEEDLING_ARTICLE_DOC, 35, "Sessions typically last between 15 and 30 minutes")

# Needling soreness "usually subside[s] within a day or two": the 2 days after each session are when soreness is
# expected. Those days neither form a reference nor count towards worsening, and soreness still reported after
# them is lingering.
NEEDLING_SORENESS_SETTLES_DAYS = 2
NEEDLING_SORENESS_CITATION = _cite(NEEDLING_ARTICLE_DOC, 36, "These sensations usually subside within a day or two")
NEEDLING_SORENESS_STUDY_CITATION = _clinical(NECK_PAIN_TRIALS, "Post-needling soreness resolved within 24 to 48 hours")

# Needling response: effects are felt "towards the end of the first month" (002:44, words), and the trial's
# primary endpoint is at 6 weeks (Cotchett 2014): once the planned sessions are done and 6 weeks have passed
# since the first, a course with no meaningful improvement is reviewed.
NEEDLING_EFFECT_CITATION = _cite(
    NEEDLING_ARTICLE_DOC,
    44,
    "Most of the positive effects usually start to be felt towards the end of the first month of treatment and "
    "increase gradually over time.",
)
NEEDLING_TRIAL_WEEKS = 6
NEEDLING_TRIAL_CITATION = _clinical(COTCHETT_2014, "one session a week for 6 weeks, primary endpoint at 6 weeks")
NEEDLING_RESPONSE_CITATIONS = (NEEDLING_SESSIONS_CITATION, NEEDLING_EFFECT_CITATION, NEEDLING_TRIAL_CITATION)

# Conservative courses: surgery is considered after 6 to 12 months of home and nonsurgical treatment without
# relief. The calculation checks "no meaningful improvement" from 6 calendar months after day 0 (the start of
# the range: the earliest point at which the sources say the question arises).
NO_IMPROVEMENT_MONTHS = 6
NO_IMPROVEMENT_CITATION = _cite(
    SURGERY_LEAFLET_DOC,
    19,
    "your doctor may recommend surgery if you continue to have severe symptoms after 6 to 12 months of home and "
    "other nonsurgical treatment",
)
SURGERY_AFTER_6_MONTHS_CITATION = _cite(
    SURGERY_LEAFLET_DOC,
    25,
    "Plantar fascia release surgery may be an option if you have tried home treatment for at least 6 months.",
)

# Massage: prepare with a warm soak or light stretching.
MASSAGE_PREPARATION_CITATION = _cite(MASSAGE_ARTICLE_DOC, 85, "Soak your feet in warm water for 5–10 minutes.")
# Massage: the article's caution, quoted in full to a patient who reports an adverse reaction.
MASSAGE_CAUTION_CITATION = _cite(
    MASSAGE_ARTICLE_DOC,
    11,
    "Always listen to your body, and discontinue use if you experience pain or adverse reactions.",
)

# Massage: stop and consult on pain or an adverse reaction.
MASSAGE_STOP_CITATION = _cite(MASSAGE_ARTICLE_DOC, 11, "discontinue use if you experience pain or adverse reactions")

# Massage sessions: "a few" is words, not a number.
MASSAGE_SESSIONS_CITATION = _cite(
    MASSAGE_ARTICLE_DOC,
    113,
    "many people notice reduced pain and improved mobility after a few fascia blasting sessions",
)

# Red flags (critical alerts): the patient education materials CLINICAL.md lists.
RED_FLAG_CITATION = INFECTION_SIGNS_CITATION

# Endoscopic release: "Most people return to their normal activities in 3 to 6 weeks" (000:11) is the experience
# of most people, not a deadline; the case series' mean is shown beside it.
ENDOSCOPIC_USUAL_ACTIVITIES_CITATION = _cite(
    SURGERY_LEAFLET_DOC, 11, "Most people return to their normal activities in 3 to 6 weeks."
)
FULL_ACTIVITIES_STUDY = ReportedFigure(
    words="full activities at a mean of 10 weeks",
    plain="people were back to full activities after 10 weeks on average",
    day=10 * 7,
    citation=_clinical(MIYAMOTO_2018, "full activities at a mean of 10 weeks"),
)
FULL_WEIGHT_BEARING_STUDY = ReportedFigure(
    words="full weight-bearing at a mean of 40 days",
    plain="people walked with their full weight after 40 days on average",
    day=40,
    citation=_clinical(MIYAMOTO_2018, "full weight-bearing at a mean of 40 days"),
)
CAST_CITATION = _cite(
    SURGERY_LEAFLET_DOC,
    13,
    "you may wear a non-weight-bearing cast or walking boot for 2 to 3 weeks after surgery to allow tissues to heal",
)

# After surgery: the tissues heal over the first 2 to 3 weeks (000:13). Until then high pain that comes down is
# the expected course; after it, high pain that stays is persistent, and pain meaningfully worse than before the
# surgery is one of the leaflet's risks ("symptoms could get worse after surgery", 000:36).
HEALING_DAYS = 3 * 7
HEALING_CITATION = CAST_CITATION
WORSE_AFTER_SURGERY_CITATION = _cite(
    SURGERY_LEAFLET_DOC, 36, "Possibility that symptoms could get worse after surgery (rare)."
)
RECURRING_PAIN_CITATION = _cite(SURGERY_LEAFLET_DOC, 31, "Recurring heel pain.")
# After endoscopic release most people are back to their normal activities by 6 weeks (000:11): pain then no
# better than before the surgery is reviewed, and a later rise is recurring heel pain rather than the wound.
NORMAL_ACTIVITIES_BY_DAY = 6 * 7


# ---------------------------------------------------------------------------------------------------------
# The expectations, per course kind
# ---------------------------------------------------------------------------------------------------------

PHYSICAL_THERAPY_CITATION = _cite(SURGERY_LEAFLET_DOC, 15, "Physical therapy may be recommended after surgery.")

ENDOSCOPIC: tuple[Expectation, ...] = (
    Expectation(
        key="limited_weight_bearing",
        kind=CourseKind.ENDOSCOPIC,
        title="Putting some weight on your foot",
        citation=_cite(SURGERY_LEAFLET_DOC, 11, "you may be able to do limited weight-bearing soon after surgery"),
        # "soon after surgery": words, no number.
    ),
    Expectation(
        key="full_weight_bearing",
        kind=CourseKind.ENDOSCOPIC,
        title="Walking with your full weight on your foot",
        citation=FULL_WEIGHT_BEARING_STUDY.citation,
        # The leaflet gives no time; an average from one case series of 30 people is shown, never judged.
        reported=FULL_WEIGHT_BEARING_STUDY,
    ),
    Expectation(
        key="normal_shoes",
        kind=CourseKind.ENDOSCOPIC,
        title="Back in normal shoes",
        citation=_cite(
            SURGERY_LEAFLET_DOC, 11, "You may also begin wearing normal shoes again as soon as it is comfortable."
        ),
        # "as soon as it is comfortable": words, no number.
    ),
    Expectation(
        key="usual_activities",
        kind=CourseKind.ENDOSCOPIC,
        title="Back to your usual activities",
        citation=ENDOSCOPIC_USUAL_ACTIVITIES_CITATION,
        window_start_day=3 * 7,
        window_end_day=6 * 7,
        window_words="3 to 6 weeks after surgery",
        # "Most people": past the window is "later than most people", with the case series' mean beside it.
        reported=FULL_ACTIVITIES_STUDY,
    ),
    Expectation(
        key="physical_therapy",
        kind=CourseKind.ENDOSCOPIC,
        title="Physical therapy may follow",
        citation=PHYSICAL_THERAPY_CITATION,
        is_milestone=False,
    ),
)

OPEN: tuple[Expectation, ...] = (
    Expectation(
        key="out_of_cast_or_boot",
        kind=CourseKind.OPEN,
        title="Out of the cast or walking boot",
        citation=CAST_CITATION,
        window_start_day=2 * 7,
        window_end_day=3 * 7,
        window_words="2 to 3 weeks after surgery",
        # A protective period ("to allow tissues to heal"): ending it before 2 weeks is a question for the care
        # team, never "ahead"; still in it after 3 weeks (or after the surgeon's planned date) is overdue.
        milestone_kind=MilestoneKind.PROTECTION,
    ),
    Expectation(
        key="usual_activities",
        kind=CourseKind.OPEN,
        title="Back to your usual activities",
        citation=_cite(
            SURGERY_LEAFLET_DOC, 13, "It will take longer to return to normal activities with this type of surgery."
        ),
        # "longer" (than endoscopic surgery's 3 to 6 weeks) gives no number: not judged.
    ),
    Expectation(
        key="physical_therapy",
        kind=CourseKind.OPEN,
        title="Physical therapy may follow",
        citation=PHYSICAL_THERAPY_CITATION,
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
            citation=SURGERY_AFTER_6_MONTHS_CITATION,
            is_milestone=False,
            window_words="at least 6 months after starting",
        ),
    )


NEEDLING: tuple[Expectation, ...] = (
    Expectation(
        key="pain_relief",
        kind=CourseKind.NEEDLING,
        title="Pain relief starting (first-step pain down by 2 points)",
        citation=NEEDLING_EFFECT_CITATION,
        # Deliberately no window. "Towards the end of the first month" names no first day ("towards"), and it is
        # when effects *start* to be felt, increasing "gradually over time" after: not the 2-point drop the
        # calculation reads off the logs. The response is reviewed instead once the planned sessions are done and
        # 6 weeks have passed since the first (NEEDLING_RESPONSE_CITATIONS).
    ),
    Expectation(
        key="relief_after_few_sessions",
        kind=CourseKind.NEEDLING,
        title="Many people feel relief after just a few sessions",
        citation=_cite(
            NEEDLING_ARTICLE_DOC,
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
        citation=SESSION_LENGTH_CITATION,
        is_milestone=False,
    ),
    Expectation(
        key="response_review",
        kind=CourseKind.NEEDLING,
        title="If pain has not come down once the planned sessions are done and 6 weeks have passed, your care team "
        "reviews the plan",
        citation=NEEDLING_TRIAL_CITATION,
        is_milestone=False,
        window_words="after the planned sessions, and at least 6 weeks after the first",
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
            NEEDLING_ARTICLE_DOC,
            36,
            "After treatment, it’s normal to feel mild soreness, warmth, or heaviness in the area",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="bruising",
        kind=CourseKind.NEEDLING,
        title="Some mild soreness or bruising may follow a session",
        citation=_cite(NEEDLING_ARTICLE_DOC, 39, "some mild soreness or bruising may occur afterward"),
        is_milestone=False,
    ),
    Expectation(
        key="soreness_resolves_study",
        kind=CourseKind.NEEDLING,
        title="In neck pain trials, soreness after needling went within 24 to 48 hours",
        citation=NEEDLING_SORENESS_STUDY_CITATION,
        is_milestone=False,
    ),
    Expectation(
        key="combined_therapies",
        kind=CourseKind.NEEDLING,
        title="Needling often goes with stretching exercises and shockwave therapy",
        citation=_cite(
            NEEDLING_ARTICLE_DOC,
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
        citation=_cite(MASSAGE_ARTICLE_DOC, 95, "plantar fasciitis recovery isn't a quick fix"),
        is_milestone=False,
    ),
    Expectation(
        key="persistence",
        kind=CourseKind.MASSAGE,
        title="Keep going if improvement is slow: it takes persistence",
        citation=_cite(
            MASSAGE_ARTICLE_DOC, 113, "Don't stop if you don't see improvement quickly because it takes persistence."
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
            MASSAGE_ARTICLE_DOC,
            53,
            "These are the most effective types of fascia massage that can help in the recovery process.",
        ),
        is_milestone=False,
    ),
    Expectation(
        key="preparation",
        kind=CourseKind.MASSAGE,
        title="Prepare with a 5 to 10 minute warm soak, or light stretching",
        citation=MASSAGE_PREPARATION_CITATION,
        is_milestone=False,
    ),
    Expectation(
        key="strokes",
        kind=CourseKind.MASSAGE,
        title="Stroke the arch and heel, from the heel toward the toes",
        citation=_cite(MASSAGE_ARTICLE_DOC, 87, "starting from the heel and moving toward the toes"),
        is_milestone=False,
    ),
    Expectation(
        key="calf_and_achilles",
        kind=CourseKind.MASSAGE,
        title="Massage the calf and Achilles tendon too",
        citation=_cite(
            MASSAGE_ARTICLE_DOC, 89, "The calf muscles and Achilles tendon should not be overlooked as well."
        ),
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
    Expectation(
        key="first_step_difference",
        kind="",
        title="For first-step pain, about 19 points out of 100 (2 out of 10) is the smallest difference that matters",
        citation=FIRST_STEP_MID_CITATION,
        is_milestone=False,
    ),
    Expectation(
        key="minimal_change",
        kind="",
        title="A change of 1 point is the smallest change that counts at all",
        citation=MINIMAL_CHANGE_CITATION,
        is_milestone=False,
        window_words="1 point on the 0 to 10 scale",
    ),
    Expectation(
        key="wound_signs",
        kind="",
        title="After surgery, increasing pain, redness, warmth or swelling near the wound: contact your care team",
        citation=INFECTION_SIGNS_CITATION,
        is_milestone=False,
    ),
)

_BY_KIND: dict[str, tuple[Expectation, ...]] = {
    CourseKind.ENDOSCOPIC: ENDOSCOPIC,
    CourseKind.OPEN: OPEN,
    CourseKind.NEEDLING: NEEDLING,
    CourseKind.MASSAGE: MASSAGE,
}

# ---------------------------------------------------------------------------------------------------------
# Questionnaires (issue 13; CLINICAL.md, "Questionnaires"): tracker.progress.questionnaires scores and reads them
# ---------------------------------------------------------------------------------------------------------

FAAM_SCORE_CITATION = _clinical(MARTIN_2005, "subscale score = sum / (items answered x 4) x 100, higher is better")
# At least 90 % of a subscale's items answered: 19 of the 21 ADL items, 7 of the 8 sports items.
FAAM_MIN_ANSWERED = {"adl": 19, "sports": 7}
FAAM_MIN_ANSWERED_CITATION = _clinical(
    MARTIN_2005, "a subscale is scored only when at least 90 % of its items are answered (19 of 21, 7 of 8)"
)
# Minimal clinically important difference: a change of at least this many points is a real change.
FAAM_ADL_MCID = 8
FAAM_SPORTS_MCID = 9
FAAM_MCID_CITATION = _clinical(MARTIN_2005, "Minimal clinically important difference 8 points (ADL) and 9 (sports)")
PSFS_MAX_ACTIVITIES = 3
PSFS_SCORE_CITATION = _clinical(
    STRATFORD_1995,
    "the patient names up to 3 activities they find hard and rates each 0 (unable) to 10 (as before); score = mean",
)
# Minimal detectable change: the smallest change beyond measurement error.
PSFS_MEAN_MDC = 2
PSFS_ACTIVITY_MDC = 3
PSFS_MDC_CITATION = _clinical(STRATFORD_1995, "Minimal detectable change 2 points for the mean, 3 for one activity.")
QUESTIONNAIRE_CITATIONS = (
    FAAM_SCORE_CITATION,
    FAAM_MIN_ANSWERED_CITATION,
    FAAM_MCID_CITATION,
    PSFS_SCORE_CITATION,
    PSFS_MDC_CITATION,
)

ALL_EXPECTATIONS: tuple[Expectation, ...] = (*ENDOSCOPIC, *OPEN, *NEEDLING, *MASSAGE, *GENERAL)

# Every citation the product uses: the expectations', the rules' and the findings'. The citation tests check each.
ALL_CITATIONS: tuple[Citation, ...] = tuple(
    dict.fromkeys(
        [
            *(e.citation for e in ALL_EXPECTATIONS),
            *(e.reported.citation for e in ALL_EXPECTATIONS if e.reported),
            MEANINGFUL_CHANGE_CITATION,
            FIRST_STEP_MID_CITATION,
            MINIMAL_CHANGE_CITATION,
            *WOUND_CONCERN_CITATIONS,
            NEEDLING_SESSIONS_CITATION,
            NEEDLING_SORENESS_CITATION,
            NEEDLING_SORENESS_STUDY_CITATION,
            *NEEDLING_RESPONSE_CITATIONS,
            NO_IMPROVEMENT_CITATION,
            SURGERY_AFTER_6_MONTHS_CITATION,
            MASSAGE_STOP_CITATION,
            MASSAGE_CAUTION_CITATION,
            MASSAGE_PREPARATION_CITATION,
            SESSION_LENGTH_CITATION,
            MASSAGE_SESSIONS_CITATION,
            ENDOSCOPIC_USUAL_ACTIVITIES_CITATION,
            CAST_CITATION,
            WORSE_AFTER_SURGERY_CITATION,
            RECURRING_PAIN_CITATION,
            RED_FLAG_CITATION,
            *QUESTIONNAIRE_CITATIONS,
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
