"""The data model (DESIGN.md sections 1 to 4 and 6).

Integrity lives in the database: ranges, one log per patient/day/foot, a log never dated after the day it
was entered, one alert per rule occurrence. Progress is never stored: it is worked out when read
(``tracker.progress``).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list, such as Europe/London.")


# A telephone number as people write it: digits, spaces, and + ( ) - . ; 6 to 20 characters.
PHONE_MAX_LENGTH = 20
PHONE_INVALID = "Enter a telephone number using digits, spaces and + ( ) - only, such as +44 20 7946 0000."
validate_phone = RegexValidator(r"^\+?[0-9 ()\-.]{6,19}$", PHONE_INVALID, code="phone")


def score_between_0_and_10(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 0, f"{field}__lte": 10})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"%(class)s_{field}_0_to_10")


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PHYSIO = "physio", "Physiotherapist"
    ADMIN = "admin", "Clinic admin"


class AccountManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser runs the clinic's accounts: ``createsuperuser`` gives an admin who can use /manage/.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account. ``public_id`` is what URLs show; the sequential id never leaves the server."""

    objects: ClassVar[AccountManager] = AccountManager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=10, choices=Role, default=Role.PATIENT)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    reminder_enabled = models.BooleanField(default=False)
    reminder_hour = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(0), MaxValueValidator(23)], help_text="Local hour, 0 to 23."
    )
    # Set when the user confirms an authenticator (tracker.services.second_factor), cleared when it is reset or
    # turned off: every sign-in then asks for a code. Kept on the account so that the check on each request
    # reads no other table. Staff need a second factor whatever this says (``requires_second_factor``).
    second_factor_enabled = models.BooleanField(default=False, editable=False)
    # Raised by one when the account is deactivated, closed, or its role changes. A session carries the number
    # it was signed in under (``tracker.signals.stamp_session``); one carrying an older number ends at its next
    # request (``tracker.middleware.IdleTimeoutMiddleware``), so no cookie outlives the change.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # A staff account made from an invitation, or given a staff role, is put on no care team until a second
    # admin approves it (a superuser, in a clinic with one admin): no admin grants themselves clinical access
    # through an account they control. Accounts from before (and the demo's) need no approval.
    approval_required = models.BooleanField(default=False, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The patient's own number, for the care team to call back after an alert (set at invitation, changed on
    # /account/). Empty for staff.
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True, validators=[validate_phone])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(reminder_hour__lte=23), name="user_reminder_hour_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_approved(self) -> bool:
        """May be put on a care team (and act as an admin): no approval needed, or approved."""
        return not self.approval_required or self.approved_at is not None

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_physio(self) -> bool:
        return self.role == Role.PHYSIO

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now=None) -> date:
        """The patient's own calendar date right now (their time zone, not the server's)."""
        return (now or timezone.now()).astimezone(self.zone).date()


