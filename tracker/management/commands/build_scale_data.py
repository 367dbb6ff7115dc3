"""Build the scale benchmark's clinic (issue 11): 1,000 patients with a year of daily logs, in minutes.

Only for a database of its own (PostgreSQL ``heel_scale``, see README "Benchmarks"): it refuses a database that
holds any account it did not make (every one it makes is called ``scale-...``), with or without ``--force``.
``--force`` only lets it replace its own earlier data.

What it makes, through the models (bulk_create; every row with its edit history's first version):

- ``--patients`` patients ``scale-patient-0001``... (default 1,000), each with ``--days`` days (default 365)
  of daily logs up to today, with gaps and missed days. Every patient starts on a home massage routine; most
  then move on to a second course: dry needling (4 to 6 weekly sessions), an endoscopic or an open release
  (a post-operative peak, then a decline), or stay on massage. Some are treated on both feet, some get worse.
  The pain courses are made-up numbers for timing, not clinical expectations.
- ``scale-physio`` with the first 500 patients on the care team, ``scale-physio-small`` with 50 others, and
  ``scale-physio-1``... ``scale-physio-10`` with 50 each of the first 500 (the load test's physiotherapists).
  Every staff account has a confirmed authenticator (one key, printed) and ``second_factor_enabled``.
- The alerts the rules raise (``raise_alerts`` for every patient), as saving the logs would have.

Every account has the same password, printed at the end.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import (
    FAAM_ITEMS_IN_ALL,
    ActivityLevel,
    Alert,
    CareTeamMembership,
    Course,
    CourseFoot,
    CourseKind,
    CourseStatus,
    DailyLog,
    FaamAnswer,
    Foot,
    Footwear,
    MassageTechnique,
    MassageTool,
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
from tracker.progress.questionnaires import BASELINE_EARLY_DAYS, EVERY_DAYS, FAAM_ADL_ITEMS
from tracker.services.second_factor import TOTP_DIGITS, new_secret, secret_hex

PREFIX = "scale-"
SCALE_PASSWORD = "scale-benchmark-only"  # noqa: S105 - printed; only ever in a database this command built
BIG_CASELOAD = 500
SMALL_CASELOAD = 50
LOAD_PHYSIOS = 10
LOAD_PHYSIO_CASELOAD = 50
BATCH = 5_000

REFUSE_REAL_ACCOUNTS = (
    "This database holds accounts this command did not make ({examples}): it builds benchmark data only in a "
    "database of its own (say heel_scale), never beside real accounts. --force does not change that."
)
REFUSE_EXISTING = "Scale data is already here ({count} accounts). Run with --force to replace it."


def patient_username(number: int) -> str:
    return f"{PREFIX}patient-{number:04d}"


@dataclass
class Plan:
    """One patient's made-up history: courses (kind, feet, day index of day 0) and the pain of each day."""

    feet: tuple[str, ...]
    course_foot: str
    second_kind: str | None
    second_start: int | None
    planned_sessions: int | None = None
    worsening: bool = False
    stops_logging: int = 0
    miss_rate: float = 0.1
    away: tuple[int, int] | None = None
    red_flag_day: int | None = None
    baseline: float = 7.0
    floor: float = 2.0
    pain: dict[int, int] = field(default_factory=dict)


