"""In a real Chromium: no page breaks the Content-Security-Policy, and two-step sign-in as people use it.

Each page listens for ``securitypolicyviolation`` events (a script added before any of the page's own runs) and
for console messages about the policy; every page of every role is visited, with the charts drawn, the log
form's script run and the edit history opened.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean, set_up_authenticator
from tests.factories import TEST_PASSWORD, AdminFactory, PatientFactory
from tests.second_factor import code_for
from tracker.models import User
from tracker.services.second_factor import new_secret, secret_hex

DEMO_PASSWORD = "recover-demo"

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class PolicyWatch:
    """Violations seen on a page: events (read after each page) and console messages naming a policy."""

    def __init__(self, page):
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or "Permissions-Policy" in text:
            self.seen.append(f"console {message.type}: {text}")

    def collect(self, where: str) -> None:
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.seen.append(f"{where}: {violation}")

    def visit(self, url: str, *, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == status, url
        # Every script, style sheet and image the page asks for is requested (and blocked or not) before "load";
        # the app makes no request after it, so waiting for the network to be idle (500 ms a page) adds nothing.
        self.page.wait_for_load_state("load")
        self.collect(url)


@pytest.fixture
def demo_clinic(settings, transactional_db):
    """The demo data, served with DEBUG off as in production (the demo staff get private authenticator keys:
    the published demo key is refused with DEBUG off), and a superuser for Django's admin."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    TOTPDevice.objects.update(key=secret_hex(new_secret()))
    AdminFactory(username="root", is_superuser=True, is_staff=True)


def test_no_page_of_any_role_breaks_the_content_security_policy(demo_clinic, new_page, sign_in, live_server):
    url = live_server.url
    patients = list(User.objects.filter(role="patient"))
    physio = User.objects.get(username="physio")
    problems: list[str] = []

    # Signed out.
    page = new_page()
    watch = PolicyWatch(page)
    for path in ("/accounts/login/", "/accounts/password_reset/", "/sources/"):
        watch.visit(url + path)
    watch.visit(url + "/accounts/invitation/no-such-token/", status=404)
    problems += watch.seen

    # Each patient (charts, the sessions bar, the log form and its red-flag script, the account pages).
    for patient in patients:
        page = new_page()
        watch = PolicyWatch(page)
        sign_in(page, patient.username, DEMO_PASSWORD)
        watch.collect("sign-in")
        yesterday = (patient.local_today() - timedelta(days=1)).isoformat()
        for path in ("/today/", f"/log/{yesterday}/", "/history/", "/progress/", "/sessions/new/"):
            watch.visit(url + path)
        watch.visit(url + "/today/")
        page.get_by_label("Pain and swelling in one calf").first.check()  # log_form.js shows the guidance
        expect(page.locator("#rf-care-team")).to_be_visible()
        watch.collect("/today/ with a red flag ticked")
        for path in ("/account/", "/account/close/", "/accounts/second-factor/", "/accounts/second-factor/setup/"):
            watch.visit(url + path)
        problems += watch.seen
        assert_clean(page)

    # The physiotherapist: verify page, caseload, alerts, every patient (charts, an edit history opened).
    page = new_page()
    watch = PolicyWatch(page)
    sign_in(page, "physio", DEMO_PASSWORD)
    watch.collect("physio sign-in")
    for path in ("/clinic/", "/clinic/alerts/", "/accounts/second-factor/"):
        watch.visit(url + path)
    for patient in patients:
        watch.visit(f"{url}/clinic/patients/{patient.public_id}/")
    edited = User.objects.get(username="open")
    watch.visit(f"{url}/clinic/patients/{edited.public_id}/")
    page.locator(".log-edits summary").first.click()
    expect(page.locator(".log-edits").first).to_contain_text("Pain and swelling in one calf: no → yes")
    watch.collect("edit history opened")
    problems += watch.seen
    assert_clean(page)

    # The clinic admin.
    page = new_page()
    watch = PolicyWatch(page)
    sign_in(page, "admin", DEMO_PASSWORD)
    for path in (
        "/manage/users/",
        "/manage/users/invite/",
        f"/manage/users/{physio.public_id}/",
        f"/manage/users/{patients[0].public_id}/",
        "/manage/care-teams/",
        f"/manage/care-teams/?physio={physio.public_id}",
        "/manage/audit/",
        "/accounts/second-factor/",
    ):
        watch.visit(url + path)
    problems += watch.seen
    assert_clean(page)

    # A superuser in Django's admin, under the same policy.
    page = new_page()
    watch = PolicyWatch(page)
    sign_in(page, "root", TEST_PASSWORD)
    root = User.objects.get(username="root")
    for path in (
        "/admin/",
        "/admin/tracker/user/",
        f"/admin/tracker/user/{root.pk}/change/",
        "/admin/tracker/auditevent/",
    ):
        watch.visit(url + path)
    problems += watch.seen

    assert problems == []


def test_a_patient_turns_on_two_step_sign_in_and_then_needs_a_code(
    transactional_db, phone_page, sign_in, live_server, check_accessibility, screenshot
):
    PatientFactory(username="alice", first_name="Alice")
    page = phone_page
    sign_in(page, "alice", TEST_PASSWORD)
    assert page.url.endswith("/today/")  # no second factor yet: none asked

    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code that sets up the Heel recovery tracker in an authenticator app")
    ).to_be_visible()
    check_accessibility(page, context="set-up page")
    screenshot(page, "setup")
    codes = set_up_authenticator(page)
    assert len(codes) == 10
    assert page.url.endswith("/account/")
    expect(page.get_by_text("On: every sign-in asks for a code")).to_be_visible()

    # Signed out and in again: the code is asked, and a wrong one is refused with a clear message.
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/second-factor/verify/" in page.url
    check_accessibility(page, context="verify page")
    page.goto(f"{live_server.url}/history/")  # nothing else opens before the code
    assert "/accounts/second-factor/verify/" in page.url
    page.get_by_label("Code").fill("000000" if code_for(TOTPDevice.objects.get()) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    check_accessibility(page, context="verify page with an error")

    # A recovery code works once.
    page.wait_for_timeout(1100)  # the device waits a second after a wrong code
    page.get_by_label("Code").fill(codes[0])
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/history/")
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
    assert_clean(page)


def test_a_staff_member_without_an_authenticator_sets_one_up_before_anything_else(
    transactional_db, page, sign_in, live_server, check_accessibility
):
    from tests.factories import PhysioFactory

    PhysioFactory(username="pat", second_factor=False)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("pat")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/second-factor/setup/" in page.url
    expect(page.get_by_text("Staff accounts open patients' health records")).to_be_visible()
    check_accessibility(page, context="staff set-up page")
    set_up_authenticator(page)
    assert page.url == f"{live_server.url}/clinic/"

    # At the next sign-in the new authenticator's code is asked.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "pat", TEST_PASSWORD)
    assert page.url == f"{live_server.url}/clinic/"
    assert_clean(page)