class CareTeamMembership(models.Model):
    """A physiotherapist looks after a patient. The only source of "who may see which patient"."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_team_links")
    physio = models.ForeignKey(User, on_delete=models.CASCADE, related_name="caseload_links")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "physio"], name="care_team_unique_pair"),
            models.CheckConstraint(condition=~Q(patient=F("physio")), name="care_team_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.physio} looks after {self.patient}"


class Foot(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class CourseFoot(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both"


def feet_of(course_foot: str) -> tuple[str, ...]:
    """The feet a course on ``course_foot`` (a CourseFoot value) treats: ("left", "right") for both."""
    return (Foot.LEFT.value, Foot.RIGHT.value) if course_foot == CourseFoot.BOTH else (str(course_foot),)


class CourseKind(models.TextChoices):
    ENDOSCOPIC = "endoscopic", "Endoscopic plantar fascia release"
    OPEN = "open", "Open plantar fascia release"
    NEEDLING = "needling", "Dry needling course"
    MASSAGE = "massage", "Home massage routine"


SURGICAL_KINDS = frozenset({CourseKind.ENDOSCOPIC, CourseKind.OPEN})
CONSERVATIVE_KINDS = frozenset({CourseKind.NEEDLING, CourseKind.MASSAGE})


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Course(models.Model):
    """A treatment course. Day 0 is the surgery date, the first needling session or the routine start."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="courses")
    kind = models.CharField(max_length=12, choices=CourseKind)
    foot = models.CharField(max_length=5, choices=CourseFoot)
    day_zero = models.DateField()
    planned_sessions = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Needling sessions planned (the source says most patients need 4 to 6).",
    )
    status = models.CharField(max_length=10, choices=CourseStatus, default=CourseStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    # Every saved version, with who saved it (tracker.history).
    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        ordering = ["day_zero", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CourseKind.values), name="course_kind_valid"),
            models.CheckConstraint(condition=Q(foot__in=CourseFoot.values), name="course_foot_valid"),
            models.CheckConstraint(condition=Q(status__in=CourseStatus.values), name="course_status_valid"),
            models.CheckConstraint(
                condition=Q(planned_sessions__isnull=True) | Q(planned_sessions__gte=1, planned_sessions__lte=20),
                name="course_planned_sessions_range",
            ),
            # An active course has no end date; a completed or stopped one has one, not before day 0.
            models.CheckConstraint(
                condition=(Q(status=CourseStatus.ACTIVE, ended_on__isnull=True))
                | (~Q(status=CourseStatus.ACTIVE) & Q(ended_on__isnull=False, ended_on__gte=F("day_zero"))),
                name="course_end_matches_status",
            ),
            # One active course of a kind on a foot: a second is a duplicate, not a new treatment.
            models.UniqueConstraint(
                fields=["patient", "kind", "foot"],
                condition=Q(status=CourseStatus.ACTIVE),
                name="course_one_active_per_kind_and_foot",
                violation_error_message=(
                    "This patient already has an active course of this kind on this foot. "
                    "Finish or stop it before starting another."
                ),
            ),
        ]

    def __str__(self) -> str:
        feet = "both feet" if self.foot == CourseFoot.BOTH else f"{self.get_foot_display().lower()} foot"
        return f"{self.get_kind_display()} ({feet}) from {self.day_zero:%d %b %Y}"

    @property
    def feet(self) -> tuple[str, ...]:
        return feet_of(self.foot)


class WeightBearing(models.TextChoices):
    NONE = "none", "None (not putting weight on it)"
    PARTIAL = "partial", "Partial"
    FULL = "full", "Full"


class Footwear(models.TextChoices):
    CAST = "cast", "Cast"
    BOOT = "boot", "Walking boot"
    POSTOP = "postop", "Post-op shoe"
    SUPPORTIVE = "supportive", "Supportive shoes"
    NORMAL = "normal", "Normal shoes"


class ActivityLevel(models.TextChoices):
    REST = "rest", "Resting mostly"
    LIGHT = "light", "Light"
    MODERATE = "moderate", "Moderate"
    ACTIVE = "active", "Very active"


class UsualActivities(models.TextChoices):
    NO = "no", "No"
    PARTLY = "partly", "Partly"
    YES = "yes", "Yes"


# Symptoms from 002_fa29d4789d40a23d.txt:13-21, as (field, label) in the source's order.
SYMPTOM_FIELDS: tuple[tuple[str, str], ...] = (
    ("sym_morning_pain", "Pain with the first steps after waking"),
    ("sym_after_inactivity", "Pain after sitting or standing still"),
    ("sym_eases_with_movement", "Eases once the foot warms up"),
    ("sym_after_exercise", "Pain after exercise"),
    ("sym_arch", "Pain in the arch"),
    ("sym_toe_extension", "Pain pulling the toes up"),
    ("sym_stairs", "Pain on stairs"),
    ("sym_swelling_redness", "Swelling or redness"),
    ("sym_limping", "Limping"),
)

# Red flags (CLINICAL.md, "Red flags"). The last is an emergency: the page says so at once.
RED_FLAG_FIELDS: tuple[tuple[str, str], ...] = (
    ("rf_fever", "Fever of 38 °C (100.4 °F) or more, or chills"),
    ("rf_wound", "Wound drainage, pus, a bad smell, or the wound opening"),
    ("rf_spreading_redness", "Spreading redness or warmth"),
    ("rf_numbness", "New or increasing numbness, tingling or burning"),
    ("rf_toes_circulation", "Toes you cannot feel or move, or that are pale, blue or cold"),
    ("rf_calf", "Pain and swelling in one calf"),
    ("rf_breathless_chest", "Breathlessness or chest pain"),
)
EMERGENCY_RED_FLAGS = frozenset({"rf_breathless_chest"})


