"""``manage.py progress USERNAME [--on YYYY-MM-DD] [--json]``: a patient's progress reports, for support and scripts.

The same reports the pages show (``tracker.selectors.progress.patient_reports``), judged on the patient's
local today unless ``--on`` says otherwise.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tracker.models import User
from tracker.progress import wording
from tracker.progress.report import CourseReport
from tracker.selectors.progress import patient_reports

from .raise_alerts import parse_day


def report_as_text(report: CourseReport) -> str:
    """A readable summary of one report (several lines), in the care team's words."""
    feet = "both feet" if report.foot == "both" else f"{report.foot} foot"
    lines = [
        f"{report.kind_label} ({feet}), day 0 {report.day_zero.isoformat()}, {report.course_status}",
        f"  Day {report.day}, week {report.week} (judged on {report.as_of.isoformat()})",
        f"  Status: {report.status.label}: {report.clinician_reason}",
        f"  The patient reads: {report.reason}",
    ]
    s = report.sessions
    planned = f" of {s.planned} planned" if s.planned else ""
    typical = f" (the source says {s.typical_low} to {s.typical_high})" if s.typical_low else ""
    lines.append(f"  Sessions: {s.done}{planned}{typical}")
    for t in report.pain:
        reference = f", reference {wording.score(t.reference.value)} ({t.reference.kind})" if t.reference else ""
        lines.append(
            f"  Pain, {t.foot} foot: starting level {wording.score(t.baseline)}, 7-day level "
            f"{wording.score(t.mean_7d)}, change {wording.score(t.change)}{reference}"
        )
    lines += [f"  Finding: {wording.finding_team(f, report)}" for f in report.findings]
    for m in report.milestones:
        lines.append(f"  Milestone: {m.expectation.title}: {wording.milestone_team(m)}")
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
