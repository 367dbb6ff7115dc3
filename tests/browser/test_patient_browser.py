"""The patient's side in a real Chromium at phone size (390 x 844): log, fill in, sessions, red flags, progress."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean
from tests.factories import TEST_PASSWORD, CourseFactory, DailyLogFactory, PatientFactory
from tracker.models import Alert, AlertKind, DailyLog, Session


@pytest.fixture
def alice(transactional_db):
    patient = PatientFactory.create(username="alice", first_name="Alice")
    today = patient.local_today()
    CourseFactory.create(patient=patient, day_zero=today - timedelta(days=20))
    for days in (4, 5, 6):
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=days), first_step_pain=6)
    return patient


@pytest.fixture
def signed_in(alice, phone_page, sign_in):
    sign_in(phone_page, "alice", TEST_PASSWORD)
    return phone_page


def chart_data(page, chart_id="chart-1"):
    return json.loads(page.locator(f"#{chart_id}-data").text_content())


def test_a_patient_logs_today_and_sees_the_point_on_the_chart(
    signed_in, alice, live_server, screenshot, check_accessibility
):
    page = signed_in
    assert page.url.endswith("/today/")
    check_accessibility(page, context="today")
    screenshot(page, "today")

    page.locator("label[for='id_left-first_step_pain_3']").click()
    page.locator("label[for='id_left-average_pain_2']").click()
    page.get_by_role("button", name="Save today").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("today is logged")).to_be_visible()
    check_accessibility(page, context="today after saving")
    screenshot(page, "today-saved")

    page.get_by_role("link", name="See your progress").click()
    page.wait_for_url("**/progress/")
    page.wait_for_load_state("networkidle")
    data = chart_data(page)
    today = alice.local_today().isoformat()
    assert data["labels"][-1] == today and data["feet"][0]["pain"][-1] == 3
    # Chart.js drew it: the canvas has a chart instance with today's point, and pixels of a real size.
    drawn = page.evaluate(
        "() => { const c = Chart.getChart(document.getElementById('chart-1'));"
        " return {points: c.data.datasets.find(d => d.label === 'first-step pain').data.slice(-1)[0],"
        " width: c.width, height: c.height}; }"
    )
    assert drawn["points"] == 3 and drawn["width"] > 300 and drawn["height"] > 200
    page.get_by_text("The numbers in this chart, as a table").click()
    check_accessibility(page, context="progress")
    screenshot(page, "progress")
    assert_clean(page)


def test_a_patient_fills_in_a_missed_day_from_the_history(
    signed_in, alice, live_server, screenshot, check_accessibility
):
    page = signed_in
    missed = alice.local_today() - timedelta(days=2)
    # On a phone the menu is folded away: open it and follow "History".
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Not logged").first).to_be_visible()
    check_accessibility(page, context="history")
    screenshot(page, "history")

    page.locator(f"a[href='/log/{missed.isoformat()}/']").click()
    page.wait_for_url(f"**/log/{missed.isoformat()}/")
    page.locator("label[for='id_left-first_step_pain_5']").click()
    page.locator("label[for='id_left-average_pain_4']").click()
    page.get_by_role("button", name=f"Save {missed.day} {missed:%B}", exact=True).click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("is logged")).to_be_visible()
    log = DailyLog.objects.get(patient=alice, date=missed)
    assert (log.first_step_pain, log.average_pain) == (5, 4)
    screenshot(page, "log-day")
    assert_clean(page)


def test_a_patient_logs_a_massage_session(signed_in, alice, live_server, screenshot, check_accessibility):
    page = signed_in
    page.goto(f"{live_server.url}/sessions/new/")
    check_accessibility(page, context="sessions")
    # Only the massage questions show for a massage.
    assert page.get_by_text("Kind of session").is_hidden()
    page.locator("label[for='id_technique_3']").click()  # myofascial release
    page.locator("label[for='id_tool_1']").click()
    page.get_by_label("Minutes").fill("10")
    page.locator("label[for='id_areas_0']").click()
    page.locator("label[for='id_preparation_0']").click()
    page.get_by_label("It caused pain or a bad reaction").check()
    # The source's caution shows at once.
    expect(page.locator("#massage-caution")).to_be_visible()
    assert (
        "discontinue use if you experience pain or adverse reactions" in page.locator("#massage-caution").inner_text()
    )
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_load_state("networkidle")

    expect(page.locator("#massage-caution-saved")).to_be_visible()
    session = Session.objects.get(patient=alice)
    assert (session.technique, session.areas, session.adverse_reaction) == ("myofascial", ["heel"], True)
    assert Alert.objects.filter(patient=alice, kind=AlertKind.MASSAGE_ADVERSE).exists()
    check_accessibility(page, context="session saved")
    screenshot(page, "session-saved")
    assert_clean(page)


def test_ticking_a_red_flag_shows_the_guidance_at_once(signed_in, alice, screenshot):
    page = signed_in
    guidance = page.locator("#rf-care-team")
    emergency = page.locator("#rf-emergency")
    assert guidance.is_hidden() and emergency.is_hidden()

    page.get_by_label("Pain and swelling in one calf").check()
    expect(guidance).to_be_visible()
    expect(emergency).to_be_hidden()

    page.get_by_label("Breathlessness or chest pain").check()
    expect(emergency).to_be_visible()
    assert "Call emergency services now" in emergency.inner_text()
    # Emergency care comes before anything else on the page.
    first = page.evaluate("() => document.querySelector('main').querySelector('.alert:not([hidden])').id")
    assert first == "rf-emergency"
    screenshot(page, "red-flag")

    page.get_by_label("Breathlessness or chest pain").uncheck()
    page.get_by_label("Pain and swelling in one calf").uncheck()
    assert guidance.is_hidden() and emergency.is_hidden()

    # Saved with a red flag: the server says it too, and the care team gets a critical alert.
    page.get_by_label("Pain and swelling in one calf").check()
    page.locator("label[for='id_left-first_step_pain_4']").click()
    page.locator("label[for='id_left-average_pain_4']").click()
    page.get_by_role("button", name="Save today").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#rf-care-team")).to_be_visible()
    assert Alert.objects.filter(patient=alice, kind=AlertKind.RED_FLAG).exists()
    assert_clean(page)


def test_the_log_form_works_with_the_keyboard_alone(signed_in, alice):
    page = signed_in
    # From the top of the page, Tab into the first-step pain group (skip link, menu, then the form)...
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_left-first_step_pain_0":
            break
    assert page.evaluate("document.activeElement.id") == "id_left-first_step_pain_0"
    # ...then arrows choose the value.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 2
    page.keyboard.press("Tab")  # to the average pain group
    page.keyboard.press("Space")  # choose the first option (0)...
    page.keyboard.press("ArrowRight")  # ...then 1
    assert page.evaluate("document.activeElement.id") == "id_left-average_pain_1"
    # Tab on through the form to the calf red flag and tick it with Space.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_left-rf_calf":
            break
    page.keyboard.press("Space")
    expect(page.locator("#rf-care-team")).to_be_visible()
    # On to the save button, and Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save today":
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save today"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")

    log = DailyLog.objects.get(patient=alice, date=alice.local_today())
    assert (log.first_step_pain, log.average_pain, log.rf_calf) == (2, 1, True)


def test_the_account_pages_are_accessible(signed_in, live_server, screenshot, check_accessibility):
    page = signed_in
    for path, name in (("/account/", "account"), ("/account/close/", "account-close")):
        page.goto(f"{live_server.url}{path}")
        check_accessibility(page, context=name)
        screenshot(page, name)
    page.goto(f"{live_server.url}/log/2001-01-01/", wait_until="load")
    expect(page.get_by_text("can be filled in or changed for up to 7 days back")).to_be_visible()
    check_accessibility(page, context="refused day")
    screenshot(page, "log-refused")


def test_a_rejected_log_is_accessible_and_keeps_the_answers(signed_in, live_server, check_accessibility, screenshot):
    page = signed_in
    page.locator("label[for='id_left-average_pain_6']").click()
    page.get_by_role("button", name="Save today").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Nothing was saved yet")).to_be_visible()
    assert page.locator("#id_left-average_pain_6").is_checked()
    check_accessibility(page, context="rejected log")
    screenshot(page, "today-rejected")


def test_every_red_flag_tick_brings_the_emergency_box_into_view_and_the_care_team_is_e_mailed_once(
    signed_in, alice, settings, screenshot
):
    """Issue 14: calf pain, then chest pain, at phone size; the care team's outbox; the clinic's number."""
    from django.core import mail

    from tests.factories import CareTeamMembershipFactory, PhysioFactory

    physios = [PhysioFactory.create(), PhysioFactory.create()]
    for physio in physios:
        CareTeamMembershipFactory.create(patient=alice, physio=physio)
    page = signed_in
    guidance = page.locator("#red-flag-guidance")
    emergency = page.locator("#rf-emergency")

    page.get_by_label("Pain and swelling in one calf").check()
    expect(page.locator("#rf-care-team")).to_be_in_viewport()
    expect(page.locator("#rf-announce")).to_have_text("A warning sign: contact your care team today")
    # Further down the page, out of sight of the guidance, the patient ticks chest pain too.
    page.get_by_label("Breathlessness or chest pain").scroll_into_view_if_needed()
    expect(guidance).not_to_be_in_viewport()
    page.get_by_label("Breathlessness or chest pain").check()
    expect(emergency).to_be_visible()
    expect(emergency).to_be_in_viewport()
    expect(page.locator("#rf-announce")).to_have_text("Breathlessness or chest pain: get emergency care now")
    assert guidance.get_attribute("aria-live") == "assertive"
    assert settings.CLINIC_PHONE in emergency.inner_text()
    assert settings.CLINIC_PHONE in page.locator("#rf-care-team").inner_text()
    screenshot(page, "red-flag-second-tick")

    page.locator("label[for='id_left-first_step_pain_4']").click()
    page.locator("label[for='id_left-average_pain_4']").click()
    page.get_by_role("button", name="Save today").click()
    page.wait_for_load_state("networkidle")
    expect(emergency).to_be_in_viewport()
    assert settings.CLINIC_PHONE in emergency.inner_text()

    critical = Alert.objects.filter(patient=alice, kind=AlertKind.RED_FLAG)
    assert critical.count() == 2 and all(a.notified_at for a in critical)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([p.email for p in physios] * 2)
    for message in mail.outbox:
        text = (str(message.subject) + str(message.body)).lower()
        assert "a patient on your care team has an urgent alert" in text
        assert not any(word in text for word in ("chest", "breath", "calf", "pain", "swelling", "alice"))


def open_more(page):
    page.get_by_text("More about today").click()


def test_two_tabs_on_the_same_day_never_lose_the_first_save_silently(signed_in, alice, live_server, screenshot):
    first = signed_in
    second = first.context.new_page()  # the same signed-in browser, a second tab
    second.goto(f"{live_server.url}/today/")
    first.goto(f"{live_server.url}/today/")

    first.locator("label[for='id_left-first_step_pain_3']").click()
    first.locator("label[for='id_left-average_pain_2']").click()
    open_more(first)
    first.get_by_label("Anything else (optional)").fill("saved in the first tab")
    first.get_by_role("button", name="Save today").click()
    expect(first.get_by_text("today is logged")).to_be_visible()

    second.locator("label[for='id_left-first_step_pain_7']").click()
    second.locator("label[for='id_left-average_pain_2']").click()
    open_more(second)
    second.get_by_label("Anything else (optional)").fill("typed in the second tab")
    second.get_by_role("button", name="Save today").click()
    second.wait_for_load_state("networkidle")

    conflict = second.locator("#log-conflict")
    expect(conflict).to_be_visible()
    assert "saved in the first tab" in conflict.inner_text() and "typed in the second tab" in conflict.inner_text()
    log = DailyLog.objects.get(patient=alice, date=alice.local_today())
    assert (log.first_step_pain, log.note) == (3, "saved in the first tab")  # nothing lost
    screenshot(second, "two-tabs-conflict")

    second.get_by_role("button", name="Keep mine").click()
    expect(second.get_by_text("today is logged")).to_be_visible()
    log.refresh_from_db()
    assert (log.first_step_pain, log.note) == (7, "typed in the second tab")


def test_the_note_counts_characters_as_the_server_does(signed_in, alice):
    page = signed_in
    open_more(page)
    note = page.get_by_label("Anything else (optional)")
    counter = page.locator("#id_left-note-count")
    expect(counter).to_have_text("0 of 2000 characters")

    note.fill("Sore \U0001f9b6\U0001f62c")  # two emoji: 2 characters, not 4
    expect(counter).to_have_text("7 of 2000 characters")
    assert "id_left-note-count" in note.get_attribute("aria-describedby")

    note.fill("\U0001f9b6" * 2001)  # no maxlength: nothing is cut
    expect(counter).to_have_text("2001 of 2000 characters: 1 too many")
    page.locator("label[for='id_left-first_step_pain_3']").click()
    page.locator("label[for='id_left-average_pain_2']").click()
    page.get_by_role("button", name="Save today").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_left-note_error")).to_have_text(
        "Keep the note to 2,000 characters or fewer (it has 2001)."
    )
    expect(page.locator("#id_left-note-count")).to_have_text("2001 of 2000 characters: 1 too many")
    assert not DailyLog.objects.filter(patient=alice, date=alice.local_today()).exists()
