"""Forms of the validated questionnaires (issue 13): one FAAM subscale per page, and the PSFS."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..models import PsfsActivity
from ..progress.questionnaires import (
    FAAM_ANSWERS,
    FAAM_NOT_APPLICABLE,
    PSFS_MAX_RATING,
    Subscale,
    subscale_items,
)
from ..progress.timelines import PSFS_MAX_ACTIVITIES

NOT_APPLICABLE_VALUE = "na"
FAAM_CHOICES = [(str(value), label) for value, label in FAAM_ANSWERS] + [(NOT_APPLICABLE_VALUE, FAAM_NOT_APPLICABLE)]
RATING_CHOICES = [(str(n), str(n)) for n in range(PSFS_MAX_RATING + 1)]
NEW_ACTIVITY_NEEDS_RATING = "Rate the activity you added, or leave its name blank."
RATING_NEEDS_NEW_ACTIVITY = "Name the activity you rated."
RATE_EVERY_ACTIVITY = "Rate this activity: 0 if you cannot do it at all, 10 if as well as before."


class FaamSubscaleForm(forms.Form):
    """One subscale's items, each a choice of the five answers or N/A; an item may be left blank (the score
    then needs at least 90 % answered)."""

    def __init__(self, *args, subscale: Subscale, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscale = subscale
        for number, text in subscale_items(subscale):
            self.fields[f"item_{number}"] = forms.ChoiceField(
                label=text, choices=FAAM_CHOICES, required=False, widget=forms.RadioSelect
            )

    @staticmethod
    def initial_from(answers: dict[int, int | None]) -> dict[str, str]:
        return {f"item_{i}": NOT_APPLICABLE_VALUE if a is None else str(a) for i, a in answers.items()}

    def answers(self) -> dict[int, int | None]:
        """{item: 0 to 4, or None for N/A}; blank items are left out."""
        found: dict[int, int | None] = {}
        for name, value in self.cleaned_data.items():
            if value:
                found[int(name.removeprefix("item_"))] = None if value == NOT_APPLICABLE_VALUE else int(value)
        return found

    @property
    def items(self):
        return [self[name] for name in self.fields]


class PsfsForm(forms.Form):
    """A rating for each activity named before (kept from last time), and one new activity if fewer than 3."""

    def __init__(self, *args, activities: list[PsfsActivity], **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = activities
        for activity in activities:
            self.fields[f"rating_{activity.pk}"] = forms.TypedChoiceField(
                label=activity.name,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": RATE_EVERY_ACTIVITY},
            )
        self.can_add = len(activities) < PSFS_MAX_ACTIVITIES
        if self.can_add:
            self.fields["new_name"] = forms.CharField(
                label="An activity you find hard" if not activities else "Add an activity (optional)",
                max_length=100,
                required=not activities,
                help_text="For example: walking to work, climbing stairs, playing football.",
            )
            self.fields["new_rating"] = forms.TypedChoiceField(
                label="How well can you do it now?",
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    @property
    def rating_fields(self):
        return [self[f"rating_{a.pk}"] for a in self.activities]

    def clean(self):
        data = super().clean() or {}
        name = (data.get("new_name") or "").strip()
        rating = data.get("new_rating")
        if name and rating in (None, ""):
            self.add_error("new_rating", NEW_ACTIVITY_NEEDS_RATING)
        if rating not in (None, "") and not name and "new_name" in self.fields:
            self.add_error("new_name", RATING_NEEDS_NEW_ACTIVITY)
        if name and any(a.name == name for a in self.activities):
            self.add_error("new_name", "You rated this activity above already.")
        return data

    def ratings(self) -> list[tuple[str, int]]:
        found = [(a.name, self.cleaned_data[f"rating_{a.pk}"]) for a in self.activities]
        name = (self.cleaned_data.get("new_name") or "").strip()
        if name:
            found.append((name, self.cleaned_data["new_rating"]))
        return found


def validation_errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)