class DailyLog(models.Model):
    """How one treated foot was on one day. One per patient, day and foot; edited, never duplicated."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="daily_logs")
    date = models.DateField()
    foot = models.CharField(max_length=5, choices=Foot)
    # The patient's local date when the log was last saved: the database refuses a log dated after it.
    recorded_on = models.DateField()

    first_step_pain = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    average_pain = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    pain_after_activity = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)

    minutes_on_feet = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1440)], help_text="0 to 1440 (a whole day)."
    )
    steps = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(100_000)])
    activity_level = models.CharField(max_length=10, choices=ActivityLevel, blank=True)
    usual_activities = models.CharField(max_length=6, choices=UsualActivities, blank=True)

    weight_bearing = models.CharField(max_length=7, choices=WeightBearing, blank=True)
    footwear = models.CharField(max_length=10, choices=Footwear, blank=True)

    sym_morning_pain = models.BooleanField(default=False)
    sym_after_inactivity = models.BooleanField(default=False)
    sym_eases_with_movement = models.BooleanField(default=False)
    sym_after_exercise = models.BooleanField(default=False)
    sym_arch = models.BooleanField(default=False)
    sym_toe_extension = models.BooleanField(default=False)
    sym_stairs = models.BooleanField(default=False)
    sym_swelling_redness = models.BooleanField(default=False)
    sym_limping = models.BooleanField(default=False)

    rf_fever = models.BooleanField(default=False)
    rf_wound = models.BooleanField(default=False)
    rf_spreading_redness = models.BooleanField(default=False)
    rf_numbness = models.BooleanField(default=False)
    rf_toes_circulation = models.BooleanField(default=False)
    rf_calf = models.BooleanField(default=False)
    rf_breathless_chest = models.BooleanField(default=False)

    needling_soreness = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    bruising = models.BooleanField(null=True, blank=True)

    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Every saved version, with who saved it: an edit keeps the earlier values (tracker.history).
    history = HistoricalRecords(excluded_fields=["updated_at"], cascade_delete_history=False)

    class Meta:
        ordering = ["date", "foot"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date", "foot"], name="dailylog_one_per_patient_day_foot"),
            models.CheckConstraint(condition=Q(date__lte=F("recorded_on")), name="dailylog_not_in_future"),
            models.CheckConstraint(condition=Q(foot__in=Foot.values), name="dailylog_foot_valid"),
            score_between_0_and_10("first_step_pain"),
            score_between_0_and_10("average_pain"),
            score_between_0_and_10("pain_after_activity", nullable=True),
            score_between_0_and_10("needling_soreness", nullable=True),
            models.CheckConstraint(
                condition=Q(minutes_on_feet__isnull=True) | Q(minutes_on_feet__lte=1440),
                name="dailylog_minutes_on_feet_range",
            ),
            models.CheckConstraint(
                condition=Q(steps__isnull=True) | Q(steps__lte=100_000), name="dailylog_steps_range"
            ),
            models.CheckConstraint(
                condition=Q(weight_bearing="") | Q(weight_bearing__in=WeightBearing.values),
                name="dailylog_weight_bearing_valid",
            ),
            models.CheckConstraint(
                condition=Q(footwear="") | Q(footwear__in=Footwear.values), name="dailylog_footwear_valid"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="dailylog_date_idx")]

    def __str__(self) -> str:
        return f"{self.patient} {self.date} {self.foot}: first steps {self.first_step_pain}/10"

    @property
    def red_flags(self) -> list[str]:
        """The fields of the red flags ticked on this log."""
        return [name for name, _ in RED_FLAG_FIELDS if getattr(self, name)]

    @property
    def has_red_flag(self) -> bool:
        return bool(self.red_flags)

    @property
    def red_flag_labels(self) -> list[str]:
        """The red flags ticked, in words ("Pain and swelling in one calf"), for the care team's pages."""
        return [label for name, label in RED_FLAG_FIELDS if getattr(self, name)]

    @property
    def symptom_labels(self) -> list[str]:
        """The symptoms ticked, in words ("Pain in the arch")."""
        return [label for name, label in SYMPTOM_FIELDS if getattr(self, name)]


