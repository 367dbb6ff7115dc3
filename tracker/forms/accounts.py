from django import forms
from django.contrib.auth import get_user_model
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

    def get_invalid_login_error(self) -> forms.ValidationError:
        """Django's backend refuses a deactivated account as if the password were wrong. Say it is deactivated, but
        only when the password was right: a wrong password reads the same for every account, so the message
        reveals nothing to someone guessing. (A locked-out name never gets here: django-axes refuses it first.)"""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            user = get_user_model()._default_manager.filter(username=username, is_active=False).first()
            if user is not None and user.check_password(password):
                return forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return super().get_invalid_login_error()
