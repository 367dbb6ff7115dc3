from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .layout import form_helper

INVALID_LOGIN = "Please enter a correct user name and password. Both are case-sensitive."
INACTIVE_LOGIN = "This account has been deactivated. Please contact your clinic."


class SignInForm(AuthenticationForm):
    """Django's sign-in form with plainer messages; the request reaches django-axes for the address."""

    username = forms.CharField(
        label="User name", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INACTIVE_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("username", "password")
