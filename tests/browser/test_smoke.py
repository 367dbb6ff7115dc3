"""Each demo role signs in in a real Chromium and lands on its page, styled, with no failed request."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean

DEMO_PASSWORD = "recover-demo"


@pytest.fixture
def demo(settings, transactional_db):
    """The demo as `make run` serves it: with DEBUG on, which seed_demo needs and without which the demo
    staff's published authenticator key is refused (tests/test_second_factor.py checks that refusal)."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize(
    ("username", "landing", "heading"),
    [
        ("endoscopic", "/today/", "Today"),
        ("open", "/today/", "Today"),
        ("needling", "/today/", "Today"),
        ("massage", "/today/", "Today"),
        ("physio", "/clinic/", "caseload"),
        ("admin", "/manage/users/", "Users"),
    ],
)
def test_it_signs_each_demo_role_in_to_its_page(
    demo, page, sign_in, live_server, screenshot, username, landing, heading
):
    sign_in(page, username, DEMO_PASSWORD)

    assert page.url == f"{live_server.url}{landing}"
    assert heading.lower() in page.locator("h1").first.inner_text().lower()
    # Bootstrap is loaded and applied: the navigation bar has its primary background colour.
    background = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the page is not styled"
    screenshot(page, username)
    assert_clean(page)


def test_it_refuses_a_wrong_password(demo, page, sign_in, live_server):
    sign_in(page, "physio", "not-the-password")

    assert "/accounts/login/" in page.url
    expect(page.get_by_text("Please enter a correct user name and password")).to_be_visible()
