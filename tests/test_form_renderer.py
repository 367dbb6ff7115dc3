"""The fast paths of form rendering write exactly what their templates write (issue 11, the render work).

Two fast paths, each with its template kept as the definition of the markup:

- ``tracker.forms.renderer.FastInputRenderer`` (``settings.FORM_RENDERER``) writes Django's ``<input>`` and
  ``<textarea>`` tags in Python: compared with Django's own template renderer on crafted widget contexts and on
  every widget render of the pages that have forms.
- ``tracker.forms.layout.WRITTEN_OUT``: the daily log's button rows (the 0 to 10 scales) and tick boxes written
  in Python, compared with crispy's rendering of their templates for every variant of the patient's forms,
  unbound, with saved answers, bound and valid, bound and invalid.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils.safestring import mark_safe

from tests.factories import AlertFactory, CourseFactory, DailyLogFactory, SessionFactory
from tracker.forms import layout
from tracker.forms import patient as f
from tracker.forms.renderer import FastInputRenderer
from tracker.progress.timelines import MASSAGE_CAUTION_CITATION, MASSAGE_PREPARATION_CITATION

REFERENCE = "django.forms.renderers.DjangoTemplates"
CHECKED = "tests.test_form_renderer.CheckedRenderer"


class CheckedRenderer(FastInputRenderer):
    """Renders every widget both ways and fails on a difference (the pages' own widgets, whatever they are)."""

    calls = 0

    def render(self, template_name, context, request=None):
        fast = super().render(template_name, context, request=request)
        reference = DjangoTemplates.render(self, template_name, context, request=request)
        assert fast == reference, (template_name, context)
        CheckedRenderer.calls += 1
        return fast


def without_tokens(html: str) -> str:
    """The page without what differs between two requests (the CSRF token, the CSP nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


# ----------------------------------------------------------------------------------------------------------
# The input renderer on crafted contexts
# ----------------------------------------------------------------------------------------------------------


def widget(**extra):
    data = {"name": "left-note", "type": "text", "value": None, "attrs": {"id": "id_left-note"}, "template_name": ""}
    data.update(extra)
    return data


AWKWARD = "<b>\"Tom\" & 'Jerry'</b>"

CONTEXTS = [
    ("django/forms/widgets/text.html", widget()),
    ("django/forms/widgets/text.html", widget(value=AWKWARD)),
    ("django/forms/widgets/text.html", widget(value=mark_safe("<i>safe</i>"))),
    ("django/forms/widgets/number.html", widget(type="number", value=12)),
    ("django/forms/widgets/number.html", widget(type="number", value=0)),
    ("django/forms/widgets/number.html", widget(type="number", value=1234567)),
    ("django/forms/widgets/number.html", widget(type="number", value=(1, 2))),
    ("django/forms/widgets/hidden.html", widget(type="hidden", value="")),
    ("django/forms/widgets/date.html", widget(type="date", value="2026-03-01")),
    ("django/forms/widgets/email.html", widget(type="email", name=AWKWARD)),
    (
        "django/forms/widgets/checkbox.html",
        widget(type="checkbox", attrs={"id": "x", "checked": True, "required": False, "data-x": None}),
    ),
    (
        "django/forms/widgets/text.html",
        widget(attrs={"id": AWKWARD, AWKWARD: "v", "aria-invalid": "true", "min": 0, "max": 1440.5}),
    ),
    ("django/forms/widgets/text.html", widget(attrs={"id": lambda: "called"})),
    ("django/forms/widgets/radio_option.html", widget(type="radio", value="3", label="3", wrap_label=False)),
    ("django/forms/widgets/radio_option.html", widget(type="radio", value="3", label=AWKWARD, wrap_label=True)),
    (
        "django/forms/widgets/checkbox_option.html",
        widget(type="checkbox", value="arch", label="Arch", wrap_label=False),
    ),
    ("django/forms/widgets/textarea.html", widget(value=None, attrs={"rows": 2, "cols": "40"})),
    ("django/forms/widgets/textarea.html", widget(value="")),
    ("django/forms/widgets/textarea.html", widget(value=f"line one\n{AWKWARD}")),
    ("django/forms/widgets/select.html", {**widget(), "optgroups": []}),
]


@pytest.mark.parametrize(("template_name", "data"), CONTEXTS)
def test_the_input_renderer_writes_what_djangos_templates_write(template_name, data):
    context = {"widget": data}

    assert FastInputRenderer().render(template_name, context) == DjangoTemplates().render(template_name, context)


def test_an_attribute_named_items_is_left_to_the_template():
    """The template would read attrs["items"] rather than the dict's method, and fail: so does the renderer."""
    context = {"widget": widget(attrs={"items": "shadowing"})}

    for renderer in (FastInputRenderer(), DjangoTemplates()):
        with pytest.raises(ValueError, match="Need 2 values to unpack"):
            renderer.render("django/forms/widgets/text.html", context)


# ----------------------------------------------------------------------------------------------------------
# The patient's forms, crispy's templates against the written-out fields and the input renderer
# ----------------------------------------------------------------------------------------------------------


def crispy(build, *, written_out: bool, renderer: str, settings, monkeypatch, today, several=False) -> str:
    monkeypatch.setattr(layout, "WRITTEN_OUT", written_out)
    settings.FORM_RENDERER = renderer
    form = build()
    context = {
        "form": form,
        "today": today,
        "first_editable": today - timedelta(days=7),
        "several": several,
        "user": None,
        "caution": MASSAGE_CAUTION_CITATION,
        "preparation": MASSAGE_PREPARATION_CITATION,
    }
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context(context))


