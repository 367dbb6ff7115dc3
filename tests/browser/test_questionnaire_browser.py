"""Questionnaires at phone size (390 x 844): a patient follows the line on Today, completes the FAAM (two pages)
and the PSFS, and sees the scores on /progress/. Every page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean
from tests.factories import TEST_PASSWORD, CourseFactory, PatientFactory
from tracker.models import QuestionnaireResponse


@pytest.fixture
def alice(transactional_db):
    patient = PatientFactory.create(username="alice", first_name="Alice")
    CourseFactory.create(patient=patient, day_zero=patient.local_today() - timedelta(days=2))
    return patient


def test_a_patient_completes_a_faam_and_a_psfs_on_a_phone(
    alice, phone_page, sign_in, live_server, screenshot, check_accessibility
):
    page = phone_page
    sign_in(page, "alice", TEST_PASSWORD)
    assert page.url.endswith("/today/")
    due = page.locator("#questionnaire-due")
    expect(due).to_be_visible()
    expect(page.locator("#log-form")).to_be_visible()  # the daily log is still there
    check_accessibility(page, context="today with a questionnaire due")

    due.get_by_role("link", name="foot and ankle questions (about 3 minutes)").click()
    expect(page.locator("h1")).to_have_text("Activities of Daily Living")
    check_accessibility(page, context="FAAM daily activities")
    screenshot(page, "faam-adl")
    # Large labelled answers: a thumb-sized target for each.
    first_answer = page.locator("label[for='id_item_1_1']")
    assert first_answer.bounding_box()["height"] >= 44
    for item in range(1, 22):
        page.locator(f"label[for='id_item_{item}_1']").click()  # "Slight difficulty" (3)
    page.get_by_role("button", name="Save and go on to sports").click()

    expect(page.locator("h1")).to_have_text("Sports")
    check_accessibility(page, context="FAAM sports")
    for item in range(22, 30):
        page.locator(f"label[for='id_item_{item}_2']").click()  # "Moderate difficulty" (2)
    page.get_by_role("button", name="Save and finish", exact=True).click()

    expect(page.get_by_text("your questionnaire is saved")).to_be_visible()
    assert "/progress/" in page.url
    page.goto(f"{live_server.url}/questionnaires/psfs/")
    check_accessibility(page, context="PSFS")
    page.get_by_label("An activity you find hard").fill("Walking to work")
    page.locator("label[for='id_new_rating_4']").click()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("your activities are saved")).to_be_visible()
    section = page.locator("#questionnaires")
    expect(section.get_by_role("heading", name="Daily activities (FAAM)")).to_be_visible()
    expect(section.get_by_role("cell", name="75", exact=True)).to_be_visible()
    expect(section.get_by_role("cell", name="50", exact=True)).to_be_visible()
    expect(section.get_by_role("cell", name="4", exact=True)).to_be_visible()
    assert section.locator("svg.score-chart").count() == 3
    check_accessibility(page, context="progress with questionnaires")
    screenshot(page, "progress-questionnaires")
    assert QuestionnaireResponse.objects.filter(patient=alice, completed=True).count() == 2
    assert_clean(page)


def test_the_physiotherapist_reads_the_scores_item_by_item_and_asks_for_one(
    alice, page, sign_in, live_server, check_accessibility
):
    from tests.factories import CareTeamMembershipFactory, PhysioFactory
    from tests.questionnaire_data import faam_response, psfs_response
    from tracker.models import QuestionnaireRequest

    physio = PhysioFactory.create(username="bob")
    CareTeamMembershipFactory.create(patient=alice, physio=physio)
    today = alice.local_today()
    faam_response(alice, today - timedelta(days=14), adl=2, sports=1)
    faam_response(alice, today, adl=3, sports=None)
    psfs_response(alice, today, {"Walking": 6})
    sign_in(page, "bob", TEST_PASSWORD)
    page.goto(f"{live_server.url}/clinic/patients/{alice.public_id}/")
    section = page.locator("#questionnaires")
    expect(section.get_by_text("FAAM ADL 50 → 75 (+25; MCID 8)")).to_be_visible()
    section.locator("summary").first.click()
    expect(section.get_by_text("Walking on even ground without shoes: 2")).to_be_visible()
    check_accessibility(page, context="clinic patient page with questionnaires")
    section.get_by_role("button", name="Ask for a PSFS now").click()
    expect(page.get_by_text("Asked for the PSFS")).to_be_visible()
    assert QuestionnaireRequest.objects.filter(patient=alice, kind="psfs").exists()
    assert_clean(page)
