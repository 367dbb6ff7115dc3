"""A small line chart of one questionnaire score over time, as inline SVG drawn on the server (no script, so
the Content-Security-Policy holds; the PDF uses the same markup). Text alternative in ``<title>``/``<desc>``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..progress.words import format_number

LINE = "#0b5cad"
TEXT = "#212529"
GRID = "#ced4da"


BAND = "#6c757d"  # the grey of the pain chart's band of other patients

# One week of a band of other patients: first day, last day, 25th percentile, median, 75th percentile.
BandSegment = tuple[date, date, float, float, float]


def score_chart_svg(
    points: Sequence[tuple[date, float]],
    *,
    maximum: float,
    title: str,
    width: int = 300,
    height: int = 120,
    band: Sequence[BandSegment] = (),
) -> SafeString:
    """Scores (date, value 0 to ``maximum``) as dots joined by a line, dated along the bottom; ``band``: the other
    patients' middle half by week, drawn as grey blocks (with their median) where it overlaps the scores' dates."""
    left, right, top, bottom = 30, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    values = ", ".join(f"{d.day} {d:%b %Y}: {format_number(round(v, 1))}" for d, v in points)
    desc = f"{title}, out of {format_number(maximum)}. " + (values or "No score yet.")
    parts = [
        f'<svg class="score-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    ]
    for fraction in (0, 0.5, 1):
        grid_y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{grid_y:.1f}" y2="{grid_y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 4}" y="{grid_y + 4:.1f}" font-size="10" text-anchor="end" fill="{TEXT}">'
            f"{format_number(maximum * fraction)}</text>"
        )
    if points:
        first, last = points[0][0], points[-1][0]
        span = max((last - first).days, 1)

        def x(day: date) -> float:
            return left + plot_w * ((day - first).days / span if len(points) > 1 else 0.5)

        def y(value: float) -> float:
            return top + plot_h * (1 - value / maximum)

        drawn = 0
        for start, end, q1, middle, q3 in band if len(points) > 1 else ():
            start, end = max(start, first), min(end, last)
            if start > end:
                continue
            x1, x2 = x(start), max(x(end), x(start) + 2)
            parts.append(
                f'<rect x="{x1:.1f}" y="{y(q3):.1f}" width="{x2 - x1:.1f}" height="{y(q1) - y(q3):.1f}" '
                f'fill="{BAND}" fill-opacity="0.25"/>'
            )
            parts.append(
                f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y(middle):.1f}" y2="{y(middle):.1f}" stroke="{BAND}" '
                'stroke-dasharray="3 2"/>'
            )
            drawn += 1
        if drawn:
            parts[0] = parts[0].replace("</desc>", " Grey blocks: the middle half of other patients, by week.</desc>")
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for d, v in points:
            parts.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{LINE}"/>')
        for d in {first, last}:
            parts.append(
                f'<text x="{x(d):.1f}" y="{height - 6}" font-size="10" text-anchor="middle" fill="{TEXT}">'
                f"{d.day} {d:%b}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is a number, a date or escaped text
