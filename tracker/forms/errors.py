"""A service's refusal (``ValidationError``) shown where the user will read it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on the field it names when the form has
    that field, otherwise (no field, or one the form does not show) on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def validation_message(exc: ValidationError) -> str:
    """A service's ``ValidationError`` as one line of text, for a message shown without a form."""
    return " ".join(exc.messages)
