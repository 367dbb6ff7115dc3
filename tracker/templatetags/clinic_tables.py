"""The patient page's table of daily logs, its rows built in Python rather than by the template language.

Sixty rows of twelve cells each, with their edit history, cost more in template lookups and filters than the
rest of the page; here they are one pass of string building. Every value is escaped (``conditional_escape``),
and the HTML is the same as the template loop it replaces (tests/test_clinic_patient.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

if TYPE_CHECKING:
    from ..selectors.clinic import LogRow
    from ..selectors.questionnaires import ResponseRow

register = template.Library()


def _e(value: object) -> str:
    return str(conditional_escape(str(localize(value))))


def _number(value: object) -> str:
    """``_e`` of a score or a count: an int without a thousands separator is its digits (what ``localize`` gives
    then, without looking the language's formats up on every cell)."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return _e(value)


def _or_dash(value: object) -> str:
    return "–" if value is None or value == "" else _e(value)


class _Words:
    """What a table's rows repeat, worked out once per table: a choice's label (``get_<field>_display``, escaped)
    and the names of weekdays and months in dates (``date_format``, which looks the language up every time)."""

    def __init__(self):
        self._labels: dict[tuple[str, object], str] = {}
        self._names: dict[tuple[str, int], str] = {}

    def label(self, log, name: str, shown=_or_dash) -> str:
        key = (name, getattr(log, name))
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = shown(getattr(log, f"get_{name}_display")())
        return text

    def day(self, day) -> str:
        """``date_format(day, "D j M Y")``."""
        weekday = self._names.get(("D", day.weekday()))
        if weekday is None:
            weekday = self._names[("D", day.weekday())] = date_format(day, "D")
        month = self._names.get(("M", day.month))
        if month is None:
            month = self._names[("M", day.month)] = date_format(day, "M")
        return f"{weekday} {day.day} {month} {day.year:04d}"


def _number_or_dash(value: object) -> str:
    return "–" if value is None else _number(value)


def _edits(row: LogRow) -> str:
    if not row.edits:
        return ""
    count = len(row.edits)
    items = []
    for edit in row.edits:
        by = f" by {_e(edit.by)}" if edit.by else ""
        changes = "".join(
            f"<li>{_e(change.label)}: {_e(change.before)} → {_e(change.after)}</li>" for change in edit.changes
        )
        at = date_format(timezone.localtime(edit.at), "j M Y H:i")
        items.append(f'<li class="mt-1">{at}{by}: <ul class="mb-0 ps-3">{changes}</ul></li>')
    return (
        '<details class="log-edits small"><summary><span class="badge text-bg-secondary">edited</span>'
        f'<span class="visually-hidden"> {count} time{"" if count == 1 else "s"}: earlier values</span></summary>'
        f'<ul class="list-unstyled mb-0">{"".join(items)}</ul></details>'
    )


@register.simple_tag
def log_table_rows(rows: Iterable[LogRow]) -> SafeString:
    """The ``<tr>`` of the patient page's log table, newest first; one row saying so when there is none."""
    out = []
    words = _Words()
    for row in rows:
        log = row.log
        flags = log.red_flags
        red = (
            f'<span class="badge text-bg-danger">{len(flags)}</span> <span class="small">{_e("; ".join(log.red_flag_labels))}</span>'
            if flags
            else "–"
        )
        out.append(
            f'<tr><th scope="row" class="fw-normal"><span class="text-nowrap">{words.day(log.date)}</span>'
            f"{_edits(row)}</th><td>{words.label(log, 'foot', _e)}</td><td>{_number(log.first_step_pain)}</td>"
            f"<td>{_number(log.average_pain)}</td><td>{_number_or_dash(log.pain_after_activity)}</td>"
            f"<td>{_number_or_dash(log.minutes_on_feet)}</td><td>{words.label(log, 'weight_bearing')}</td>"
            f"<td>{words.label(log, 'footwear')}</td><td>{words.label(log, 'usual_activities')}</td>"
            f'<td class="small">{_or_dash("; ".join(log.symptom_labels))}</td>'
            f'<td>{red}</td><td class="small">{_e(Truncator(log.note).chars(80))}</td></tr>'
        )
    if not out:
        return mark_safe('<tr><td colspan="12">Nothing logged yet.</td></tr>')
    return mark_safe("\n".join(out))


@register.simple_tag
def questionnaire_table_rows(rows: Iterable[ResponseRow]) -> SafeString:
    """The ``<tr>`` of the patient page's questionnaire responses (oldest first), each FAAM with its answers item by
    item: a year of fortnightly FAAMs is about 800 answers, which the template loop took most of the page's time
    to write. The same HTML as that loop (tests/test_questionnaire_pages.py compares them), every value escaped."""
    out = []
    for row in rows:
        response = row.response
        if response.kind == "faam":
            scores = "; ".join(
                f"{_e(str(subscale).upper())} "
                + (f"{_e(floatformat(s.score, 1))}" if s.score is not None else "not scored")
                + f" ({s.answered}/{s.items} answered, {s.not_applicable} N/A)"
                for subscale, s in row.faam.items()
            )
            answers = "".join(
                f'<li value="{item}">{_e(text)}: {"N/A" if answer is None else answer}</li>'
                for item, text, answer in row.answers
            )
            cell = f'{scores}<details><summary>Item by item</summary><ol class="small mb-0">{answers}</ol></details>'
        else:
            ratings = "; ".join(f"{_e(name)} {rating}" for name, rating in row.psfs_ratings)
            cell = f"mean {_e(floatformat(row.psfs, '-1'))}: {ratings}"
        out.append(
            f"<tr><td>{date_format(response.date, 'j M Y')}</td><td>{_e(str(response.kind).upper())}</td>"
            f"<td>{cell}</td></tr>"
        )
    return mark_safe("".join(out))
