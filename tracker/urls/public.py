from django.urls import path

from ..views import public

app_name = "public"
urlpatterns = [
    path("sources/", public.sources, name="sources"),
]
