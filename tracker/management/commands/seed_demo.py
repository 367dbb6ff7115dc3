"""Load the demo clinic: a physiotherapist, an admin and four patients with weeks of realistic logs.

Idempotent (a second run adds nothing), and refuses to run with DEBUG off so it can never touch a real
clinic's database. Dates are relative to today, so the demo always looks current.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import (
    ActivityLevel,
    CareTeamMembership,
    ClinicalNote,
    Course,
    CourseFoot,
    CourseKind,
    DailyLog,
    FaamAnswer,
    Foot,
    Footwear,
    MassageTechnique,
    MassageTool,
    OtherSessionKind,
    Preparation,
    PsfsActivity,
    PsfsRating,
    QuestionnaireKind,
    QuestionnaireResponse,
    Role,
    Session,
    SessionKind,
    SurgeryKind,
    User,
    UsualActivities,
    WeightBearing,
)
from tracker.progress.questionnaires import EVERY_DAYS
from tracker.services.alerts import alerts_raise_for_patient
from tracker.services.questionnaires import function_alerts_raise
from tracker.services.second_factor import DEMO_TOTP_SECRET, TOTP_DIGITS, secret_hex

DEMO_PASSWORD = "recover-demo"  # noqa: S105 - published demo credential, DEBUG only

STAFF = [
    # username, first, last, role
    ("physio", "Priya", "Shah", Role.PHYSIO),
    ("admin", "Adam", "Okafor", Role.ADMIN),
]
PATIENTS = [
    # username, first, last, what the demo shows
    ("endoscopic", "Elena", "Marsh", "seven weeks after endoscopic release, not yet back to usual activities: behind"),
    (
        "open",
        "Oscar",
        "Lind",
        "five weeks after open release, ticked pain and swelling in one calf yesterday: red flag",
    ),
    ("needling", "Nadia", "Costa", "five of six dry needling sessions, first-step pain clearly down: on track"),
    ("massage", "Marco", "Rossi", "six weeks of a home massage routine, slowly improving: on track"),
    ("recent", "Rosa", "Bell", "three days after endoscopic release, in the expected pain peak: on track"),
    ("early", "Emil", "Novak", "four weeks after endoscopic release, back to usual activities on day 18: ahead"),
    (
        "wound",
        "Will",
        "Kerr",
        "four weeks after open release, pain settled then rising again with swelling: worsening (wound check)",
    ),
]
SIGN_INS = [u for u, *_ in STAFF] + [u for u, *_ in PATIENTS]


class Command(BaseCommand):
    help = "Load demo accounts and data (DEBUG only). Safe to run twice: existing demo data is left alone."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it must never write demo data into a real clinic.")
        created = seed(today=timezone.localdate())
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present: nothing added.")
        self.stdout.write(f"Demo sign-ins ({', '.join(SIGN_INS)}), all with the password {DEMO_PASSWORD!r}.")
        staff = ", ".join(u for u, *_ in STAFF)
        now = totp(bytes.fromhex(secret_hex(DEMO_TOTP_SECRET)), digits=TOTP_DIGITS)
        self.stdout.write(
            f"Staff ({staff}) also enter a code: add the key {DEMO_TOTP_SECRET} to an authenticator app "
            f"(time-based, 6 digits), or run `oathtool --totp -b {DEMO_TOTP_SECRET}`. The code right now is "
            f"{now:0{TOTP_DIGITS}d}. The demo key works only with DEBUG on."
        )


@transaction.atomic
def seed(*, today: date) -> bool:
    """Create the demo clinic. Returns False (and writes nothing) if it is already there."""
    if User.objects.filter(username="physio").exists():
        return False
    staff = {}
    for username, first, last, role in STAFF:
        staff[username] = _user(username, first, last, role)
        _demo_authenticator(staff[username])
    rng = random.Random(20261121)
    builders = {
        "endoscopic": _endoscopic_behind,
        "open": _open_with_red_flag,
        "needling": _needling_improving,
        "massage": _massage_routine,
        "recent": _post_op_peak,
        "early": _back_early,
        "wound": _rising_after_settling,
    }
    physio = staff["physio"]
    for username, first, last, _ in PATIENTS:
        patient = _user(username, first, last, Role.PATIENT)
        CareTeamMembership.objects.create(patient=patient, physio=physio, created_by=staff["admin"])
        builders[username](patient=patient, physio=physio, today=today, rng=rng)
        _questionnaires(patient=patient, today=today, story=FUNCTION_STORIES[username])
        # Raise what the rules raise, as saving these logs through the app would have.
        alerts_raise_for_patient(patient=patient, today=today)
        function_alerts_raise(patient=patient)
    return True


# Each demo patient's function scores (issue 13), consistent with their pain story: FAAM ADL and sports (0 to 100)
# and the PSFS activities' ratings (0 to 10), at the baseline and at the latest questionnaire, in between by a
# straight line. The needling patient's ADL gain (52 to 76) is well past the 8-point MCID; the wound patient's
# last ADL score falls back 11 points with their pain, past it the other way (a medium alert).
FUNCTION_STORIES: dict[str, dict] = {
    "endoscopic": {"adl": (45, 56), "sports": (19, 25), "psfs": {"Walking to work": (3, 5), "Stairs": (3, 4)}},
    "open": {"adl": (38, 46), "sports": (9, 16), "psfs": {"Standing at work": (2, 4)}},
    "needling": {"adl": (52, 76), "sports": (31, 53), "psfs": {"Morning walk": (3, 7), "Running": (1, 4)}},
    "massage": {"adl": (64, 68), "sports": (41, 44), "psfs": {"Walking the dog": (5, 6)}},
    "recent": {"adl": (55, 55), "sports": (34, 34), "psfs": {"Walking to the shops": (4, 4)}},
    "early": {"adl": (58, 88), "sports": (28, 63), "psfs": {"Tennis": (2, 7), "Walking to work": (4, 9)}},
    "wound": {"adl": (44, 54, 43), "sports": (16, 22, 16), "psfs": {"Gardening": (3, 5, 3)}},
}


def _faam_items(score: float, items: int) -> list[int]:
    """Answers 0 to 4 for ``items`` items whose score (sum / (items x 4) x 100) is as close to ``score`` as can be."""
    total = round(score / 100 * items * 4)
    return [total // items + (1 if i < total % items else 0) for i in range(items)]


def _along(points: tuple, n: int, count: int) -> float:
    """The value of response ``n`` of ``count`` along a story's points: (start, end) in a straight line, or
    (start, peak, end): up to the peak over all but the last response, then the end."""
    if count == 1:
        return points[0]
    if len(points) == 2:
        return points[0] + (points[1] - points[0]) * n / (count - 1)
    if n == count - 1:
        return points[2]
    return points[0] + (points[1] - points[0]) * (n / (count - 2) if count > 2 else 0)


def _questionnaires(*, patient: User, today: date, story: dict) -> None:
    """The FAAM and PSFS on the days the schedule asked for them so far: a baseline 2 days before day 0 (or on
    day 0 when the course began today or yesterday), then every 14 days while the course is active."""
    course = Course.objects.filter(patient=patient).order_by("day_zero").first()
    if course is None:
        return
    days = [max(course.day_zero - timedelta(days=2), min(course.day_zero, today))]
    follow_up = course.day_zero + timedelta(days=EVERY_DAYS)
    while follow_up <= today:
        days.append(follow_up)
        follow_up += timedelta(days=EVERY_DAYS)
    activities = {name: PsfsActivity.objects.create(patient=patient, name=name) for name in story["psfs"]}
    for n, day in enumerate(days):
        faam = QuestionnaireResponse.objects.create(
            patient=patient, kind=QuestionnaireKind.FAAM, date=day, course=course, completed=True
        )
        answers = _faam_items(_along(story["adl"], n, len(days)), 21) + _faam_items(
            _along(story["sports"], n, len(days)), 8
        )
        FaamAnswer.objects.bulk_create(
            [FaamAnswer(response=faam, item=i, answer=a) for i, a in enumerate(answers, start=1)]
        )
        psfs = QuestionnaireResponse.objects.create(
            patient=patient, kind=QuestionnaireKind.PSFS, date=day, course=course, completed=True
        )
        PsfsRating.objects.bulk_create(
            [
                PsfsRating(response=psfs, activity=activities[name], rating=round(_along(points, n, len(days))))
                for name, points in story["psfs"].items()
            ]
        )


def _user(username: str, first: str, last: str, role: str) -> User:
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@demo.example",
        role=role,
        time_zone=settings.TIME_ZONE,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _demo_authenticator(user: User) -> None:
    """The published demo key (printed by the command), so the demo staff can pass the second factor."""
    TOTPDevice.objects.create(
        user=user, name="Demo authenticator", key=secret_hex(DEMO_TOTP_SECRET), digits=TOTP_DIGITS, confirmed=True
    )
    user.second_factor_enabled = True
    user.save(update_fields=["second_factor_enabled"])


def _pain(rng: random.Random, start: float, end: float, progress: float) -> int:
    """A noisy line from ``start`` to ``end`` (0 to 10) at ``progress`` (0 to 1)."""
    value = start + (end - start) * progress + rng.uniform(-0.8, 0.8)
    return max(0, min(10, round(value)))


def _log(patient, day: date, foot: str, first: int, **fields) -> DailyLog:
    fields.setdefault("average_pain", max(0, first - 1))
    fields.setdefault("activity_level", ActivityLevel.LIGHT)
    return DailyLog.objects.create(
        patient=patient,
        date=day,
        foot=foot,
        recorded_on=day,
        first_step_pain=first,
        sym_morning_pain=first >= 3,
        **fields,
    )


_SURGERY_KINDS: dict[str, SurgeryKind] = {
    CourseKind.ENDOSCOPIC: SurgeryKind.ENDOSCOPIC,
    CourseKind.OPEN: SurgeryKind.OPEN,
}


def _surgery(*, patient, physio, kind: str, foot: str, day: date, **session) -> Course:
    """A surgery course (``kind`` endoscopic or open; day 0 the surgery's day) and the surgery itself."""
    course = Course.objects.create(patient=patient, kind=kind, foot=foot, day_zero=day, created_by=physio)
    Session.objects.create(
        patient=patient,
        course=course,
        kind=SessionKind.SURGERY,
        date=day,
        surgery_kind=_SURGERY_KINDS[kind],
        foot=foot,
        **session,
    )
    return course


def _endoscopic_behind(*, patient, physio, today, rng):
    # Day 49 of an endoscopic release; most people are back to usual activities by week 6 (000:11).
    day_zero = today - timedelta(days=49)
    course = _surgery(patient=patient, physio=physio, kind=CourseKind.ENDOSCOPIC, foot=CourseFoot.RIGHT, day=day_zero)
    for offset in range(-5, 50):
        if offset in (12, 13, 30):  # a few missed days
            continue
        day = day_zero + timedelta(days=offset)
        progress = max(0, offset) / 49
        _log(
            patient,
            day,
            Foot.RIGHT,
            _pain(rng, 7, 4.5, progress),
            weight_bearing=WeightBearing.NONE
            if offset < 3
            else WeightBearing.PARTIAL
            if offset < 21
            else WeightBearing.FULL,
            footwear=Footwear.POSTOP if offset < 21 else Footwear.SUPPORTIVE,
            usual_activities=UsualActivities.NO if offset < 25 else UsualActivities.PARTLY,
            minutes_on_feet=min(240, 20 + offset * 4),
            sym_after_inactivity=True,
        )
    for week in (1, 3, 5):
        Session.objects.create(
            patient=patient,
            course=course,
            kind=SessionKind.OTHER,
            date=day_zero + timedelta(days=week * 7),
            other_kind=OtherSessionKind.PHYSIO_VISIT,
            note="Physical therapy visit.",
        )
    ClinicalNote.objects.create(
        patient=patient,
        author=physio,
        text="Still only partly back to usual activities at week 6. Review gait and loading plan.",
    )


def _open_with_red_flag(*, patient, physio, today, rng):
    # Day 35 of an open release: cast or boot for 2 to 3 weeks (000:13).
    day_zero = today - timedelta(days=35)
    _surgery(
        patient=patient,
        physio=physio,
        kind=CourseKind.OPEN,
        foot=CourseFoot.LEFT,
        day=day_zero,
        immobilised_until=day_zero + timedelta(days=18),
    )
    for offset in range(-4, 36):
        day = day_zero + timedelta(days=offset)
        log = _log(
            patient,
            day,
            Foot.LEFT,
            _pain(rng, 7, 4, max(0, offset) / 35),
            weight_bearing=WeightBearing.NONE if offset < 19 else WeightBearing.PARTIAL,
            footwear=Footwear.CAST if offset < 19 else Footwear.BOOT if offset < 28 else Footwear.SUPPORTIVE,
            usual_activities=UsualActivities.NO,
            activity_level=ActivityLevel.REST,
        )
        if offset == 34:
            # Yesterday, logged in the morning, then edited in the evening: pain and swelling in one calf. The
            # care team sees the day as edited, with the earlier values (edit history).
            log.rf_calf = True
            log.first_step_pain = min(10, log.first_step_pain + 1)
            log.note = "Left calf sore and a bit swollen since this afternoon."
            log._history_user = patient  # type: ignore[attr-defined]
            log.save()


def _needling_improving(*, patient, physio, today, rng):
    # Needling: 4 to 6 sessions of 15 to 30 minutes (002:35); soreness for a day or two after (002:36).
    day_zero = today - timedelta(days=30)
    course = Course.objects.create(
        patient=patient,
        kind=CourseKind.NEEDLING,
        foot=CourseFoot.BOTH,
        day_zero=day_zero,
        planned_sessions=6,
        created_by=physio,
    )
    session_days = [0, 7, 14, 21, 28]
    for offset in session_days:
        Session.objects.create(
            patient=patient,
            course=course,
            kind=SessionKind.NEEDLING,
            date=day_zero + timedelta(days=offset),
            minutes=rng.choice([20, 25, 30]),
            sites=["calf", "heel"],
            twitch_response=True,
            soreness_after=rng.randint(2, 4),
            performed_by=physio,
        )
    for offset in range(-7, 31):
        day = day_zero + timedelta(days=offset)
        since_session = min((offset - s for s in session_days if offset - s >= 0), default=None)
        sore = since_session is not None and since_session in (1, 2)
        for foot, start in ((Foot.LEFT, 7), (Foot.RIGHT, 5)):
            _log(
                patient,
                day,
                foot,
                _pain(rng, start, start - 3.5, max(0, offset) / 30),
                usual_activities=UsualActivities.PARTLY if offset < 20 else UsualActivities.YES,
                needling_soreness=rng.randint(1, 3) if sore else None,
                bruising=(since_session == 1) if sore else None,
                sym_eases_with_movement=True,
            )
    Session.objects.create(
        patient=patient,
        course=course,
        kind=SessionKind.OTHER,
        date=day_zero + timedelta(days=3),
        other_kind=OtherSessionKind.STRETCHING,
        minutes=15,
    )


def _massage_routine(*, patient, physio, today, rng):
    # Home massage: relief after a few sessions, not a quick fix (001:95, 001:113).
    day_zero = today - timedelta(days=42)
    course = Course.objects.create(
        patient=patient, kind=CourseKind.MASSAGE, foot=CourseFoot.LEFT, day_zero=day_zero, created_by=physio
    )
    for offset in range(-3, 43):
        day = day_zero + timedelta(days=offset)
        if offset in (9, 10, 26):
            continue
        _log(
            patient,
            day,
            Foot.LEFT,
            _pain(rng, 6, 4.8, max(0, offset) / 42),  # slowly down, not yet by 2 points: on track
            usual_activities=UsualActivities.PARTLY if offset < 30 else UsualActivities.YES,
            sym_after_exercise=True,
        )
        if offset >= 0 and offset % 2 == 0:
            Session.objects.create(
                patient=patient,
                course=course,
                kind=SessionKind.MASSAGE,
                date=day,
                technique=rng.choice(
                    [MassageTechnique.MYOFASCIAL, MassageTechnique.TRIGGER_POINT, MassageTechnique.GUA_SHA]
                ),
                tool=rng.choice([MassageTool.BALL, MassageTool.HANDS, MassageTool.GUA_SHA_TOOL]),
                minutes=rng.choice([10, 15]),
                areas=["heel", "arch", "calf"],
                preparation=rng.choice([Preparation.WARM_SOAK, Preparation.STRETCHING]),
                discomfort=rng.randint(1, 3),
            )


def _post_op_peak(*, patient, physio, today, rng):
    # Day 3 of an endoscopic release: first-step pain higher than before surgery, as expected after it.
    day_zero = today - timedelta(days=3)
    _surgery(patient=patient, physio=physio, kind=CourseKind.ENDOSCOPIC, foot=CourseFoot.LEFT, day=day_zero)
    for offset in range(-6, 4):
        day = day_zero + timedelta(days=offset)
        if offset <= 0:
            _log(patient, day, Foot.LEFT, _pain(rng, 5, 5, 0), usual_activities=UsualActivities.PARTLY)
        else:
            _log(
                patient,
                day,
                Foot.LEFT,
                _pain(rng, 8, 7, offset / 3),
                weight_bearing=WeightBearing.PARTIAL,
                footwear=Footwear.POSTOP,
                usual_activities=UsualActivities.NO,
                activity_level=ActivityLevel.REST,
                sym_swelling_redness=True,  # swelling just after surgery is not, on its own, a warning sign
            )


def _rising_after_settling(*, patient, physio, today, rng):
    # Day 30 of an open release: the peak, down to about 3 by the third week, then rising again with swelling
    # (CLINICAL.md: increasing pain, redness, warmth or swelling near the incision are signs of infection).
    day_zero = today - timedelta(days=30)
    _surgery(
        patient=patient,
        physio=physio,
        kind=CourseKind.OPEN,
        foot=CourseFoot.RIGHT,
        day=day_zero,
        immobilised_until=day_zero + timedelta(days=16),
    )
    extra: dict[str, object]  # the day's other DailyLog fields
    for offset in range(-5, 31):
        day = day_zero + timedelta(days=offset)
        if offset <= 0:
            pain, extra = _pain(rng, 6, 6, 0), {}
        elif offset <= 16:
            pain = _pain(rng, 8, 3, offset / 16)
            extra = {"weight_bearing": WeightBearing.NONE, "footwear": Footwear.CAST if offset < 10 else Footwear.BOOT}
        elif offset <= 24:
            pain = _pain(rng, 3, 3, 0)
            extra = {"weight_bearing": WeightBearing.PARTIAL, "footwear": Footwear.SUPPORTIVE}
        else:
            pain = _pain(rng, 5, 6, (offset - 24) / 6)
            extra = {
                "weight_bearing": WeightBearing.PARTIAL,
                "footwear": Footwear.SUPPORTIVE,
                "sym_swelling_redness": True,
                "note": "Heel sorer again and the scar looks puffy." if offset == 29 else "",
            }
        _log(patient, day, Foot.RIGHT, pain, usual_activities=UsualActivities.NO, **extra)


def _back_early(*, patient, physio, today, rng):
    # Day 28 of an endoscopic release; back to usual activities on day 18, before the 3 to 6 weeks most people
    # take (000:11): ahead.
    day_zero = today - timedelta(days=28)
    _surgery(patient=patient, physio=physio, kind=CourseKind.ENDOSCOPIC, foot=CourseFoot.RIGHT, day=day_zero)
    for offset in range(-5, 29):
        day = day_zero + timedelta(days=offset)
        if offset <= 0:
            _log(patient, day, Foot.RIGHT, _pain(rng, 6, 6, 0), usual_activities=UsualActivities.PARTLY)
            continue
        _log(
            patient,
            day,
            Foot.RIGHT,
            _pain(rng, 7, 2, min(1, offset / 21)),
            weight_bearing=WeightBearing.PARTIAL if offset < 10 else WeightBearing.FULL,
            footwear=Footwear.POSTOP if offset < 12 else Footwear.NORMAL,
            usual_activities=UsualActivities.YES if offset >= 18 else UsualActivities.PARTLY,
        )
