from django.urls import path

from ..views import clinic

app_name = "clinic"
urlpatterns = [
    path("", clinic.caseload, name="caseload"),
]
