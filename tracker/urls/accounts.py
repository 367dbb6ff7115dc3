from django.contrib.auth import views as auth_views
from django.urls import path

from ..forms.accounts import SignInForm
from ..views import accounts, second_factor

urlpatterns = [
    path(
        "login/",
        accounts.SignInView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_reset/", accounts.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("invitation/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("second-factor/", second_factor.overview, name="second_factor"),
    path("second-factor/verify/", second_factor.verify, name="second_factor_verify"),
    path("second-factor/setup/", second_factor.setup, name="second_factor_setup"),
    path("second-factor/recovery-codes/", second_factor.recovery_codes, name="second_factor_recovery_codes"),
    path("second-factor/turn-off/", second_factor.disable, name="second_factor_disable"),
]
