"""The caseload's table rows (``/clinic/``), built in Python rather than by the template language (issue 11).

Twenty-five rows of eight cells, each with its badge, sparkline and links, were about half of the page's time in
template lookups, filters and includes (~6,000 variable lookups a request); here they are one pass of string
building. Every value is escaped (``conditional_escape``) and the HTML is the template loop's it replaces
(``tests/test_clinic_caseload.py`` renders both for a varied caseload and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from crispy_forms.utils import render_crispy_form
from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Severity
from ..progress.caseload import Need

if TYPE_CHECKING:
    from ..forms.clinic import CaseloadFilterForm
    from ..selectors.clinic import CaseloadRow

register = template.Library()

# The need badge's colour (partials/clinic_need_badge.html).
_BADGE_CLASS = {
    Need.CRITICAL: "text-bg-danger",
    Need.WORSENING: "text-bg-warning",
    Need.BEHIND: "text-bg-info",
    Need.SILENT: "text-bg-secondary",
    Need.ON_TRACK: "text-bg-success",
    Need.AHEAD: "text-bg-primary",
}
_PATIENT_URL_SENTINEL = "00000000-0000-0000-0000-000000000000"


def _e(value: object) -> str:
    if isinstance(value, str):  # text as the template prints it (localize leaves it as it is)
        return str(conditional_escape(value))
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:  # localize's answer, without its lookups
        return str(value)
    return str(conditional_escape(str(localize(value))))


def _need_badge(need: Need) -> str:
    colour = _BADGE_CLASS.get(need, "text-bg-light border")
    return f'<span class="badge need-badge need-{_e(need)} {colour}">{_e(need.label)}</span>'


def _red_flag_ack(row: CaseloadRow) -> str:
    """partials/clinic_red_flag_ack.html: who handled the last red flag of a red-flag row with none left open."""
    patient = row.patient
    at = patient.red_flag_ack_at
    if row.need != Need.CRITICAL or not at or patient.top_severity == Severity.CRITICAL:
        return ""
    by = (patient.red_flag_ack_by or "").strip() or "a colleague"
    when = date_format(timezone.localtime(at), "j M H:i")
    return f'<div class="small text-success-emphasis red-flag-ack">Acknowledged by {_e(by)} at {when}</div> '


def _row(row: CaseloadRow, patient_url: str) -> str:
    patient = row.patient
    name = _e(patient.display_name)
    url = patient_url.replace(_PATIENT_URL_SENTINEL, str(patient.public_id))
    courses = (
        "".join(
            f'<div>{_e(c.kind_label)}, {_e(c.foot)}: <span class="text-nowrap">day {_e(c.day)}</span></div> '
            for c in row.courses
        )
        if row.courses
        else '<span class="text-body-secondary">No active course</span> '
    )
    if row.latest_first_step_pain is not None:
        last = date_format(row.last_logged_on, "j M") if row.last_logged_on else ""
        pain = (
            f'<strong>{_e(row.latest_first_step_pain)}</strong>/10 <div class="small text-body-secondary">{last}</div>'
        )
    else:
        pain = '<span class="text-body-secondary">Nothing logged</span>'
    if row.faam_adl is not None:
        words = row.faam_adl_change_words
        change = ""
        if words:
            danger = " text-danger" if row.faam_adl_direction == "worse" else ""
            change = f'<div class="small{danger}">{_e(words)}</div>'
        faam = f"<strong>{floatformat(row.faam_adl, 0)}</strong>/100 {change}"
    else:
        faam = '<span class="text-body-secondary">No FAAM yet</span>'
    if row.sparkline:
        trend = f'{row.sparkline}<span class="visually-hidden">{_e(row.trend_words)}</span>'
    else:
        trend = '<span class="text-body-secondary">–</span>'
    alerts = patient.open_alerts
    if alerts:
        plural = "" if alerts == 1 else "s"
        critical = (
            '<span class="badge text-bg-danger">Critical</span>' if patient.top_severity == Severity.CRITICAL else ""
        )
        open_alerts = (
            f'<a href="{url}#alerts">{_e(alerts)}<span class="visually-hidden"> open alert{plural} for {name}</span></a>'
            f" {critical}"
        )
    else:
        open_alerts = "0"
    return (
        f'<tr class="caseload-row" data-need="{_e(row.need)}">'
        f' <th scope="row"><a href="{url}">{name}</a></th>'
        f" <td> {courses}</td>"
        f" <td>{pain}</td>"
        f' <td class="caseload-faam">{faam}</td>'
        f" <td>{trend}</td>"
        f' <td class="caseload-reason"> {_need_badge(row.need)} <div class="small">{_e(row.reason)}</div> '
        f"{_red_flag_ack(row)}</td>"
        f" <td>{_e(row.days_logged_7)}</td>"
        f" <td>{open_alerts}</td>"
        " </tr>"
    )


@register.simple_tag
def caseload_table_rows(rows: Iterable[CaseloadRow], filtered: bool) -> SafeString:
    """The ``<tr>`` of the caseload table, in the page's order; one row saying why when there is none."""
    patient_url = reverse("clinic:patient", args=[_PATIENT_URL_SENTINEL])
    out = [_row(row, patient_url) for row in rows]
    if not out:
        empty = "No patient matches these filters." if filtered else "No patients are on your care team yet."
        return mark_safe(f'<tr><td colspan="8">{empty}</td></tr>')  # fixed text only
    return mark_safe("\n".join(out))  # every value above is escaped


# The filter form's fields as crispy-bootstrap5 lays them out (CaseloadFilterForm's helper): the column of each.
_FILTER_COLUMNS = (
    ("q", "col-md-3"),
    ("need", "col-sm-6 col-md-2"),
    ("kind", "col-sm-6 col-md-2"),
    ("sort", "col-sm-6 col-md-3"),
)


@register.simple_tag
def caseload_filter_fields(form: CaseloadFilterForm) -> SafeString:
    """The caseload filter form's fields, the markup ``{% crispy form %}`` makes of a form without errors.

    crispy's field templates cost about a tenth of the page; a form with errors (a hand-edited address) is
    rendered by crispy itself, so its error markup stays crispy's. Tested against crispy in
    ``tests/test_clinic_caseload.py``.
    """
    if form.is_bound and form.errors:
        return render_crispy_form(form)
    out = []
    for name, column in _FILTER_COLUMNS:
        field = form[name]
        label = f'<label for="{field.id_for_label}" class="form-label"> {_e(field.label)} </label>'
        if name == "q":
            value = field.value()
            shown = f' value="{_e(value)}"' if value not in (None, "") else ""
            maxlength = form.fields[name].widget.attrs["maxlength"]
            widget = (
                f'<input type="text" name="q"{shown} maxlength="{maxlength}" class="textinput form-control" '
                f'id="{field.auto_id}">'
            )
        else:
            chosen = str(field.value() or "")
            options = " ".join(
                f'<option value="{_e(value)}"{" selected" if str(value) == chosen else ""}>{_e(text)}</option>'
                for value, text in form.fields[name].choices  # type: ignore[attr-defined]
            )
            widget = f'<select name="{name}" class="select form-select" id="{field.auto_id}"> {options} </select>'
        out.append(
            f'<div class="{column}" > <div id="div_{field.auto_id}" class="mb-3"> {label} {widget} </div> </div>'
        )
    return mark_safe("\n".join(out))  # every value above is escaped
