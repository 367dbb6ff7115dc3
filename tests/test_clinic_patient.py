"""One patient's page (/clinic/patients/<uuid>/) and its changes: notes, alerts, courses, needling sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import (
    AlertFactory,
    CareTeamMembershipFactory,
    ClinicalNoteFactory,
    CourseFactory,
    DailyLogFactory,
    PatientFactory,
    SessionFactory,
)
from tests.questionnaire_data import faam_response, psfs_response
from tracker.models import (
    Alert,
    AlertStatus,
    AuditAction,
    AuditEvent,
    ClinicalNote,
    Course,
    CourseStatus,
    Session,
    SessionKind,
)
from tracker.services import clinic as services
from tracker.services.audit import AuditContext
from tracker.services.cohort import cohort_rebuild_all
from tracker.services.logs import daily_log_save


def page_url(patient):
    return reverse("clinic:patient", args=[patient.public_id])


def edit_log(patient, day, foot="right", **values):
    """The patient saves ``day`` again through the log's service, with ``values`` changed."""
    daily_log_save(
        patient=patient,
        day=day,
        data_by_foot={foot: {"first_step_pain": 5, "average_pain": 4, **values}},
        today=patient.local_today(),
        audit=AuditContext(actor=patient),
    )


@pytest.fixture
def needling(patient):
    return CourseFactory.create(
        patient=patient, needling=True, foot="both", day_zero=patient.local_today() - timedelta(days=10)
    )


def test_it_shows_the_whole_story(patient, physio, physio_client, needling):
    today = patient.local_today()
    DailyLogFactory.create(patient=patient, date=today, first_step_pain=6, note="Stairs were hard")
    SessionFactory.create(
        patient=patient, needling=True, course=needling, performed_by=physio, date=today - timedelta(days=2)
    )
    AlertFactory.create(patient=patient, message="No log for 2 days (test).")
    ClinicalNoteFactory.create(patient=patient, author=physio, text="Check footwear next visit.")

    response = physio_client.get(page_url(patient))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-progress-chart="chart-1-data"' in html  # the shared chart component
    assert 'id="chart-1-data"' in html
    for text in (
        "Dry needling course",
        "Stairs were hard",
        "No log for 2 days (test).",
        "Check footwear next visit.",
        "Record a needling session",
        "Start a course",
        "Import an earlier diary",
        "Bob Baker",
    ):
        assert text in html, text
    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient=patient)
    assert event.actor == physio and event.target == "clinic patient page"


# Session and user, the second factor's device, the audit event, the story with every version of its logs (the
# cohort bands in one cached query: pain and, with a FAAM daily activities score, that score's band too), and the
# questionnaires (3: responses, FAAM answers, PSFS ratings).
PATIENT_PAGE_QUERIES = 21


def test_it_runs_a_fixed_number_of_queries_whatever_the_days_and_versions(
    patient, physio_client, needling, django_assert_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert physio_client.get(page_url(patient)).status_code == 200
        return len(ctx.captured_queries)

    cohort_rebuild_all()  # the cohort band's cache, as the hourly job leaves it (a missing one adds its rebuild)
    today = patient.local_today()
    faam_response(patient, today)
    assert count() == PATIENT_PAGE_QUERIES
    for d in range(40):
        if d % 14 == 0:
            faam_response(patient, today - timedelta(days=d + 1))
            psfs_response(patient, today - timedelta(days=d + 1), {"Walking": 4})
        DailyLogFactory.create(patient=patient, date=today - timedelta(days=d), foot="right")
        SessionFactory.create(patient=patient, date=today - timedelta(days=d))
    assert count() == PATIENT_PAGE_QUERIES
    # Days edited again and again: every version is read in the same one query.
    for d in range(5):
        for pain in range(1, 6):
            edit_log(patient, today - timedelta(days=d), first_step_pain=pain)
    assert count() == PATIENT_PAGE_QUERIES


def test_it_adds_a_note(patient, physio, physio_client):
    response = physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": "  Plan: taper.  "})

    assert response.status_code == 302
    note = ClinicalNote.objects.get(patient=patient)
    assert note.text == "Plan: taper." and note.author == physio
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=patient, target__startswith="clinical note "
    ).exists()


