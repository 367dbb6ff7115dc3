"""Citations in templates: a source's title for a patient, with a link to its entry on /sources/; the exact file
and line (or the study) in small print for the care team. A template never writes a source reference itself."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..progress import timelines
from ..progress.report import Citation

register = template.Library()


@register.simple_tag
def rule_citation(name: str) -> Citation:
    """``{% rule_citation "MEANINGFUL_CHANGE_CITATION" as c %}``: one of the cited rules of the timeline data."""
    citation = getattr(timelines, name, None)
    if citation not in timelines.ALL_CITATIONS:
        raise template.TemplateSyntaxError(f"{name!r} is not a citation of tracker.progress.timelines")
    return citation


@register.simple_tag
def cite(citation: Citation | None, *, team: bool = False, link_class: str = "") -> SafeString | str:
    """``{% cite c %}``: "Plantar fascia release, patient leaflet (Healthwise, 2023)", linked to /sources/.

    ``team=True`` adds the exact reference ("000:11") in small print, for the care team's pages. ``link_class``:
    "alert-link" inside a Bootstrap alert, so the link keeps the alert's contrast.
    """
    if citation is None:
        return ""
    link = format_html(
        '<cite><a{} href="{}#{}">{}</a></cite>',
        format_html(' class="{}"', link_class) if link_class else "",
        reverse("public:sources"),
        citation.document.anchor,
        citation.label,
    )
    if team:
        return format_html('{} <small class="text-body-secondary source-ref">{}</small>', link, citation.ref)
    return link
