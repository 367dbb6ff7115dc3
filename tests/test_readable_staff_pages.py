"""Issue 14, part 4: the staff pages in words: red flags and symptoms, the audit detail, plurals, a confirmation
before deactivating, and a time-zone list with the common zones first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AuditEventFactory, CourseFactory, DailyLogFactory
from tracker.forms.patient import COMMON_TIME_ZONES, AccountSettingsForm
from tracker.models import AuditAction, User

pytestmark = pytest.mark.django_db


def test_the_logs_table_shows_red_flags_and_symptoms_in_words(physio_client, patient):
    CourseFactory.create(patient=patient)
    DailyLogFactory.create(patient=patient, date=patient.local_today(), rf_calf=True, sym_arch=True, sym_limping=True)

    html = physio_client.get(reverse("clinic:patient", args=[patient.public_id])).content.decode()

    assert "Pain and swelling in one calf" in html and "rf_calf" not in html
    assert "Pain in the arch; Limping" in html and "sym_arch" not in html


def test_deactivating_asks_for_confirmation_first(admin_client_, patient):
    url = reverse("manage:user_deactivate", kwargs={"public_id": patient.public_id})
    detail = admin_client_.get(reverse("manage:user_detail", kwargs={"public_id": patient.public_id}))
    assert f'href="{url}"' in detail.content.decode()  # a link to the step, not a button that acts at once

    page = admin_client_.get(url)

    html = page.content.decode()
    assert page.status_code == 200 and "Yes, deactivate the account" in html and "No, go back" in html
    patient.refresh_from_db()
    assert patient.is_active  # looking at the step changes nothing

    admin_client_.post(url)
    patient.refresh_from_db()
    assert not patient.is_active


def test_the_audit_detail_is_in_words_without_python_lists(admin_client_, physio, patient):
    AuditEventFactory.create(
        actor=physio, patient=patient, action=AuditAction.UPDATE, detail={"fields": ["time_zone", "phone"]}
    )

    html = admin_client_.get("/manage/audit/").content.decode()

    assert "fields: time_zone, phone" in html
    assert "[&#x27;" not in html  # no Python list


def test_the_audit_page_names_accounts_in_one_query_and_never_a_course(
    admin_client_, physio, patient, django_assert_num_queries
):
    course = CourseFactory.create(patient=patient, foot="left", kind="massage")
    for _ in range(5):
        AuditEventFactory.create(
            actor=physio,
            patient=patient,
            detail={"course": str(course.public_id), "patients": [str(patient.public_id)]},
        )
    # test_manage_audit's pin (9 with the "trail was read" event), and one more: the accounts the events name.
    with django_assert_num_queries(10):
        response = admin_client_.get("/manage/audit/", {"who": "bob"})
    html = response.content.decode()
    assert f"patients: {patient.display_name}" in html
    assert "massage" not in html.lower()  # a course's kind is a clinical fact: the trail shows its id only


def test_care_team_messages_use_the_right_plural(admin_client_, physio, db):
    from tests.factories import PatientFactory

    one = PatientFactory.create()
    response = admin_client_.post(
        reverse("manage:care_teams_change"),
        {"physio": str(physio.public_id), "patients": [str(one.public_id)], "action": "assign"},
        follow=True,
    )
    assert "1 patient added to" in response.content.decode()


def test_the_time_zone_list_puts_common_zones_first_without_technical_entries(patient):
    form = AccountSettingsForm(initial={"time_zone": "Europe/London"})
    groups = form.fields["time_zone"].choices  # type: ignore[attr-defined]  # a ChoiceField
    assert groups[0][0] == "Common time zones" and [v for v, _ in groups[0][1]] == list(COMMON_TIME_ZONES)
    values = {v for _, options in groups for v, _ in options}
    assert not {"Factory", "localtime", "posixrules", "GB", "US/Eastern", "EST5EDT"} & values
    html = str(form["time_zone"])
    assert '<optgroup label="Common time zones">' in html


def test_an_old_alias_already_saved_stays_choosable(patient):
    form = AccountSettingsForm({"time_zone": "US/Eastern", "reminder_hour": "19"}, initial={"time_zone": "US/Eastern"})
    assert form.is_valid(), form.errors


def test_a_saved_time_zone_can_be_changed_on_the_account_page(patient_client, patient):
    response = patient_client.post("/account/", {"time_zone": "Asia/Tokyo", "reminder_hour": "19"})
    assert response.status_code == 302
    assert User.objects.get(pk=patient.pk).time_zone == "Asia/Tokyo"
