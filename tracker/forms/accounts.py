from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .layout import form_helper

INVALID_LOGIN = "Please enter a correct user name and password. Both are case-sensitive."
USERNAME_MAX_LENGTH = 255
INACTIVE_LOGIN = "This account has been deactivated. Please contact your clinic."


class SignInForm(AuthenticationForm):
    """Django's sign-in form with plainer messages; the request reaches django-axes for the address."""

    # A max length of its own (Django sets the model's on the widget only): an over-long name is refused by
    # the form and never reaches django-axes, whose records hold at most 255 characters.
    username = forms.CharField(
        max_length=USERNAME_MAX_LENGTH,
        label="User name",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INACTIVE_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper("username", "password")
