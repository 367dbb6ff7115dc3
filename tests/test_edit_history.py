"""Edit history of clinical records: every earlier version of a log, session, course or note is kept, with who
saved it and when; the care team sees which days were edited and the values replaced, on the patient page,
in the PDF and in logs.csv."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CourseFactory, DailyLogFactory, PatientFactory
from tracker.models import AuditAction, AuditEvent, ClinicalNote, Course, DailyLog, Session
from tracker.reports.pdf import report_context
from tracker.selectors.history import edited_days, log_edits
from tracker.services import clinic as clinic_services
from tracker.services.audit import AuditContext
from tracker.services.logs import daily_log_save
from tracker.services.sessions import session_create


@pytest.fixture
def today(patient):
    return patient.local_today()


def save_day(patient, day, *, foot="left", **values):
    """The patient saves ``day`` through the log's service (as the log form does)."""
    return daily_log_save(
        patient=patient,
        day=day,
        data_by_foot={foot: {"first_step_pain": 5, "average_pain": 4, **values}},
        today=patient.local_today(),
        audit=AuditContext(actor=patient, ip_address="127.0.0.1"),
    )


def test_an_edit_keeps_the_earlier_version_with_who_and_when(patient, today):
    save_day(patient, today, first_step_pain=5, note="first try")
    save_day(patient, today, first_step_pain=7, rf_calf=True, note="calf hurts now")

    log = DailyLog.objects.get(patient=patient)
    versions = list(log.history.order_by("history_date"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert [v.first_step_pain for v in versions] == [5, 7]
    assert versions[0].note == "first try" and not versions[0].rf_calf
    assert all(v.history_user == patient for v in versions)

    [edit] = log_edits(patient=patient)[log.pk]
    assert edit.by == patient.display_name
    assert {c.field: (c.before, c.after) for c in edit.changes} == {
        "first_step_pain": ("5", "7"),
        "rf_calf": ("no", "yes"),
        "note": ("first try", "calf hurts now"),
    }
    assert [c.label for c in edit.changes] == ["First-step pain", "Pain and swelling in one calf", "Note"]


def test_saving_a_day_again_unchanged_writes_nothing(patient, today):
    save_day(patient, today, first_step_pain=5)
    log = DailyLog.objects.get(patient=patient)
    updated = log.updated_at

    save_day(patient, today, first_step_pain=5)

    assert log.history.count() == 1
    log.refresh_from_db()
    assert log.updated_at == updated
    assert log_edits(patient=patient) == {}


def test_an_edit_adds_one_insert_per_changed_log_and_no_read(patient, today):
    save_day(patient, today, foot="left", first_step_pain=5)
    save_day(patient, today, foot="right", first_step_pain=5)

    with CaptureQueriesContext(connection) as ctx:
        daily_log_save(
            patient=patient,
            day=today,
            data_by_foot={
                "left": {"first_step_pain": 6, "average_pain": 4},  # changed
                "right": {"first_step_pain": 5, "average_pain": 4},  # the same
            },
            today=today,
            audit=AuditContext(actor=patient),
        )

    history = [q["sql"] for q in ctx.captured_queries if "historicaldailylog" in q["sql"].lower()]
    assert len(history) == 1 and history[0].startswith("INSERT")
    assert DailyLog.history.filter(patient=patient, foot="right").count() == 1


def test_every_service_names_who_saved_each_version(patient, physio, today):
    audit = AuditContext(actor=physio)
    course = clinic_services.course_start(
        patient=patient, kind="needling", foot="left", day_zero=today - timedelta(days=7), audit=audit
    )
    clinic_services.course_planned_sessions_set(course=course, planned_sessions=8, audit=audit)
    clinic_services.needling_session_record(
        course=course,
        date=today,
        minutes=20,
        sites=["calf"],
        twitch_response=True,
        soreness_after=3,
        today=today,
        audit=audit,
    )
    clinic_services.course_finish(course=course, outcome="completed", ended_on=today, today=today, audit=audit)
    clinic_services.note_add(patient=patient, text="Plan: taper.", audit=audit)
    session_create(
        patient=patient,
        data={"kind": "other", "date": today, "other_kind": "stretching"},
        today=today,
        audit=AuditContext(actor=patient),
    )

    course_versions = Course.history.filter(id=course.pk).order_by("history_date")
    assert [(v.planned_sessions, v.status, v.history_user) for v in course_versions] == [
        (None, "active", physio),
        (8, "active", physio),
        (8, "completed", physio),
    ]
    assert Session.history.get(kind="needling").history_user == physio
    assert Session.history.get(kind="other").history_user == patient
    assert ClinicalNote.history.get().history_user == physio


def test_a_job_saves_versions_without_a_person(patient, today):
    daily_log_save(
        patient=patient,
        day=today,
        data_by_foot={"left": {"first_step_pain": 5, "average_pain": 4}},
        today=today,
        audit=AuditContext.for_command("import_script"),
    )

    assert DailyLog.history.get().history_user is None


def test_an_imported_diary_has_one_version_per_log_by_the_importer(patient, physio, today):
    rows = "date,foot,first_step_pain,average_pain,edited\n"
    rows += f"{(today - timedelta(days=2)).isoformat()},left,6,5,2026-01-01T10:00+00:00\n"
    rows += f"{(today - timedelta(days=1)).isoformat()},left,5,4,\n"

    report = clinic_services.diary_import(patient=patient, data=rows.encode(), today=today, audit=AuditContext(physio))

    assert report.saved
    versions = DailyLog.history.filter(patient=patient)
    assert versions.count() == 2
    assert {(v.history_user, v.history_change_reason) for v in versions} == {(physio, "diary import")}
    assert edited_days(patient=patient) == []  # imported, never edited


# ---------------------------------------------------------------------------------------------------------
# What the care team sees
# ---------------------------------------------------------------------------------------------------------


def test_the_patient_page_marks_an_edited_day_with_the_earlier_values(patient, physio_client, today):
    save_day(patient, today - timedelta(days=1), first_step_pain=4)
    save_day(patient, today, first_step_pain=3, note="fine")
    save_day(patient, today, first_step_pain=6, note="worse after the walk")

    response = physio_client.get(reverse("clinic:patient", args=[patient.public_id]))

    html = response.content.decode()
    assert html.count('class="log-edits small"') == 1  # only the edited day
    assert '<span class="badge text-bg-secondary">edited</span>' in html
    assert "First-step pain: 3 → 6" in html
    assert "Note: fine → worse after the walk" in html
    assert f"by {patient.display_name}" in html
    # Reading the history is part of the page read, audited as such.
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, patient=patient, target="clinic patient page").exists()


def test_an_outsider_sees_no_history(patient, other_physio_client, today):
    save_day(patient, today, first_step_pain=3)
    save_day(patient, today, first_step_pain=6)

    assert other_physio_client.get(reverse("clinic:patient", args=[patient.public_id])).status_code == 404
    assert other_physio_client.get(reverse("clinic:logs_csv", args=[patient.public_id])).status_code == 404


def test_logs_csv_says_when_each_day_was_last_edited(patient, physio_client, today):
    save_day(patient, today - timedelta(days=1), first_step_pain=4)
    save_day(patient, today, first_step_pain=3)
    save_day(patient, today, first_step_pain=6)
    last = DailyLog.history.filter(date=today).latest("history_date").history_date

    response = physio_client.get(reverse("clinic:logs_csv", args=[patient.public_id]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["date"], r["edited"]) for r in rows] == [
        ((today - timedelta(days=1)).isoformat(), ""),
        (today.isoformat(), last.astimezone(patient.zone).isoformat(timespec="minutes")),
    ]


def test_the_patients_own_csv_says_so_too(patient, patient_client, today):
    save_day(patient, today, first_step_pain=3)
    save_day(patient, today, first_step_pain=6)

    rows = list(csv.DictReader(io.StringIO(patient_client.get("/account/export.csv").content.decode())))

    assert rows[0]["edited"] != ""


def test_the_pdf_lists_the_edited_days_and_marks_an_edited_red_flag_day(patient, physio, today):
    CourseFactory(patient=patient, day_zero=today - timedelta(days=20))
    save_day(patient, today, first_step_pain=3)
    save_day(patient, today, first_step_pain=6, rf_calf=True)
    save_day(patient, today - timedelta(days=1), first_step_pain=2)

    html = render_to_string("tracker/report_pdf.html", report_context(patient=patient, today=today, prepared_by=physio))

    assert "Days edited after they were logged" in html
    assert f"{today:%-d %b %Y} (edited)" in html  # in the red-flag table
    assert "First-step pain: 3 → 6; Pain and swelling in one calf: no → yes" in html
    assert html.count("First-step pain: 3 → 6") == 1


def test_the_pdf_says_when_no_day_was_edited(patient, physio, today):
    save_day(patient, today, first_step_pain=3)

    html = render_to_string("tracker/report_pdf.html", report_context(patient=patient, today=today, prepared_by=physio))

    assert "No day was changed after it was logged." in html


def test_the_history_query_is_one_whatever_the_versions(patient, today, django_assert_num_queries):
    for d in range(5):
        for pain in range(6):
            save_day(patient, today - timedelta(days=d), first_step_pain=pain)
    other = PatientFactory.create()
    DailyLogFactory(patient=other, date=today)

    with django_assert_num_queries(1):
        days = edited_days(patient=patient)

    assert len(days) == 5 and all(len(day.edits) == 5 for day in days)


@pytest.mark.django_db
def test_the_migration_records_the_versions_that_existed_before_history():
    from importlib import import_module

    migration = import_module("tracker.migrations.0004_edit_history_second_factor")
    patient = PatientFactory.create()
    DailyLog.objects.bulk_create([DailyLog(patient=patient, date=patient.local_today(), foot="left", recorded_on=patient.local_today(), first_step_pain=4, average_pain=3)])  # fmt: skip
    assert not DailyLog.history.exists()  # bulk_create writes no history

    migration.record_current_versions(apps, None)

    [version] = DailyLog.history.all()
    assert version.history_type == "+" and version.history_change_reason == migration.INITIAL_REASON
    assert version.first_step_pain == 4


def test_the_earlier_values_are_in_words(patient, today):
    long_note = "A long note about the day. " * 10
    save_day(patient, today, activity_level="rest", note=long_note)
    save_day(patient, today, activity_level="active", note="short")

    [edit] = log_edits(patient=patient)[DailyLog.objects.get().pk]
    changes = {c.field: (c.before, c.after) for c in edit.changes}

    assert changes["activity_level"] == ("Resting mostly", "Very active")
    before_note = changes["note"][0]
    assert len(before_note) == 80 and before_note.endswith("…") and long_note.startswith(before_note[:-1])


def test_a_save_that_changed_no_value_the_patient_entered_is_no_edit(patient, today):
    DailyLogFactory(patient=patient, date=today)
    log = DailyLog.objects.get(patient=patient)
    log.recorded_on = today  # a technical column only
    log.save()

    assert DailyLog.history.filter(patient=patient).count() == 2
    assert edited_days(patient=patient) == []


def test_recently_edited_logs_are_two_queries_most_recent_first(patient, today, django_assert_num_queries):
    from tracker.selectors.history import recently_edited_logs

    for d in (3, 1, 2):
        save_day(patient, today - timedelta(days=d), first_step_pain=2)
        save_day(patient, today - timedelta(days=d), first_step_pain=6)
    save_day(patient, today, first_step_pain=2)  # saved once: not edited
    DailyLogFactory(patient=PatientFactory.create(), date=today)

    with django_assert_num_queries(2):
        ids, total = recently_edited_logs(patient=patient, limit=2)

    by_id = dict(DailyLog.objects.values_list("id", "date"))
    assert [by_id[i] for i in ids] == [today - timedelta(days=2), today - timedelta(days=1)]
    assert total == 3
