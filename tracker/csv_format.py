"""The daily-log CSV format: one definition for the patient's export, the clinic's logs.csv and the import.

Cells a spreadsheet would run as a formula (starting with =, +, -, @, or a tab or carriage return) are
neutralised with a leading apostrophe (OWASP "CSV injection"), so an exported note can never run code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .models import RED_FLAG_FIELDS, SYMPTOM_FIELDS, DailyLog

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The columns, in order. Import reads the same names (see tracker.services for the import).
LOG_COLUMNS: tuple[str, ...] = (
    "date",
    "foot",
    "first_step_pain",
    "average_pain",
    "pain_after_activity",
    "minutes_on_feet",
    "steps",
    "activity_level",
    "usual_activities",
    "weight_bearing",
    "footwear",
    *(name for name, _ in SYMPTOM_FIELDS),
    *(name for name, _ in RED_FLAG_FIELDS),
    "needling_soreness",
    "bruising",
    "note",
)


def safe_cell(value) -> str:
    """The text of one cell, neutralised if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def log_row(log: DailyLog) -> list[str]:
    return [safe_cell(getattr(log, column)) for column in LOG_COLUMNS]


def write_csv(rows: Iterable[Iterable], header: Iterable[str], stream) -> None:
    """Write ``header`` and ``rows`` (each cell passed through ``safe_cell``) to ``stream``."""
    writer = csv.writer(stream)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def logs_csv(logs: Iterable[DailyLog]) -> str:
    """The logs as CSV text in the export format."""
    out = io.StringIO()
    write_csv((log_row(log) for log in logs), LOG_COLUMNS, out)
    return out.getvalue()
