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
from django.template.loader import render_to_string
from django.utils.formats import date_format

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


class TickBox(Field):
    """One tick box; ``data_red_flag="emergency"`` and the like become attributes of the input."""

    template = TICK_BOX

    def __init__(self, *fields, **kwargs):
        super().__init__(*fields, css_class="form-check-input", **kwargs)


class ButtonRow(Field):
    """Radios or tick boxes as large buttons (Bootstrap's ``btn-check``); ``scale=True`` for 0 to 10 pain."""

    template = BUTTON_ROW

    def __init__(self, *fields, scale: bool = False, **kwargs):
        super().__init__(*fields, css_class="btn-check", **kwargs)
        self.scale = scale

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        extra_context = {**(extra_context or {}), "scale": self.scale}
        return super().render(form, context, template_pack=template_pack, extra_context=extra_context, **kwargs)


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