def plan_for(rng: random.Random, days: int) -> Plan:
    roll = rng.random()
    feet: tuple[str, ...]
    if roll < 0.25:
        feet, course_foot = (Foot.LEFT.value, Foot.RIGHT.value), CourseFoot.BOTH.value
    elif roll < 0.65:
        feet, course_foot = (Foot.LEFT.value,), CourseFoot.LEFT.value
    else:
        feet, course_foot = (Foot.RIGHT.value,), CourseFoot.RIGHT.value
    kind_roll = rng.random()
    second: str | None
    if kind_roll < 0.25:
        second = CourseKind.NEEDLING.value
    elif kind_roll < 0.42:
        second = CourseKind.ENDOSCOPIC.value
    elif kind_roll < 0.55:
        second = CourseKind.OPEN.value
    else:
        second = None
    start = rng.randint(max(1, days // 4), max(2, days * 3 // 5)) if second else None
    plan = Plan(
        feet=feet,
        course_foot=course_foot,
        second_kind=second,
        second_start=start,
        planned_sessions=rng.randint(4, 6) if second == CourseKind.NEEDLING else None,
        worsening=rng.random() < 0.1,
        stops_logging=rng.choice([0] * 17 + [3, 5, 9]),
        miss_rate=rng.uniform(0.02, 0.25),
        baseline=rng.uniform(5.5, 8.5),
        floor=rng.uniform(0.5, 3.0),
    )
    if days > 30 and rng.random() < 0.3:
        begin = rng.randint(0, days - 20)
        plan.away = (begin, begin + rng.randint(3, 12))
    if rng.random() < 0.03:
        plan.red_flag_day = days - 1 - rng.randint(0, 5)
    return plan


def pain_on(plan: Plan, day: int, days: int, rng: random.Random) -> int:
    """First-step pain on day index ``day`` (0 is the first logged day, ``days - 1`` is today)."""
    start = plan.second_start
    if start is None or day < start:
        # On massage: a slow decline from the baseline towards the floor.
        value = plan.floor + (plan.baseline - plan.floor) * 0.5 ** (day / 90)
    elif plan.second_kind in (CourseKind.ENDOSCOPIC, CourseKind.OPEN):
        since = day - start
        before = plan.floor + (plan.baseline - plan.floor) * 0.5 ** (start / 90)
        peak = min(9.5, before + 2.0)
        value = peak - (peak - plan.floor) * min(1.0, since / 70) if since > 3 else peak
    else:
        since = day - start
        before = plan.floor + (plan.baseline - plan.floor) * 0.5 ** (start / 90)
        value = plan.floor + (before - plan.floor) * 0.5 ** (since / 35)
    if plan.worsening and day > days - 21:
        value += (day - (days - 21)) * 0.25
    return max(0, min(10, round(value + rng.uniform(-1.0, 1.0))))


def logged(plan: Plan, day: int, days: int, rng: random.Random) -> bool:
    if plan.stops_logging and day > days - 1 - plan.stops_logging:
        return False
    if plan.away and plan.away[0] <= day <= plan.away[1]:
        return False
    return day == days - 1 - plan.stops_logging or rng.random() >= plan.miss_rate


class Command(BaseCommand):
    help = "Build the scale benchmark's data (1,000 patients, a year of logs). Refuses a database with real accounts."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=1000, help="patients (default 1000)")
        parser.add_argument("--days", type=int, default=365, help="days of daily logs per patient (default 365)")
        parser.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
        parser.add_argument("--force", action="store_true", help="replace this command's own earlier data")

    def handle(self, *args, **options):
        patients, days = options["patients"], options["days"]
        if patients < 1 or days < 1:
            raise CommandError("--patients and --days must be at least 1.")
        self.refuse_real_accounts()
        existing = User.objects.count()
        if existing and not options["force"]:
            raise CommandError(REFUSE_EXISTING.format(count=existing))
        started = time.perf_counter()
        if existing:
            self.wipe()
        secret = new_secret()
        with transaction.atomic():
            # Checked again inside the transaction that writes: nothing real slipped in meanwhile.
            self.refuse_real_accounts()
            counts = build(patients=patients, days=days, seed=options["seed"], secret=secret, log=self.stdout.write)
        # Fresh statistics for the planner, as a live database has them: straight after a bulk load PostgreSQL
        # guesses, and joins the questionnaires' 750,000 answers by scanning them all.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Raising the alerts the rules raise ({time.perf_counter() - started:.0f} s)...")
        # The scale accounts are not people: the alert e-mails go nowhere (the console backend would print ~900).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            call_command("raise_alerts", stdout=self.stdout)
        counts["alerts"] = Alert.objects.count()
        took = time.perf_counter() - started
        summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Built in {took:.0f} s: {summary}."))
        self.stdout.write(
            f"Every account's password is {SCALE_PASSWORD!r}. Staff (scale-physio, scale-physio-small, "
            f"scale-physio-1 to -{LOAD_PHYSIOS}) also enter a code from an authenticator holding the key {secret} "
            f"(time-based, {TOTP_DIGITS} digits)."
        )

    def refuse_real_accounts(self) -> None:
        foreign = User.objects.exclude(username__startswith=PREFIX)
        examples = list(foreign.order_by("pk").values_list("username", flat=True)[:3])
        if examples:
            raise CommandError(REFUSE_REAL_ACCOUNTS.format(examples=", ".join(examples)))

    def wipe(self) -> None:
        """Every row of every table but Django's own bookkeeping: only this command's accounts are here (checked
        first), and a plain delete of half a million logs would load each one for the edit history's signals."""
        self.stdout.write("Removing the earlier scale data...")
        keep = {"contenttypes", "migrations"}
        with transaction.atomic():
            for model in apps.get_models(include_auto_created=True):
                if model._meta.app_label in keep or model in (Permission, Group):
                    continue
                model._base_manager.all()._raw_delete(connection.alias)


def build(*, patients: int, days: int, seed: int, secret: str, log) -> dict[str, int]:
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    today = timezone.now().date()
    first_day = today - timedelta(days=days - 1)
    joined = datetime.combine(first_day - timedelta(days=14), datetime.min.time(), tzinfo=UTC)
    password = make_password(SCALE_PASSWORD)  # one hash for every account: hashing 1,000 would take minutes

    def account(username: str, first: str, last: str, role: str) -> User:
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@scale.example",
            role=role,
            password=password,
            date_joined=joined,
            second_factor_enabled=role != Role.PATIENT,
        )

    staff_names = [f"{PREFIX}physio", f"{PREFIX}physio-small"] + [
        f"{PREFIX}physio-{n}" for n in range(1, LOAD_PHYSIOS + 1)
    ]
    User.objects.bulk_create([account(name, "Scale", name.removeprefix(PREFIX), Role.PHYSIO) for name in staff_names])
    User.objects.bulk_create(
        [account(patient_username(n), f"Patient{n}", f"Scale{n:04d}", Role.PATIENT) for n in range(1, patients + 1)]
    )
    staff = {u.username: u for u in User.objects.filter(username__in=staff_names)}
    people = list(User.objects.filter(role=Role.PATIENT, username__startswith=PREFIX).order_by("username"))
    key = secret_hex(secret)
    TOTPDevice.objects.bulk_create(
        [
            TOTPDevice(user=u, name="Authenticator app", key=key, digits=TOTP_DIGITS, confirmed=True)
            for u in staff.values()
        ]
    )

    links = [CareTeamMembership(patient=p, physio=staff[f"{PREFIX}physio"]) for p in people[:BIG_CASELOAD]]
    small = people[BIG_CASELOAD : BIG_CASELOAD + SMALL_CASELOAD] or people[:SMALL_CASELOAD]
    links += [CareTeamMembership(patient=p, physio=staff[f"{PREFIX}physio-small"]) for p in small]
    for n in range(LOAD_PHYSIOS):
        group = people[n * LOAD_PHYSIO_CASELOAD : (n + 1) * LOAD_PHYSIO_CASELOAD]
        links += [CareTeamMembership(patient=p, physio=staff[f"{PREFIX}physio-{n + 1}"]) for p in group]
    CareTeamMembership.objects.bulk_create(links, batch_size=BATCH)

    plans = {p.pk: plan_for(rng, days) for p in people}
    physio = staff[f"{PREFIX}physio"]
    courses: list[Course] = []
    for p in people:
        plan = plans[p.pk]
        massage_zero = first_day
        if plan.second_start is None:
            courses.append(_course(p, CourseKind.MASSAGE, plan.course_foot, massage_zero, physio))
            continue
        second_zero = first_day + timedelta(days=plan.second_start)
        courses.append(
            _course(
                p,
                CourseKind.MASSAGE,
                plan.course_foot,
                massage_zero,
                physio,
                status=CourseStatus.COMPLETED,
                ended_on=max(massage_zero, second_zero - timedelta(days=1)),
            )
        )
        courses.append(
            _course(p, str(plan.second_kind), plan.course_foot, second_zero, physio, planned=plan.planned_sessions)
        )
    _with_history(Course, courses)
    log(f"{len(people):,} patients, {len(courses):,} courses; writing sessions...")

    by_patient: dict[int, list[Course]] = {}
    for course in Course.objects.filter(patient__in=people).order_by("day_zero", "pk"):
        by_patient.setdefault(course.patient_id, []).append(course)
    sessions: list[Session] = []
    for p in people:
        plan = plans[p.pk]
        for course in by_patient[p.pk]:
            sessions += _sessions(course, plan, today=today, physio=physio, rng=rng)
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    first_versions(Session, saved_by="created_by_id")
    log(f"{len(sessions):,} sessions ({time.perf_counter() - started:.0f} s); writing daily logs...")

    count = 0
    batch: list[DailyLog] = []
    for p in people:
        plan = plans[p.pk]
        for day in range(days):
            if not logged(plan, day, days, rng):
                continue
            pain = pain_on(plan, day, days, rng)
            on = first_day + timedelta(days=day)
            surgical = plan.second_start is not None and plan.second_kind in (CourseKind.ENDOSCOPIC, CourseKind.OPEN)
            post_op = surgical and day >= (plan.second_start or 0)
            for foot in plan.feet:
                value = pain if foot == plan.feet[0] else max(0, min(10, pain + rng.choice((-1, 0, 0, 1))))
                batch.append(_daily_log(p, on, foot, value, rng, post_op=post_op, red=day == plan.red_flag_day))
        if len(batch) >= BATCH * 4:
            count += len(DailyLog.objects.bulk_create(batch, batch_size=BATCH))
            batch = []
    count += len(DailyLog.objects.bulk_create(batch, batch_size=BATCH))
    first_versions(DailyLog, saved_by="patient_id")
    log(f"{count:,} daily logs, with their first versions ({time.perf_counter() - started:.0f} s).")
    responses = _questionnaires(people, plans, by_patient, first_day=first_day, days=days, seed=seed)
    log(f"{responses:,} questionnaire responses ({time.perf_counter() - started:.0f} s).")
    return {
        "patients": len(people),
        "physiotherapists": len(staff),
        "care-team links": len(links),
        "courses": len(courses),
        "sessions": len(sessions),
        "daily logs": count,
        "questionnaire responses": responses,
    }