class SessionKind(models.TextChoices):
    NEEDLING = "needling", "Dry needling"
    MASSAGE = "massage", "Home massage"
    SURGERY = "surgery", "Surgery"
    OTHER = "other", "Other"


class NeedlingSite(models.TextChoices):
    CALF = "calf", "Calf"
    ARCH = "arch", "Arch"
    HEEL = "heel", "Heel"
    OTHER = "other", "Other"


class MassageTechnique(models.TextChoices):
    # 001_30ee24981d7ad049.txt:55-77
    FASCIA_BLASTING = "fascia_blasting", "Fascia blasting"
    DEEP_TISSUE = "deep_tissue", "Deep tissue massage"
    TRIGGER_POINT = "trigger_point", "Trigger point therapy"
    MYOFASCIAL = "myofascial", "Myofascial release"
    REFLEXOLOGY = "reflexology", "Reflexology"
    GUA_SHA = "gua_sha", "Gua sha"


class MassageTool(models.TextChoices):
    HANDS = "hands", "Hands"
    BALL = "ball", "Massage ball"
    ROLLER = "roller", "Roller"
    FASCIA_TOOL = "fascia_tool", "Fascia tool"
    GUA_SHA_TOOL = "gua_sha_tool", "Gua sha tool"
    OTHER = "other", "Other"


class MassageArea(models.TextChoices):
    # 001_30ee24981d7ad049.txt:87-89
    HEEL = "heel", "Heel"
    ARCH = "arch", "Arch"
    TOES = "toes", "Toes"
    CALF = "calf", "Calf"
    ACHILLES = "achilles", "Achilles tendon"


class Preparation(models.TextChoices):
    # 001_30ee24981d7ad049.txt:85
    WARM_SOAK = "warm_soak", "Warm soak"
    STRETCHING = "stretching", "Light stretching"
    NONE = "none", "None"


class SurgeryKind(models.TextChoices):
    ENDOSCOPIC = "endoscopic", "Endoscopic release"
    OPEN = "open", "Open release"


class OtherSessionKind(models.TextChoices):
    PHYSIO_VISIT = "physio_visit", "Physical therapy visit"
    STRETCHING = "stretching", "Stretching"
    SHOCKWAVE = "shockwave", "Shockwave"
    ORTHOTICS = "orthotics", "Orthotics"


