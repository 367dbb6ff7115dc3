from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Heel recovery tracker"

    def ready(self) -> None:
        import mimetypes

        # The web app manifest's own type, where the system's list lacks it (Django's static serving reads it).
        mimetypes.add_type("application/manifest+json", ".webmanifest")
        from . import signals  # noqa: F401  (sign-in, failed sign-in and lockout audit)
