"""CSV: the daily-log format (the patient's export, the clinic's logs.csv and the import) and a streaming writer.

Cells a spreadsheet would run as a formula (starting with =, +, -, @, or a tab or carriage return) are
neutralised with a leading apostrophe (OWASP "CSV injection"), so an exported note can never run code. Every
writer here passes every cell through ``safe_cell``; the reader (``read_logs_csv``) undoes it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from .models import RED_FLAG_FIELDS, SYMPTOM_FIELDS, DailyLog

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# The columns, in order. The import reads the same names (``read_logs_csv``).
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
# The export adds one column after those: when the day was last edited (empty if never). The import accepts a
# file with it and ignores it: an imported log is a new log, with no edit history.
EDITED_COLUMN = "edited"
EXPORT_COLUMNS: tuple[str, ...] = (*LOG_COLUMNS, EDITED_COLUMN)
IGNORED_COLUMNS = frozenset({EDITED_COLUMN})


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """The text of one cell, neutralised if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if _looks_like_formula(text):
        return "'" + text
    return text


def _looks_like_formula(text: str) -> bool:
    """A spreadsheet would run it: checked after NFKC, so a full-width equals sign (U+FF1D) counts as "=" (as some do)."""
    return text.startswith(FORMULA_PREFIXES) or unicodedata.normalize("NFKC", text).startswith(FORMULA_PREFIXES)


class _Echo:
    """A file whose ``write`` hands back what it is given: ``csv.writer`` then returns each line it writes."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], header: Iterable[str]) -> Iterator[str]:
    """``header`` then ``rows`` as CSV lines, one at a time, each cell through ``safe_cell``.

    A generator: a ``StreamingHttpResponse`` sends a large export line by line without holding it in memory.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def logs_csv(logs: Iterable[DailyLog], *, edited: Mapping[int, datetime] | None = None, zone: tzinfo = UTC) -> str:
    """The logs as CSV text in the export format, then ``EDITED_COLUMN``: when the day was last changed after it
    was first saved (``edited``: log id -> time; shown in ``zone``, to the minute), empty if never."""
    edited = edited or {}

    def row(log: DailyLog) -> list[object]:
        when = edited.get(log.pk)
        return [
            *(getattr(log, column) for column in LOG_COLUMNS),
            when.astimezone(zone).isoformat(timespec="minutes") if when else "",
        ]

    return "".join(csv_lines((row(log) for log in logs), EXPORT_COLUMNS))


# Questionnaires (issue 13): one row per response, in a file of their own (never mixed with the logs, so the logs
# file stays the import format). Scores are worked out from the answers; "N/A" is a FAAM item not applicable.
QUESTIONNAIRE_COLUMNS: tuple[str, ...] = (
    "date",
    "questionnaire",
    "completed",
    "faam_adl_score",
    "faam_adl_answered",
    "faam_sports_score",
    "faam_sports_answered",
    "psfs_score",
    *(f"faam_item_{i}" for i in range(1, 30)),
    *(f"psfs_{part}_{n}" for n in range(1, 4) for part in ("activity", "rating")),
)
QUESTIONNAIRE_FILE = (
    "This is a questionnaire file: the import takes daily logs only. Questionnaires are answered by the patient "
    "in the tracker."
)


def questionnaires_csv(rows: Iterable[Mapping[str, object]]) -> str:
    """Questionnaire responses as CSV (``QUESTIONNAIRE_COLUMNS``); each row a mapping of those columns."""
    return "".join(csv_lines(([row.get(c, "") for c in QUESTIONNAIRE_COLUMNS] for row in rows), QUESTIONNAIRE_COLUMNS))


# ---------------------------------------------------------------------------------------------------------
# Reading (the diary import)
# ---------------------------------------------------------------------------------------------------------

_BOOL_TRUE = {"yes", "true", "1", "y"}
_BOOL_FALSE = {"no", "false", "0", "n"}
_BOOLEAN_COLUMNS = {name for name, _ in SYMPTOM_FIELDS} | {name for name, _ in RED_FLAG_FIELDS}
_NULL_BOOLEAN_COLUMNS = {"bruising"}
_INT_COLUMNS = {
    "first_step_pain",
    "average_pain",
    "pain_after_activity",
    "minutes_on_feet",
    "steps",
    "needling_soreness",
}
_LABELS = {
    "first_step_pain": "first-step pain",
    "average_pain": "average pain",
    "pain_after_activity": "pain after activity",
    "minutes_on_feet": "minutes on feet",
    "needling_soreness": "needling soreness",
}