def scheduled_days(courses: list[Course], *, today: date) -> list[tuple[date, Course]]:
    """The days a patient who answers every questionnaire on the day it falls due answers one, with the course it
    counts towards, as the schedule asks (``tracker.progress.questionnaires.questionnaire_due``): the first
    course's baseline on its day 0 (the first day of the data), a later course's baseline 7 days before its day 0
    (when it falls due: ``BASELINE_EARLY_DAYS``), every 14th day from day 0 while a course is active, and the day
    it ends. ``courses`` oldest first; nothing after ``today``."""
    chosen: dict[date, Course] = {}
    for number, course in enumerate(courses):
        end = course.ended_on if course.ended_on is not None else today + timedelta(days=1)
        early = course.day_zero - timedelta(days=BASELINE_EARLY_DAYS)
        chosen.setdefault(course.day_zero if number == 0 else max(early, courses[0].day_zero), course)
        day = course.day_zero + timedelta(days=EVERY_DAYS)
        while day < end and day <= today:
            chosen.setdefault(day, course)
            day += timedelta(days=EVERY_DAYS)
        if course.ended_on is not None and course.ended_on <= today:
            chosen.setdefault(course.ended_on, course)
    return sorted((day, course) for day, course in chosen.items() if day <= today)


def _questionnaires(people, plans, by_patient, *, first_day: date, days: int, seed: int) -> int:
    """A FAAM and a PSFS on each day the schedule asks for one (``scheduled_days``: the baseline on day 0 of the
    first course, every 14 days, the end of a course, the next course's baseline), each consistent with the pain
    that day: less pain, less difficulty. Its own random numbers, so the logs are the same with or without it."""
    rng = random.Random(seed + 1)  # noqa: S311 - made-up data, not security
    today = first_day + timedelta(days=days - 1)
    responses: list[QuestionnaireResponse] = []
    pains: list[int] = []
    for p in people:
        for on, course in scheduled_days(by_patient[p.pk], today=today):
            pain = pain_on(plans[p.pk], (on - first_day).days, days, rng)
            for kind in (QuestionnaireKind.FAAM, QuestionnaireKind.PSFS):
                responses.append(QuestionnaireResponse(patient=p, kind=kind, date=on, course=course, completed=True))
                pains.append(pain)
    QuestionnaireResponse.objects.bulk_create(responses, batch_size=BATCH)
    activities = PsfsActivity.objects.bulk_create(
        [PsfsActivity(patient=p, name="Walking to the shops") for p in people]
    )
    activity_of = {a.patient_id: a for a in activities}
    answers: list[FaamAnswer] = []
    ratings: list[PsfsRating] = []
    for response, pain in zip(responses, pains, strict=True):
        if response.kind == QuestionnaireKind.FAAM:
            ease = 4 - pain * 0.4  # 4 (no difficulty) with no pain, 0 (unable) at 10
            for item in range(1, FAAM_ITEMS_IN_ALL + 1):
                sports = item > len(FAAM_ADL_ITEMS)
                value = round(ease - (1 if sports else 0) + rng.uniform(-0.6, 0.6))
                answers.append(FaamAnswer(response=response, item=item, answer=max(0, min(4, value))))
        else:
            rating = max(0, min(10, round(10 - pain + rng.uniform(-1, 1))))
            ratings.append(PsfsRating(response=response, activity=activity_of[response.patient_id], rating=rating))
    FaamAnswer.objects.bulk_create(answers, batch_size=BATCH)
    PsfsRating.objects.bulk_create(ratings, batch_size=BATCH)
    return len(responses)


