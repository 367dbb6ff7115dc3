"""The physiotherapist's day in a real Chromium (desktop size): caseload, red-flag patient first, acknowledge
the alert, open the patient, download the PDF. Every clinic page is checked with axe-core and screenshotted."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean
from tracker.models import Alert, AlertStatus, User
from tracker.services.alerts import alerts_raise_for_patient
from tracker.services.second_factor import new_secret, secret_hex

DEMO_PASSWORD = "recover-demo"


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    # With DEBUG off the published demo authenticator key is refused: the demo staff get a key of their own.
    TOTPDevice.objects.update(key=secret_hex(new_secret()))
    for patient in User.objects.filter(role="patient"):
        alerts_raise_for_patient(patient=patient, today=patient.local_today())


def test_the_physio_triages_acknowledges_and_reports(demo, page, sign_in, live_server, screenshot, check_accessibility):
    sign_in(page, "physio", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/clinic/"

    # The caseload: the red-flag patient (Oscar, calf pain and swelling) is first.
    rows = page.locator("tr.caseload-row")
    assert rows.count() == 7
    first = rows.first
    assert "Oscar Lind" in first.inner_text()
    assert first.get_attribute("data-need") == "critical"
    # Then Will, whose pain rose again after surgery with swelling: a possible wound problem.
    assert "Will Kerr" in rows.nth(1).inner_text()
    assert rows.nth(1).get_attribute("data-need") == "worsening"
    assert first.locator("svg.sparkline").count() == 1
    check_accessibility(page, context="caseload")
    screenshot(page, "caseload")

    # The open alerts, most severe first; acknowledge the red flag with a note.
    page.get_by_role("link", name="Alerts", exact=True).click()
    expect(page.locator("h1")).to_have_text("Open alerts")
    alert_rows = page.locator("tr.alert-row")
    assert alert_rows.count() >= 1
    top = alert_rows.first
    assert "Critical" in top.inner_text() and "Oscar Lind" in top.inner_text()
    check_accessibility(page, context="alerts")
    screenshot(page, "alerts")
    red_flag = (
        Alert.objects.filter(patient__username="open", severity=4, status=AlertStatus.OPEN)
        .order_by("-created_at")
        .first()
    )
    assert red_flag is not None
    form = page.locator(f"#alert-{red_flag.pk}")
    form.get_by_label(re.compile("Note on acknowledging")).fill("Phoned Oscar: GP to check his calf today.")
    form.get_by_role("button", name=re.compile("Acknowledge")).click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Alert acknowledged for Oscar Lind.")).to_be_visible()
    red_flag.refresh_from_db()
    assert red_flag.status == AlertStatus.ACKNOWLEDGED
    assert red_flag.acknowledged_by is not None and red_flag.acknowledged_by.username == "physio"

    # One patient's whole story, with the shared chart drawn by Chart.js.
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("link", name="Oscar Lind").click()
    expect(page.locator("h1")).to_have_text("Oscar Lind")
    page.wait_for_function("document.querySelector('canvas[data-progress-chart]') !== null")
    expect(page.get_by_text("Phoned Oscar: GP to check his calf today.")).to_be_visible()
    check_accessibility(page, context="patient page")
    screenshot(page, "patient")

    # Add a note, then download the PDF report.
    page.get_by_label("New note").fill("Reviewed red flag; GP appointment booked.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Note saved.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("progress-report-") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert_clean(page)


def test_the_import_report_is_accessible(demo, page, sign_in, live_server, screenshot, check_accessibility, tmp_path):
    sign_in(page, "physio", DEMO_PASSWORD)
    patient = User.objects.get(username="massage")
    page.goto(f"{live_server.url}/clinic/patients/{patient.public_id}/")
    bad = tmp_path / "diary.csv"
    bad.write_text("date,foot,first_step_pain,average_pain\n2020-01-01,left,11,3\n2020-01-02,left,5,3\n")

    page.get_by_label("Earlier diary (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Nothing was imported")).to_be_visible()
    assert "first-step pain" in page.locator("table").first.inner_text()
    check_accessibility(page, context="import report")
    screenshot(page, "import-refused")


def test_the_caseload_filters_work_in_the_browser(demo, page, sign_in, live_server, check_accessibility):
    sign_in(page, "physio", DEMO_PASSWORD)
    page.get_by_label("Course").select_option("needling")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("networkidle")

    rows = page.locator("tr.caseload-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nadia Costa")
    check_accessibility(page, context="filtered caseload")
