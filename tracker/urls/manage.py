from django.urls import path

from ..views import manage

app_name = "manage"
urlpatterns = [
    path("", manage.index, name="index"),
    path("users/", manage.users, name="users"),
    path("users/invite/", manage.invite, name="invite"),
    path("invitations/<int:pk>/resend/", manage.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", manage.invitation_revoke, name="invitation_revoke"),
    path("users/<uuid:public_id>/", manage.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/role/", manage.user_role, name="user_role"),
    path("users/<uuid:public_id>/deactivate/", manage.user_deactivate, name="user_deactivate"),
    path("users/<uuid:public_id>/reactivate/", manage.user_reactivate, name="user_reactivate"),
    path("users/<uuid:public_id>/password-reset/", manage.user_password_reset, name="user_password_reset"),
    path("users/<uuid:public_id>/unlock/", manage.user_unlock, name="user_unlock"),
    path("users/<uuid:public_id>/approve/", manage.user_approve, name="user_approve"),
    path(
        "users/<uuid:public_id>/second-factor-reset/",
        manage.user_second_factor_reset,
        name="user_second_factor_reset",
    ),
    path("care-teams/", manage.care_teams, name="care_teams"),
    path("care-teams/change/", manage.care_teams_change, name="care_teams_change"),
    path("audit/", manage.audit, name="audit"),
    path("audit/export.csv", manage.audit_export, name="audit_export"),
]
