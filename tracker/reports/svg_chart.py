"""Charts as inline SVG, drawn on the server: the caseload's sparklines and the PDF report's progress chart.

WeasyPrint runs no JavaScript, so the report cannot use the page's Chart.js component; these are small pure
functions of the report data (``tracker.progress.report``) that return SVG markup, each with a text
alternative (``<title>``/``<desc>`` and ``role="img"``) so a screen reader gets the same information.
Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..progress.report import BandPoint, CourseReport, PainTrend
from ..progress.wording import chart_description, trend_words
from ..progress.words import format_number  # coordinates to one decimal: small markup, no float noise

# Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics).
FOOT_COLOURS = {"left": "#0b5cad", "right": "#b3501b"}
BAND_FILL = "#9aa5b1"
WINDOW_FILL = "#2e7d32"
TEXT = "#212529"
GRID = "#ced4da"


# ---------------------------------------------------------------------------------------------------------
# Sparkline (the caseload's 7-day trend)
# ---------------------------------------------------------------------------------------------------------


def sparkline_svg(values: Sequence[float | None], *, width: int = 96, height: int = 28) -> SafeString:
    """A tiny line of first-step pain (0 to 10, one value per day, None for a gap) as inline SVG.

    Gaps break the line rather than being drawn as zeros. The text alternative is ``trend_words``.
    """
    label = trend_words(values)
    pad = 3
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v / 10)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((pad + i * step, y(value)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{pad}" y1="{format_number(y(0))}" x2="{width - pad}" y2="{format_number(y(0))}" stroke="{GRID}" stroke-width="1"/>',
    ]
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{format_number(x)},{format_number(yy)}" for x, yy in segment)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{TEXT}" stroke-width="1.5"/>')
        for x, yy in segment:
            parts.append(f'<circle cx="{format_number(x)}" cy="{format_number(yy)}" r="1.8" fill="{TEXT}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


# ---------------------------------------------------------------------------------------------------------
# The progress chart for the PDF report
# ---------------------------------------------------------------------------------------------------------


def _days(report: CourseReport, day: date) -> int:
    return (day - report.day_zero).days


def _week_middle(point: BandPoint) -> int:
    """The day since day 0 at which a cohort week is drawn: week 1 (days 0 to 6) at day 3."""
    return (point.week - 1) * 7 + 3


CHART_DAYS = 12 * 7  # a longer course is drawn for its last 12 weeks, as the report's table of weekly means


def _windows(report: CourseReport, x_min: int | None = None) -> list[tuple[int, date, date]]:
    """The milestones' windows, without those that ended before ``x_min`` (the chart's first day)."""
    return [
        (i, m.window_start, m.window_end)
        for i, m in enumerate(report.milestones, start=1)
        if m.window_start is not None
        and m.window_end is not None
        and (x_min is None or _days(report, m.window_end) >= x_min)
    ]


def _x_range(report: CourseReport) -> tuple[int, int]:
    """The first and last day since day 0 on the chart: at most its last ``CHART_DAYS`` days up to today."""
    series_days = [_days(report, p.day) for t in report.pain for p in t.series]
    x_min = min([0, *series_days])
    if report.day - x_min >= CHART_DAYS:
        x_min = report.day - CHART_DAYS + 1
    x_max = max([report.day, 7, *series_days, *(_days(report, end) for _, _, end in _windows(report, x_min))])
    return x_min, x_max


def chart_last_week(report: CourseReport) -> int:
    """The last cohort week drawn on the chart of ``report`` (its middle day on the chart)."""
    return max(0, (_x_range(report)[1] - 3) // 7 + 1)


def progress_chart_svg(
    *, report: CourseReport, band: Sequence[BandPoint] | None = None, width: int = 680, height: int = 230
) -> SafeString:
    """The progress chart of one course as inline SVG, for the PDF report.

    x: days since day 0 (from the first plotted day, or at most ``CHART_DAYS`` before the report's day, to the
    later of the report's day and the last expected window); y: first-step pain 0 to 10. Drawn: the expected milestone windows (green, numbered as in the
    milestone table), the cohort band (grey, q1 to q3, median dashed) when given, each foot's daily scores
    (dots) and 7-day mean (line), and today (a vertical line). Gaps in the logs break the line.
    """
    left, right, top, bottom = 40, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom

    x_min, x_max = _x_range(report)
    windows = _windows(report, x_min)
    clipped = x_min > min([0, *(_days(report, p.day) for t in report.pain for p in t.series)])
    span = max(x_max - x_min, 1)
    # Cohort band: the weeks whose middle day (week 1 is days 0 to 6) lies on the chart.
    band_points = sorted((p for p in band or () if x_min <= _week_middle(p) <= x_max), key=lambda p: p.week)

    def x(day: float) -> float:
        return left + plot_w * (day - x_min) / span

    def y(v: float) -> float:
        return top + plot_h * (1 - v / 10)

    description = chart_description(report, band_points)
    title = f"Progress chart: {report.kind_label}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{report.course_id}-t chart-{report.course_id}-d">',
        f'<title id="chart-{report.course_id}-t">{escape(title)}</title>',
        f'<desc id="chart-{report.course_id}-d">{escape(description)}</desc>',
    ]
    # Expected windows, behind everything.
    for number, start, end in windows:
        x1, x2 = x(max(_days(report, start), x_min)), x(_days(report, end))
        out.append(
            f'<rect x="{format_number(x1)}" y="{top}" width="{format_number(max(x2 - x1, 1))}" height="{plot_h}" '
            f'fill="{WINDOW_FILL}" fill-opacity="0.13" stroke="{WINDOW_FILL}" stroke-width="0.6"/>'
            f'<text x="{format_number(x1 + 3)}" y="{top + 11}" font-size="10" fill="{WINDOW_FILL}">{number}</text>'
        )
    # Grid and axes.
    for v in range(0, 11, 2):
        out.append(
            f'<line x1="{left}" y1="{format_number(y(v))}" x2="{left + plot_w}" y2="{format_number(y(v))}" stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{left - 6}" y="{format_number(y(v) + 3)}" font-size="9" text-anchor="end" fill="{TEXT}">{v}</text>'
        )
    tick = 7 if span <= 70 else 28 if span <= 280 else 56
    first_tick = (x_min // tick) * tick
    for d in range(first_tick, x_max + 1, tick):
        if d < x_min:
            continue
        out.append(
            f'<line x1="{format_number(x(d))}" y1="{top + plot_h}" x2="{format_number(x(d))}" y2="{top + plot_h + 4}" stroke="{TEXT}"/>'
            f'<text x="{format_number(x(d))}" y="{top + plot_h + 14}" font-size="9" text-anchor="middle" fill="{TEXT}">{d}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" font-size="9" text-anchor="middle" fill="{TEXT}">'
        f"Days since day 0{' (the last 12 weeks)' if clipped else ''}</text>"
        f'<text x="10" y="{top + plot_h / 2:.0f}" font-size="9" text-anchor="middle" fill="{TEXT}" '
        f'transform="rotate(-90 10 {top + plot_h / 2:.0f})">First-step pain</text>'
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{TEXT}" stroke-width="0.8"/>'
    )
    # Cohort band: q1 to q3 shaded, the median dashed, at the middle of each week.
    if band_points:
        upper = " ".join(f"{format_number(x(_week_middle(p)))},{format_number(y(p.q3))}" for p in band_points)
        lower = " ".join(f"{format_number(x(_week_middle(p)))},{format_number(y(p.q1))}" for p in reversed(band_points))
        median = " ".join(f"{format_number(x(_week_middle(p)))},{format_number(y(p.median))}" for p in band_points)
        out.append(
            f'<polygon points="{upper} {lower}" fill="{BAND_FILL}" fill-opacity="0.35" stroke="none"/>'
            f'<polyline points="{median}" fill="none" stroke="#5c6670" stroke-width="1.2" stroke-dasharray="4 3"/>'
        )
    # Each foot: daily dots and the 7-day mean line (broken at gaps).
    for trend in report.pain:
        out.extend(_foot_marks(report, trend, x, y, since=x_min))
    # Today (or the day the course ended): a solid line, labelled, drawn inside the frame so it never hides in it.
    today_x = format_number(min(x(report.day), left + plot_w - 2))
    out.append(
        f'<line class="today" x1="{today_x}" y1="{top}" x2="{today_x}" y2="{top + plot_h}" '
        f'stroke="{TEXT}" stroke-width="1.4"/>'
        f'<text x="{today_x}" y="{top - 2}" font-size="8" text-anchor="end" fill="{TEXT}">'
        f"{'today' if report.course_status == 'active' else 'end'}</text>"
    )
    out.append("</svg>")
    return mark_safe("".join(out))


def _foot_marks(report: CourseReport, trend: PainTrend, x, y, *, since: int) -> list[str]:
    """One foot's dots (large and dark enough to read in print) and 7-day mean line, from day ``since`` on."""
    colour = FOOT_COLOURS.get(trend.foot, TEXT)
    series = [p for p in trend.series if _days(report, p.day) >= since]
    marks: list[str] = []
    dots = [
        f'<circle cx="{format_number(x(_days(report, p.day)))}" cy="{format_number(y(p.first_step_pain))}" r="2.2" fill="{colour}" fill-opacity="0.85"/>'
        for p in series
        if p.first_step_pain is not None
    ]
    marks.extend(dots)
    segment: list[str] = []
    for p in [*series, None]:
        if p is None or p.mean_7d is None:
            if len(segment) > 1:
                marks.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
                )
            segment = []
            continue
        segment.append(f"{format_number(x(_days(report, p.day)))},{format_number(y(p.mean_7d))}")
    return marks
