"""Every URL in the URL conf x every role: least privilege checked on the server, one table for the site.

Each named URL is in ``ROUTES`` with who may use it and the methods it answers (a new URL that is not added
here fails ``test_the_table_covers_every_url``). Then, for each URL:

- signed out: a non-public URL sends the visitor to sign-in (with ``next``), a public one answers;
- each role on another role's URL: 403; an admin on the clinic's patient URLs, on no care team: 404;
- the right role with a method the URL does not answer: 405;
- every POST needs the CSRF token.

Django's own /admin/ is left to tests/test_admin_boundary.py (superusers only).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import AlertFactory, CourseFactory, InvitationFactory
from tests.second_factor import sign_in_verified

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any role
PATIENT = "patient"
CLINIC = "clinic"  # physiotherapists and admins; lists only their own care team
CLINIC_PATIENT = "clinic patient"  # one patient of the care team: 404 outside it
ADMIN = "admin"

GET = ("GET",)
POST = ("POST",)
GET_POST = ("GET", "POST")

# name -> (who, methods)
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "home": (SIGNED_IN, GET),
    "login": (PUBLIC, GET_POST),
    "logout": (PUBLIC, POST),
    "password_reset": (PUBLIC, GET_POST),
    "password_reset_done": (PUBLIC, GET),
    "password_reset_confirm": (PUBLIC, GET_POST),
    "password_reset_complete": (PUBLIC, GET),
    "invitation_accept": (PUBLIC, GET_POST),
    "second_factor": (SIGNED_IN, GET),
    "second_factor_verify": (SIGNED_IN, GET_POST),
    "second_factor_setup": (SIGNED_IN, GET_POST),
    "second_factor_recovery_codes": (SIGNED_IN, GET_POST),
    "second_factor_disable": (SIGNED_IN, POST),
    "public:sources": (PUBLIC, GET),
    "patient:today": (PATIENT, GET_POST),
    "patient:log_day": (PATIENT, GET_POST),
    "patient:history": (PATIENT, GET),
    "patient:history_weeks": (PATIENT, GET),
    "patient:progress": (PATIENT, GET),
    "patient:session_new": (PATIENT, GET_POST),
    "patient:account": (PATIENT, GET_POST),
    "patient:export_csv": (PATIENT, GET),
    "patient:export_json": (PATIENT, GET),
    "patient:export_questionnaires_csv": (PATIENT, GET),
    "patient:questionnaire_faam": (PATIENT, GET_POST),
    "patient:questionnaire_psfs": (PATIENT, GET_POST),
    "patient:account_close": (PATIENT, GET_POST),
    "clinic:caseload": (CLINIC, GET),
    "clinic:alerts": (CLINIC, GET),
    "clinic:patient": (CLINIC_PATIENT, GET),
    "clinic:patient_sessions": (CLINIC_PATIENT, GET),
    "clinic:patient_notes": (CLINIC_PATIENT, GET),
    "clinic:report_pdf": (CLINIC_PATIENT, GET),
    "clinic:logs_csv": (CLINIC_PATIENT, GET),
    "clinic:note_add": (CLINIC_PATIENT, POST),
    "clinic:alert_acknowledge": (CLINIC_PATIENT, POST),
    "clinic:course_start": (CLINIC_PATIENT, POST),
    "clinic:course_finish": (CLINIC_PATIENT, POST),
    "clinic:course_planned_sessions": (CLINIC_PATIENT, POST),
    "clinic:needling_session_record": (CLINIC_PATIENT, POST),
    "clinic:diary_import": (CLINIC_PATIENT, POST),
    "clinic:questionnaire_request": (CLINIC_PATIENT, POST),
    "manage:index": (ADMIN, GET),
    "manage:users": (ADMIN, GET),
    "manage:invite": (ADMIN, GET_POST),
    "manage:invitation_resend": (ADMIN, POST),
    "manage:invitation_revoke": (ADMIN, POST),
    "manage:user_detail": (ADMIN, GET),
    "manage:user_role": (ADMIN, POST),
    "manage:user_deactivate": (ADMIN, GET_POST),  # GET: the confirmation step
    "manage:user_reactivate": (ADMIN, POST),
    "manage:user_password_reset": (ADMIN, POST),
    "manage:user_unlock": (ADMIN, POST),
    "manage:user_approve": (ADMIN, POST),
    "manage:user_second_factor_reset": (ADMIN, POST),
    "manage:care_teams": (ADMIN, GET),
    "manage:care_teams_change": (ADMIN, POST),
    "manage:audit": (ADMIN, GET),
    "manage:audit_export": (ADMIN, GET),
}

# Who may use each kind of URL; everyone else signed in gets 403.
ALLOWED_ROLES = {
    SIGNED_IN: {"patient", "physio", "admin"},
    PATIENT: {"patient"},
    CLINIC: {"physio", "admin"},
    CLINIC_PATIENT: {"physio", "admin"},
    ADMIN: {"admin"},
}


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_the_table_covers_every_url():
    assert _names(get_resolver()) == set(ROUTES), "add the new URL to ROUTES with who may use it"


@pytest.fixture
def objects(patient, physio, clinic_admin):
    """alice (patient) on bob's care team; dana (admin) on no care team."""
    return {
        "patient": patient,
        "course": CourseFactory.create(patient=patient, needling=True),
        "alert": AlertFactory.create(patient=patient, critical=True),
        "invitation": InvitationFactory.create(created_by=clinic_admin),
    }


