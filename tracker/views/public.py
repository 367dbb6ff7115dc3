"""Pages anyone may see, signed in or not."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import CourseKind
from ..progress.timelines import (
    GENERAL,
    MASSAGE_ARTICLE,
    NEEDLING_ARTICLE,
    SURGERY_LEAFLET,
    expectations_for,
)
from ..progress.wording import window_in_words

SOURCE_DOCUMENTS = (
    (SURGERY_LEAFLET, "Patient leaflet: plantar fascia release surgery, open and endoscopic (Healthwise, 2023)"),
    (MASSAGE_ARTICLE, "Article: home fascia massage for plantar fasciitis (KOAPRO)"),
    (NEEDLING_ARTICLE, "Clinic article: dry needling for plantar fasciitis (Leaside Sports Medicine)"),
    ("CLINICAL.md", "The product's clinical reference: published studies, each with its citation"),
)


def _rows(expectations):
    return [
        {
            "title": e.title,
            "when": window_in_words(e) if (e.window_words or e.window_start_day is not None) else "",
            "judged": e.is_milestone and e.window_start_day is not None,
            "is_milestone": e.is_milestone,
            "quote": e.citation.quote,
            "source": e.citation.source,
        }
        for e in expectations
    ]


@require_safe
def sources(request):
    """``/sources/``: every expectation the product uses, with the source's words and where they are."""
    groups = [
        {"id": f"kind-{kind.value}", "label": kind.label, "rows": _rows(expectations_for(kind.value))}
        for kind in CourseKind
    ]
    groups.append({"id": "every-course", "label": "Every course", "rows": _rows(GENERAL)})
    return render(request, "tracker/sources.html", {"groups": groups, "documents": SOURCE_DOCUMENTS})