def _with_history(model, objs: list) -> int:
    """bulk_create, then the edit history's first version of each row (as saving through the app would make)."""
    for start in range(0, len(objs), BATCH * 4):
        chunk = model.objects.bulk_create(objs[start : start + BATCH * 4], batch_size=BATCH)
        model.history.bulk_history_create(chunk, batch_size=BATCH, default_change_reason="scale benchmark data")
    return len(objs)


def first_versions(model, *, saved_by: str | None) -> int:
    """The edit history's first version ("+") of every row of ``model``, as saving each through the app would
    have made, dated when the row was created and by ``saved_by`` (a column of the row, or nobody).

    One INSERT ... SELECT built from the history model's own fields: half a million rows in seconds, where
    ``bulk_history_create`` would double the build's time. The database holds only this command's data.
    """
    history = model.history.model
    table = model._meta.db_table
    own = {f.column for f in model._meta.concrete_fields}
    computed = {
        "history_date": connection.ops.quote_name("created_at"),
        "history_change_reason": "'scale benchmark data'",
        "history_type": "'+'",
        "history_user_id": connection.ops.quote_name(saved_by) if saved_by else "NULL",
    }
    columns, values = [], []
    for f in history._meta.concrete_fields:
        if f.column == "history_id":
            continue
        columns.append(connection.ops.quote_name(f.column))
        values.append(computed[f.column] if f.column in computed else connection.ops.quote_name(f.column))
        if f.column not in computed and f.column not in own:
            raise CommandError(f"The edit history of {table} has a column the build does not fill: {f.column}")
    # Names from the models, no input.
    target = connection.ops.quote_name(history._meta.db_table)
    source = connection.ops.quote_name(table)
    sql = f"INSERT INTO {target} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.rowcount)