def column_label(column: str) -> str:
    """A column (or DailyLog field) in the words of a refusal: "first-step pain", "activity level"."""
    return _LABELS.get(column, column.replace("_", " "))


@dataclass(frozen=True)
class CsvRow:
    """One row of a diary file: the DailyLog field values its cells hold, or why some could not be read."""

    line: int  # the file's line the row ends on (the header is line 1; a quoted note may span lines)
    values: dict[str, object]
    errors: tuple[str, ...] = ()


@dataclass
class LogsFile:
    """A diary file as read: its rows in order, and what made the file as a whole unreadable, if anything.

    When ``error`` is set, ``rows`` holds the rows read before the problem was found (none for a bad header).
    """

    rows: list[CsvRow] = field(default_factory=list)
    error: str = ""
    rows_read: int = 0


def _unneutralise(text: str) -> str:
    """Undo the export's formula neutralisation: "'=x" was written for "=x"."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def _cell_values(raw: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    """The DailyLog field values of one row's cells, and a reason for each cell that is not a valid value."""
    errors: list[str] = []
    values: dict[str, object] = {}
    for column in LOG_COLUMNS:
        if column not in raw:
            continue
        text = _unneutralise((raw.get(column) or "").strip())
        label = column_label(column)
        if "\x00" in text:
            # No database should store it (PostgreSQL refuses it outright); Django's form fields refuse it too.
            errors.append(f"{label} contains a NUL character")
            continue
        if column == "date":
            try:
                values["date"] = date.fromisoformat(text)
            except ValueError:
                errors.append(f"date {text!r} is not a date like 2026-03-01")
        elif column in _INT_COLUMNS:
            if text == "":
                values[column] = None
                continue
            try:
                values[column] = int(text)
            except ValueError:
                errors.append(f"{label} {text!r} is not a whole number")
        elif column in _BOOLEAN_COLUMNS or column in _NULL_BOOLEAN_COLUMNS:
            lowered = text.lower()
            if lowered in _BOOL_TRUE:
                values[column] = True
            elif lowered in _BOOL_FALSE:
                values[column] = False
            elif lowered == "":
                values[column] = None if column in _NULL_BOOLEAN_COLUMNS else False
            else:
                errors.append(f"{label} {text!r} is not yes or no")
        else:
            values[column] = text
    return values, errors


def read_logs_csv(data: bytes, *, required: Iterable[str], max_bytes: int, max_rows: int) -> LogsFile:
    """Read a diary file in the export format (``LOG_COLUMNS``, in any order, ``required`` ones present; the
    export's ``edited`` column is accepted and ignored).

    Pure: it reads cells into DailyLog field values and says what it cannot read (not UTF-8, not CSV, a bad
    header, over ``max_bytes`` or ``max_rows``, a cell that is not a date, number or yes/no). Whether the
    values make a valid log, and whether the day is already logged, is the importer's to check.
    """
    result = LogsFile()
    if len(data) > max_bytes:
        result.error = f"The file is larger than {max_bytes // 1024} KB."
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.error = "The file is not UTF-8 text: export it from a spreadsheet as CSV (UTF-8)."
        return result
    try:
        _read_rows(text, required=tuple(required), max_rows=max_rows, result=result)
    except csv.Error as exc:
        # A malformed file (e.g. a cell over the csv module's field limit) is bad input, not a crash.
        result.error = f"The file could not be read as CSV ({exc}). Export it again from the spreadsheet."
    return result


def _read_rows(text: str, *, required: tuple[str, ...], max_rows: int, result: LogsFile) -> None:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in LOG_COLUMNS and c not in IGNORED_COLUMNS]
    if "questionnaire" in header:
        result.error = QUESTIONNAIRE_FILE
        return
    if not header or missing:
        result.error = f"The first row must name the columns; missing: {', '.join(missing or required)}."
        return
    if unknown:
        result.error = f"Unknown columns: {', '.join(unknown[:5])}. Use the columns of the logs.csv export."
        return
    reader.fieldnames = header
    for raw in reader:
        result.rows_read += 1
        if result.rows_read > max_rows:
            result.error = f"The file has more than {max_rows} rows."
            return
        if None in raw:
            result.rows.append(CsvRow(line=reader.line_num, values={}, errors=("more cells than columns",)))
            continue
        values, errors = _cell_values(raw)
        result.rows.append(CsvRow(line=reader.line_num, values=values, errors=tuple(errors)))
    if result.rows_read == 0:
        result.error = "The file has no rows under the header."
