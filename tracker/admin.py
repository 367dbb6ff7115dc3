"""Django's own admin: for superusers only (clinic admins use /manage/)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, CareTeamMembership, Course, User


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
admin.site.site_header = "Heel recovery tracker: superuser admin"


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = UserAdmin.fieldsets + (("Clinic", {"fields": ("role", "time_zone")}),)


@admin.register(CareTeamMembership)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ("physio", "patient", "created_at")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "foot", "day_zero", "status")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "patient", "target")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
