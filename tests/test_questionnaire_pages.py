"""The questionnaires' pages, services and database rules (issue 13): the patient answers the FAAM and the PSFS,
the care team asks for one and reads them; permissions, audit, alerts and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import CourseFactory, PatientFactory
from tests.questionnaire_data import faam_response, psfs_response
from tracker.models import (
    Alert,
    AlertKind,
    AuditAction,
    AuditEvent,
    FaamAnswer,
    PsfsActivity,
    QuestionnaireKind,
    QuestionnaireRequest,
    QuestionnaireResponse,
    Severity,
)
from tracker.services.questionnaires import function_alerts_raise

FAAM_ADL = "/questionnaires/faam/adl/"
FAAM_SPORTS = "/questionnaires/faam/sports/"
PSFS = "/questionnaires/psfs/"


def adl_post(value="3", blanks=0):
    return {f"item_{i}": value for i in range(1, 22 - blanks)}


def sports_post(value="2"):
    return {f"item_{i}": value for i in range(22, 30)}


@pytest.fixture
def today(patient):
    return patient.local_today()


@pytest.fixture
def active_course(patient, today):
    return CourseFactory.create(patient=patient, day_zero=today - timedelta(days=3))


# --- The database --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_an_answer_or_item_out_of_range(patient, today):
    response = QuestionnaireResponse.objects.create(patient=patient, kind=QuestionnaireKind.FAAM, date=today)
    for item, answer in ((1, 5), (0, 3), (30, 3)):
        with pytest.raises(IntegrityError), transaction.atomic():
            FaamAnswer.objects.create(response=response, item=item, answer=answer)
    FaamAnswer.objects.create(response=response, item=1, answer=None)  # N/A
    with pytest.raises(IntegrityError), transaction.atomic():
        FaamAnswer.objects.create(response=response, item=1, answer=2)  # one answer per item


@pytest.mark.django_db
def test_the_database_keeps_one_response_per_patient_questionnaire_and_day(patient, today):
    QuestionnaireResponse.objects.create(patient=patient, kind=QuestionnaireKind.FAAM, date=today)
    QuestionnaireResponse.objects.create(patient=patient, kind=QuestionnaireKind.PSFS, date=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(patient=patient, kind=QuestionnaireKind.FAAM, date=today)


@pytest.mark.django_db
def test_the_database_refuses_a_psfs_rating_over_10(patient, today):
    from tracker.models import PsfsRating

    response = psfs_response(patient, today, {"Walking": 4})
    activity = PsfsActivity.objects.get(patient=patient)
    response.psfs_ratings.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PsfsRating.objects.create(response=response, activity=activity, rating=11)


# --- The FAAM, one page per subscale -------------------------------------------------------------------------


def test_a_patient_completes_the_faam_in_two_pages(patient_client, patient, today, active_course):
    page = patient_client.get(FAAM_ADL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Walking on even ground without shoes" in body and "No difficulty at all" in body and "N/A" in body
    assert "Running" not in body  # sports are on the next page

    response = patient_client.post(FAAM_ADL, adl_post("3"))
    assert response.status_code == 302 and response["Location"].endswith(FAAM_SPORTS)
    saved = QuestionnaireResponse.objects.get(patient=patient, kind=QuestionnaireKind.FAAM)
    assert not saved.completed and saved.course == active_course

    assert "Running" in patient_client.get(FAAM_SPORTS).content.decode()
    response = patient_client.post(FAAM_SPORTS, sports_post("2"))
    assert response.status_code == 302 and "/progress/" in response["Location"]
    saved.refresh_from_db()
    assert saved.completed and saved.faam_answers.count() == 29

    progress = patient_client.get("/progress/").content.decode()
    assert "Daily activities (FAAM)" in progress and "<td>75</td>" in progress and "<td>50</td>" in progress


def test_it_keeps_not_applicable_and_blank_items_apart(patient_client, patient):
    data = adl_post("4", blanks=2) | {"item_20": "na"}
    patient_client.post(FAAM_ADL, data)
    answers = dict(FaamAnswer.objects.filter(response__patient=patient).values_list("item", "answer"))
    assert len(answers) == 20 and answers[20] is None and 21 not in answers and answers[1] == 4


def test_a_half_done_faam_shows_on_today_and_is_finished_later_the_same_day(
    patient_client, patient, today, active_course
):
    assert "foot and ankle questions" in patient_client.get("/today/").content.decode()
    patient_client.post(FAAM_ADL, adl_post())
    page = patient_client.get("/today/").content.decode()
    assert "Finish" in page and 'id="log-form"' in page  # one line, the log is still there

    # Back later: the answers saved are filled in again.
    assert 'value="3" checked' in patient_client.get(FAAM_ADL).content.decode()
    later = patient_client.post(FAAM_SPORTS, sports_post() | {"later": "1"})
    assert later.status_code == 302 and later["Location"].endswith("/today/")
    assert not QuestionnaireResponse.objects.get(patient=patient).completed

    patient_client.post(FAAM_SPORTS, sports_post())
    assert QuestionnaireResponse.objects.get(patient=patient).completed
    assert "foot and ankle questions" not in patient_client.get("/today/").content.decode()


def test_a_bad_answer_changes_nothing_and_says_why(patient_client, patient):
    patient_client.post(FAAM_ADL, adl_post("3"))
    response = patient_client.post(FAAM_ADL, adl_post("3") | {"item_1": "7"})
    assert response.status_code == 400
    assert "Nothing was saved yet" in response.content.decode()
    assert set(FaamAnswer.objects.filter(response__patient=patient).values_list("answer", flat=True)) == {3}


def test_an_item_of_the_other_subscale_is_ignored_by_the_form(patient_client, patient):
    patient_client.post(FAAM_ADL, adl_post() | {"item_25": "0"})
    assert not FaamAnswer.objects.filter(item=25).exists()


def test_an_unknown_subscale_is_404(patient_client):
    assert patient_client.get("/questionnaires/faam/hands/").status_code == 404


def test_the_audit_trail_names_the_response_and_fields_never_the_answers(patient_client, patient):
    patient_client.post(FAAM_ADL, adl_post("1"))
    patient_client.post(FAAM_SPORTS, sports_post("0"))
    response = QuestionnaireResponse.objects.get(patient=patient)
    events = list(AuditEvent.objects.filter(patient=patient, action__in=[AuditAction.CREATE, AuditAction.UPDATE]))
    assert [e.action for e in events] == [AuditAction.UPDATE, AuditAction.CREATE]  # newest first
    for event in events:
        assert event.target == f"FAAM questionnaire {response.pk}" and event.detail["records"] == [response.pk]
        assert set(event.detail) == {"records", "fields"}
    assert events[0].detail["fields"] == ["sports_items", "completed"]
    assert AuditEvent.objects.filter(patient=patient, action=AuditAction.VIEW, target__startswith="FAAM").count() == 0
    patient_client.get(FAAM_ADL)
    assert AuditEvent.objects.filter(patient=patient, action=AuditAction.VIEW, target__startswith="FAAM").count() == 1


# --- The PSFS ------------------------------------------------------------------------------------------------


def test_a_patient_names_an_activity_then_keeps_it_and_adds_up_to_3(patient_client, patient, today):
    assert patient_client.post(PSFS, {"new_name": "", "new_rating": ""}).status_code == 400  # one is needed
    assert patient_client.post(PSFS, {"new_name": "Walking to work", "new_rating": "4"}).status_code == 302
    walking = PsfsActivity.objects.get(patient=patient)

    page = patient_client.get(PSFS).content.decode()
    assert "Walking to work" in page and 'value="4" checked' in page  # today's rating, to change

    # Same day again: the activity is kept, one added.
    data = {f"rating_{walking.pk}": "5", "new_name": "Stairs", "new_rating": "3"}
    assert patient_client.post(PSFS, data).status_code == 302
    stairs = PsfsActivity.objects.get(patient=patient, name="Stairs")
    data = {f"rating_{walking.pk}": "5", f"rating_{stairs.pk}": "3", "new_name": "Running", "new_rating": "1"}
    assert patient_client.post(PSFS, data).status_code == 302
    assert PsfsActivity.objects.filter(patient=patient).count() == 3
    assert "new_name" not in patient_client.get(PSFS).content.decode()  # 3 is the most
    response = QuestionnaireResponse.objects.get(patient=patient, kind=QuestionnaireKind.PSFS)
    assert response.completed and response.psfs_ratings.count() == 3


def test_every_kept_activity_must_be_rated(patient_client, patient, today):
    psfs_response(patient, today - timedelta(days=14), {"Walking": 4})
    response = patient_client.post(PSFS, {"new_name": "Stairs", "new_rating": "3"})
    assert response.status_code == 400 and "Rate this activity" in response.content.decode()
    assert not QuestionnaireResponse.objects.filter(patient=patient, date=today).exists()


def test_a_rating_out_of_range_changes_nothing(patient_client, patient):
    assert patient_client.post(PSFS, {"new_name": "Walking", "new_rating": "11"}).status_code == 400
    assert not PsfsActivity.objects.exists() and not QuestionnaireResponse.objects.exists()


# --- Permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FAAM_ADL, FAAM_SPORTS, PSFS])
def test_staff_cannot_open_a_patients_questionnaire(physio_client, url):
    assert physio_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [FAAM_ADL, PSFS])
def test_signed_out_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def request_url(patient):
    return reverse("clinic:questionnaire_request", args=[patient.public_id])


def test_a_physiotherapist_asks_for_a_questionnaire_now(physio_client, patient_client, patient, physio):
    response = physio_client.post(request_url(patient), {"kind": "psfs"})
    assert response.status_code == 302
    request = QuestionnaireRequest.objects.get(patient=patient)
    assert request.kind == "psfs" and request.requested_by == physio
    event = AuditEvent.objects.get(patient=patient, action=AuditAction.CREATE, target__contains="request")
    assert event.actor == physio and event.detail == {"records": [request.pk]}
    assert event.target == f"PSFS questionnaire request {request.pk}"
    assert "your activities" in patient_client.get("/today/").content.decode()
    physio_client.post(request_url(patient), {"kind": "psfs"})
    assert QuestionnaireRequest.objects.count() == 1  # asking twice the same day is one request


def test_a_bad_kind_asks_for_nothing(physio_client, patient):
    physio_client.post(request_url(patient), {"kind": "ffi"})
    assert not QuestionnaireRequest.objects.exists()


def test_asking_is_404_outside_the_care_team_403_for_a_patient_405_for_get(
    other_physio_client, patient_client, physio_client, patient
):
    assert other_physio_client.post(request_url(patient), {"kind": "faam"}).status_code == 404
    assert patient_client.post(request_url(patient), {"kind": "faam"}).status_code == 403
    assert physio_client.get(request_url(patient)).status_code == 405
    assert not QuestionnaireRequest.objects.exists()


def test_the_clinic_page_shows_scores_and_item_by_item_answers(physio_client, patient, today):
    faam_response(patient, today - timedelta(days=14), adl=2, sports=1)
    faam_response(patient, today, adl=3, sports=None)
    page = physio_client.get(reverse("clinic:patient", args=[patient.public_id])).content.decode()
    assert "Function questionnaires" in page
    assert "FAAM ADL 50 → 75 (+25; MCID 8) since baseline" in page
    assert "Walking on even ground without shoes: 3" in page and "Running: N/A" in page
    assert "SPORTS not scored (0/8 answered, 8 N/A)" in page


def test_a_closed_record_offers_no_request(physio_client, patient):
    patient.is_active = False
    patient.save()
    assert physio_client.post(request_url(patient), {"kind": "faam"}).status_code == 403


# --- Alerts --------------------------------------------------------------------------------------------------


def test_a_meaningful_decline_raises_one_medium_alert(patient, today):
    faam_response(patient, today - timedelta(days=14), adl=3, sports=None)  # 75
    faam_response(patient, today, adl=2, sports=None)  # 50: -25, beyond the MCID of 8
    [alert] = function_alerts_raise(patient=patient)
    assert alert.kind == AlertKind.FUNCTION_DECLINE and alert.severity == Severity.MEDIUM
    assert "FAAM ADL 75 → 50" in alert.message
    assert function_alerts_raise(patient=patient) == []  # once
    assert Alert.objects.filter(patient=patient).count() == 1


def test_a_change_under_the_threshold_raises_nothing(patient, today):
    psfs_response(patient, today - timedelta(days=14), {"Walking": 6, "Stairs": 6})
    psfs_response(patient, today, {"Walking": 4, "Stairs": 5})  # mean -1.5; one activity -2: both under
    assert function_alerts_raise(patient=patient) == []


def test_finishing_a_faam_with_a_decline_alerts_the_care_team(patient_client, patient, today):
    faam_response(patient, today - timedelta(days=14), adl=4, sports=4)
    patient_client.post(FAAM_ADL, adl_post("2"))
    assert not Alert.objects.exists()  # half-done: nothing yet
    patient_client.post(FAAM_SPORTS, sports_post("4"))
    assert Alert.objects.get().occurrence == f"faam_adl::{today.isoformat()}"


# --- Query counts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("responses", [1, 12])
def test_the_questionnaire_pages_run_a_fixed_number_of_queries(
    patient_client, patient, today, responses, django_assert_num_queries
):
    for i in range(responses):
        faam_response(patient, today - timedelta(days=14 * (i + 1)))
        psfs_response(patient, today - timedelta(days=14 * (i + 1)), {"Walking": 4, "Stairs": 5})
    # 1 session, 2 user, 3 today's answers so far, 4 audit insert, 5-7 idle-timeout session save
    with django_assert_num_queries(7):
        assert patient_client.get(FAAM_ADL).status_code == 200
    # 1 session, 2 user, 3 the activities, 4 today's ratings, 5 audit insert, 6-8 idle-timeout session save
    with django_assert_num_queries(8):
        assert patient_client.get(PSFS).status_code == 200


@pytest.mark.django_db
def test_another_patients_answers_are_never_read(patient_client, today):
    other = PatientFactory.create()
    faam_response(other, today, adl=0)
    assert "checked" not in patient_client.get(FAAM_ADL).content.decode()


# --- Exports and the import ----------------------------------------------------------------------------------


def test_the_json_export_includes_every_response_with_its_answers(patient_client, patient, today):
    faam_response(patient, today - timedelta(days=14), adl=3, sports=None)
    psfs_response(patient, today, {"Walking": 4, "Stairs": 6})
    data = patient_client.get("/account/export.json").json()
    faam, psfs = data["questionnaires"]
    assert faam["questionnaire"] == "faam" and faam["faam_scores"] == {"adl": 75.0, "sports": None}
    assert faam["faam_answers"][0] == {"item": 1, "text": "Standing", "answer": 3}
    assert faam["faam_answers"][-1]["answer"] is None  # N/A
    assert psfs["psfs_score"] == 5 and psfs["psfs_ratings"] == [
        {"activity": "Walking", "rating": 4},
        {"activity": "Stairs", "rating": 6},
    ]


def test_the_questionnaires_csv_export_is_audited_and_neutralises_formulas(patient_client, patient, today):
    faam_response(patient, today, adl=4, sports=None)
    psfs_response(patient, today, {"=HYPERLINK(1)": 4})
    response = patient_client.get(reverse("patient:export_questionnaires_csv"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    header, faam_row, psfs_row = text.splitlines()
    assert header.startswith("date,questionnaire,completed,faam_adl_score")
    assert f"{today.isoformat()},faam,yes,100.0,21,,0," in faam_row and "N/A" in faam_row
    assert "'=HYPERLINK(1)" in psfs_row
    assert AuditEvent.objects.filter(
        patient=patient, action=AuditAction.EXPORT, target="own questionnaires (CSV)"
    ).exists()


def test_the_diary_import_refuses_a_questionnaire_file_and_says_so(physio_client, patient, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracker.csv_format import QUESTIONNAIRE_FILE
    from tracker.models import DailyLog

    faam_response(patient, today, adl=4)
    from tracker.services.audit import AuditContext
    from tracker.services.patient_account import export_questionnaires_csv

    text = export_questionnaires_csv(patient=patient, audit=AuditContext(actor=patient))
    upload = SimpleUploadedFile("q.csv", text.encode(), content_type="text/csv")
    response = physio_client.post(reverse("clinic:diary_import", args=[patient.public_id]), {"import-file": upload})
    assert QUESTIONNAIRE_FILE in response.content.decode()
    assert not DailyLog.objects.exists()


def test_the_pdf_report_shows_the_questionnaires_tersely(patient, physio, today):
    from django.template.loader import render_to_string

    from tracker.reports.pdf import report_context

    faam_response(patient, today - timedelta(days=14), adl=2, sports=None)
    faam_response(patient, today, adl=3, sports=None)
    html = render_to_string("tracker/report_pdf.html", report_context(patient=patient, today=today, prepared_by=physio))
    assert "Function questionnaires" in html
    assert "FAAM ADL 50 → 75 (+25; MCID 8) since baseline" in html
    assert "Martin 2005" in html  # the source, as the care team's small print


def test_the_pdf_document_renders_with_questionnaires(patient, physio, today):
    from tracker.reports.pdf import report_pdf_document

    faam_response(patient, today, adl=3, sports=2)
    psfs_response(patient, today, {"Walking": 4})
    document = report_pdf_document(patient=patient, today=today, prepared_by=physio)
    assert 1 <= len(document.pages) <= 3


@pytest.mark.django_db
def test_the_sources_page_lists_both_instruments(client):
    page = client.get("/sources/").content.decode()
    assert "Foot and Ankle Ability Measure (FAAM): Martin et al., Foot Ankle Int 2005" in page
    assert "Patient-Specific Functional Scale (PSFS): Stratford et al., Physiotherapy Canada 1995" in page
    assert 'id="source-martin-2005"' in page


# The template loop the responses table had before ``questionnaire_table_rows`` (tracker/templatetags/clinic_tables.py).
_TEMPLATE_RESPONSE_ROWS = """
        {% for row in questionnaires.history.rows %}
          <tr>
            <td>{{ row.response.date|date:"j M Y" }}</td>
            <td>{{ row.response.kind|upper }}</td>
            <td>
              {% if row.response.kind == "faam" %}
                {% for subscale, s in row.faam.items %}{{ subscale|upper }} {% if s.score is not None %}{{ s.score|floatformat:1 }}{% else %}not scored{% endif %} ({{ s.answered }}/{{ s.items }} answered, {{ s.not_applicable }} N/A){% if not forloop.last %}; {% endif %}{% endfor %}
                <details><summary>Item by item</summary>
                  <ol class="small mb-0">{% for item, text, answer in row.answers %}<li value="{{ item }}">{{ text }}: {% if answer is None %}N/A{% else %}{{ answer }}{% endif %}</li>{% endfor %}</ol>
                </details>
              {% else %}
                mean {{ row.psfs|floatformat:"-1" }}: {% for name, rating in row.psfs_ratings %}{{ name }} {{ rating }}{% if not forloop.last %}; {% endif %}{% endfor %}
              {% endif %}
            </td>
          </tr>
        {% endfor %}
"""


def test_the_response_rows_built_in_python_match_the_template_and_escape(patient, today):
    import re

    from django.template import Context, Template

    from tracker.models import FaamAnswer
    from tracker.selectors.questionnaires import questionnaire_history

    faam_response(patient, today - timedelta(days=14))
    unscored = faam_response(patient, today, sports=None)  # every sports item N/A: the subscale is not scored
    FaamAnswer.objects.filter(response=unscored, item__in=[1, 2, 3]).update(answer=None)
    psfs_response(patient, today, {"<b>Stairs</b> & more": 4, "Walking": 7})
    rows = questionnaire_history(patient=patient).rows
    assert len(rows) == 3

    def squeeze(html: str) -> str:  # whitespace beside tags is not text
        return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()

    built = Template("{% load clinic_tables %}{% questionnaire_table_rows rows %}").render(Context({"rows": rows}))
    expected = Template(_TEMPLATE_RESPONSE_ROWS).render(Context({"questionnaires": {"history": {"rows": rows}}}))

    assert squeeze(built) == squeeze(expected)
    assert "not scored" in built and "N/A" in built
    assert "&lt;b&gt;Stairs&lt;/b&gt; &amp; more 4" in built and "<b>Stairs" not in built
