"""Issue 14, part 4: pages follow the device's dark setting (Bootstrap colour modes) and pass axe in both modes;
the app is installable (a web app manifest with icons, served with its own content type)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import DESKTOP, PHONE, assert_clean
from tracker.models import User

PATIENT_PAGES = [
    "/today/",
    "/progress/",
    "/history/",
    "/history/weeks/",
    "/questionnaires/faam/adl/",
    "/questionnaires/faam/sports/",
    "/questionnaires/psfs/",
    "/sessions/new/",
    "/account/",
    "/sources/",
    "/no-such-page/",
]
STAFF_PAGES = ["/clinic/", "/clinic/alerts/"]
ADMIN_PAGES = ["/manage/", "/manage/users/", "/manage/audit/", "/manage/users/invite/", "/manage/care-teams/"]


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    for user in User.objects.all():
        user.set_password("recover-demo-test")
        user.save()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_patient_pages_follow_the_device_setting_and_pass_axe(
    demo, new_page, sign_in, live_server, check_accessibility, screenshot, scheme
):
    page = new_page(PHONE, color_scheme=scheme)
    sign_in(page, "endoscopic", "recover-demo-test")
    for url in PATIENT_PAGES:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")  # the app requests nothing after "load": no 500 ms wait for idle
        assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme, url
        check_accessibility(page, context=f"{url} in {scheme} mode")
    page.goto(f"{live_server.url}/progress/")
    page.wait_for_load_state("networkidle")
    screenshot(page, f"progress-{scheme}")


def test_staff_pages_pass_axe_in_dark_mode(demo, new_page, sign_in, live_server, check_accessibility, screenshot):
    page = new_page(DESKTOP, color_scheme="dark")
    sign_in(page, "physio", "recover-demo-test")
    patient = User.objects.get(username="endoscopic")
    record = f"/clinic/patients/{patient.public_id}/"
    for url in [*STAFF_PAGES, record, f"{record}sessions/", f"{record}notes/all/", "/accounts/second-factor/"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")  # the app requests nothing after "load": no 500 ms wait for idle
        assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
        check_accessibility(page, context=f"{url} in dark mode")
    screenshot(page, "patient-page-dark")


def test_admin_pages_pass_axe_in_dark_mode(demo, new_page, sign_in, live_server, check_accessibility):
    page = new_page(DESKTOP, color_scheme="dark")
    sign_in(page, "admin", "recover-demo-test")
    physio = User.objects.get(username="physio")
    for url in [*ADMIN_PAGES, f"/manage/users/{physio.public_id}/", f"/manage/users/{physio.public_id}/deactivate/"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")  # the app requests nothing after "load": no 500 ms wait for idle
        assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
        check_accessibility(page, context=f"{url} in dark mode")


def test_the_sign_in_page_passes_axe_in_dark_mode(transactional_db, new_page, live_server, check_accessibility):
    page = new_page(PHONE, color_scheme="dark")
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
    check_accessibility(page, context="sign-in in dark mode")


def test_the_app_is_installable(transactional_db, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    base = live_server.url + href.rsplit("/", 1)[0] + "/"
    for icon in manifest["icons"]:
        icon_response = page.request.get(base + icon["src"])
        assert icon_response.ok and icon_response.headers["content-type"] == icon["type"], icon
    assert_clean(page)
