"""Django's own admin: for superusers only (clinic admins use /manage/), and read-only.

Every change to an account (a role, a password, deactivation) goes through ``tracker.services.accounts``,
audited, which also ends the account's sessions and keeps care teams consistent: here nothing can be added,
changed or deleted (issue 12 item 7).

Django's admin writes no ``AuditEvent``, so it offers no clinical data (courses, logs, sessions, notes, alerts:
those are read through the clinic pages, audited, by the care team) and no change to care teams (made on
/manage/care-teams/, audited, where nobody can put themselves on a care team).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, CareTeamMembership, User


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


# Replaced on the default site's instance; mypy refuses any assignment to a method (the stubs are right that it
# is one), and a custom AdminSite would need its own module and app config for the same one check.
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Heel recovery tracker: superuser admin"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: no add, change or delete (the services make changes, audited)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class AccountAdmin(ReadOnlyAdmin, UserAdmin):
    """Read-only, its password form included (UserAdmin checks the change permission for it)."""

    list_display = ("username", "email", "role", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Clinic", {"fields": ("role", "time_zone")}))


@admin.register(CareTeamMembership)
class CareTeamAdmin(ReadOnlyAdmin):
    """Read-only: who looks after whom (names only)."""

    list_display = ("physio", "patient", "created_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_username", "action", "patient", "target")


# Authenticators and recovery codes change only through tracker.services.second_factor (audited): the reset on
# /manage/ or the reset_second_factor command. django-otp's own admin pages would go around both.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
