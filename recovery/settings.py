"""Settings for the heel recovery tracker.

One module, read from the environment. A malformed value stops start-up with a message naming the
variable, rather than running with a surprising default (see ``README.md`` for the table).
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The scale benchmark's bare signed-in page (/bench/bare/, README "Benchmarks"): its URL exists only when this is
# on, which only scripts/bench_common.py does.
BENCHMARK_BARE_VIEW = env_bool("BENCHMARK_BARE_VIEW", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    # Second factor (TOTP authenticators, one-time recovery codes): tracker.middleware.SecondFactorMiddleware.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Earlier versions of clinical records (tracker.models: DailyLog, Session, Course, ClinicalNote).
    "simple_history",
    "csp",
    "tracker",
]

# Order (issue 12): the request-size cap first (nothing is read before it), then sessions and authentication,
# then the session limits (account changed, staff absolute limit, idle: IdleTimeoutMiddleware), then the second
# factor (SecondFactorMiddleware), then django-axes last.
MIDDLEWARE = [
    # Refuses a body over MAX_REQUEST_BODY_BYTES with a 413 before reading it.
    "tracker.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "tracker.middleware.IdleTimeoutMiddleware",
    # Signed-in responses (clinical pages, exports, refusals) are never cached: Cache-Control no-store.
    "tracker.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the idle check: staff (and patients who opted in) reach no page but the second-factor ones
    # until their session is verified.
    "tracker.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recovery.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.clinic_contact",
            ],
        },
    },
]

WSGI_APPLICATION = "recovery.wsgi.application"

_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL", "").strip() or _default_db
if not _db_url.startswith(("sqlite://", "postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://, not {_db_url.split(':', 1)[0]!r}"
    )
try:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a competing writer instead of failing at once (two submissions of the same day).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user name or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if env_bool("TESTING", False):
    # Tests create hundreds of users: a deliberately slow hash would dominate the suite's time. Never in use
    # outside the tests (TESTING is set only by tests/environment.py and the benchmark scripts).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone such as Europe/London, not {TIME_ZONE!r}")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]  # a directory, or (prefix, directory)
# Front-end packages come from npm (package.json and its lock file); only the files the pages use
# are collected, never the whole of node_modules.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS += [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's form renderer with the <input> and <textarea> tags written in Python: same HTML (tests/test_form_renderer.py).
FORM_RENDERER = "tracker.forms.renderer.FastInputRenderer"

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Heel recovery tracker <no-reply@localhost>")

# Sessions. Staff (physiotherapists, admins) are signed out after 30 idle minutes, patients after
# 14 days (tracker.middleware.IdleTimeoutMiddleware); the cookie itself lives as long as the longest.
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
PATIENT_IDLE_TIMEOUT_DAYS = env_int("PATIENT_IDLE_TIMEOUT_DAYS", 14, minimum=1)
# Staff sessions also end this long after signing in, however active (issue 12; tracker.middleware).
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12, minimum=1)

# Request bodies (issue 12): the largest form is the diary import (512 KB, tracker.services.clinic), so 1 MB
# covers it with its multipart wrapping. A larger body is refused before it is read (RequestSizeLimitMiddleware);
# Django's own limits bound what is held in memory (the import reads the file itself, checking its size).
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
SESSION_COOKIE_AGE = max(STAFF_IDLE_TIMEOUT_MINUTES * 60, PATIENT_IDLE_TIMEOUT_DAYS * 86400)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one user name from one address, that
# name is refused from that address for a cool-off period (issue 12: a colleague's typos on a shared address
# no longer lock them out until an admin acts; an admin can still unlock at once on /manage/).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# And a cap per client address across user names (tracker.views.accounts.SignInView): one address trying many
# names is refused for the window once it has this many failures.
SIGN_IN_FAILURES_PER_CLIENT = env_int("SIGN_IN_FAILURES_PER_CLIENT", 20, minimum=1)
SIGN_IN_CLIENT_WINDOW_SECONDS = env_int("SIGN_IN_CLIENT_WINDOW_SECONDS", 15 * 60, minimum=1)
# Password-reset e-mails: per address and per client, per window; over the limit the page answers the same
# and sends nothing (no account enumeration).
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10, minimum=1)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 3600, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a reverse proxy the connecting address is the proxy's: count the proxies whose X-Forwarded-For
# entries are trusted (1 for one proxy). The audit trail and the lockout read the client's address through
# one function.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "tracker.services.audit.client_ip"

# The site's public address, for links in e-mails sent outside a request (daily reminders from cron).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

# The clinic's own contact, shown in every red-flag guidance beside the emergency numbers (demo defaults).
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "020 7946 0000")
CLINIC_HOURS = os.environ.get("CLINIC_HOURS", "Monday to Friday, 8 am to 6 pm")
# E-mails to the care team about alerts (tracker.services.alert_notify). A critical alert (a red flag) is always
# e-mailed at once. High and medium alerts: "immediate" (each at once) or "digest" (one e-mail a day, from
# ``manage.py send_alert_digest``). Low alerts are only shown in the app.
ALERT_EMAILS = os.environ.get("ALERT_EMAILS", "immediate").strip().lower()
if ALERT_EMAILS not in {"immediate", "digest"}:
    raise ImproperlyConfigured(f"ALERT_EMAILS must be immediate or digest, not {ALERT_EMAILS!r}")

INVITATION_VALID_DAYS = 7
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Second factor (django-otp): physiotherapists and admins must use a TOTP authenticator; patients may opt in
# (tracker.middleware.SecondFactorMiddleware). A wrong code makes the device wait 1, 2, 4, 8... seconds before
# the next try (django-otp's own throttling, stored on the device, so it outlives the session).
OTP_TOTP_ISSUER = "Heel recovery tracker"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

# The cohort band's cache (tracker.selectors.cohort): a kind older than this is rebuilt when read. The hourly
# raise_alerts job rebuilds every kind, so pages rarely wait for it. The band can be this old (NOTES.md).
COHORT_MAX_AGE = timedelta(minutes=env_int("COHORT_MAX_AGE_MINUTES", 120, minimum=1))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Usually left to the TLS-terminating proxy: `check --deploy` then warns (security.W008), and only of that.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    # Browsers only honour HSTS on HTTPS responses, and Django only sends it on them: on by default. The header
    # is sent by the app's own host, so includeSubDomains covers only hosts under it (*.heel.example.org).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

# Content-Security-Policy (django-csp): every script, style, image and font from this site only, no inline
# script and no inline style (the pages have none: the charts' data travel in json_script blocks, which are
# data, not scripts), no plugins, no framing, forms posted only here. Bootstrap's CSS draws its icons with
# data: SVG images. Django's /admin/ runs under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): no page uses any of these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
