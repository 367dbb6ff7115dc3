"""'Who looked at my record' on /account/ (issue 12 item 12): the patient sees who read or changed their record
and when, in plain words: exactly the audit events about their record, paginated, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AuditEventFactory, PatientFactory
from tracker.models import AuditAction, AuditEvent


def _all_rows(client) -> list[tuple[object, str, str]]:
    rows, page = [], 1
    while True:
        response = client.get(reverse("patient:account"), {"access_page": page})
        assert response.status_code == 200
        rows += [(r["at"], r["who"], r["what"]) for r in response.context["access_rows"]]
        if not response.context["accesses"].has_next():
            return rows
        page += 1


def test_the_list_is_exactly_the_audit_events_of_the_record(
    patient, physio, clinic_admin, patient_client, physio_client
):
    physio_client.get(reverse("clinic:patient", args=[patient.public_id]))
    physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": "Plan: taper."})
    AuditEventFactory.create_batch(30, actor=clinic_admin, patient=patient, action=AuditAction.EXPORT)
    someone_else = PatientFactory.create()
    AuditEventFactory.create_batch(3, actor=physio, patient=someone_else)  # another patient's: not listed

    rows = _all_rows(patient_client)

    expected = AuditEvent.objects.filter(patient=patient).order_by("-at", "-id")
    assert len(rows) == expected.count() > 25  # more than one page
    assert [r[0] for r in rows] == [e.at for e in expected]
    assert {who for _, who, _ in rows} >= {"Bob Baker (physiotherapist)", "Dana Diaz (clinic admin)"}
    page = patient_client.get(reverse("patient:account")).content.decode()
    assert "Who looked at your record" in page
    assert "Dana Diaz (clinic admin)" in page and "downloaded a copy of your record" in page


def test_plain_words_for_a_view_and_a_change(patient, physio, physio_client, patient_client):
    physio_client.get(reverse("clinic:patient", args=[patient.public_id]))
    physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": "Plan: taper."})
    whats = {(who, what) for _, who, what in _all_rows(patient_client)}
    assert ("Bob Baker (physiotherapist)", "looked at your record") in whats
    assert ("Bob Baker (physiotherapist)", "added to your record") in whats
    # The note's words never reach the patient's list.
    assert "taper" not in patient_client.get(reverse("patient:account")).content.decode()


@pytest.mark.parametrize("events", [1, 40])
def test_the_account_page_runs_a_fixed_number_of_queries(
    patient, physio, patient_client, django_assert_num_queries, events
):
    AuditEventFactory.create_batch(events, actor=physio, patient=patient)
    patient_client.get(reverse("patient:account"))
    # 1 session, 2 the user, 3 count of the record's audit events, 4 a page of them with their actors, 5-7 the
    # session saved in a savepoint (the idle-timeout clock).
    with django_assert_num_queries(7):
        assert patient_client.get(reverse("patient:account")).status_code == 200
