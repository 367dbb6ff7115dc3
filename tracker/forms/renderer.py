"""The form renderer (``settings.FORM_RENDERER``): Django's own, with its ``<input>`` and ``<textarea>`` tags built in
Python (issue 11: the daily log renders about 70 inputs per foot, each a template render of its own).

Django's widget templates stay the definition of the markup: ``render`` writes exactly what they write for the
contexts below and hands anything else to them (an option tag with its label wrapped around it, an attribute
value a template would call). ``tests/test_form_renderer.py`` compares both on every widget of every form of
the patient and clinic pages, bound, unbound and invalid, and on awkward values (escaping, ``True``/``False``/
``None`` attributes, safe strings).
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

# Widget templates that are exactly ``{% include "django/forms/widgets/input.html" %}``.
_INPUT = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)
# ``{% include "django/forms/widgets/input_option.html" %}``: the input alone unless ``wrap_label``.
_OPTION = frozenset({"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"})
_TEXTAREA = "django/forms/widgets/textarea.html"


def _stringformat(value: object) -> str:
    """``{{ value|stringformat:'s' }}``: ``"%s" % value`` (a tuple as one value), a safe string left unescaped."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # "%s" %, as the filter does
    if isinstance(value, SafeData):
        text = mark_safe(text)  # the filter keeps a safe value safe (is_safe=True)
    return conditional_escape(text)


def _attrs(attrs: dict) -> str | None:
    """``django/forms/widgets/attrs.html``, or None where the template would do something else (a callable
    value is called by the template; a key "items" would shadow the dict's method)."""
    if "items" in attrs:
        return None
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if callable(value):
            return None
        parts.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_stringformat(value)}"'
        )
    return "".join(parts)


def _input(widget: dict) -> str | None:
    kind, name, value = widget.get("type"), widget.get("name"), widget.get("value")
    if (
        not (isinstance(kind, str) and isinstance(name, str))
        or callable(value)
        or not isinstance(widget.get("attrs"), dict)
    ):
        return None
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    shown = "" if value is None else f' value="{_stringformat(value)}"'
    return f'<input type="{conditional_escape(kind)}" name="{conditional_escape(name)}"{shown}{attrs}>'


def _textarea(widget: dict) -> str | None:
    name, value = widget.get("name"), widget.get("value")
    if not isinstance(name, str) or not isinstance(value, str | None) or not isinstance(widget.get("attrs"), dict):
        return None
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    return (
        f'<textarea name="{conditional_escape(name)}"{attrs}>\n{conditional_escape(value) if value else ""}</textarea>'
    )


class FastInputRenderer(DjangoTemplates):
    """Django's template renderer, with the input and text area tags written in Python (same HTML)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if isinstance(widget, dict):
            if template_name in _INPUT or (template_name in _OPTION and not widget.get("wrap_label")):
                html = _input(widget)
            elif template_name == _TEXTAREA:
                html = _textarea(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)  # every value above is escaped as the template escapes it
