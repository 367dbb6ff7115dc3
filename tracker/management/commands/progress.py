"""``manage.py progress USERNAME [--on YYYY-MM-DD] [--json]``: a patient's progress reports, for support and scripts.

The same reports the pages show (``tracker.selectors.progress.patient_reports``), judged on the patient's
local today unless ``--on`` says otherwise.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tracker.models import User
from tracker.progress.report import CourseReport
from tracker.progress.timelines import window_in_words
from tracker.selectors.progress import patient_reports

from .raise_alerts import parse_day


def report_as_text(report: CourseReport) -> str:
    """A readable summary of one report (several lines)."""
    lines = [
        f"{report.kind_label} ({'both feet' if report.foot == 'both' else report.foot + ' foot'}), day 0 {report.day_zero.isoformat()}, {report.course_status}",
        f"  Day {report.day}, week {report.week} (judged on {report.as_of.isoformat()})",
        f"  Status: {report.status.label}: {report.reason}",
    ]
    s = report.sessions
    planned = f" of {s.planned} planned" if s.planned else ""
    typical = f" (the source says {s.typical_low} to {s.typical_high})" if s.typical_low else ""
    lines.append(f"  Sessions: {s.done}{planned}{typical}")
    for t in report.pain:

        def fmt(v):
            return "-" if v is None else f"{v:.1f}"

        lines.append(
            f"  Pain, {t.foot} foot: baseline {fmt(t.baseline)}, 7-day mean {fmt(t.mean_7d)}, change {fmt(t.change)}"
            f"{' (meaningful)' if t.meaningful else ''}"
        )
    for m in report.milestones:
        reached = f", reached {m.reached_on.isoformat()}" if m.reached_on else ""
        lines.append(
            f"  Milestone: {m.expectation.title}: {m.status.label}{reached} "
            f"[{window_in_words(m.expectation)}; {m.expectation.citation.source}]"
        )
    if report.red_flag_days:
        lines.append("  Red flags on: " + ", ".join(d.isoformat() for d in report.red_flag_days))
    lines.append(f"  Last logged: {report.last_logged_on.isoformat() if report.last_logged_on else 'never'}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the progress report of each of a patient's courses (text, or JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--on", help="Judge on this date (YYYY-MM-DD) instead of the patient's local today.")
        parser.add_argument("--json", action="store_true", help="Print JSON (a list of reports).")

    def handle(self, *args, **options):
        username = options["username"]
        try:
            patient = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        if not patient.is_patient:
            raise CommandError(
                f"{username!r} is a {patient.get_role_display().lower()}, not a patient: only patients have progress."
            )
        today = parse_day(options["on"]) if options.get("on") else patient.local_today()
        reports = patient_reports(patient=patient, today=today)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], indent=2))
            return
        if not reports:
            self.stdout.write(f"{username} has no treatment course yet.")
            return
        self.stdout.write("\n\n".join(report_as_text(r) for r in reports))
