"""Light reads of daily logs and sessions for the calculation, where model objects would cost more than the rules do.

A ``LogRow`` has every column of a ``DailyLog`` the progress engine and the alert rules read (all but the note and
the timestamps); a ``SessionRow`` the columns of a ``Session`` they and the chart read. Both are named tuples built
from one ``values_list`` query each, with the model's ``pk`` (and ``red_flags`` or ``get_kind_display``): building
a full model object per row costs many times the query itself once a patient has a year of logs. They are only
ever handed to the engine, the alert rules and the chart, which read them exactly as they read model objects.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from typing import Any, cast

from ..models import RED_FLAG_FIELDS, DailyLog, Session, SessionKind

_LEFT_OUT = {"note", "created_at", "updated_at", "patient"}
_READ = tuple(f.attname for f in DailyLog._meta.concrete_fields if f.name not in _LEFT_OUT and f.name != "id")
LOG_ROW_FIELDS: tuple[str, ...] = ("id", "patient_id", *_READ)
_RED_FLAG_NAMES = tuple(name for name, _ in RED_FLAG_FIELDS)

# What the engine (sessions_for_course, protective periods, needling soreness, sessions done), the alert rules
# (a massage session's adverse reaction) and the chart (its session marks) read of a session.
SESSION_ROW_FIELDS: tuple[str, ...] = (
    "id",
    "patient_id",
    "course_id",
    "kind",
    "date",
    "adverse_reaction",
    "immobilised_until",
)

_named_tuple: Any = namedtuple  # mypy wants literal field names; these come from the models


class LogRow(_named_tuple("_LogRow", LOG_ROW_FIELDS)):  # type: ignore[misc]
    """A daily log's columns as attributes, with ``pk`` and ``red_flags`` like the model."""

    __slots__ = ()

    @property
    def pk(self) -> int:
        return cast(int, self.id)

    @property
    def red_flags(self) -> list[str]:
        return [name for name in _RED_FLAG_NAMES if getattr(self, name)]

    def __repr__(self) -> str:
        return f"LogRow({self.date} {self.foot})"


class SessionRow(_named_tuple("_SessionRow", SESSION_ROW_FIELDS)):  # type: ignore[misc]
    """A session's columns the calculation reads, with ``pk`` and ``get_kind_display`` like the model."""

    __slots__ = ()

    @property
    def pk(self) -> int:
        return cast(int, self.id)

    def get_kind_display(self) -> str:
        return str(SessionKind(self.kind).label)

    def __repr__(self) -> str:
        return f"SessionRow({self.date} {self.kind})"


def log_rows(*, patient_id: int, until: date) -> list[LogRow]:
    """The patient's logs up to ``until``, as ``LogRow``, in the model's order (date, foot). One query."""
    rows = DailyLog.objects.filter(patient_id=patient_id, date__lte=until).values_list(*LOG_ROW_FIELDS)
    return [LogRow._make(row) for row in rows]


def session_rows(*, patient_id: int, until: date) -> list[SessionRow]:
    """The patient's sessions up to ``until``, as ``SessionRow``, in the model's order (date, id). One query."""
    rows = Session.objects.filter(patient_id=patient_id, date__lte=until).values_list(*SESSION_ROW_FIELDS)
    return [SessionRow._make(row) for row in rows]
