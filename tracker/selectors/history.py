"""Edit history of daily logs, for the care team: which days were changed after they were first saved, when,
by whom, and the values each change replaced.

Every save of a log wrote one history row (``DailyLog.history``, django-simple-history) with the values saved.
An edit is a history row whose clinical values differ from the row before it. One query reads every version
of the logs asked for, however many there are; the comparison is done here, in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from django.db.models import Count, Max, QuerySet

from ..csv_format import column_label
from ..models import RED_FLAG_FIELDS, SYMPTOM_FIELDS, DailyLog, User

# The fields a patient writes, in the order the log form asks them (tracker.services.logs.WRITABLE_FIELDS).
_SKIPPED = {"id", "patient", "date", "foot", "recorded_on", "created_at", "updated_at"}
COMPARED_FIELDS: tuple[str, ...] = tuple(f.name for f in DailyLog._meta.concrete_fields if f.name not in _SKIPPED)
_FLAG_LABELS = {**dict(SYMPTOM_FIELDS), **dict(RED_FLAG_FIELDS)}
NOTE_CHARS = 80


@dataclass(frozen=True)
class Change:
    """One field an edit changed: its label, and the value before and after, in words."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Edit:
    """A save of a log that changed something: when, by whom (a name, or "" if unknown), what."""

    at: datetime
    by: str
    changes: tuple[Change, ...]


def _label(name: str) -> str:
    if name in _FLAG_LABELS:
        return _FLAG_LABELS[name]
    return column_label(name).capitalize()


def _words(version: Any, name: str) -> str:
    value = getattr(version, name)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    display = getattr(version, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    text = str(value)
    if name == "note" and len(text) > NOTE_CHARS:
        return text[: NOTE_CHARS - 1] + "…"
    return text


def _edits_of(versions: list[Any]) -> list[Edit]:
    """The edits in one log's versions (oldest first): each version compared with the one before it."""
    edits: list[Edit] = []
    for before, after in pairwise(versions):
        changes = tuple(
            Change(field=name, label=_label(name), before=_words(before, name), after=_words(after, name))
            for name in COMPARED_FIELDS
            if getattr(before, name) != getattr(after, name)
        )
        if changes:
            user = after.history_user
            edits.append(Edit(at=after.history_date, by=user.display_name if user else "", changes=changes))
    return edits


@dataclass(frozen=True)
class EditedDay:
    """A log that was changed after it was first saved: its day, foot and edits (oldest first)."""

    log_id: int
    date: date
    foot: str
    edits: tuple[Edit, ...]

    @property
    def last_edited(self) -> datetime:
        return self.edits[-1].at


def edited_days(*, patient: User, log_ids: QuerySet[Any] | Iterable[int] | None = None) -> list[EditedDay]:
    """``patient``'s edited logs (only among ``log_ids`` if given: ids, or a query of ids that runs inside this
    one), the most recently edited first; logs never edited are left out. One query, whatever the number of
    logs and versions."""
    versions = DailyLog.history.filter(patient=patient).select_related("history_user")
    if log_ids is not None:
        versions = versions.filter(id__in=log_ids if isinstance(log_ids, QuerySet) else list(log_ids))
    by_log: dict[int, list[Any]] = {}
    for version in versions.order_by("id", "history_date", "history_id"):
        by_log.setdefault(version.id, []).append(version)
    days = []
    for log_id, rows in by_log.items():
        edits = _edits_of(rows)
        if edits:
            days.append(EditedDay(log_id=log_id, date=rows[-1].date, foot=rows[-1].foot, edits=tuple(edits)))
    return sorted(days, key=lambda day: day.last_edited, reverse=True)


def recently_edited_logs(*, patient: User, limit: int) -> tuple[list[int], int]:
    """The ids of ``patient``'s logs saved more than once, the most recently saved first (at most ``limit``), and
    how many there are. 2 aggregate queries, whatever the number of logs and versions; read the edits of those
    ids with ``edited_days``. (A save that changes nothing writes no version, so a log saved twice was edited.)"""
    saved_again = (
        DailyLog.history.filter(patient=patient)
        .order_by()
        .values("id")
        .annotate(versions=Count("history_id"), last=Max("history_date"))
        .filter(versions__gt=1)
    )
    ids = list(saved_again.order_by("-last", "-id").values_list("id", flat=True)[:limit])
    return ids, saved_again.count()


def log_edits(*, patient: User, log_ids: QuerySet[Any] | Iterable[int] | None = None) -> dict[int, list[Edit]]:
    """The edits of each edited log of ``patient`` (``edited_days``), by log id."""
    return {day.log_id: list(day.edits) for day in edited_days(patient=patient, log_ids=log_ids)}


def last_edited(edits: dict[int, list[Edit]]) -> dict[int, datetime]:
    """When each edited log was last changed."""
    return {log_id: found[-1].at for log_id, found in edits.items()}
