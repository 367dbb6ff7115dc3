"""Automatic sign-out after inactivity: staff after 30 minutes, patients after 14 days (configurable)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import Role

SESSION_KEY = "last_activity"


def idle_limit(role: str) -> timedelta:
    if role == Role.PATIENT:
        return timedelta(days=settings.PATIENT_IDLE_TIMEOUT_DAYS)
    return timedelta(minutes=settings.STAFF_IDLE_TIMEOUT_MINUTES)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > idle_limit(user.role).total_seconds():
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity. Please sign in again.")
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            request.session[SESSION_KEY] = now
        return self.get_response(request)