def _course(patient, kind, foot, day_zero, physio, *, status=CourseStatus.ACTIVE, ended_on=None, planned=None):
    return Course(
        patient=patient,
        kind=kind,
        foot=foot,
        day_zero=day_zero,
        planned_sessions=planned,
        status=status,
        ended_on=ended_on,
        created_at=datetime.combine(day_zero, datetime.min.time(), tzinfo=UTC),
        created_by=physio,
    )


def _sessions(course: Course, plan: Plan, *, today: date, physio: User, rng: random.Random) -> list[Session]:
    end = course.ended_on or today
    common = {"patient_id": course.patient_id, "course": course, "created_by": physio}
    if course.kind == CourseKind.MASSAGE:
        out = []
        day = course.day_zero
        while day <= end:
            out.append(
                Session(
                    kind=SessionKind.MASSAGE,
                    date=day,
                    minutes=rng.choice((5, 10, 10, 15)),
                    technique=rng.choice(MassageTechnique.values),
                    tool=rng.choice(MassageTool.values),
                    areas=rng.sample(["heel", "arch", "toes", "calf", "achilles"], 2),
                    preparation=rng.choice(Preparation.values),
                    discomfort=rng.randint(0, 4),
                    **common,
                )
            )
            day += timedelta(days=rng.randint(2, 5))
        return out
    if course.kind == CourseKind.NEEDLING:
        out = []
        for n in range(plan.planned_sessions or 4):
            day = course.day_zero + timedelta(days=7 * n)
            if day > end:
                break
            out.append(
                Session(
                    kind=SessionKind.NEEDLING,
                    date=day,
                    minutes=20,
                    sites=rng.sample(["calf", "arch", "heel"], 2),
                    twitch_response=rng.random() < 0.7,
                    soreness_after=rng.randint(1, 6),
                    performed_by=physio,
                    **common,
                )
            )
        return out
    surgery = SurgeryKind.ENDOSCOPIC if course.kind == CourseKind.ENDOSCOPIC else SurgeryKind.OPEN
    return [
        Session(
            kind=SessionKind.SURGERY,
            date=course.day_zero,
            surgery_kind=surgery,
            foot=course.foot,
            immobilised_until=course.day_zero + timedelta(days=14 if surgery == SurgeryKind.OPEN else 7),
            **common,
        )
    ]


