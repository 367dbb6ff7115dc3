from django.urls import path

from ..views import patient

app_name = "patient"
urlpatterns = [
    path("today/", patient.today, name="today"),
]
