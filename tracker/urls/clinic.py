from django.urls import path

from ..views import clinic, questionnaires

app_name = "clinic"
urlpatterns = [
    path("", clinic.caseload, name="caseload"),
    path("alerts/", clinic.alerts, name="alerts"),
    path("patients/<uuid:public_id>/", clinic.patient_detail, name="patient"),
    path("patients/<uuid:public_id>/sessions/", clinic.patient_sessions_all, name="patient_sessions"),
    path("patients/<uuid:public_id>/notes/all/", clinic.patient_notes_all, name="patient_notes"),
    path("patients/<uuid:public_id>/report.pdf", clinic.report_pdf, name="report_pdf"),
    path("patients/<uuid:public_id>/logs.csv", clinic.logs_csv, name="logs_csv"),
    path("patients/<uuid:public_id>/notes/", clinic.note_add, name="note_add"),
    path(
        "patients/<uuid:public_id>/alerts/<int:alert_id>/acknowledge/",
        clinic.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("patients/<uuid:public_id>/courses/", clinic.course_start, name="course_start"),
    path("patients/<uuid:public_id>/courses/<uuid:course_id>/finish/", clinic.course_finish, name="course_finish"),
    path(
        "patients/<uuid:public_id>/courses/<uuid:course_id>/planned-sessions/",
        clinic.course_planned_sessions,
        name="course_planned_sessions",
    ),
    path(
        "patients/<uuid:public_id>/courses/<uuid:course_id>/needling/",
        clinic.needling_session_record,
        name="needling_session_record",
    ),
    path("patients/<uuid:public_id>/import/", clinic.diary_import, name="diary_import"),
    path("patients/<uuid:public_id>/questionnaires/request/", questionnaires.request_now, name="questionnaire_request"),
]
