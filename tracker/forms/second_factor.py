"""Forms of the second factor: a code at sign-in, confirming a new authenticator, turning it off."""

from __future__ import annotations

from typing import Any

from django import forms

from .layout import form_helper

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code (letters and digits)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text=CODE_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, autofocus: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not autofocus:
            self.fields["code"].widget.attrs.pop("autofocus", None)
        self.helper = form_helper("code")


class SetupForm(forms.Form):
    """The code the new authenticator shows, and the password again when the sign-in is not recent."""

    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="6 digits. The app shows a new one every 30 seconds.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="You signed in a while ago: confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, ask_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["password"]
        self.helper = form_helper(*self.fields)
