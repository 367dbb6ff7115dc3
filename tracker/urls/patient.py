from django.urls import path, re_path

from ..views import patient, questionnaires

app_name = "patient"
urlpatterns = [
    path("today/", patient.today, name="today"),
    re_path(r"^log/(?P<day>\d{4}-\d{2}-\d{2})/$", patient.log_day, name="log_day"),
    path("history/", patient.history, name="history"),
    path("history/weeks/", patient.history_weeks, name="history_weeks"),
    path("progress/", patient.progress, name="progress"),
    path("sessions/new/", patient.session_new, name="session_new"),
    path("questionnaires/faam/<slug:subscale>/", questionnaires.faam, name="questionnaire_faam"),
    path("questionnaires/psfs/", questionnaires.psfs, name="questionnaire_psfs"),
    path("account/", patient.account, name="account"),
    path("account/export.csv", patient.export_csv, name="export_csv"),
    path("account/export.json", patient.export_json, name="export_json"),
    path("account/questionnaires.csv", questionnaires.export_csv, name="export_questionnaires_csv"),
    path("account/close/", patient.account_close_view, name="account_close"),
]
