"""Edit history of clinical records (django-simple-history on DailyLog, Session, Course, ClinicalNote).

Every save of one of those models writes one history row (a single INSERT, no read) holding the values saved,
when, and by whom. The "by whom" comes from the audit context, never from the request, because the services
also run from commands and jobs: each service calls ``saved_by`` before it saves.
"""

from __future__ import annotations

from django.db.models import Model

from .audit import AuditContext


def saved_by(record: Model, audit: AuditContext) -> None:
    """The history row of ``record``'s next save names the context's actor (None for a job)."""
    # simple-history reads this attribute at save time instead of looking at a request.
    setattr(record, "_history_user", audit.actor)  # noqa: B010 - the name simple-history reads
