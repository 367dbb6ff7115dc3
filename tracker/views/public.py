"""Pages anyone may see, signed in or not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import CourseKind
from ..progress.report import Expectation
from ..progress.timelines import DOCUMENTS, GENERAL, expectations_for
from ..progress.wording import window_in_words


def _rows(expectations: tuple[Expectation, ...]) -> list[dict[str, object]]:
    return [
        {
            "title": e.title,
            "when": window_in_words(e) if (e.window_words or e.has_window or e.reported) else "",
            "judged": e.is_milestone and e.has_window,
            "is_milestone": e.is_milestone,
            "citation": e.citation,
            "reported": e.reported,
        }
        for e in expectations
    ]


@require_safe
def sources(request: HttpRequest) -> HttpResponse:
    """``/sources/``: every expectation the product uses, with the source's words and where they are."""
    groups = [
        {"id": f"kind-{kind.value}", "label": kind.label, "rows": _rows(expectations_for(kind.value))}
        for kind in CourseKind
    ]
    groups.append({"id": "every-course", "label": "Every course", "rows": _rows(GENERAL)})
    return render(request, "tracker/sources.html", {"groups": groups, "documents": DOCUMENTS})
