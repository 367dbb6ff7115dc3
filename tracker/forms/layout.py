"""The crispy-forms building blocks every form's ``FormHelper`` is made of.

The page writes the ``<form>`` tag (its action, its buttons, its ``{% csrf_token %}``) and renders the fields
with ``{% crispy form %}``. Forms of the clinic and admin pages use crispy-bootstrap5's field template as it is;
the patient's phone-first controls have their own field templates in ``templates/tracker/crispy/``:

- ``ButtonRow``: a radio (or multiple-choice) field as a row of large buttons in a fieldset with a legend;
  ``scale=True`` for the 0 to 10 pain scale, whose ends are named for screen readers;
- ``TickBox``: a tick box with its label beside it;
- ``TextInput`` and ``SelectInput``: a label (with "(optional)" when the field is optional), the input, its help
  text and its error; ``DateInWindow``, a date box limited to the days the patient may still log;
- ``Wrap``: fields inside markup of the page's own (the daily log's card for one foot, a fold, a fieldset).

The clinic's acknowledge form, one per alert in a table row, has its own field template too (``ack_note.html``).

Every field template gives its help text the id ``<input id>_helptext`` and its error ``<input id>_error``, the
ids Django's own ``aria-describedby`` points to, so an input is tied to its message (``aria-invalid``,
``aria-describedby``) from the bound field's errors alone, and a radio group's fieldset likewise.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

FIELD = "tracker/crispy/field.html"
BUTTON_ROW = "tracker/crispy/button_row.html"
TICK_BOX = "tracker/crispy/tick_box.html"


class _Helper(FormHelper):
    # A field's errors, then its help text, each a block of its own, as crispy's |crispy filter renders them.
    # (FormHelper's setters make one of the two inline whenever the other is not, so both are fixed here.)
    error_text_inline = False
    help_text_inline = False


def form_helper(*fields, page_lists_errors: bool = False) -> FormHelper:
    """A helper that renders ``fields`` (names or layout objects) without a ``<form>`` tag or a CSRF token: the
    page writes both. Each field shows its own errors; the form's other errors are listed above the fields,
    unless ``page_lists_errors`` (the patient's pages sum every error up at the top)."""
    helper = _Helper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    if page_lists_errors:
        helper.template = "tracker/crispy/fields_only.html"
    return helper


class TextInput(Field):
    """A text, number or date box, or a text area (Bootstrap's ``form-control``)."""

    template = FIELD

    def __init__(self, *fields, **kwargs):
        super().__init__(*fields, css_class="form-control", **kwargs)


class SelectInput(Field):
    """A drop-down list (Bootstrap's ``form-select``)."""

    template = FIELD

    def __init__(self, *fields, **kwargs):
        super().__init__(*fields, css_class="form-select", **kwargs)


# The daily log's tick boxes and button rows are written out in Python (issue 11: their templates, one render per
# field with the page's whole context flattened, were most of /today/'s time). Their templates stay the definition
# of the markup: tests/test_form_renderer.py renders every form that uses them both ways, bound, unbound and
# invalid, and requires the same HTML. False renders the templates (the tests' reference).
WRITTEN_OUT = True
_AUTOESCAPE = Context()  # what a crispy field template renders in: autoescape on, localisation by settings


def _shown(value) -> str:
    """``{{ value }}`` in a crispy field template."""
    return render_value_in_context(value, _AUTOESCAPE)


def _errors(field) -> str:
    """``{{ field.errors|join:" " }}``."""
    return " ".join(conditional_escape(error) for error in field.errors)


class _WrittenOut(Field):
    """A field layout object whose template has a Python twin, ``write(bound_field)``: same HTML."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        if not WRITTEN_OUT or len(self.fields) != 1 or not isinstance(self.fields[0], str):
            return super().render(form, context, template_pack=template_pack, extra_context=extra_context, **kwargs)
        # What crispy's render_field does before its template: the layout's attributes onto the widget, the
        # field noted as rendered.
        name = self.fields[0]
        bound = form[name]
        bound.field.widget.attrs.update(self.attrs)
        if hasattr(form, "rendered_fields"):
            form.rendered_fields.add(name)
        return SafeString(self.write(bound))

    def write(self, field) -> str:
        raise NotImplementedError


class TickBox(_WrittenOut):
    """One tick box; ``data_red_flag="emergency"`` and the like become attributes of the input."""

    template = TICK_BOX

    def __init__(self, *fields, **kwargs):
        super().__init__(*fields, css_class="form-check-input", **kwargs)

    def write(self, field) -> str:
        """``tracker/crispy/tick_box.html``."""
        html = (
            f'\n<div class="form-check">\n  {_shown(field)}\n  <label class="form-check-label" '
            f'for="{_shown(field.id_for_label)}">{_shown(field.label)}</label>\n</div>\n'
        )
        if field.errors:
            html += f'<div id="{_shown(field.auto_id)}_error" class="invalid-feedback d-block">{_errors(field)}</div>'
        return mark_safe(html + "\n")  # every value is escaped as the template escapes it


class ButtonRow(_WrittenOut):
    """Radios or tick boxes as large buttons (Bootstrap's ``btn-check``); ``scale=True`` for 0 to 10 pain."""

    template = BUTTON_ROW

    def __init__(self, *fields, scale: bool = False, **kwargs):
        super().__init__(*fields, css_class="btn-check", **kwargs)
        self.scale = scale

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        extra_context = {**(extra_context or {}), "scale": self.scale}
        return super().render(form, context, template_pack=template_pack, extra_context=extra_context, **kwargs)

    def write(self, field) -> str:
        """``tracker/crispy/button_row.html``."""
        scale = self.scale
        described = field.aria_describedby
        html = [
            "\n",
            '<fieldset class="mb-3"',
            f' aria-describedby="{_shown(described)}"' if described else "",
            '>\n  <legend class="form-label fw-semibold fs-6 mb-1">',
            _shown(field.label),
        ]
        if not field.field.required and not getattr(field.field, "required_in_block", False):
            html.append(' <span class="fw-normal text-body-secondary">(optional)</span>')
        html.append("</legend>\n  ")
        if field.help_text:
            html.append(f'<div id="{_shown(field.auto_id)}_helptext" class="form-text">{_shown(field.help_text)}</div>')
        html.append("\n  ")
        if field.errors:
            html.append(
                f'<div id="{_shown(field.auto_id)}_error" class="invalid-feedback d-block mb-1">{_errors(field)}</div>'
            )
        html.append(f'\n  <div class="{"pain-scale" if scale else "choice-row"}">\n    ')
        button = "btn-outline-primary" if scale else "btn-outline-secondary"
        for radio in field:
            label = radio.choice_label
            end = ""
            if scale:
                if label == "0":
                    end = '<span class="visually-hidden">, no pain</span>'
                elif label == "10":
                    end = '<span class="visually-hidden">, worst imaginable</span>'
            html.append(
                f'\n      {radio.tag()}<label class="btn {button}" for="{_shown(radio.id_for_label)}">'
                f"{_shown(label)}{end}</label>\n    "
            )
        html.append("\n  </div>\n  ")
        if scale:
            html.append(
                '<div class="pain-scale-ends text-body-secondary mt-1" aria-hidden="true">'
                "<span>0 no pain</span><span>10 worst imaginable</span></div>"
            )
        html.append("\n</fieldset>\n")
        return mark_safe("".join(html))  # every value is escaped as the template escapes it


class DateInWindow(TextInput):
    """A date box limited to the page's editable days, ``first_editable`` to ``today`` in the page's context,
    which it states below the box."""

    attrs: dict[str, str]  # set by crispy-forms' Field (which ships no types): the input's HTML attributes

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        first, last = context["first_editable"], context["today"]
        self.attrs = {**self.attrs, "min": first.isoformat(), "max": last.isoformat()}
        extra_context = {**(extra_context or {}), "window_text": f"From {date_format(first, 'j F')} to today."}
        return super().render(form, context, template_pack=template_pack, extra_context=extra_context, **kwargs)


class Wrap(LayoutObject):
    """Fields inside markup of the page's own: ``template`` renders ``fields`` (the rendered fields), ``form``,
    the page's context and the keyword arguments given here."""

    def __init__(self, template: str, *fields, **context):
        self.template = template
        self.fields = list(fields)
        self.context = context

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.template, {**context.flatten(), "form": form, "fields": fields, **self.context})