def test_it_refuses_an_empty_note_on_the_form(patient, physio_client):
    response = physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": "   "})

    assert response.status_code == 400
    assert services.NOTE_EMPTY in response.content.decode()
    assert not ClinicalNote.objects.exists()


def test_notes_are_never_shown_to_the_patient(patient, physio, patient_client):
    ClinicalNoteFactory.create(patient=patient, author=physio, text="PRIVATE-CLINICAL-NOTE-42")

    # Every page and export of hers must open (a page that fails to open shows nothing, and proves nothing).
    for name in ("today", "history", "progress", "account", "export_csv", "export_json"):
        response = patient_client.get(reverse(f"patient:{name}"))
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"PRIVATE-CLINICAL-NOTE-42" not in body, name
    # And every clinic page, where notes live, is closed to her.
    assert patient_client.get(page_url(patient)).status_code == 403
    assert patient_client.get(reverse("clinic:report_pdf", args=[patient.public_id])).status_code == 403


def test_it_acknowledges_an_alert_with_a_note(patient, physio, physio_client):
    alert = AlertFactory.create(patient=patient, critical=True)
    url = reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk])

    response = physio_client.post(url, {"note": "Phoned her; GP today.", "next": reverse("clinic:alerts")})

    assert response.status_code == 302 and response["Location"] == reverse("clinic:alerts")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == physio and alert.acknowledged_at is not None
    assert alert.acknowledgement_note == "Phoned her; GP today."
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, patient=patient, detail__alert_id=alert.pk).exists()


def test_acknowledging_needs_a_note(patient, physio_client):
    alert = AlertFactory.create(patient=patient, critical=True)
    url = reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk])

    response = physio_client.post(url, {"note": " ", "next": reverse("clinic:alerts")})

    assert response.status_code == 400
    assert services.ACK_NOTE_REQUIRED in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_acknowledging_twice_keeps_the_first(patient, physio, other_physio):
    alert = AlertFactory.create(patient=patient)
    services.alert_acknowledge(alert=alert, note="First.", audit=AuditContext(actor=physio))

    with pytest.raises(Exception, match="already acknowledged"):
        services.alert_acknowledge(alert=alert, note="Second.", audit=AuditContext(actor=physio))
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "First."


def test_it_ignores_an_offsite_next(patient, physio_client):
    alert = AlertFactory.create(patient=patient)
    url = reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk])

    response = physio_client.post(url, {"note": "Done.", "next": "https://evil.example/"})

    assert response["Location"] == page_url(patient)


def test_the_alerts_page_lists_open_alerts_most_severe_then_newest(patient, physio, physio_client):
    from django.utils import timezone

    now = timezone.now()
    low_new = AlertFactory.create(patient=patient, message="low new", created_at=now)
    critical_old = AlertFactory.create(
        patient=patient, critical=True, message="critical old", created_at=now - timedelta(days=3)
    )
    critical_new = AlertFactory.create(
        patient=patient, critical=True, message="critical new", occurrence="x2", created_at=now
    )
    AlertFactory.create(patient=patient, acknowledged=True, message="done already")
    AlertFactory.create(message="someone else's")

    response = physio_client.get(reverse("clinic:alerts"))

    assert list(response.context["page"]) == [critical_new, critical_old, low_new]
    html = response.content.decode()
    assert "done already" not in html and "someone else" not in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target="open alerts page 1").exists()


