"""The scale benchmark's bare signed-in page: the yardstick every page's time is a multiple of (issue 11).

Its URL exists only with ``BENCHMARK_BARE_VIEW`` on (recovery/urls.py). It passes through the same middleware
as every page (session, sign-in, idle time-out, second factor, security headers) and reads nothing else.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

BARE_PAGE = "<!doctype html><html lang=en><title>Bare</title><p>Signed in.</p></html>"


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_PAGE)
