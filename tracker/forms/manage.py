"""Forms for the clinic admin's pages and the invitation link."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.layout import HTML, Div
from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UsernameField

from ..models import PHONE_MAX_LENGTH, AuditAction, CourseFoot, CourseKind, Invitation, Role, User, validate_phone
from ..selectors.accounts import CARE_TEAM_ROLES, care_team_members
from .layout import form_helper

ANY = [("", "Any")]
ACTIVE_CHOICES = [("", "Any"), ("yes", "Active"), ("no", "Deactivated")]


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Name, user name or e-mail", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", choices=ANY + Role.choices, required=False)
    active = forms.ChoiceField(label="Status", choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Div("q", css_class="col-md-5"),
            Div("role", css_class="col-sm-6 col-md-3"),
            Div("active", css_class="col-sm-6 col-md-2"),
        )

    def filters(self) -> dict:
        """Keyword arguments for ``user_list``; an invalid search filters nothing."""
        if not self.is_valid():
            return {}
        active = {"yes": True, "no": False}.get(self.cleaned_data["active"])
        return {"query": self.cleaned_data["q"].strip(), "role": self.cleaned_data["role"], "active": active}


class _CareTeamMemberField(forms.ModelChoiceField):
    """A clinician, labelled by name, user name and (when not a physiotherapist) role."""

    def label_from_instance(self, obj: User) -> str:
        return _member_label(obj)


class InvitationForm(forms.Form):
    """Who to invite; for a patient, optionally their phone, physiotherapist and first course, in one step."""

    email = forms.EmailField(
        label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.PATIENT)
    phone = forms.CharField(
        label="Patient's phone number (optional)",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    physio = _CareTeamMemberField(
        label="Physiotherapist (optional)",
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Choose later",
    )
    course_kind = forms.ChoiceField(
        label="First course: treatment (optional)", choices=[("", "No course yet"), *CourseKind.choices], required=False
    )
    course_foot = forms.ChoiceField(label="Foot", choices=[("", "–"), *CourseFoot.choices], required=False)
    course_day_zero = forms.DateField(
        label="Day 0",
        required=False,
        help_text="The surgery date, the first needling session or the day the routine starts.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["physio"]).queryset = care_team_members()
        self.helper = form_helper(
            "email",
            "role",
            HTML('<h2 class="h6 mt-3">For a patient (optional)</h2>'),
            "phone",
            "physio",
            "course_kind",
            Div(
                Div("course_foot", css_class="col-sm-5"), Div("course_day_zero", css_class="col-sm-7"), css_class="row"
            ),
        )


class InvitationAcceptForm(BaseUserCreationForm):
    """The invitee chooses a user name, their name and a password (checked by Django's validators)."""

    class Meta(BaseUserCreationForm.Meta):  # type: ignore[name-defined]  # django-stubs omits the form's Meta
        model = User
        fields = ("username", "first_name", "last_name")
        field_classes = {"username": UsernameField}
        labels = {"username": "User name", "first_name": "First name", "last_name": "Last name"}

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        # The validators compare the password with these too ("too similar to your e-mail address").
        self.instance.email = invitation.email
        self.instance.role = invitation.role
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["password1"].label = "Password"
        self.fields["password2"].label = "Password again"
        self.helper = form_helper("username", "first_name", "last_name", "password1", "password2")

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That user name is taken. Please choose another.")
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("role")


class CareTeamFilterForm(forms.Form):
    """Which physiotherapist the care-team page is about, and which patients it lists (GET)."""

    SHOW_ALL = ""
    SHOW_TEAM = "team"
    SHOW_UNASSIGNED = "unassigned"

    physio = _CareTeamMemberField(
        label="Physiotherapist",
        queryset=User.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Choose a physiotherapist",
    )
    q = forms.CharField(label="Find patients (name, user name or e-mail)", required=False, max_length=100)
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            (SHOW_ALL, "All active patients"),
            (SHOW_TEAM, "Only this physiotherapist's patients"),
            (SHOW_UNASSIGNED, "Only patients with no physiotherapist"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["physio"]).queryset = care_team_members()
        self.helper = form_helper(
            Div("physio", css_class="col-md-4"), Div("q", css_class="col-md-3"), Div("show", css_class="col-md-3")
        )


class CareTeamChangeForm(forms.Form):
    """Assign ticked patients to a physiotherapist, or take them off (POST)."""

    ASSIGN = "assign"
    REMOVE = "remove"

    physio = forms.ModelChoiceField(label="Physiotherapist", queryset=User.objects.none(), to_field_name="public_id")
    patients = forms.ModelMultipleChoiceField(
        label="Patients",
        queryset=User.objects.none(),
        to_field_name="public_id",
        error_messages={"required": "Tick at least one patient."},
    )
    action = forms.ChoiceField(choices=[(ASSIGN, "Assign"), (REMOVE, "Take off")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any clinician and any patient, so a link to a since-deactivated account can still be taken off;
        # assigning checks that both are active (the service refuses otherwise).
        physio = cast("forms.ModelChoiceField[User]", self.fields["physio"])
        physio.queryset = User.objects.filter(role__in=CARE_TEAM_ROLES)
        patients = cast("forms.ModelMultipleChoiceField[User]", self.fields["patients"])
        patients.queryset = User.objects.filter(role=Role.PATIENT)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == self.ASSIGN:
            inactive = [p for p in cleaned.get("patients", []) if not p.is_active]
            if inactive:
                self.add_error("patients", "Deactivated patients cannot be assigned.")
        return cleaned


def _member_label(user: User) -> str:
    suffix = "" if user.role == Role.PHYSIO else f" ({user.get_role_display()})"
    return f"{user.display_name} ({user.username}){suffix}"


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="Who (user name or name)", required=False, max_length=150)
    patient = forms.CharField(label="Patient (user name or name)", required=False, max_length=150)
    action = forms.ChoiceField(label="What", choices=ANY + AuditAction.choices, required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Div("who", css_class="col-md-3"),
            Div("patient", css_class="col-md-3"),
            Div("action", css_class="col-md-2"),
            Div("date_from", css_class="col-6 col-md-2"),
            Div("date_to", css_class="col-6 col-md-2"),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for ``audit_event_list``; only valid fields filter."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            key: data[key]
            for key in ("who", "patient", "action", "date_from", "date_to")
            if key in data and data[key] not in ("", None)
        }


__all__ = [
    "AuditFilterForm",
    "CareTeamChangeForm",
    "CareTeamFilterForm",
    "InvitationAcceptForm",
    "InvitationForm",
    "RoleForm",
    "UserSearchForm",
]
