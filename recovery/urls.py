from django.contrib import admin
from django.urls import include, path

from tracker.views import accounts

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/", include("tracker.urls.accounts")),
    path("", include("tracker.urls.public")),
    path("", include("tracker.urls.patient")),
    path("clinic/", include("tracker.urls.clinic")),
    path("manage/", include("tracker.urls.manage")),
    path("admin/", admin.site.urls),
]
