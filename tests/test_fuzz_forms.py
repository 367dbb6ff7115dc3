"""Malformed values posted to every form URL as every role (issue 12, "Done when"): no server error, and a
refused request (4xx) changes no row. Before, ``next=foo`` alone gave hundreds of 500s after a saved change."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from tests.second_factor import sign_in_verified
from tests.test_url_matrix import ROUTES, objects, url_of  # noqa: F401 - objects is a fixture

FIELDS = [
    "next", "note", "text", "kind", "foot", "day_zero", "planned_sessions", "outcome", "ended_on", "date",
    "minutes", "sites", "role", "email", "physio", "patients", "action", "q", "code", "username", "password",
    "password1", "password2", "time_zone", "reminder_enabled", "reminder_hour", "left-first_step_pain",
    "left-average_pain", "left-rf_calf", "course-kind", "course-foot", "course-day_zero",
    "course-planned_sessions", "technique", "tool", "areas", "discomfort", "adverse_reaction", "twitch_response",
    "soreness_after", "show", "page", "physio_id",
]  # fmt: skip
VALUES = ["", "a:b", "//evil.com", "x" * 3000, "-1", "99999999999999999999", "\x00", "９", "9999-99-99", "nan", "＝1+1"]
# Last: these end the client's session (or the account) and would hide the URLs after them.
LAST = {"logout", "patient:account_close", "second_factor_disable"}
POST_URLS = sorted((n for n, (_, methods) in ROUTES.items() if "POST" in methods), key=lambda n: (n in LAST, n))
COUNTED = [
    m
    for m in apps.get_app_config("tracker").get_models()
    # Not counted: the audit trail (a refusal may be audited), the edit history, and the caches a page fills when it
    # reads (the caseload rows, the cohort band), which are never the truth.
    if m.__name__ not in ("AuditEvent", "CaseloadSnapshot", "CohortWeek") and not m.__name__.startswith("Historical")
]


def _counts() -> dict[str, int]:
    return {m.__name__: m._default_manager.count() for m in COUNTED}


@pytest.mark.parametrize("role", ["signed out", "patient", "physio", "admin"])
def test_malformed_posts_never_fail_and_refusals_change_nothing(role, objects, physio, clinic_admin):  # noqa: F811
    user = {"signed out": None, "patient": objects["patient"], "physio": physio, "admin": clinic_admin}[role]
    client = Client(raise_request_exception=False)
    if user is not None:
        sign_in_verified(client, user)
    errors, changed = [], []
    for name in POST_URLS:
        url = url_of(name, objects)
        for value in VALUES:
            if name in LAST and value != VALUES[1]:
                continue  # once is enough for the URLs that end the session
            before = _counts()
            response = client.post(url, dict.fromkeys(FIELDS, value))
            if response.status_code >= 500:
                errors.append((name, repr(value[:20]), response.status_code))
            elif response.status_code >= 400 and _counts() != before:
                changed.append((name, repr(value[:20]), response.status_code))
    assert errors == []
    assert changed == []
