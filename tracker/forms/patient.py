"""The patient's forms: the daily log (one form per treated foot), a session, account settings, closing.

Each bound is checked here with a message that says what to change (the constants below, which the tests
import), and again by the database's constraints.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from crispy_forms.layout import HTML, Div
from django import forms

from ..csv_format import LOG_COLUMNS
from ..models import (
    EMERGENCY_RED_FLAGS,
    PHONE_MAX_LENGTH,
    RED_FLAG_FIELDS,
    SYMPTOM_FIELDS,
    ActivityLevel,
    Footwear,
    MassageArea,
    MassageTechnique,
    MassageTool,
    OtherSessionKind,
    Preparation,
    SessionKind,
    UsualActivities,
    WeightBearing,
    validate_phone,
)
from .layout import ButtonRow, DateInWindow, SelectInput, TextInput, TickBox, Wrap, form_helper

# Messages (the tests import these)
FIRST_STEP_REQUIRED = "Choose how your first steps felt this morning, from 0 (no pain) to 10 (worst imaginable)."
AVERAGE_REQUIRED = "Choose your pain on average today, from 0 (no pain) to 10 (worst imaginable)."
FIRST_STEP_REQUIRED_PAST = "Choose how your first steps felt that morning, from 0 (no pain) to 10 (worst imaginable)."
AVERAGE_REQUIRED_PAST = "Choose your pain on average that day, from 0 (no pain) to 10 (worst imaginable)."
# Warning signs of the whole body, not of one foot: asked once a day, on the first foot's card, and saved on every
# foot's log of the day (the engine reads them by day: tracker.progress.calculate.SYSTEMIC_RED_FLAGS).
WHOLE_BODY_RED_FLAGS = ("rf_fever", "rf_calf", "rf_breathless_chest")
WOUND_RED_FLAGS = frozenset({"rf_wound"})  # asked only about a foot that had surgery
SCORE_RANGE = "Choose a number from 0 (no pain) to 10 (worst imaginable)."
MINUTES_RANGE = "Enter the minutes on your feet as a whole number from 0 to 1440 (a whole day)."
STEPS_RANGE = "Enter your steps as a whole number from 0 to 100,000, or leave it empty."
CHOICE_INVALID = "Choose one of the options shown."
NOTE_TOO_LONG = "Keep the note to 2,000 characters or fewer (it has %(show_value)d)."
SESSION_KIND_REQUIRED = "Choose what kind of session it was."
TECHNIQUE_REQUIRED = "Choose the massage technique you used."
OTHER_KIND_REQUIRED = "Choose what kind of session it was: physical therapy visit, stretching, shockwave or orthotics."
SESSION_MINUTES_RANGE = "Enter the minutes as a whole number from 1 to 600, or leave it empty."
DATE_INVALID = "Enter the date as year-month-day, for example 2026-03-01."
CLOSE_CONFIRM_REQUIRED = "Tick the box to confirm that you want to close your account."
TIME_ZONE_INVALID = "Choose a time zone from the list, such as Europe/London."
HOUR_RANGE = "Choose an hour from 0 (midnight) to 23 (11 pm)."

PAIN_CHOICES = [(str(n), str(n)) for n in range(11)]


def _score_field(
    *, label: str, required: bool, required_message: str = SCORE_RANGE, help_text: str = ""
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message, "invalid_choice": SCORE_RANGE},
    )


def _choice_field(*, label: str, choices, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=list(choices),
        required=required,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOICE_INVALID, "required": CHOICE_INVALID},
    )


NOTE_MAX_LENGTH = 2000


class NoteField(forms.CharField):
    """A patient's note, counted as people see characters: code points (``len`` here, ``[...s].length`` in
    static/js/log_form.js, which shows the count as they type), a line break counted once (a browser sends each
    as CR LF). The page sets no ``maxlength``: the browser would cut the note silently and count an emoji as 2.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", NOTE_MAX_LENGTH)
        kwargs.setdefault("error_messages", {"max_length": NOTE_TOO_LONG})
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["data-count-max"] = str(self.max_length)
        return attrs