def url_of(name: str, objects) -> str:
    patient = objects["patient"]
    kwargs = {
        "patient:log_day": {"day": patient.local_today().isoformat()},
        "patient:questionnaire_faam": {"subscale": "adl"},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "invitation_accept": {"token": "no-such-token"},
        "manage:invitation_resend": {"pk": objects["invitation"].pk},
        "manage:invitation_revoke": {"pk": objects["invitation"].pk},
        "clinic:alert_acknowledge": {"public_id": patient.public_id, "alert_id": objects["alert"].pk},
    }.get(name)
    if kwargs is None and name.startswith("manage:user_"):
        kwargs = {"public_id": patient.public_id}
    if kwargs is None and name in (
        "clinic:course_finish",
        "clinic:course_planned_sessions",
        "clinic:needling_session_record",
    ):
        kwargs = {"public_id": patient.public_id, "course_id": objects["course"].public_id}
    if kwargs is None and ROUTES[name][0] == CLINIC_PATIENT:
        kwargs = {"public_id": patient.public_id}
    return reverse(name, kwargs=kwargs)


def _call(client: Client, method: str, url: str):
    return getattr(client, method.lower())(url)


PRIVATE = sorted(n for n, (who, _) in ROUTES.items() if who != PUBLIC)
EVERY_METHOD = sorted({(n, m) for n, (_, methods) in ROUTES.items() for m in methods})


@pytest.mark.parametrize("name", PRIVATE)
def test_signed_out_every_private_url_sends_to_sign_in(name, objects, client):
    url = url_of(name, objects)
    for method in ROUTES[name][1]:
        response = _call(client, method, url)

        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(f"{reverse('login')}?next="), (method, url)


@pytest.mark.parametrize("name", sorted(n for n, (who, _) in ROUTES.items() if who == PUBLIC and "GET" in ROUTES[n][1]))
def test_signed_out_the_public_urls_answer(name, objects, client):
    response = client.get(url_of(name, objects))

    # An unknown invitation token is the "link not valid" page (404); the others are pages.
    assert response.status_code == (404 if name == "invitation_accept" else 200)


@pytest.mark.parametrize("role", ["patient", "physio", "admin"])
@pytest.mark.parametrize("name", PRIVATE)
def test_each_role_is_refused_on_the_other_roles_urls(name, role, objects, physio, clinic_admin):
    who, methods = ROUTES[name]
    user = {"patient": objects["patient"], "physio": physio, "admin": clinic_admin}[role]
    client = Client()
    sign_in_verified(client, user)
    url = url_of(name, objects)

    for method in methods:
        response = _call(client, method, url)

        if role not in ALLOWED_ROLES[who]:
            assert response.status_code == 403, (role, method, url)
        elif who == CLINIC_PATIENT and role == "admin":
            assert response.status_code == 404, (role, method, url)  # dana is on no care team
        else:
            assert response.status_code not in (403, 404, 405), (role, method, url)


def _allowed_client(name, objects, physio, clinic_admin) -> Client:
    who = ROUTES[name][0]
    user = {
        PUBLIC: None,
        SIGNED_IN: objects["patient"],
        PATIENT: objects["patient"],
        CLINIC: physio,
        CLINIC_PATIENT: physio,
        ADMIN: clinic_admin,
    }[who]
    client = Client()
    if user is not None:
        sign_in_verified(client, user)
    return client


# Left out: home (a redirect whatever the method) and Django's sign-in, password-reset and invitation form views
# (a PUT or DELETE gets the blank form back; only a POST submits it).
METHOD_CHECKED = [
    *sorted(n for n, (who, _) in ROUTES.items() if who not in (PUBLIC, SIGNED_IN)),
    "logout",
    "public:sources",
]


@pytest.mark.parametrize("name", METHOD_CHECKED)
def test_the_right_role_gets_405_for_a_method_the_url_does_not_answer(name, objects, physio, clinic_admin):
    client = _allowed_client(name, objects, physio, clinic_admin)
    url = url_of(name, objects)
    for method in ("GET", "POST", "PUT", "DELETE"):
        if method in ROUTES[name][1]:
            continue
        assert _call(client, method, url).status_code == 405, (method, url)


@pytest.mark.parametrize(
    "name", sorted(n for n, (who, methods) in ROUTES.items() if "POST" in methods and who != PUBLIC)
)
def test_every_post_needs_the_csrf_token(name, objects, physio, clinic_admin):
    client = _allowed_client(name, objects, physio, clinic_admin)
    client.handler.enforce_csrf_checks = True

    response = client.post(url_of(name, objects))

    assert response.status_code == 403
    assert b"CSRF" in response.content
