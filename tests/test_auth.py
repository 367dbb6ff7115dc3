"""Sign-in, sign-out, password reset, and each role sent to its own page."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, AdminFactory, PatientFactory, PhysioFactory
from tests.second_factor import code_for, enrol, sign_in_verified
from tracker.forms.accounts import INVALID_LOGIN
from tracker.models import AuditEvent

pytestmark = pytest.mark.django_db

LANDINGS = [(PatientFactory, "/today/"), (PhysioFactory, "/clinic/"), (AdminFactory, "/manage/users/")]


@pytest.mark.parametrize(("factory", "landing"), LANDINGS)
def test_it_sends_each_role_to_its_page_from_the_root(client, factory, landing):
    sign_in_verified(client, factory.create())

    response = client.get("/")

    assert response.status_code == 302 and response.url == landing


@pytest.mark.parametrize(("factory", "landing"), LANDINGS)
def test_it_sends_each_role_to_its_page_after_sign_in(client, factory, landing):
    user = factory.create()

    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}, follow=True)

    if user.is_patient:
        assert response.redirect_chain[-1][0] == landing
    else:
        # Staff enter a code from their authenticator next, then land on their page.
        assert response.redirect_chain[-1][0] == f"{reverse('second_factor_verify')}?next=%2F"
        device = user.totpdevice_set.get()
        response = client.post(response.redirect_chain[-1][0], {"code": code_for(device)}, follow=True)
        assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_it_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_refuses_a_wrong_password_with_a_clear_message(client):
    user = PatientFactory.create()

    response = client.post("/accounts/login/", {"username": user.username, "password": "nope-nope-nope"})

    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_audits_sign_in_and_failed_sign_in(client):
    user = PatientFactory.create()

    client.post("/accounts/login/", {"username": user.username, "password": "wrong-password-1"})
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})

    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))
    assert actions == [("login_failed", user.username), ("login", user.username)]


def test_it_signs_out_on_post(client):
    client.force_login(PatientFactory.create())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/today/").status_code == 302  # back to sign-in


def test_it_e_mails_a_password_reset_link(client):
    user = PatientFactory.create(email="alice@example.org")

    response = client.post(reverse("password_reset"), {"email": "alice@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert user.username in mail.outbox[0].body


@pytest.mark.parametrize(
    ("factory", "url"),
    [
        (PatientFactory, "/clinic/"),
        (PatientFactory, "/manage/users/"),
        (PhysioFactory, "/today/"),
        (PhysioFactory, "/manage/users/"),
        (AdminFactory, "/today/"),
    ],
)
def test_it_refuses_a_page_for_another_role(client, factory, url):
    sign_in_verified(client, factory.create())

    assert client.get(url).status_code == 403


def test_it_makes_createsuperuser_an_admin_who_can_use_manage(client, monkeypatch):
    from django.core.management import call_command

    from tracker.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-Secret-phrase-42")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org", verbosity=0)
    root = User.objects.get(username="root")

    assert root.role == "admin" and root.is_superuser
    client.force_login(root)
    # A superuser sets up an authenticator at the first sign-in, like every staff account.
    assert client.get("/manage/users/")["Location"].startswith(reverse("second_factor_setup"))
    enrol(root)
    sign_in_verified(client, root)
    assert client.get("/manage/users/").status_code == 200


def test_an_over_long_user_name_is_refused_by_the_form_not_a_500(client, db):
    """A user name over 255 characters failed inside django-axes (its records hold 255) (issue 12 item 5)."""
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "u" * 300, "password": "whatever-it-is"})
    assert response.status_code == 200
    assert "at most 255 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
