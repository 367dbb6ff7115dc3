"""Issue 14, part 4: the 403, 404 and 500 pages are the product's own, with a way back; a deactivated account
is told so, but only when its password was right."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import TEST_PASSWORD, PatientFactory
from tracker.forms.accounts import INACTIVE_LOGIN, INVALID_LOGIN

pytestmark = pytest.mark.django_db


def test_it_shows_a_styled_404_with_a_way_back(patient_client):
    response = patient_client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1" in html and "Page not found" in html
    assert 'href="/"' in html and "Go to your home page" in html
    assert "bootstrap.min.css" in html  # the product's layout, not Django's bare page


def test_it_shows_a_styled_403_with_the_reason_and_a_way_back(patient_client):
    response = patient_client.get("/clinic/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot do this here" in html and "This page is not for your role." in html
    assert "Go to your home page" in html and "bootstrap.min.css" in html


def test_the_500_page_needs_no_request_context_nor_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'href="/"' in html
    assert "Sign out" not in html  # no user in its context


def test_it_tells_a_deactivated_user_with_the_right_password_that_the_account_is_inactive(client):
    user = PatientFactory.create(is_active=False)

    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})

    html = response.content.decode()
    assert response.status_code == 200
    assert INACTIVE_LOGIN in html and INVALID_LOGIN not in html
    assert "_auth_user_id" not in client.session


def test_it_does_not_reveal_a_deactivated_account_to_a_wrong_password(client):
    user = PatientFactory.create(is_active=False)

    response = client.post("/accounts/login/", {"username": user.username, "password": "not-the-password-1"})

    html = response.content.decode()
    assert INVALID_LOGIN in html and INACTIVE_LOGIN not in html