def test_it_starts_a_course(patient, physio, physio_client):
    today = patient.local_today()
    response = physio_client.post(
        reverse("clinic:course_start", args=[patient.public_id]),
        {
            "course-kind": "needling",
            "course-foot": "right",
            "course-day_zero": today.isoformat(),
            "course-planned_sessions": "5",
        },
    )

    assert response.status_code == 302
    course = Course.objects.get(patient=patient)
    assert (course.kind, course.foot, course.day_zero, course.planned_sessions, course.created_by) == (
        "needling",
        "right",
        today,
        5,
        physio,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, patient=patient, target__startswith="course ", detail__event="started"
    ).exists()


def test_planned_sessions_are_only_for_needling(patient, physio_client):
    response = physio_client.post(
        reverse("clinic:course_start", args=[patient.public_id]),
        {
            "course-kind": "massage",
            "course-foot": "right",
            "course-day_zero": "2026-01-01",
            "course-planned_sessions": "5",
        },
    )

    assert response.status_code == 400
    assert not Course.objects.exists()


@pytest.mark.parametrize("outcome", [CourseStatus.COMPLETED, CourseStatus.STOPPED])
def test_it_completes_or_stops_a_course(patient, physio_client, needling, outcome):
    today = patient.local_today()
    prefix = f"finish-{needling.public_id}"
    response = physio_client.post(
        reverse("clinic:course_finish", args=[patient.public_id, needling.public_id]),
        {
            f"{prefix}-outcome": outcome,
            f"{prefix}-ended_on": today.isoformat(),
        },
    )

    assert response.status_code == 302
    needling.refresh_from_db()
    assert needling.status == outcome and needling.ended_on == today


