"""Automatic sign-out after inactivity (HIPAA 164.312(a)(2)(iii)): staff after 30 minutes, patients after 14 days."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tracker.middleware import IDLE_MESSAGE, SESSION_KEY


def _idle_for(client, seconds: float) -> None:
    """Pretend the last request of ``client``'s session was ``seconds`` ago."""
    session = client.session
    session[SESSION_KEY] = time.time() - seconds
    session.save()


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("client_fixture", "url_name", "idle_seconds", "kept"),
    [
        ("physio_client", "clinic:caseload", 29 * 60, True),
        ("physio_client", "clinic:caseload", 31 * 60, False),
        ("admin_client_", "manage:users", 29 * 60, True),
        ("admin_client_", "manage:users", 31 * 60, False),
        ("patient_client", "patient:today", 13 * 86400, True),
        ("patient_client", "patient:today", 31 * 60, True),
        ("patient_client", "patient:today", 15 * 86400, False),
    ],
)
def test_it_signs_out_after_the_role_idle_limit(request, client_fixture, url_name, idle_seconds, kept):
    client = request.getfixturevalue(client_fixture)
    url = reverse(url_name)
    assert client.get(url).status_code == 200  # starts the activity clock
    _idle_for(client, idle_seconds)

    response = client.get(url)

    if kept:
        assert response.status_code == 200
        assert _signed_in(client)
    else:
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url.replace('/', '%2F')}"
        assert not _signed_in(client)
        # The next page is the sign-in page, saying why.
        login_page = client.get(response.url)
        assert IDLE_MESSAGE in login_page.content.decode()


def test_it_keeps_an_active_session_alive(admin_client_):
    url = reverse("manage:users")
    admin_client_.get(url)
    for _ in range(3):
        _idle_for(admin_client_, 20 * 60)  # 20 minutes between clicks, an hour in all
        assert admin_client_.get(url).status_code == 200


def test_it_uses_the_configured_limits(settings, admin_client_, patient_client):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    settings.PATIENT_IDLE_TIMEOUT_DAYS = 1
    admin_client_.get(reverse("manage:users"))
    _idle_for(admin_client_, 6 * 60)
    assert admin_client_.get(reverse("manage:users")).status_code == 302

    patient_client.get(reverse("patient:today"))
    _idle_for(patient_client, 2 * 86400)
    assert patient_client.get(reverse("patient:today")).status_code == 302


def test_it_ends_the_session_on_the_server_not_only_the_cookie(admin_client_):
    admin_client_.get(reverse("manage:users"))
    old_key = admin_client_.session.session_key
    _idle_for(admin_client_, 31 * 60)
    admin_client_.get(reverse("manage:users"))

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()


def test_it_stamps_activity_on_each_request(admin_client_):
    before = time.time()
    admin_client_.get(reverse("manage:users"))
    assert admin_client_.session[SESSION_KEY] >= before


def test_it_leaves_anonymous_visitors_alone(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert not list(get_messages(response.wsgi_request))