class Session(models.Model):
    """A treatment session: needling, home massage, surgery, or another (DESIGN.md section 4)."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="treatment_sessions")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    kind = models.CharField(max_length=10, choices=SessionKind)
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    note = models.TextField(max_length=2000, blank=True)

    # Dry needling
    sites = models.JSONField(default=list, blank=True, help_text="Needling sites: calf, arch, heel, other.")
    twitch_response = models.BooleanField(null=True, blank=True)
    soreness_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    performed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions_performed"
    )
    performed_by_name = models.CharField(max_length=150, blank=True, help_text="Who needled, if not a user here.")

    # Home massage
    technique = models.CharField(max_length=20, choices=MassageTechnique, blank=True)
    tool = models.CharField(max_length=20, choices=MassageTool, blank=True)
    areas = models.JSONField(default=list, blank=True, help_text="Massage areas: heel, arch, toes, calf, achilles.")
    preparation = models.CharField(max_length=12, choices=Preparation, blank=True)
    discomfort = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    adverse_reaction = models.BooleanField(default=False)

    # Surgery
    surgery_kind = models.CharField(max_length=12, choices=SurgeryKind, blank=True)
    foot = models.CharField(max_length=5, choices=CourseFoot, blank=True)
    immobilised_until = models.DateField(null=True, blank=True, help_text="Cast or boot until.")

    # Other
    other_kind = models.CharField(max_length=14, choices=OtherSessionKind, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_valid"),
            score_between_0_and_10("soreness_after", nullable=True),
            score_between_0_and_10("discomfort", nullable=True),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=600), name="session_minutes_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind=SessionKind.MASSAGE) | ~Q(technique=""), name="session_massage_has_technique"
            ),
            models.CheckConstraint(
                condition=~Q(kind=SessionKind.OTHER) | ~Q(other_kind=""), name="session_other_has_kind"
            ),
            models.CheckConstraint(
                condition=~Q(kind=SessionKind.SURGERY) | ~Q(surgery_kind=""), name="session_surgery_has_kind"
            ),
            models.CheckConstraint(
                condition=Q(immobilised_until__isnull=True) | Q(immobilised_until__gte=F("date")),
                name="session_immobilised_after_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"


class ClinicalNote(models.Model):
    """A note by the care team. Never shown to the patient."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clinical_notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="notes_written")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    # Notes are added, never edited (no page or service changes one); any later change would keep the text.
    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="clinicalnote_not_empty")]

    def __str__(self) -> str:
        return f"Note on {self.patient} by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    RED_FLAG = "red_flag", "Red flag"
    WOUND_CONCERN = "wound_concern", "Possible wound or healing problem"
    WORSENING = "worsening", "Worsening"
    PERSISTENT_HIGH_PAIN = "persistent_high_pain", "Persistent high pain"
    # Raised by the first version of the rules ("7 or more for 3 days" as worsening); kept for the alerts it raised.
    HIGH_PAIN_RUN = "high_pain_run", "Pain 7 or more for 3 days (earlier rule)"
    MILESTONE_OVERDUE = "milestone_overdue", "Later than most people"
    PROTECTION_ENDED_EARLY = "protection_ended_early", "Cast or boot ended early"
    NEEDLING_NO_RESPONSE = "needling_no_response", "No response to needling"
    POST_OP_NOT_BETTER = "post_op_not_better", "Pain not better than before surgery"
    NEEDLING_SORENESS = "needling_soreness", "Needling soreness lasting"
    MASSAGE_ADVERSE = "massage_adverse", "Adverse reaction to massage"
    NO_IMPROVEMENT = "no_improvement", "No meaningful improvement after 6 months"
    FUNCTION_DECLINE = "function_decline", "Function score fell"
    NO_LOG_2 = "no_log_2", "No log for 2 days"
    NO_LOG_7 = "no_log_7", "No log for 7 days"


