"""The one check of a redirect target taken from the request (``next``): a path on this site, or a safe page.

A ``next`` that is not a path ("foo", "a:b") must never reach ``redirect()``, which would look it up as a URL
name and fail after the change was saved; one that leaves the site ("//evil.com", "https://evil.com",
"/\\evil") must never be followed.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(target: str, request: HttpRequest) -> bool:
    """``target`` is a path on this site: one leading "/" (not "//" or "/\\"), no scheme, no host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\r\n\t\x00"):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str = "home", *, value: str | None = None) -> str:
    """``next`` from the form or the query (or ``value``) if it is a local path, else ``fallback``.

    ``fallback`` is a URL name or a path ("/..."): a safe page chosen by the view, never from the request.
    """
    target = value if value is not None else (request.POST.get("next") or request.GET.get("next") or "")
    if is_local_path(target, request):
        return target
    return fallback if fallback.startswith("/") else reverse(fallback)
