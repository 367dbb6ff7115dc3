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

    def moment(self, at) -> str:
        """``{{ at|date:"j M Y H:i" }}``: in the current time zone, as the template's date filter shows it."""
        at = timezone.template_localtime(at)  # type: ignore[attr-defined]  # in Django, missing from django-stubs
        month = self._names.get(("M", at.month))
        if month is None:
            month = self._names[("M", at.month)] = date_format(at, "M")
        return f"{at.day} {month} {at.year:04d} {at.hour:02d}:{at.minute:02d}"


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


_SEVERITY_BADGE = {4: "text-bg-danger", 3: "text-bg-warning", 2: "text-bg-info"}
# Stand-ins reversed once per table, then replaced by each row's own (a reverse() per link was a fifth of the
# alerts page's time). Neither can occur in a reversed path by chance: the UUID is all zeros, the number 20 digits.
_NO_PATIENT = "00000000-0000-0000-0000-000000000000"
_NO_ALERT = "98765432109876543210"


@register.simple_tag(takes_context=True)
def alert_table_rows(context, alerts: Iterable) -> SafeString:
    """The ``<tr>`` of the open alerts page (``tracker/clinic_alerts.html``): the same HTML as its template loop
    (tests/test_clinic_patient.py compares them, byte for byte). The acknowledge form is the blank one written out
    (``partials/clinic_ack_form.html``'s own shortcut), or that template, crispy's form included, for the row
    whose acknowledgement was refused (``bound``)."""
    from django.template.defaulttags import CsrfTokenNode
    from django.urls import reverse

    request = context["request"]
    bound = context.get("bound")
    after = request.get_full_path()
    patient_url = reverse("clinic:patient", args=[_NO_PATIENT])
    ack_url = reverse("clinic:alert_acknowledge", args=[_NO_PATIENT, _NO_ALERT])
    csrf = CsrfTokenNode().render(context)
    words = _Words()
    labels: dict[tuple[str, object], str] = {}
    out = []
    for alert in alerts:
        patient = alert.patient
        name = _e(patient.display_name)
        public_id = str(patient.public_id)
        severity = labels.get(("severity", alert.severity))
        if severity is None:
            severity = labels[("severity", alert.severity)] = _e(alert.get_severity_display())
        kind = labels.get(("kind", alert.kind))
        if kind is None:
            kind = labels[("kind", alert.kind)] = _e(alert.get_kind_display())
        if patient.phone:
            phone = f'<a class="patient-phone" href="tel:{_e(patient.phone.replace(" ", ""))}">{_e(patient.phone)}</a>'
        else:
            phone = '<span class="patient-phone text-body-secondary">no phone number given</span>'
        if bound and bound[0] == alert.pk:
            with context.push(alert=alert, next=after):
                # As {% include %} renders it: the page's engine (a simple tag renders inside its page), its context.
                engine = context.template.engine
                form = engine.get_template("tracker/partials/clinic_ack_form.html").render(context)
        else:
            action = _e(ack_url.replace(_NO_PATIENT, public_id).replace(_NO_ALERT, str(alert.pk)))
            form = (
                "\n\n"
                f'<form method="post" action="{action}" class="d-flex flex-wrap gap-2 align-items-start ack-form">\n'
                f"  {csrf}\n"
                f'  <input type="hidden" name="next" value="{_e(after)}">\n'
                "  \n"
                f'  <label class="visually-hidden" for="ack-note-{alert.pk}">Note on acknowledging the alert for '
                f"{name}</label>\n"
                '  <input type="text" name="note" placeholder="What did you do?" maxlength="500" '
                f'class="textinput form-control form-control-sm flex-grow-1 w-auto" required id="ack-note-{alert.pk}">\n'
                '  <button type="submit" class="btn btn-sm btn-primary">Acknowledge<span class="visually-hidden"> '
                f"{_e(str(alert.get_kind_display()).lower())} alert for {name}</span></button>\n"
                "</form>\n"
            )
        out.append(
            f'\n    <tr class="alert-row" id="alert-{alert.pk}">\n'
            f'      <td><span class="badge {_SEVERITY_BADGE.get(alert.severity, "text-bg-secondary")}">{severity}'
            "</span></td>\n"
            f'      <th scope="row"><a href="{_e(patient_url.replace(_NO_PATIENT, public_id))}">{name}</a>\n'
            f'        <div class="small fw-normal">\n{phone}\n</div></th>\n'
            f'      <td><strong>{kind}</strong><div class="small">{_e(alert.message)}</div></td>\n'
            f'      <td class="text-nowrap">{words.moment(alert.created_at)}</td>\n'
            f"      <td>{form}</td>\n"
            "    </tr>\n  "
        )
    if not out:
        return mark_safe('\n    <tr><td colspan="5">No open alerts. Nothing needs acknowledging.</td></tr>\n  ')
    return mark_safe("".join(out))
