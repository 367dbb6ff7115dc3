"""The admin's side in a real Chromium: invite, accept, sign in, assign, and axe-core on every /manage/ page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_clean
from tests.factories import (
    TEST_PASSWORD,
    AdminFactory,
    AuditEventFactory,
    CareTeamMembershipFactory,
    InvitationFactory,
    PatientFactory,
)

NEW_PASSWORD = "heel-on-the-mend-2026"


def _link_in_last_email() -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0)


@pytest.mark.browser
def test_an_admin_invites_a_physio_who_accepts_signs_in_and_sees_an_assigned_patient(
    page, new_page, sign_in, live_server, check_accessibility, screenshot, clinic_admin, patient
):
    # The admin invites a physiotherapist.
    sign_in(page, "dana", TEST_PASSWORD)
    assert page.url == f"{live_server.url}/manage/users/"
    page.get_by_role("link", name="Invite someone").click()
    check_accessibility(page, context="invite form")
    page.get_by_label("E-mail address").fill("pat.physio@example.org")
    page.get_by_label("Role").select_option(label="Physiotherapist")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to pat.physio@example.org")).to_be_visible()
    expect(page.get_by_text("pat.physio@example.org").first).to_be_visible()
    check_accessibility(page, context="users with a waiting invitation")

    # The physiotherapist follows the link from the e-mail and chooses a user name and password.
    physio_page = new_page()
    physio_page.goto(_link_in_last_email())
    assert "Set up your account" in physio_page.locator("h1").inner_text()
    check_accessibility(physio_page, context="invitation acceptance")
    physio_page.get_by_label("User name").fill("pat")
    physio_page.get_by_label("First name").fill("Pat")
    physio_page.get_by_label("Last name").fill("Physio")
    physio_page.locator("#id_password1").fill(NEW_PASSWORD)  # its label is "Password*", a prefix of the next
    physio_page.get_by_label("Password again").fill(NEW_PASSWORD)
    physio_page.get_by_role("button", name="Create my account").click()
    expect(physio_page.get_by_text("Your account is ready")).to_be_visible()

    # ... and signs in: a physiotherapist lands on the caseload, empty for now.
    sign_in(physio_page, "pat", NEW_PASSWORD)
    assert physio_page.url == f"{live_server.url}/clinic/"
    assert "Alice Archer" not in physio_page.content()

    # Pat waits for a second admin's approval (issue 12): Dana invited Pat, so Erik approves.
    page.goto(f"{live_server.url}/manage/users/")
    expect(page.get_by_role("heading", name="Staff accounts waiting for approval")).to_be_visible()
    check_accessibility(page, context="users with an account waiting for approval")
    AdminFactory.create(username="erik", first_name="Erik", last_name="Eng")
    erik_page = new_page()
    sign_in(erik_page, "erik", TEST_PASSWORD)
    erik_page.goto(f"{live_server.url}/manage/users/")
    erik_page.get_by_role("button", name="Approve Pat Physio").click()
    expect(erik_page.get_by_text("Pat Physio's account is approved")).to_be_visible()

    # The admin puts Alice on Pat's caseload.
    page.get_by_role("link", name="Care teams").click()
    expect(page.locator("h1")).to_have_text("Care teams")
    page.get_by_label("Physiotherapist", exact=True).select_option(label="Pat Physio (pat)")
    page.get_by_role("button", name="Show", exact=True).click()
    check_accessibility(page, context="care teams with a physiotherapist chosen")
    page.get_by_label("Tick Alice Archer (alice)").check()
    page.get_by_role("button", name="Assign ticked patients to Pat Physio").click()
    expect(page.get_by_text("1 patient added to Pat Physio's caseload.")).to_be_visible()
    screenshot(page, "care-teams-after-assign")

    # Pat's next page shows Alice.
    physio_page.goto(f"{live_server.url}/clinic/")
    screenshot(physio_page, "caseload")
    expect(physio_page.get_by_text("Alice Archer").first).to_be_visible()
    assert_clean(page)


@pytest.fixture
def busy_clinic(clinic_admin, patient, physio, other_physio):
    """Enough on every /manage/ page to exercise its tables, badges and forms."""
    for p in PatientFactory.create_batch(3):
        CareTeamMembershipFactory.create(patient=p, physio=physio)
    InvitationFactory.create(email="waiting@example.org", created_by=clinic_admin)
    AuditEventFactory.create_batch(3, actor=physio, patient=patient)
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username=patient.username,
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        path_info="/accounts/login/",
    )
    return patient, physio


@pytest.mark.browser
def test_every_manage_page_passes_axe(page, sign_in, live_server, check_accessibility, screenshot, busy_clinic):
    patient, physio = busy_clinic
    sign_in(page, "dana", TEST_PASSWORD)
    pages = {
        "users": "/manage/users/",
        "users-search": "/manage/users/?q=zzz&role=physio&active=no",
        "invite": "/manage/users/invite/",
        "user-detail-patient": f"/manage/users/{patient.public_id}/",
        "user-detail-physio": f"/manage/users/{physio.public_id}/",
        "care-teams": "/manage/care-teams/",
        "care-teams-physio": f"/manage/care-teams/?physio={physio.public_id}",
        "audit": "/manage/audit/",
        "audit-filtered": "/manage/audit/?who=bob&date_from=2026-03-10&date_to=2026-03-01",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        check_accessibility(page, context=path)
        screenshot(page, name)

    # A form with errors, too.
    page.goto(f"{live_server.url}/manage/users/invite/")
    page.get_by_label("E-mail address").fill("alice@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("An account with this e-mail address already exists.")).to_be_visible()
    check_accessibility(page, context="invite form with an error")
    assert_clean(page)


@pytest.mark.browser
def test_the_lockout_and_invitation_pages_pass_axe(page, live_server, check_accessibility, patient):
    page.goto(f"{live_server.url}/accounts/invitation/not-a-token/")
    assert "no longer works" in page.locator("h1").inner_text()
    check_accessibility(page, context="invalid invitation")

    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("User name").fill("alice")
        page.get_by_label("Password").fill("wrong-password-1")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("This account is locked")
    check_accessibility(page, context="lockout page")
