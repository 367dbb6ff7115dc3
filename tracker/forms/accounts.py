from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form; passes the request through so django-axes can see the address."""

    username = forms.CharField(
        label="User name", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
