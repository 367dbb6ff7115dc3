from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tracker.views import accounts, bench

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/", include("tracker.urls.accounts")),
    path("", include("tracker.urls.public")),
    path("", include("tracker.urls.patient")),
    path("clinic/", include("tracker.urls.clinic")),
    path("manage/", include("tracker.urls.manage")),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_BARE_VIEW:
    # The scale benchmark's yardstick (scripts/bench_pages.py): registered only when the benchmark turns it on.
    urlpatterns.append(path("bench/bare/", bench.bare, name="bench_bare"))