def _daily_log(patient, on: date, foot: str, pain: int, rng: random.Random, *, post_op: bool, red: bool) -> DailyLog:
    fields: dict[str, str] = {}
    if post_op:
        fields["weight_bearing"] = rng.choice((WeightBearing.PARTIAL, WeightBearing.FULL))
        fields["footwear"] = rng.choice((Footwear.BOOT, Footwear.SUPPORTIVE, Footwear.NORMAL))
    return DailyLog(
        patient=patient,
        date=on,
        foot=foot,
        recorded_on=on,
        first_step_pain=pain,
        average_pain=max(0, pain - rng.randint(0, 2)),
        pain_after_activity=max(0, min(10, pain + rng.randint(-1, 1))) if rng.random() < 0.6 else None,
        minutes_on_feet=rng.randint(30, 480) if rng.random() < 0.5 else None,
        steps=rng.randint(1_000, 12_000) if rng.random() < 0.3 else None,
        activity_level=rng.choice(ActivityLevel.values),
        usual_activities=UsualActivities.YES if pain <= 2 else UsualActivities.PARTLY,
        sym_morning_pain=pain >= 3,
        sym_after_inactivity=pain >= 4 and rng.random() < 0.5,
        sym_arch=rng.random() < 0.2,
        rf_calf=red,
        created_at=datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20),
        **fields,
    )