class DailyLogForm(forms.Form):
    """One treated foot on one day. ``surgical`` shows weight-bearing and footwear; ``needling`` the
    soreness and bruising questions (the two days after a needling session)."""

    first_step_pain = _score_field(
        label="Your first steps this morning", required=True, required_message=FIRST_STEP_REQUIRED
    )
    average_pain = _score_field(label="Pain on average today", required=True, required_message=AVERAGE_REQUIRED)
    pain_after_activity = _score_field(label="Pain after standing or exercise (if you did any)", required=False)
    minutes_on_feet = forms.IntegerField(
        label="Minutes on your feet",
        required=False,
        min_value=0,
        max_value=1440,
        error_messages={"invalid": MINUTES_RANGE, "min_value": MINUTES_RANGE, "max_value": MINUTES_RANGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 1440}),
    )
    steps = forms.IntegerField(
        label="Steps (if you count them)",
        required=False,
        min_value=0,
        max_value=100_000,
        error_messages={"invalid": STEPS_RANGE, "min_value": STEPS_RANGE, "max_value": STEPS_RANGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100000}),
    )
    activity_level = _choice_field(label="How active were you?", choices=ActivityLevel.choices)
    usual_activities = _choice_field(label="Back to your usual activities?", choices=UsualActivities.choices)
    weight_bearing = _choice_field(label="Weight on the foot", choices=WeightBearing.choices)
    footwear = _choice_field(label="What you wore on the foot", choices=Footwear.choices)
    needling_soreness = _score_field(label="Soreness from needling", required=False)
    bruising = forms.TypedChoiceField(
        label="Bruising where you were needled?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    note = NoteField(label="Anything else")
    # The saved version the form was opened on (services.logs.log_version): a save from an older tab is refused.
    version = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    SURGICAL_FIELDS = ("weight_bearing", "footwear")
    NEEDLING_FIELDS = ("needling_soreness", "bruising")

    def __init__(
        self,
        *args,
        foot: str,
        surgical: bool = False,
        needling: bool = False,
        past: bool = False,
        whole_body: bool = True,
        several: bool = False,
        **kwargs,
    ):
        """``past``: a day before today, worded in the past. ``whole_body``: this card asks the whole-body warning
        signs (the first foot's card only; the view copies them to the other feet). ``several``: two feet."""
        kwargs.setdefault("prefix", foot)
        super().__init__(*args, **kwargs)
        self.foot = foot
        self.surgical = surgical
        self.needling = needling
        self.past = past
        self.whole_body = whole_body
        self.several = several
        if past:
            self.fields["first_step_pain"].label = "Your first steps that morning"
            self.fields["first_step_pain"].error_messages["required"] = FIRST_STEP_REQUIRED_PAST
            self.fields["average_pain"].label = "Pain on average that day"
            self.fields["average_pain"].error_messages["required"] = AVERAGE_REQUIRED_PAST
            self.fields["activity_level"].label = "How active were you that day?"
        for name, label in SYMPTOM_FIELDS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        initial = self.initial
        for name, label in RED_FLAG_FIELDS:
            if name in WHOLE_BODY_RED_FLAGS and not whole_body:
                continue
            # A wound sign only after surgery (kept on a day that already has it ticked, so it can be unticked).
            if name in WOUND_RED_FLAGS and not surgical and not initial.get(name):
                continue
            self.fields[name] = forms.BooleanField(label=label, required=False)
        if not surgical:
            for name in self.SURGICAL_FIELDS:
                del self.fields[name]
        if not needling:
            for name in self.NEEDLING_FIELDS:
                del self.fields[name]
        self.helper = form_helper(Wrap("tracker/crispy/log_foot.html", *self._layout()), page_lists_errors=True)

    def _layout(self) -> list:
        """First-step and average pain first; the rest folded away, the warning signs always in view."""
        layout: list = ["version", ButtonRow("first_step_pain", scale=True), ButtonRow("average_pain", scale=True)]
        if self.surgical:
            layout += [
                HTML(
                    '<p class="small text-body-secondary mb-2">Weight and footwear start from your last answer: '
                    "change them only if they changed.</p>"
                ),
                ButtonRow("weight_bearing"),
                ButtonRow("footwear"),
                # After surgery "back to usual activities" is a milestone the progress page judges: asked here,
                # in view, not folded away (the progress page points to it).
                ButtonRow("usual_activities"),
            ]
        if self.needling:
            layout.append(
                Div(
                    ButtonRow("needling_soreness", scale=True),
                    ButtonRow("bruising"),
                    css_class="border-start border-4 border-info ps-2 mb-3",
                )
            )
        layout += [
            Wrap(
                "tracker/crispy/details.html",
                ButtonRow("pain_after_activity", scale=True),
                Div(
                    Div(TextInput("minutes_on_feet"), css_class="col-6"),
                    Div(TextInput("steps"), css_class="col-6"),
                    css_class="row g-2",
                ),
                ButtonRow("activity_level"),
                *([] if self.surgical else [ButtonRow("usual_activities")]),
                Wrap(
                    "tracker/crispy/fieldset.html",
                    *(TickBox(name) for name, _ in SYMPTOM_FIELDS),
                    legend="Symptoms that day" if self.past else "Symptoms today",
                    hint="(tick any)",
                    css_class="mb-3",
                    legend_class="form-label fw-semibold fs-6 mb-1",
                ),
                TextInput("note"),
                summary=(
                    "More about that day: activity, symptoms, note (optional)"
                    if self.past
                    else "More about today: activity, symptoms, note (optional)"
                ),
            ),
        ]
        have = "did you have" if self.past else "do you have"
        foot_flags = [n for n, _ in RED_FLAG_FIELDS if n in self.fields and n not in WHOLE_BODY_RED_FLAGS]
        body_flags = [n for n, _ in RED_FLAG_FIELDS if n in self.fields and n in WHOLE_BODY_RED_FLAGS]
        for names, legend in (
            (foot_flags, f"Warning signs in this foot: {have} any of these?"),
            (
                body_flags,
                f"Warning signs anywhere in your body: {have} any of these?"
                + (" (asked once for both feet)" if self.several else ""),
            ),
        ):
            if not names:
                continue
            layout.append(
                Wrap(
                    "tracker/crispy/fieldset.html",
                    # static/js/log_form.js shows the guidance as soon as one of these is ticked.
                    *(
                        TickBox(name, data_red_flag="emergency" if name in EMERGENCY_RED_FLAGS else "care-team")
                        for name in names
                    ),
                    legend=legend,
                    css_class="mb-2 border border-danger-subtle rounded p-2",
                    legend_class="form-label fw-semibold fs-6 mb-1 float-none w-auto px-1",
                )
            )
        return layout

    @property
    def foot_label(self) -> str:
        return {"left": "Left foot", "right": "Right foot"}.get(self.foot, self.foot)

    def model_data(self) -> dict:
        """The cleaned values as DailyLog field values (blank choices as "", as the model stores them)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("activity_level", "usual_activities", *self.SURGICAL_FIELDS):
            if name in data and data[name] is None:
                data[name] = ""
        return data


def _shown(form: DailyLogForm, name: str, value: object) -> str:
    if isinstance(value, bool):
        return "ticked" if value else "not ticked"
    if value is None or value == "":
        return "–"
    choices = dict(getattr(form.fields[name], "choices", []) or [])
    return str(choices.get(value, choices.get(str(value), value)))


def changed_answers(form: DailyLogForm, saved) -> list[tuple[str, str, str]]:
    """(question, saved answer, the patient's answer) for each answer of a valid ``form`` that differs from the
    ``saved`` log: what a patient compares when the day was changed elsewhere (``services.logs.LogConflict``)."""
    rows = []
    for name, mine in form.model_data().items():
        theirs = getattr(saved, name)
        if theirs != mine:
            if name == "bruising":
                theirs = None if theirs is None else ("yes" if theirs else "no")
                mine = None if mine is None else ("yes" if mine else "no")
            rows.append((str(form.fields[name].label), _shown(form, name, theirs), _shown(form, name, mine)))
    return rows


def log_initial(log, *, previous=None) -> dict:
    """Initial values: the day's saved log, or, for a new day, the rarely changing answers from the last one."""
    initial = {}
    if log is not None:
        # The day's answers: every column of the log's export format but its date and foot (and bruising, a
        # yes/no choice on the form).
        for name in LOG_COLUMNS:
            if name not in {"date", "foot", "bruising"}:
                initial[name] = getattr(log, name)
        if log.bruising is not None:
            initial["bruising"] = "yes" if log.bruising else "no"
    elif previous is not None:
        # Weight-bearing and footwear rarely change from one day to the next: start from the last answer.
        initial["weight_bearing"] = previous.weight_bearing
        initial["footwear"] = previous.footwear
    return initial


class SessionForm(forms.Form):
    """A home massage or another session (DESIGN.md section 4). Needling and surgery are recorded by the team."""

    KINDS = [(SessionKind.MASSAGE.value, "Home massage"), (SessionKind.OTHER.value, "Something else")]

    kind = forms.ChoiceField(
        label="What did you do?",
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": SESSION_KIND_REQUIRED, "invalid_choice": SESSION_KIND_REQUIRED},
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": DATE_INVALID, "invalid": DATE_INVALID},
    )
    technique = _choice_field(label="Technique", choices=MassageTechnique.choices)
    tool = _choice_field(label="Tool", choices=MassageTool.choices)
    minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=1,
        max_value=600,
        error_messages={
            "invalid": SESSION_MINUTES_RANGE,
            "min_value": SESSION_MINUTES_RANGE,
            "max_value": SESSION_MINUTES_RANGE,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 600}),
    )
    areas = forms.MultipleChoiceField(
        label="Areas",
        choices=MassageArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    preparation = _choice_field(label="How you prepared", choices=Preparation.choices)
    discomfort = _score_field(label="Discomfort during the massage", required=False)
    adverse_reaction = forms.BooleanField(
        label="It caused pain or a bad reaction (for example bruising, swelling, numbness)", required=False
    )
    other_kind = _choice_field(label="Kind of session", choices=OtherSessionKind.choices)
    note = NoteField(label="Note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required once their kind is chosen (``clean``): the label must not say "(optional)".
        for name in ("technique", "other_kind"):
            self.fields[name].required_in_block = True  # type: ignore[attr-defined]  # read by button_row.html
        # static/js/log_form.js shows only the block (data-kind) of the kind chosen.
        self.helper = form_helper(
            ButtonRow("kind"),
            DateInWindow("date"),
            Div(
                ButtonRow("technique"),
                ButtonRow("tool"),
                TextInput("minutes"),
                ButtonRow("areas"),
                ButtonRow("preparation"),
                HTML(
                    '{% load sources %}<p class="small text-body-secondary mt-n2">The article suggests a 5 to 10 '
                    "minute warm soak or light stretching first ({% cite preparation %}).</p>"
                ),
                ButtonRow("discomfort", scale=True),
                TickBox("adverse_reaction"),
                Wrap("tracker/crispy/massage_caution.html"),
                data_kind="massage",
            ),
            Div(ButtonRow("other_kind"), data_kind="other"),
            TextInput("note"),
            page_lists_errors=True,
        )

    MASSAGE_FIELDS = ("technique", "tool", "minutes", "areas", "preparation", "discomfort", "adverse_reaction")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == SessionKind.MASSAGE and not data.get("technique") and "technique" not in self.errors:
            self.add_error("technique", TECHNIQUE_REQUIRED)
        if kind == SessionKind.OTHER and not data.get("other_kind") and "other_kind" not in self.errors:
            self.add_error("other_kind", OTHER_KIND_REQUIRED)
        return data

    def session_data(self) -> dict:
        """The fields that belong to the chosen kind, as Session field values (the others left blank)."""
        data = self.cleaned_data
        values = {"kind": data["kind"], "date": data["date"], "note": data.get("note", "")}
        if data["kind"] == SessionKind.MASSAGE:
            values.update(
                technique=data["technique"],
                tool=data.get("tool") or "",
                minutes=data.get("minutes"),
                areas=list(data.get("areas") or []),
                preparation=data.get("preparation") or "",
                discomfort=data.get("discomfort"),
                adverse_reaction=bool(data.get("adverse_reaction")),
            )
        else:
            values["other_kind"] = data["other_kind"]
        return values


# The zones most patients pick, first; then every zone of a place (Region/City), without the database's
# technical entries ("Factory", "localtime", "posixrules") and old aliases ("GB", "US/Eastern", "EST5EDT").
COMMON_TIME_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)
_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


def _zone_label(name: str) -> str:
    return name.replace("_", " ")


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: the common zones, then all places' zones, alphabetically."""
    available = zoneinfo.available_timezones()
    places = sorted(n for n in available if n.split("/", 1)[0] in _REGIONS and "/" in n)
    common = [(n, _zone_label(n)) for n in COMMON_TIME_ZONES if n in available or n == "UTC"]
    return [("Common time zones", common), ("All time zones", [(n, _zone_label(n)) for n in places])]


class AccountSettingsForm(forms.Form):
    """Phone number, time zone and reminder. The notes between the fields read ``today`` and ``user`` from the page."""

    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        help_text='Your day starts at midnight here: it decides which day "today" is.',
        error_messages={"invalid_choice": TIME_ZONE_INVALID, "required": TIME_ZONE_INVALID},
    )
    reminder_enabled = forms.BooleanField(label="E-mail me a reminder if I have not logged the day yet", required=False)
    reminder_hour = forms.TypedChoiceField(
        label="At (your local time)",
        choices=[(str(h), f"{h:02d}:00") for h in range(24)],
        coerce=int,
        error_messages={"invalid_choice": HOUR_RANGE, "required": HOUR_RANGE},
    )
    phone = forms.CharField(
        label="Your phone number (optional)",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        validators=[validate_phone],
        help_text="Your care team sees it, to call you back about a warning sign you report.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("time_zone")
        field = self.fields["time_zone"]
        if (
            isinstance(field, forms.ChoiceField)
            and current
            and not field.valid_value(current)
            and current in zoneinfo.available_timezones()
        ):
            # An old alias saved before the list was trimmed stays choosable, so the page saves unchanged.
            field.choices = [("Your current time zone", [(current, _zone_label(current))]), *time_zone_choices()]
        self.helper = form_helper(
            TextInput("phone"),
            SelectInput("time_zone"),
            HTML('<p class="small text-body-secondary">By this time zone, today is {{ today|date:"l j F Y" }}.</p>'),
            TickBox("reminder_enabled"),
            Div(SelectInput("reminder_hour"), css_class="mt-2"),
            HTML(
                '<p class="small text-body-secondary">The reminder is sent only on days you have not logged yet by '
                "then, at most once a day, to "
                '{{ user.email|default:"your e-mail address (none is set: ask your clinic to add one)" }}.</p>'
            ),
            page_lists_errors=True,
        )


class AccountCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: I will no longer be able to sign in, and my records stay with my clinic.",
        error_messages={"required": CLOSE_CONFIRM_REQUIRED},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(TickBox("confirm"), page_lists_errors=True)
