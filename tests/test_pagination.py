"""Every paginated list (caseload, alerts, accounts, care teams, audit trail) pages through the same partial,
whose links keep the list's filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AlertFactory, AuditEventFactory, CareTeamMembershipFactory, PatientFactory
from tests.html_page import Page
from tracker.models import Role

pytestmark = pytest.mark.django_db


def pager(response) -> dict[str, str | None]:
    """The pagination's links by their visible word ("Previous", "Next"), None where it is not a link."""
    assert response.status_code == 200
    page = Page(response.content.decode())
    page.assert_wiring_resolves()
    navs = [e for e in page.find("nav") if (e.get("aria-label") or "").startswith("Pages")]
    assert len(navs) == 1
    links = {}
    for e in page.elements:
        if e.tag in ("a", "span") and "page-link" in (e.get("class") or "") and page.ancestor(e, "nav") is navs[0]:
            word = e.text.split()[0]
            links[word] = e.get("href") if e.tag == "a" else None
            assert e.text in ("Previous page", "Next page") or e.text.startswith("Page ")
    return links


def many_patients(n, physio=None):
    patients = [
        PatientFactory.create(username=f"many{i:02d}", first_name=f"Many{i:02d}", last_name="Smith") for i in range(n)
    ]
    if physio is not None:
        for p in patients:
            CareTeamMembershipFactory.create(patient=p, physio=physio)
    return patients


def test_the_caseload_pages_keep_its_filters(physio, physio_client):
    many_patients(26, physio)

    first = pager(physio_client.get(reverse("clinic:caseload"), {"q": "Many", "kind": ""}))
    second = pager(physio_client.get(reverse("clinic:caseload"), {"q": "Many", "kind": "", "page": "2"}))

    assert first == {"Previous": None, "Page": None, "Next": "?q=Many&kind=&page=2"}
    assert second == {"Previous": "?q=Many&kind=&page=1", "Page": None, "Next": None}


def test_the_alerts_pages(physio, physio_client):
    for i, patient in enumerate(many_patients(51, physio)):
        AlertFactory.create(patient=patient, occurrence=f"o{i}")

    assert pager(physio_client.get(reverse("clinic:alerts")))["Next"] == "?page=2"


def test_the_account_pages_keep_the_search(admin_client_):
    many_patients(30)

    links = pager(admin_client_.get(reverse("manage:users"), {"role": Role.PATIENT, "active": "yes", "page": "2"}))

    assert links["Previous"] == "?role=patient&active=yes&page=1" and links["Next"] is None


def test_the_care_team_pages_keep_the_physiotherapist(admin_client_, physio):
    many_patients(51)
    url = reverse("manage:care_teams")

    links = pager(admin_client_.get(url, {"physio": str(physio.public_id), "show": "unassigned"}))

    assert links["Next"] == f"?physio={physio.public_id}&show=unassigned&page=2"


def test_the_audit_pages_keep_the_filters(admin_client_, physio):
    for _ in range(51):
        AuditEventFactory.create(actor=physio)

    links = pager(admin_client_.get(reverse("manage:audit"), {"who": "bob", "page": "2"}))

    assert links == {"Previous": "?who=bob&page=1", "Page": None, "Next": None}


def test_a_single_page_has_no_pagination(physio_client, physio):
    html = physio_client.get(reverse("clinic:caseload")).content.decode()

    assert "pagination" not in html
