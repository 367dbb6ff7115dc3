"""Browser fixtures: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

``playwright install`` cannot download browsers here, so the tests use the system Chromium
(``CHROMIUM_PATH``, default /usr/bin/chromium). Screenshots go under ``TEST_OUTPUT_DIR`` (default
``test-results/``, not committed).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT_DIR = Path(os.environ.get("TEST_OUTPUT_DIR", Path(settings.BASE_DIR) / "test-results"))
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _playwright():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests (apt-get install chromium).")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium` (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


class PageProblems:
    """Failed requests and console errors seen by one page, asserted empty by ``assert_clean``."""

    def __init__(self):
        self.failed: list[str] = []
        self.console_errors: list[str] = []

    def _request_failed(self, request):
        # net::ERR_ABORTED is the browser cancelling a request because the page navigated away (a favicon still
        # loading when a test clicks on): not a failure of the app. 4xx/5xx answers are caught by "response".
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def attach(self, page):
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("console", self._console)


@pytest.fixture
def new_page(browser, live_server):
    """Make a page at a viewport (``PHONE`` or ``DESKTOP``); each page has its own cookies."""
    contexts = []

    def make(viewport=DESKTOP, **kwargs):
        context = browser.new_context(viewport=viewport, accept_downloads=True, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems()
        page.problems.attach(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-size page."""
    return new_page(DESKTOP)


@pytest.fixture
def phone_page(new_page):
    """A phone-size page (390 x 844)."""
    return new_page(PHONE)


@pytest.fixture
def sign_in(live_server):
    """Sign in as a person would: the password, then for staff (and patients who turned it on) the code from
    their authenticator, computed from the device's key; an account with no authenticator yet sets one up on
    the page (reading the key the page shows) and continues past its recovery codes."""

    def do(page, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        # Wait for the sign-in POST's navigation itself, not just for a quiet network (which may be the old page).
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        if "/second-factor/verify/" in page.url:
            enter_code(page, username)
        elif "/second-factor/setup/" in page.url:
            set_up_authenticator(page)

    return do


def enter_code(page, username: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.second_factor import code_for

    page.get_by_label("Code").fill(code_for(TOTPDevice.objects.get(user__username=username, confirmed=True)))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")


def set_up_authenticator(page) -> list[str]:
    """On the set-up page: the key shown in text into an "app", its code back; returns the recovery codes."""
    from tests.second_factor import secret_code

    secret = page.locator("#setup-secret").inner_text()
    page.get_by_label("Code from the app").fill(secret_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_load_state("networkidle")
    return codes


@pytest.fixture
def check_accessibility():
    """Run axe-core (from node_modules) on the page; fail on any serious or critical violation."""

    def check(page, *, context: str = ""):
        if not AXE_SCRIPT.exists():
            pytest.fail(f"{AXE_SCRIPT} missing: run `npm ci` (make test does).")
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a
        # <script> tag added to the page would be refused: the policy allows no inline script).
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        detail = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert not bad, f"axe-core found serious or critical violations on {context or page.url}:\n{detail}"

    return check


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under the test output folder, named after the test and ``name``."""

    def shoot(page, name: str) -> Path:
        folder = OUTPUT_DIR / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.node.name}-{name}")
        path = folder / f"{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


def assert_clean(page):
    """No failed request (4xx/5xx or network error) and no console error on the page so far."""
    assert not page.problems.failed, f"failed requests: {page.problems.failed}"
    assert not page.problems.console_errors, f"console errors: {page.problems.console_errors}"