def log_form(data=None, *, initial=None, foot="left", **options):
    if data is not None:
        data = {key.replace("left-", f"{foot}-", 1): value for key, value in data.items()}
    return lambda: f.DailyLogForm(data, initial=initial or {}, foot=foot, **options)


SAVED = {
    "first_step_pain": 6,
    "average_pain": 0,
    "pain_after_activity": 10,
    "minutes_on_feet": 90,
    "steps": 12000,
    "activity_level": "light",
    "usual_activities": "partly",
    "weight_bearing": "partial",
    "footwear": "boot",
    "needling_soreness": 3,
    "bruising": "yes",
    "sym_arch": True,
    "rf_calf": True,
    "rf_wound": True,
    "note": AWKWARD,
    "version": "2026-03-01T10:00:00+00:00",
}
VALID = {
    "left-first_step_pain": "5",
    "left-average_pain": "10",
    "left-pain_after_activity": "0",
    "left-minutes_on_feet": "30",
    "left-activity_level": "moderate",
    "left-weight_bearing": "full",
    "left-footwear": "supportive",
    "left-needling_soreness": "2",
    "left-bruising": "no",
    "left-sym_arch": "on",
    "left-rf_fever": "on",
    "left-note": "Fine\r\nreally",
}
INVALID = {
    "left-first_step_pain": "",
    "left-average_pain": "11",
    "left-pain_after_activity": AWKWARD,
    "left-minutes_on_feet": "-1",
    "left-steps": "lots",
    "left-activity_level": "sprinting",
    "left-usual_activities": '"><script>',
    "left-weight_bearing": "floating",
    "left-needling_soreness": "12",
    "left-bruising": "maybe",
    "left-note": "x" * 2001,
}
OPTIONS = [
    {},
    {"surgical": True},
    {"needling": True},
    {"surgical": True, "needling": True, "past": True},
    {"whole_body": False, "several": True, "foot": "right"},
    {"past": True, "several": True},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize(
    "state",
    ["unbound", "saved", "valid", "invalid", "required missing"],
)
def test_the_daily_log_renders_the_same_html_written_out(options, state, settings, monkeypatch):
    from datetime import date

    today = date(2026, 3, 10)
    builds = {
        "unbound": log_form(**options),
        "saved": log_form(initial=SAVED, **options),
        "valid": log_form(VALID, **options),
        "invalid": log_form(INVALID, **options),
        "required missing": log_form({}, **options),
    }
    build = builds[state]
    if state in {"valid", "invalid", "required missing"}:
        form = build()
        assert form.is_valid() is (state == "valid"), form.errors
    several = options.get("several", False)

    reference = crispy(
        build,
        written_out=False,
        renderer=REFERENCE,
        settings=settings,
        monkeypatch=monkeypatch,
        today=today,
        several=several,
    )
    fast = crispy(
        build,
        written_out=True,
        renderer="tracker.forms.renderer.FastInputRenderer",
        settings=settings,
        monkeypatch=monkeypatch,
        today=today,
        several=several,
    )

    assert fast == reference
    assert 'class="btn-check"' in fast and 'class="form-check-input"' in fast
    if state == "invalid":
        assert "invalid-feedback" in fast and 'aria-invalid="true"' in fast


SESSION_BUILDS = {
    "unbound": lambda: f.SessionForm(),
    "massage": lambda: f.SessionForm(
        {
            "kind": "massage",
            "date": "2026-03-09",
            "technique": "ball",
            "areas": ["arch", "heel"],
            "discomfort": "4",
            "adverse_reaction": "on",
        }
    ),
    "invalid": lambda: f.SessionForm(
        {"kind": "massage", "date": "March", "minutes": "700", "areas": ["nowhere"], "discomfort": "-2"}
    ),
    "other missing": lambda: f.SessionForm({"kind": "other", "date": "2026-03-09"}),
    "account": lambda: f.AccountSettingsForm(initial={"time_zone": "Europe/London", "reminder_hour": 19}),
    "account invalid": lambda: f.AccountSettingsForm({"time_zone": "Mars/Olympus", "reminder_enabled": "on"}),
    "close": lambda: f.AccountCloseForm(),
    "close invalid": lambda: f.AccountCloseForm({}),
}


@pytest.mark.parametrize("state", SESSION_BUILDS)
def test_the_session_and_account_forms_render_the_same_html_written_out(state, settings, monkeypatch):
    from datetime import date

    build = SESSION_BUILDS[state]
    kwargs = {"settings": settings, "monkeypatch": monkeypatch, "today": date(2026, 3, 10)}

    reference = crispy(build, written_out=False, renderer=REFERENCE, **kwargs)
    fast = crispy(build, written_out=True, renderer="tracker.forms.renderer.FastInputRenderer", **kwargs)

    assert fast == reference


# ----------------------------------------------------------------------------------------------------------
# Whole pages
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_log_page_is_the_same_page_written_out(patient, patient_client, settings, monkeypatch):
    today = patient.local_today()
    CourseFactory.create(patient=patient, foot="both", endoscopic=True, day_zero=today - timedelta(days=20))
    CourseFactory.create(patient=patient, foot="left", needling=True, day_zero=today - timedelta(days=20))
    SessionFactory.create(patient=patient, needling=True, date=today - timedelta(days=1))
    DailyLogFactory.create(patient=patient, foot="left", date=today, note=AWKWARD, rf_calf=True)
    settings.FORM_RENDERER = CHECKED
    pages = {}
    for written_out in (False, True):
        monkeypatch.setattr(layout, "WRITTEN_OUT", written_out)
        pages[written_out] = [
            without_tokens(patient_client.get("/today/").content.decode()),
            without_tokens(patient_client.post("/today/", {"left-average_pain": "11"}).content.decode()),
            without_tokens(patient_client.get("/sessions/new/").content.decode()),
        ]

    assert pages[True] == pages[False]
    assert "invalid-feedback" in pages[True][1]
    assert CheckedRenderer.calls > 100


@pytest.mark.django_db
def test_the_clinic_pages_widgets_are_what_djangos_templates_write(patient, physio, physio_client, settings):
    from tests.test_clinic_patient import page_url

    CourseFactory.create(patient=patient, needling=True)
    AlertFactory.create(patient=patient, critical=True)
    settings.FORM_RENDERER = CHECKED
    CheckedRenderer.calls = 0

    assert physio_client.get(page_url(patient)).status_code == 200
    assert physio_client.get("/clinic/alerts/").status_code == 200
    assert CheckedRenderer.calls > 10