def test_it_refuses_an_end_before_day_0(patient, physio_client, needling):
    prefix = f"finish-{needling.public_id}"
    response = physio_client.post(
        reverse("clinic:course_finish", args=[patient.public_id, needling.public_id]),
        {
            f"{prefix}-outcome": "completed",
            f"{prefix}-ended_on": (needling.day_zero - timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert escape(services.ENDED_BEFORE_DAY_ZERO) in response.content.decode()
    needling.refresh_from_db()
    assert needling.status == CourseStatus.ACTIVE


def test_it_sets_planned_sessions(patient, physio_client, needling):
    prefix = f"planned-{needling.public_id}"
    response = physio_client.post(
        reverse("clinic:course_planned_sessions", args=[patient.public_id, needling.public_id]),
        {f"{prefix}-planned_sessions": "4"},
    )

    assert response.status_code == 302
    needling.refresh_from_db()
    assert needling.planned_sessions == 4
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, patient=patient)
    # The field's name, never its values (issue 12).
    assert event.detail["fields"] == ["planned_sessions"] and "before" not in event.detail


def test_it_records_a_needling_session_and_raises_alerts(patient, physio, physio_client, needling):
    today = patient.local_today()
    DailyLogFactory.create(patient=patient, date=today, red_flag=True)  # a red flag the alerts service should raise
    prefix = f"needling-{needling.public_id}"

    response = physio_client.post(
        reverse("clinic:needling_session_record", args=[patient.public_id, needling.public_id]),
        {
            f"{prefix}-date": today.isoformat(),
            f"{prefix}-minutes": "25",
            f"{prefix}-sites": ["calf", "heel"],
            f"{prefix}-twitch_response": "yes",
            f"{prefix}-soreness_after": "3",
            f"{prefix}-note": "Left calf tender.",
        },
    )

    assert response.status_code == 302
    session = Session.objects.get(patient=patient)
    assert (
        session.kind,
        session.course,
        session.minutes,
        session.sites,
        session.twitch_response,
        session.soreness_after,
        session.performed_by,
    ) == (SessionKind.NEEDLING, needling, 25, ["calf", "heel"], True, 3, physio)
    assert Alert.objects.filter(patient=patient, kind="red_flag").exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient=patient, target__startswith="session ").exists()


def test_it_refuses_a_session_in_the_future(patient, physio_client, needling):
    prefix = f"needling-{needling.public_id}"
    tomorrow = patient.local_today() + timedelta(days=1)
    response = physio_client.post(
        reverse("clinic:needling_session_record", args=[patient.public_id, needling.public_id]),
        {f"{prefix}-date": tomorrow.isoformat(), f"{prefix}-minutes": "25", f"{prefix}-sites": ["calf"]},
    )

    assert response.status_code == 400
    assert services.DATE_IN_FUTURE in response.content.decode()
    assert not Session.objects.exists()


def test_no_needling_session_on_a_massage_course(patient, physio_client):
    course = CourseFactory.create(patient=patient)
    prefix = f"needling-{course.public_id}"
    response = physio_client.post(
        reverse("clinic:needling_session_record", args=[patient.public_id, course.public_id]),
        {f"{prefix}-date": patient.local_today().isoformat(), f"{prefix}-minutes": "25", f"{prefix}-sites": ["calf"]},
    )

    assert response.status_code == 400
    assert not Session.objects.exists()


def test_the_page_shown_again_after_a_refused_change_is_audited_as_a_read(patient, physio, physio_client):
    """A refused note re-renders the whole patient page (logs, alerts, notes): that read is audited too."""
    DailyLogFactory.create(patient=patient, date=patient.local_today())

    response = physio_client.post(reverse("clinic:note_add", args=[patient.public_id]), {"text": "   "})

    assert response.status_code == 400
    event = AuditEvent.objects.get(action=AuditAction.VIEW, patient=patient)
    assert event.actor == physio and event.target == "clinic patient page"


def test_the_alerts_page_shown_again_after_a_refused_acknowledgement_is_audited(patient, physio, physio_client):
    alert = AlertFactory.create(patient=patient, critical=True)
    url = reverse("clinic:alert_acknowledge", args=[patient.public_id, alert.pk])

    response = physio_client.post(url, {"note": " ", "next": reverse("clinic:alerts")})

    assert response.status_code == 400
    event = AuditEvent.objects.get(action=AuditAction.VIEW, actor=physio)
    assert event.target == "open alerts page 1" and event.detail["alerts"] == [alert.pk]


# ----------------------------------------------------------------------------------------------------------
# The latest sessions and notes on the page; all of them on their own pages (issue 11)
# ----------------------------------------------------------------------------------------------------------


def _many_records(patient, physio, n):
    today = patient.local_today()
    sessions = [SessionFactory.create(patient=patient, date=today - timedelta(days=i)) for i in range(n)]
    notes = [ClinicalNoteFactory.create(patient=patient, author=physio, text=f"Note number {i:03d}") for i in range(n)]
    return sessions, notes


def test_the_page_shows_the_latest_20_sessions_and_notes_with_links_to_all(patient, physio, physio_client):
    _many_records(patient, physio, 23)

    response = physio_client.get(page_url(patient))

    story = response.context["story"]
    assert (len(story.sessions), story.sessions_total, len(story.notes), story.notes_total) == (20, 23, 20, 23)
    assert story.sessions[0].date == patient.local_today()  # newest first
    html = response.content.decode()
    assert "Note number 022" in html and "Note number 002" not in html
    assert f'href="{reverse("clinic:patient_sessions", args=[patient.public_id])}">All 23 sessions</a>' in html
    assert f'href="{reverse("clinic:patient_notes", args=[patient.public_id])}">All 23 notes</a>' in html


def test_a_short_record_has_no_links_to_all(patient, physio, physio_client):
    _many_records(patient, physio, 2)

    html = physio_client.get(page_url(patient)).content.decode()

    assert "All 2 sessions" not in html and "All 2 notes" not in html


@pytest.mark.parametrize("name", ["clinic:patient_sessions", "clinic:patient_notes"])
def test_all_records_pages_are_paginated_newest_first_and_audited(patient, physio, physio_client, name):
    sessions, notes = _many_records(patient, physio, 53)
    records = sessions if name.endswith("sessions") else notes
    url = reverse(name, args=[patient.public_id])

    first = physio_client.get(url)
    second = physio_client.get(url + "?page=2")
    beyond = physio_client.get(url + "?page=7")

    assert [r.pk for r in first.context["page"]][:1] == [records[0].pk if name.endswith("sessions") else notes[-1].pk]
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 3
    assert beyond.context["page"].number == 2  # out of range: the last page
    assert "Page 1 of 2" in first.content.decode()
    events = AuditEvent.objects.filter(
        actor=physio, patient=patient, action=AuditAction.VIEW, target__startswith="clinic patient "
    )
    first_event = events.order_by("id").first()
    assert first_event is not None
    assert first_event.target == ("clinic patient sessions" if name.endswith("sessions") else "clinic patient notes")
    assert first_event.detail == {"page": 1, "records": [r.pk for r in first.context["page"]]}
    assert "Note number" not in str(list(events.values_list("detail", flat=True)))  # ids only, never the text


@pytest.mark.parametrize("name", ["clinic:patient_sessions", "clinic:patient_notes"])
def test_all_records_pages_are_closed_outside_the_care_team_and_to_patients(
    patient, physio, other_physio_client, patient_client, name
):
    _many_records(patient, physio, 1)
    url = reverse(name, args=[patient.public_id])

    assert other_physio_client.get(url).status_code == 404
    assert patient_client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(target__startswith="clinic patient ").exists()


@pytest.mark.parametrize("name", ["clinic:patient_sessions", "clinic:patient_notes"])
def test_all_records_pages_have_a_fixed_number_of_queries(
    patient, physio, physio_client, django_assert_num_queries, name
):
    url = reverse(name, args=[patient.public_id])
    _many_records(patient, physio, 1)
    physio_client.get(url)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert physio_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # The same 10 with 1 record and with 61: the count and the page of rows, whatever the number of records.
    assert count() == 10
    _many_records(patient, physio, 60)
    assert count() == 10


# The log table's rows as the template language built them before issue 11 moved them into Python.
_TEMPLATE_LOG_ROWS = """    {% for row in story.logs %}{% with log=row.log %}
      <tr><th scope="row" class="fw-normal">
          <span class="text-nowrap">{{ log.date|date:"D j M Y" }}</span>
          {% if row.edits %}
          <details class="log-edits small">
            <summary><span class="badge text-bg-secondary">edited</span><span class="visually-hidden"> {{ row.edits|length }} time{{ row.edits|pluralize }}: earlier values</span></summary>
            <ul class="list-unstyled mb-0">
            {% for edit in row.edits %}
              <li class="mt-1">{{ edit.at|date:"j M Y H:i" }}{% if edit.by %} by {{ edit.by }}{% endif %}:
                <ul class="mb-0 ps-3">{% for change in edit.changes %}<li>{{ change.label }}: {{ change.before }} → {{ change.after }}</li>{% endfor %}</ul>
              </li>
            {% endfor %}
            </ul>
          </details>
          {% endif %}
        </th><td>{{ log.get_foot_display }}</td><td>{{ log.first_step_pain }}</td><td>{{ log.average_pain }}</td>
        <td>{{ log.pain_after_activity|default_if_none:"–" }}</td><td>{{ log.minutes_on_feet|default_if_none:"–" }}</td>
        <td>{{ log.get_weight_bearing_display|default:"–" }}</td><td>{{ log.get_footwear_display|default:"–" }}</td><td>{{ log.get_usual_activities_display|default:"–" }}</td>
        <td class="small">{{ log.symptom_labels|join:"; "|default:"–" }}</td>
        <td>{% if log.has_red_flag %}<span class="badge text-bg-danger">{{ log.red_flags|length }}</span> <span class="small">{{ log.red_flag_labels|join:"; " }}</span>{% else %}–{% endif %}</td>
        <td class="small">{{ log.note|truncatechars:80 }}</td></tr>
    {% endwith %}{% empty %}<tr><td colspan="12">Nothing logged yet.</td></tr>{% endfor %}"""


def test_the_log_rows_built_in_python_match_the_template_and_escape(patient, physio_client, needling):
    import re

    from django.template import Context, Template

    from tracker.selectors.clinic import patient_story

    today = patient.local_today()
    DailyLogFactory.create(patient=patient, date=today, foot="left", note="<script>x</script> & " + "long " * 30)
    DailyLogFactory.create(
        patient=patient,
        date=today - timedelta(days=1),
        foot="right",
        rf_calf=True,
        rf_fever=True,
        pain_after_activity=0,
        minutes_on_feet=None,
        weight_bearing="full",
        footwear="normal",
    )
    edit_log(patient, today - timedelta(days=1), first_step_pain=2, note="a <b>change</b>")
    edit_log(patient, today - timedelta(days=1), first_step_pain=3)
    story = patient_story(patient=patient, today=today)
    assert any(row.edits for row in story.logs)

    def squeeze(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    built = Template("{% load clinic_tables %}{% log_table_rows logs %}").render(Context({"logs": story.logs}))
    expected = Template(_TEMPLATE_LOG_ROWS).render(Context({"story": story}))

    assert squeeze(built) == squeeze(expected)
    assert "&lt;script&gt;" in built and "<script>" not in built and "&lt;b&gt;change" in built
    assert squeeze(Template("{% load clinic_tables %}{% log_table_rows logs %}").render(Context({"logs": []}))) == (
        '<tr><td colspan="12">Nothing logged yet.</td></tr>'
    )


def test_the_log_rows_dates_and_labels_are_what_django_formats():
    """The log table works the names of weekdays and months, and the choices' labels, out once per table."""
    from datetime import date

    from django.utils.dateformat import format as date_format

    from tracker.models import DailyLog
    from tracker.templatetags.clinic_tables import _e, _number, _or_dash, _Words

    words = _Words()
    for offset in range(0, 800, 3):
        day = date(2025, 1, 1) + timedelta(days=offset)
        assert words.day(day) == date_format(day, "D j M Y")
    assert words.day(date(999, 12, 31)) == date_format(date(999, 12, 31), "D j M Y")
    for value in ("", "boot", "cast", "normal", "supportive"):
        log = DailyLog(foot="left", footwear=value)
        assert words.label(log, "footwear") == _or_dash(log.get_footwear_display())
        assert words.label(log, "foot", _e) == _e(log.get_foot_display())
    for number in (0, 7, 10, 1440, -3, 123456):
        assert _number(number) == _e(number)
    # The alerts' "raised" time: as the template's date filter shows it, in the current time zone (DST included).
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import timezone

    filter_ = Template('{{ at|date:"j M Y H:i" }}')
    for zone in ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata"):
        with timezone.override(zone):
            for hours in range(0, 24 * 400, 37):
                at = datetime(2025, 1, 1, 0, 7, tzinfo=UTC) + timedelta(hours=hours)
                assert words.moment(at) == filter_.render(Context({"at": at}))


def test_the_care_team_sees_the_patients_phone_number_on_the_page_and_in_the_alerts(patient, physio, physio_client):
    patient.phone = "+44 7700 900123"
    patient.save()
    AlertFactory.create(patient=patient, critical=True)
    link = '<a class="patient-phone" href="tel:+447700900123">+44 7700 900123</a>'

    assert link in physio_client.get(page_url(patient)).content.decode()
    assert link in physio_client.get(reverse("clinic:alerts")).content.decode()

    patient.phone = ""
    patient.save()
    assert "no phone number given" in physio_client.get(reverse("clinic:alerts")).content.decode()


_TEMPLATE_ALERT_ROWS = """{% for alert in page %}
    <tr class="alert-row" id="alert-{{ alert.pk }}">
      <td><span class="badge {% if alert.severity == 4 %}text-bg-danger{% elif alert.severity == 3 %}text-bg-warning{% elif alert.severity == 2 %}text-bg-info{% else %}text-bg-secondary{% endif %}">{{ alert.get_severity_display }}</span></td>
      <th scope="row"><a href="{% url 'clinic:patient' alert.patient.public_id %}">{{ alert.patient.display_name }}</a>
        <div class="small fw-normal">{% include "tracker/partials/patient_phone.html" with patient=alert.patient %}</div></th>
      <td><strong>{{ alert.get_kind_display }}</strong><div class="small">{{ alert.message }}</div></td>
      <td class="text-nowrap">{{ alert.created_at|date:"j M Y H:i" }}</td>
      <td>{% include "tracker/partials/clinic_ack_form.html" with next=request.get_full_path %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="5">No open alerts. Nothing needs acknowledging.</td></tr>
  {% endfor %}"""


@pytest.mark.parametrize("refused", [False, True])
def test_the_alert_rows_built_in_python_are_the_template_loops_html_byte_for_byte(patient, physio, refused):
    """The open alerts page builds its rows in Python (speed); the HTML is the old template loop's, exactly:
    escaping, phone or none, each severity, the blank form written out and a refused one rendered by crispy."""
    from django.template import RequestContext, Template
    from django.test import RequestFactory

    from tracker.forms.clinic import AlertAcknowledgeForm
    from tracker.models import AlertKind, Severity
    from tracker.selectors.clinic import open_alerts_for

    other = PatientFactory.create(first_name='<b>"Zoe"</b>', last_name="& O'Hara", phone="+44 7700 900 123")
    CareTeamMembershipFactory.create(patient=other, physio=physio)
    for severity in Severity:
        AlertFactory.create(patient=patient, severity=severity, message=f"<i>{severity.label}</i> & more")
    AlertFactory.create(patient=other, critical=True, kind=AlertKind.RED_FLAG)
    alerts = list(open_alerts_for(physio=physio))
    bound = None
    if refused:
        form = AlertAcknowledgeForm({"note": ""})
        assert not form.is_valid()
        bound = (alerts[1].pk, form)
    request = RequestFactory().get("/clinic/alerts/", {"severity": "4", "q": '<x y="1">'})
    request.user = physio

    def render(source, page):
        # One token for both renders (the page's is masked afresh for each context).
        token = [lambda request: {"csrf_token": "the-page-token"}]
        return Template(source).render(RequestContext(request, {"page": page, "bound": bound}, processors=token))

    built = render("{% load clinic_tables %}{% alert_table_rows page %}", alerts)
    expected = render(_TEMPLATE_ALERT_ROWS, alerts)

    assert built == expected
    assert "&lt;b&gt;&quot;Zoe&quot;&lt;/b&gt;" in built and "<b>" not in built
    assert 'href="tel:+447700900123"' in built and "no phone number given" in built
    assert ("is-invalid" in built) is refused
    empty = render("{% load clinic_tables %}{% alert_table_rows page %}", [])
    assert empty == render(_TEMPLATE_ALERT_ROWS, [])


def test_the_written_out_acknowledge_form_is_what_crispy_renders(patient):
    """The alerts page writes the blank acknowledge form by hand (speed): it must stay crispy's markup."""
    import re

    from django.template import Context, Template

    alert = AlertFactory.create(patient=patient, critical=True)
    written = Template('{% include "tracker/partials/clinic_ack_form.html" %}').render(
        Context({"alert": alert, "bound": None, "next": "/clinic/alerts/", "csrf_token": "t"})
    )
    crispy = Template(
        "{% load crispy_forms_tags clinic_forms %}{% alert_ack_form alert bound as row_form %}{% crispy row_form %}"
    ).render(Context({"alert": alert, "bound": None}))

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    assert squeeze(crispy) in squeeze(written)
