from django.urls import path

from ..views import manage

app_name = "manage"
urlpatterns = [
    path("users/", manage.users, name="users"),
]
