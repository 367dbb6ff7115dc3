"""Each message is tied to what it is about: after a rejected submission the wrong input is marked invalid
(aria-invalid) and described by its message (aria-describedby), a question's fieldset by its message, and
every id a page names (labels, descriptions, the error summary's links) is on the page exactly once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AlertFactory, CourseFactory
from tests.html_page import Page
from tracker.forms import patient as f
from tracker.services.clinic import ACK_NOTE_REQUIRED, NOTE_EMPTY

pytestmark = pytest.mark.django_db


def page_of(response, status=200) -> Page:
    assert response.status_code == status
    page = Page(response.content.decode())
    page.assert_wiring_resolves()
    return page


# ----------------------------------------------------------------------------------------------------------
# The patient's forms
# ----------------------------------------------------------------------------------------------------------


def test_a_rejected_daily_log_ties_each_message_to_its_question_on_the_right_foot(patient_client, patient):
    CourseFactory.create(patient=patient, foot="both")
    data = {"left-first_step_pain": "5", "left-average_pain": "4", "right-average_pain": "3"}

    page = page_of(patient_client.post("/today/", data | {"right-minutes_on_feet": "-5"}))

    # A pain scale: every button is marked invalid, and the question (its fieldset) is described by the message.
    wrong = page.find("input", name="right-first_step_pain")
    assert len(wrong) == 11 and all(radio.get("aria-invalid") == "true" for radio in wrong)
    question = page.ancestor(wrong[0], "fieldset")
    assert page.description(question) == f.FIRST_STEP_REQUIRED
    assert page.find("legend")[0].text.startswith("Your first steps this morning")
    # A number box: marked invalid and described by its message.
    minutes = page.find("input", name="right-minutes_on_feet")[0]
    assert minutes.get("aria-invalid") == "true"
    assert page.description(minutes) == f.MINUTES_RANGE
    assert page.label_of(minutes) == "Minutes on your feet (optional)"
    # The same questions on the left foot were answered well: nothing marked there.
    for name in ("left-first_step_pain", "left-minutes_on_feet"):
        for element in page.find("input", name=name):
            assert element.get("aria-invalid") is None and element.get("aria-describedby") is None
    assert page.ancestor(page.find("input", name="left-first_step_pain")[0], "fieldset").get("aria-describedby") is None
    # The summary at the top links to the first button of the scale.
    link = next(a for a in page.find("a") if a.text.startswith("Right foot, your first steps"))
    assert link.get("href") == f"#{wrong[0].get('id')}"


def test_the_pain_scale_names_its_ends_to_screen_readers(patient_client, course):
    page = page_of(patient_client.get("/today/"))

    zero, *_, ten = page.find("input", name="left-first_step_pain")
    assert page.label_of(zero) == "0, no pain" and page.label_of(ten) == "10, worst imaginable"
    ends = next(e for e in page.elements if "pain-scale-ends" in (e.get("class") or ""))
    assert ends.get("aria-hidden") == "true"  # the same words, for sighted users only


def test_a_rejected_session_ties_each_message_to_its_input(patient_client, course):
    page = page_of(patient_client.post("/sessions/new/", {"kind": "massage", "date": "soon", "minutes": "0"}))

    date = page.find("input", name="date")[0]
    assert date.get("aria-invalid") == "true" and page.description(date) == f.DATE_INVALID
    minutes = page.find("input", name="minutes")[0]
    assert minutes.get("aria-invalid") == "true" and page.description(minutes) == f.SESSION_MINUTES_RANGE
    technique = page.find("input", name="technique")
    assert all(radio.get("aria-invalid") == "true" for radio in technique)
    assert page.description(page.ancestor(technique[0], "fieldset")) == f.TECHNIQUE_REQUIRED


def test_the_time_zone_is_described_by_its_help_and_then_its_message(patient_client):
    select = page_of(patient_client.get("/account/")).find("select", name="time_zone")[0]
    help_text = 'Your day starts at midnight here: it decides which day "today" is.'
    assert select.get("aria-invalid") is None

    page = page_of(patient_client.post("/account/", {"time_zone": "Mars/Olympus", "reminder_hour": "8"}))

    select = page.find("select", name="time_zone")[0]
    assert select.get("aria-invalid") == "true"
    assert page.description(select) == f"{help_text} {f.TIME_ZONE_INVALID}"
    assert page.find("select", name="reminder_hour")[0].get("aria-invalid") is None


def test_closing_without_the_tick_says_why_at_the_tick_box(patient_client):
    page = page_of(patient_client.post("/account/close/", {}))

    confirm = page.find("input", name="confirm")[0]
    assert confirm.get("aria-invalid") == "true" and page.description(confirm) == f.CLOSE_CONFIRM_REQUIRED


# ----------------------------------------------------------------------------------------------------------
# The clinic's forms
# ----------------------------------------------------------------------------------------------------------


def test_a_rejected_note_ties_its_message_to_the_note(patient, physio_client):
    response = physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": ""})

    page = page_of(response, status=400)
    text = page.find("textarea", name="text")[0]
    assert text.get("aria-invalid") == "true"
    assert page.description(text) == f"Seen by the care team only, never by the patient. {NOTE_EMPTY}"
    assert page.label_of(text).startswith("New note")


@pytest.mark.parametrize("back_to", ["alerts", "patient"])
def test_a_rejected_acknowledgement_ties_its_message_to_that_alerts_note(patient, physio_client, back_to):
    other = AlertFactory.create(patient=patient)
    alert = AlertFactory.create(patient=patient, critical=True)
    next_url = reverse("clinic:alerts") if back_to == "alerts" else reverse("clinic:patient", args=[patient.public_id])

    response = physio_client.post(
        reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk]), {"note": "", "next": next_url}
    )

    page = page_of(response, status=400)
    note = page.by_id(f"ack-note-{alert.pk}")
    assert page.label_of(note) == "Note on acknowledging the alert for Alice Archer"
    assert note.get("aria-invalid") == "true" and page.description(note) == ACK_NOTE_REQUIRED
    untouched = page.by_id(f"ack-note-{other.pk}")
    assert untouched.get("aria-invalid") is None and untouched.get("aria-describedby") is None


# ----------------------------------------------------------------------------------------------------------
# Every page with a form: ids unique, every label, description and summary link names an element
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("patient", "/today/"),
        ("patient", "/sessions/new/"),
        ("patient", "/account/"),
        ("patient", "/account/close/"),
        ("physio", "/clinic/"),
        ("physio", "/clinic/alerts/"),
        ("physio", "patient-page"),
        ("admin", "/manage/users/?role=nobody"),
        ("admin", "/manage/users/invite/"),
        ("admin", "/manage/care-teams/?physio=nobody"),
        ("admin", "/manage/audit/?date_from=2026-02-02&date_to=2026-01-01"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/accounts/password_reset/"),
        ("patient", "/accounts/second-factor/"),
        ("patient", "/accounts/second-factor/setup/"),
        ("physio", "/accounts/second-factor/"),
        ("admin", "/accounts/second-factor/"),
    ],
)
def test_every_form_page_names_only_elements_it_has(
    who, url, patient, physio, clinic_admin, patient_client, physio_client, admin_client_, client
):
    CourseFactory.create(patient=patient, needling=True, foot="both")
    AlertFactory.create(patient=patient, critical=True)
    clients = {"patient": patient_client, "physio": physio_client, "admin": admin_client_, "anonymous": client}
    if url == "patient-page":
        url = reverse("clinic:patient", args=[patient.public_id])

    page_of(clients[who].get(url))


def test_a_refused_code_is_tied_to_its_box(physio):
    from django.test import Client

    client = Client()
    client.force_login(physio)

    page = page_of(client.post(reverse("second_factor_verify"), {"code": "not-a-code-at-all!!"}))

    box = page.find("input", name="code")[0]
    assert box.get("aria-invalid") == "true"
    assert "That code is not right." in page.description(box)