class Severity(models.IntegerChoices):
    # Integers, so "most severe first" is a plain ORDER BY.
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Alert(models.Model):
    """Something the care team should look at, raised once per occurrence.

    ``occurrence`` names the occurrence (a log date, a milestone, the last logged day...), so the unique
    constraint makes raising idempotent across repeated runs and concurrent servers.
    """

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="alerts")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=AlertKind)
    severity = models.PositiveSmallIntegerField(choices=Severity)
    occurrence = models.CharField(max_length=100)
    message = models.CharField(max_length=500)
    status = models.CharField(max_length=12, choices=AlertStatus, default=AlertStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.CharField(max_length=500, blank=True)
    # When the care team was e-mailed about it (tracker.services.alert_notify): set by one conditional UPDATE,
    # so one server only sends, whatever number of them try.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-severity", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind", "occurrence"], name="alert_raised_once"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4), name="alert_severity_valid"),
            models.CheckConstraint(
                condition=Q(status=AlertStatus.OPEN, acknowledged_at__isnull=True)
                | Q(status=AlertStatus.ACKNOWLEDGED, acknowledged_at__isnull=False),
                name="alert_ack_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "patient"], name="alert_status_patient_idx")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.get_kind_display()} for {self.patient}"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOCKOUT = "lockout", "Locked out"
    UNLOCK = "unlock", "Unlocked"
    ROLE_CHANGE = "role_change", "Role changed"
    CARE_TEAM_ADD = "care_team_add", "Added to care team"
    CARE_TEAM_REMOVE = "care_team_remove", "Taken off care team"
    INVITE = "invite", "Invited"
    ACCOUNT = "account", "Account changed"
    SECOND_FACTOR = "second_factor", "Second factor"


class AuditEvent(models.Model):
    """Who did what to which patient's data, and when. Written, never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction)
    patient = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.CharField(
        max_length=200, help_text="What was touched: a kind of record and its id, e.g. 'daily log 12'; no values."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"], name="audit_patient_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action} {self.target}"


class Invitation(models.Model):
    """A one-time link that lets a new user set their password. Only a hash of the token is kept.

    For a patient it may also carry the phone number, the physiotherapist and the first course (kind, foot, day 0):
    they are set up when the invitation is accepted (``services.accounts``).
    """

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True, validators=[validate_phone])
    physio = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_kind = models.CharField(max_length=12, choices=CourseKind, blank=True)
    course_foot = models.CharField(max_length=5, choices=CourseFoot, blank=True)
    course_day_zero = models.DateField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_after"),
            # A first course is all three of kind, foot and day 0, or none of them.
            models.CheckConstraint(
                condition=Q(course_kind="", course_foot="", course_day_zero__isnull=True)
                | (~Q(course_kind="") & ~Q(course_foot="") & Q(course_day_zero__isnull=False)),
                name="invitation_course_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.get_role_display()}"


class ReminderSent(models.Model):
    """One daily reminder per patient per local date: the unique constraint stops a second server."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders_sent")
    local_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "local_date"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"Reminder to {self.patient} for {self.local_date}"


class CaseloadSnapshot(models.Model):
    """A patient's caseload row as the progress engine last worked it out: a cache, never the truth.

    ``tracker.services.progress_cache`` keeps it: every write that can change the row bumps ``generation``
    and sets ``stale``; a read recomputes a row that is missing, stale, made by another ``engine`` or for
    another local date (``valid_from`` to ``valid_until``: the patient's local day ``computed_for`` in UTC),
    and stores it only if ``generation`` has not moved since it read the data. Open alerts are not cached:
    the caseload reads them live. Columns have database defaults so that marking stale is one upsert.
    """

    patient = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="caseload_snapshot")
    generation = models.PositiveIntegerField(default=0, db_default=0)
    stale = models.BooleanField(default=True, db_default=True)
    engine = models.CharField(max_length=16, blank=True, default="", db_default="")
    computed_for = models.DateField(null=True, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    need = models.CharField(max_length=12, default="no_course", db_default="no_course")
    need_rank = models.PositiveSmallIntegerField(default=6, db_default=6)
    red_flag = models.BooleanField(default=False, db_default=False)
    reason = models.CharField(max_length=1000, blank=True, default="", db_default="")
    courses = models.JSONField(null=True, blank=True)
    trend = models.JSONField(null=True, blank=True)
    last_logged_on = models.DateField(null=True, blank=True)
    latest_first_step_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    days_logged_7 = models.PositiveSmallIntegerField(default=0, db_default=0)
    days_since_log = models.IntegerField(null=True, blank=True)
    # The latest completed FAAM ADL score (0 to 100), its change since the baseline and the MCID's verdict on it
    # ("better", "worse", "no_real_change"; blank with no baseline yet). Issue 13.
    faam_adl = models.FloatField(null=True, blank=True)
    faam_adl_change = models.FloatField(null=True, blank=True)
    faam_adl_direction = models.CharField(max_length=16, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["stale", "engine"], name="snapshot_stale_engine_idx")]

    def __str__(self) -> str:
        return f"Caseload row of patient {self.patient_id} for {self.computed_for}"


class CohortMeasure(models.TextChoices):
    PAIN = "pain", "First-step pain"
    FAAM_ADL = "faam_adl", "FAAM daily activities score"


