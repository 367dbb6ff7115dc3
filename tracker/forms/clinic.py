"""Forms of the physiotherapist's pages. They check the input's shape; the services check the rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.layout import Div, Field
from django import forms

from ..models import Alert, CourseFoot, CourseKind, CourseStatus, NeedlingSite
from ..progress.timelines import NEEDLING_SESSIONS_CITATION, SESSION_LENGTH_CITATION
from ..selectors.clinic import SORT_FAAM_ADL, SORT_FAAM_ADL_CHANGE, Need
from ..services.clinic import ACK_NOTE_REQUIRED, IMPORT_MAX_BYTES, NOTE_EMPTY
from .layout import form_helper

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=100)
    need = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *((n.value, n.label) for n in Need)]
    )
    kind = forms.ChoiceField(label="Course", required=False, choices=[("", "Any course"), *CourseKind.choices])
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "Who needs you first"),
            (SORT_FAAM_ADL, "FAAM ADL score, lowest first"),
            (SORT_FAAM_ADL_CHANGE, "FAAM ADL change since baseline, largest drop first"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Div("q", css_class="col-md-3"),
            Div("need", css_class="col-sm-6 col-md-2"),
            Div("kind", css_class="col-sm-6 col-md-2"),
            Div("sort", css_class="col-sm-6 col-md-3"),
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="New note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": NOTE_EMPTY},
        help_text="Seen by the care team only, never by the patient.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text")


class AlertAcknowledgeForm(forms.Form):
    """Acknowledge one alert, in its table row: the note box's label (read by screen readers) names the patient."""

    note = forms.CharField(
        label="What did you do?",
        max_length=500,
        error_messages={"required": ACK_NOTE_REQUIRED},
        widget=forms.TextInput(attrs={"placeholder": "What did you do?"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field("note", template="tracker/crispy/ack_note.html"))

    def for_alert(self, alert: Alert) -> AlertAcknowledgeForm:
        """Ids and label for the row of ``alert`` (a page shows one form per open alert)."""
        self.auto_id = f"ack-%s-{alert.pk}"
        # On the bound field, which a validated form has already made with the field's label.
        self["note"].label = f"Note on acknowledging the alert for {alert.patient.display_name}"
        return self


class CourseStartForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=CourseKind.choices)
    foot = forms.ChoiceField(label="Treated foot", choices=CourseFoot.choices)
    day_zero = forms.DateField(
        label="Day 0",
        widget=DATE_WIDGET,
        help_text="The surgery date, the first needling session or the routine start.",
    )
    planned_sessions = forms.IntegerField(
        label="Planned needling sessions",
        required=False,
        min_value=1,
        max_value=20,
        help_text=f"Dry needling only. The source says most patients need 4 to 6 ({NEEDLING_SESSIONS_CITATION.ref}).",
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = form_helper("kind", "foot", "day_zero", "planned_sessions")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("planned_sessions") is not None and data.get("kind") != CourseKind.NEEDLING:
            self.add_error("planned_sessions", "Planned sessions are only for a dry needling course.")
        day_zero = data.get("day_zero")
        if day_zero and (day_zero - self.today).days > 365:
            self.add_error("day_zero", "Day 0 can be at most a year ahead.")
        return data


class CourseFinishForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(CourseStatus.COMPLETED.value, "Completed"), (CourseStatus.STOPPED.value, "Stopped")],
    )
    ended_on = forms.DateField(label="Ended on", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("outcome", "ended_on")


class PlannedSessionsForm(forms.Form):
    planned_sessions = forms.IntegerField(label="Planned needling sessions", min_value=1, max_value=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("planned_sessions")


TWITCH_CHOICES = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


class NeedlingSessionForm(forms.Form):
    date = forms.DateField(label="Date", widget=DATE_WIDGET)
    minutes = forms.IntegerField(
        label="Minutes", min_value=1, max_value=600, help_text=f"Usually 15 to 30 ({SESSION_LENGTH_CITATION.ref})."
    )
    sites = forms.MultipleChoiceField(
        label="Sites",
        choices=NeedlingSite.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one site."},
    )
    twitch_response = forms.ChoiceField(label="Twitch response", choices=TWITCH_CHOICES, required=False)
    soreness_after = forms.IntegerField(
        label="Soreness right after (0 to 10)", min_value=0, max_value=10, required=False
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("date", "minutes", "sites", "twitch_response", "soreness_after", "note")

    def clean_twitch_response(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["twitch_response"])


class DiaryImportForm(forms.Form):
    file = forms.FileField(
        label="Earlier diary (CSV)",
        help_text=f"The columns of the logs.csv export; at most {IMPORT_MAX_BYTES // 1024} KB. "
        "All or nothing: if any row is refused, no row is imported. Daily logs only: questionnaire rows "
        "(FAAM, PSFS) are not accepted.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {IMPORT_MAX_BYTES // 1024} KB.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Upload a .csv file (the logs.csv export format).")
        return upload
