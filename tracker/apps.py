from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Heel recovery tracker"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-in, failed sign-in and lockout audit)