class CohortWeek(models.Model):
    """A cache of the cohort band's inputs (``tracker.selectors.cohort``): never the truth, rebuilt at will.

    One row per course kind, measure and week since day 0 (week 1 is days 0 to 6): every contributing patient's
    value that week (``measure``: their mean first-step pain, or their FAAM daily activities score), sorted, as
    little-endian float64 (``values``), with their user ids in the same order as little-endian int64
    (``patient_ids``), so the band can leave out whoever is looking. Week 0 (measure ``pain``) is the kind's
    header: no values, and ``computed_at`` says when the kind was last rebuilt, both measures at once (a kind
    with no header is missing). Deleting every row is always safe: the next read rebuilds it.
    """

    kind = models.CharField(max_length=12, choices=CourseKind)
    measure = models.CharField(max_length=8, choices=CohortMeasure, default=CohortMeasure.PAIN)
    week = models.PositiveIntegerField()
    values = models.BinaryField(default=b"")
    patient_ids = models.BinaryField(default=b"")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "measure", "week"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "measure", "week"], name="cohort_week_once"),
            models.CheckConstraint(condition=Q(kind__in=CourseKind.values), name="cohort_week_kind_valid"),
            models.CheckConstraint(condition=Q(measure__in=CohortMeasure.values), name="cohort_week_measure_valid"),
        ]

    def __str__(self) -> str:
        return f"Cohort of {self.kind}, {self.measure}, week {self.week}"


# ---------------------------------------------------------------------------------------------------------
# Validated questionnaires (issue 13): FAAM and PSFS. Scores are never stored: tracker.progress.questionnaires
# works them out from the answers when read.
# ---------------------------------------------------------------------------------------------------------


class QuestionnaireKind(models.TextChoices):
    FAAM = "faam", "Foot and Ankle Ability Measure"
    PSFS = "psfs", "Patient-Specific Functional Scale"


FAAM_ITEMS_IN_ALL = 29  # 21 activities of daily living, then 8 sports (tracker.progress.questionnaires)


class QuestionnaireResponse(models.Model):
    """One patient's answers to one questionnaire on one of their days; saved half-done, then completed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="questionnaire_responses")
    kind = models.CharField(max_length=4, choices=QuestionnaireKind)
    date = models.DateField(help_text="The patient's local date.")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="questionnaire_responses"
    )
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind", "date"], name="questionnaire_one_per_patient_kind_day"),
            models.CheckConstraint(condition=Q(kind__in=QuestionnaireKind.values), name="questionnaire_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.patient} on {self.date}"


class FaamAnswer(models.Model):
    """One FAAM item's answer: 4 (no difficulty at all) to 0 (unable to do), or null for N/A.

    An item left blank has no row. ``item`` numbers the 29 items: ADL 1 to 21, sports 22 to 29.
    """

    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="faam_answers")
    item = models.PositiveSmallIntegerField()
    answer = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="faam_answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(item__gte=1, item__lte=FAAM_ITEMS_IN_ALL), name="faam_answer_item_range"
            ),
            models.CheckConstraint(
                condition=Q(answer__isnull=True) | Q(answer__gte=0, answer__lte=4), name="faam_answer_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"FAAM item {self.item}"


class PsfsActivity(models.Model):
    """An activity a patient named on the PSFS, kept from one response to the next."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="psfs_activities")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "name"], name="psfs_activity_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="psfs_activity_named"),
        ]

    def __str__(self) -> str:
        return self.name


class PsfsRating(models.Model):
    """One activity's rating in one PSFS response: 0 (unable) to 10 (as before the problem)."""

    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="psfs_ratings")
    activity = models.ForeignKey(PsfsActivity, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)

    class Meta:
        ordering = ["activity__created_at", "activity_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "activity"], name="psfs_rating_one_per_activity"),
            score_between_0_and_10("rating"),
        ]

    def __str__(self) -> str:
        return f"PSFS rating {self.rating}"


class QuestionnaireRequest(models.Model):
    """A physiotherapist asked for a questionnaire now: due from ``requested_on`` (the patient's date)."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="questionnaire_requests")
    kind = models.CharField(max_length=4, choices=QuestionnaireKind)
    requested_on = models.DateField()
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "requested_on"], name="questionnaire_request_once_a_day"
            ),
            models.CheckConstraint(condition=Q(kind__in=QuestionnaireKind.values), name="questionnaire_request_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} requested for {self.patient} on {self.requested_on}"


class AlertDigestSent(models.Model):
    """One daily digest of high and medium alerts per physiotherapist per date (``ALERT_EMAILS = "digest"``)."""

    physio = models.ForeignKey(User, on_delete=models.CASCADE, related_name="alert_digests_sent")
    local_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["physio", "local_date"], name="alert_digest_once_a_day")]

    def __str__(self) -> str:
        return f"Alert digest to {self.physio} for {self.local_date}"
