"""/manage/users/: list and search, a user's page, role, deactivate/reactivate, password reset, permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.factories import TEST_PASSWORD, AdminFactory, PatientFactory, PhysioFactory, UserFactory
from tests.second_factor import set_up_through_page, sign_in_verified
from tracker.models import AuditAction, AuditEvent, CareTeamMembership, Role
from tracker.services.accounts import ERROR_OWN_ACCOUNT

User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every factory user hashes a password; the production hasher makes this module ten times slower.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user_url(name, user):
    return reverse(f"manage:{name}", kwargs={"public_id": user.public_id})


# Who may see /manage/ -------------------------------------------------------------------------------


MANAGE_GET_URLS = [
    "manage:index",
    "manage:users",
    "manage:invite",
    "manage:care_teams",
    "manage:audit",
    "manage:audit_export",
]


@pytest.mark.parametrize("url_name", MANAGE_GET_URLS)
@pytest.mark.parametrize(
    ("client_fixture", "status"), [("patient_client", 403), ("physio_client", 403), ("client", 302)]
)
def test_it_refuses_other_roles(request, url_name, client_fixture, status, db):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse(url_name))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "url_name", ["user_role", "user_deactivate", "user_reactivate", "user_password_reset", "user_unlock"]
)
def test_it_refuses_changes_from_a_physio(physio_client, patient, url_name):
    response = physio_client.post(_user_url(url_name, patient), {"role": Role.ADMIN})
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.role == Role.PATIENT and patient.is_active


# user_deactivate answers GET with its confirmation step (tests/test_readable_staff_pages.py), changing nothing.
@pytest.mark.parametrize("url_name", ["user_role", "user_reactivate", "user_password_reset", "user_unlock"])
def test_it_refuses_get_for_changes(admin_client_, patient, url_name):
    assert admin_client_.get(_user_url(url_name, patient)).status_code == 405


def test_it_requires_csrf(clinic_admin, patient):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, clinic_admin)
    response = client.post(_user_url("user_deactivate", patient))
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.is_active


def test_manage_goes_to_the_users(admin_client_):
    response = admin_client_.get("/manage/")
    assert response.status_code == 302 and response.url == reverse("manage:users")


def test_it_404s_an_unknown_user(admin_client_):
    url = reverse("manage:user_detail", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
    assert admin_client_.get(url).status_code == 404


# The list -------------------------------------------------------------------------------------------


def test_it_lists_and_searches_accounts(admin_client_, patient, physio, other_physio):
    PatientFactory.create(username="zed", first_name="Zed", last_name="Zimmer", is_active=False)

    page = admin_client_.get(reverse("manage:users")).content.decode()
    for name in ("Alice Archer", "Bob Baker", "Charlie Chen", "Zed Zimmer", "Dana Diaz"):
        assert name in page

    def names(**params):
        response = admin_client_.get(reverse("manage:users"), params)
        return {u.username for u in response.context["page"]}

    assert names(q="alice arch") == {"alice"}
    assert names(q="charlie@example") == {"charlie"}
    assert names(role=Role.PHYSIO) == {"bob", "charlie"}
    assert names(active="no") == {"zed"}
    assert names(active="yes", role=Role.PATIENT) == {"alice"}
    assert names(q="nobody-like-this") == set()


def test_it_paginates(admin_client_):
    PatientFactory.create_batch(30)
    first = admin_client_.get(reverse("manage:users"))
    second = admin_client_.get(reverse("manage:users"), {"page": 2})
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 6  # 30 patients and the admin
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("accounts", [1, 40])
def test_the_list_runs_a_fixed_number_of_queries(admin_client_, django_assert_num_queries, accounts):
    PatientFactory.create_batch(accounts)
    from tests.factories import InvitationFactory

    InvitationFactory.create_batch(3)
    # 1 session, 2 the signed-in user, 3 the authenticator that verified the session, 4 count of accounts, 5 the
    # page of accounts (lockout as a subquery), 6 staff accounts waiting for approval (issue 12), 7 pending
    # invitations with their authors, 8-10 the session saved in a savepoint (the idle-timeout clock).
    with django_assert_num_queries(10):
        response = admin_client_.get(reverse("manage:users"))
    assert response.status_code == 200


def test_it_shows_no_clinical_data(admin_client_, patient, physio, course):
    from tests.factories import ClinicalNoteFactory, DailyLogFactory

    DailyLogFactory.create(patient=patient, note="SECRET-LOG-NOTE")
    ClinicalNoteFactory.create(patient=patient, author=physio, text="SECRET-CLINICAL-NOTE")
    for url in (reverse("manage:users"), _user_url("user_detail", patient), reverse("manage:care_teams")):
        page = admin_client_.get(url).content.decode()
        assert "SECRET-LOG-NOTE" not in page
        assert "SECRET-CLINICAL-NOTE" not in page
        assert "first steps" not in page.lower()


# A user's page --------------------------------------------------------------------------------------


def test_the_user_page_shows_the_account(admin_client_, patient, physio):
    response = admin_client_.get(_user_url("user_detail", patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "alice@example.org" in page
    assert "Bob Baker" in page  # on her care team
    assert "Not locked out" in page


def test_it_changes_a_role_and_audits_it(admin_client_, clinic_admin, other_physio):
    response = admin_client_.post(_user_url("user_role", other_physio), {"role": Role.ADMIN})
    assert response.status_code == 302
    other_physio.refresh_from_db()
    assert other_physio.role == Role.ADMIN
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    assert event.actor == clinic_admin
    assert event.detail == {"from": Role.PHYSIO, "to": Role.ADMIN}
    assert event.target == "account charlie"
    assert event.ip_address == "127.0.0.1"


def test_a_role_change_applies_on_the_next_request(admin_client_, other_physio_client, other_physio):
    assert other_physio_client.get(reverse("clinic:caseload")).status_code == 200
    admin_client_.post(_user_url("user_role", other_physio), {"role": Role.PATIENT})
    # The change ends every session of the account (issue 12); signed in again, the new role applies.
    response = other_physio_client.get(reverse("clinic:caseload"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    other_physio.refresh_from_db()
    from tests.second_factor import sign_in_verified

    sign_in_verified(other_physio_client, other_physio)
    assert other_physio_client.get(reverse("clinic:caseload")).status_code == 403


def test_a_physio_made_patient_leaves_every_care_team(admin_client_, physio, patient):
    admin_client_.post(_user_url("user_role", physio), {"role": Role.PATIENT})
    assert not CareTeamMembership.objects.filter(physio=physio).exists()
    removal = AuditEvent.objects.get(action=AuditAction.CARE_TEAM_REMOVE)
    assert removal.patient == patient and removal.detail["reason"] == "role change"


def test_it_refuses_a_bad_role(admin_client_, other_physio):
    admin_client_.post(_user_url("user_role", other_physio), {"role": "superuser"})
    other_physio.refresh_from_db()
    assert other_physio.role == Role.PHYSIO


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(admin_client_, clinic_admin):
    response = admin_client_.post(_user_url("user_role", clinic_admin), {"role": Role.PATIENT}, follow=True)
    assert ERROR_OWN_ACCOUNT in response.content.decode()
    admin_client_.post(_user_url("user_deactivate", clinic_admin))
    clinic_admin.refresh_from_db()
    assert clinic_admin.role == Role.ADMIN and clinic_admin.is_active
    assert not AuditEvent.objects.filter(action__in=[AuditAction.ROLE_CHANGE, AuditAction.ACCOUNT]).exists()


def test_a_deactivated_account_cannot_sign_in_and_its_data_stays(client, admin_client_, patient, physio, course):
    from tests.factories import DailyLogFactory

    DailyLogFactory.create(patient=patient)
    admin_client_.post(_user_url("user_deactivate", patient))
    patient.refresh_from_db()
    assert not patient.is_active

    response = client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    # Nothing is deleted.
    assert patient.daily_logs.count() == 1 and patient.courses.count() == 1
    assert CareTeamMembership.objects.filter(patient=patient, physio=physio).exists()
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT)
    assert event.patient == patient and event.detail == {"event": "deactivated"}


def test_deactivation_ends_an_open_session_at_its_next_request(admin_client_, patient_client, patient):
    assert patient_client.get(reverse("patient:today")).status_code == 200
    admin_client_.post(_user_url("user_deactivate", patient))
    response = patient_client.get(reverse("patient:today"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_reactivation_lets_them_sign_in_again(client, admin_client_, patient):
    patient.is_active = False
    patient.save()
    admin_client_.post(_user_url("user_reactivate", patient))
    patient.refresh_from_db()
    assert patient.is_active
    response = client.post(reverse("login"), {"username": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT, detail__event="reactivated").exists()


def test_it_sends_a_password_reset_to_that_account_only(admin_client_, clinic_admin, patient, client):
    # Another account sharing the address must not get a link to Alice's account or its own.
    UserFactory.create(username="alice2", email=patient.email)
    response = admin_client_.post(_user_url("user_password_reset", patient))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "alice" in message.body

    # The link works: it lets Alice choose a new password.
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    page = client.get(path, follow=True)
    new_password = "a-brand-new-passphrase-42"
    client.post(page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    patient.refresh_from_db()
    assert patient.check_password(new_password)
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT, detail__event="password reset sent").exists()


def test_no_password_reset_for_a_deactivated_account(admin_client_, patient):
    patient.is_active = False
    patient.save()
    admin_client_.post(_user_url("user_password_reset", patient))
    assert mail.outbox == []


# Superusers and Django's own admin -----------------------------------------------------------------


def test_createsuperuser_gives_an_admin_who_can_use_manage(monkeypatch, client, db):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "root-passphrase-for-tests-77")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org", verbosity=0)
    root = User.objects.get(username="root")
    assert root.is_superuser and root.role == Role.ADMIN

    assert (
        client.post(reverse("login"), {"username": "root", "password": "root-passphrase-for-tests-77"}).status_code
        == 302
    )
    # Like every staff account, the superuser sets up an authenticator before any page of the app or the admin.
    assert client.get(reverse("manage:users"))["Location"].startswith(reverse("second_factor_setup"))
    assert client.get("/admin/")["Location"].startswith(reverse("second_factor_setup"))
    set_up_through_page(client)
    assert client.get(reverse("manage:users")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_django_admin_is_for_superusers_only(admin_client_, client, db):
    response = admin_client_.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert admin_client_.get("/admin/tracker/user/").status_code == 302

    superuser = AdminFactory.create(username="root", is_superuser=True, is_staff=True)
    sign_in_verified(client, superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/tracker/user/").status_code == 200


def test_a_staff_flag_alone_does_not_open_django_admin(client, db):
    staff = PhysioFactory.create(username="staffer", is_staff=True)
    sign_in_verified(client, staff)
    assert client.get("/admin/").status_code == 302


def test_a_clinic_admin_cannot_demote_or_deactivate_a_superuser(admin_client_, db):
    from tracker.services.accounts import ERROR_SUPERUSER

    root = AdminFactory.create(username="root", is_superuser=True, is_staff=True)
    response = admin_client_.post(_user_url("user_role", root), {"role": Role.PATIENT}, follow=True)
    from django.utils.html import escape

    assert escape(ERROR_SUPERUSER) in response.content.decode()
    admin_client_.post(_user_url("user_deactivate", root))
    root.refresh_from_db()
    assert root.role == Role.ADMIN and root.is_active


def test_a_clinic_admin_cannot_reactivate_a_superuser_another_superuser_deactivated(admin_client_, db):
    from tracker.models import AuditEvent

    root = AdminFactory.create(username="root", is_superuser=True, is_staff=True, is_active=False)

    admin_client_.post(_user_url("user_reactivate", root))

    root.refresh_from_db()
    assert not root.is_active
    assert not AuditEvent.objects.filter(detail__event="reactivated").exists()


def test_a_superuser_can_change_a_superuser(client, db):
    root = AdminFactory.create(username="root", is_superuser=True)
    other_root = AdminFactory.create(username="root2", is_superuser=True)
    sign_in_verified(client, root)
    client.post(_user_url("user_deactivate", other_root))
    other_root.refresh_from_db()
    assert not other_root.is_active
