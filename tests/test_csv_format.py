import csv
import io
import zoneinfo
from datetime import UTC, date, datetime
from typing import TypedDict

import pytest

from tracker.csv_format import LOG_COLUMNS, csv_lines, logs_csv, read_logs_csv, safe_cell
from tracker.models import DailyLog


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("plain note", "plain note"),
        (7, "7"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
    ],
)
def test_it_neutralises_formula_cells(value, expected):
    assert safe_cell(value) == expected


def a_log(**fields) -> DailyLog:
    """A log of 20 November 2026 with a note a spreadsheet would run as a formula."""
    day = date(2026, 11, 20)
    return DailyLog(
        date=day, foot="left", recorded_on=day, first_step_pain=6, average_pain=4, note="=cmd|' /C calc'!A0", **fields
    )


def test_it_writes_the_export_columns_in_order():
    header, row = list(csv.reader(io.StringIO(logs_csv([a_log()]))))

    assert header == [*LOG_COLUMNS, "edited"]
    assert row[:4] == ["2026-11-20", "left", "6", "4"]
    assert row[-2] == "'=cmd|' /C calc'!A0"
    assert row[-1] == ""  # never edited


def test_the_edited_column_says_when_the_day_was_last_changed_in_the_patients_zone():
    log = a_log(id=7)
    edited_at = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)

    header, row = list(
        csv.reader(io.StringIO(logs_csv([log], edited={7: edited_at}, zone=zoneinfo.ZoneInfo("America/New_York"))))
    )

    assert dict(zip(header, row, strict=True))["edited"] == "2026-11-21T12:30-05:00"


def test_the_import_accepts_the_export_with_its_edited_column_and_ignores_it():
    log = a_log(id=7)
    data = logs_csv([log], edited={7: datetime(2026, 11, 21, 17, 30, tzinfo=UTC)}).encode()

    parsed = read_logs_csv(data, required=("date", "foot"), max_bytes=4096, max_rows=3)

    assert parsed.error == ""
    [row] = parsed.rows
    assert row.errors == () and "edited" not in row.values


# ----------------------------------------------------------------------------------------------------------
# Reading a diary file (the import's parser: pure, no database)
# ----------------------------------------------------------------------------------------------------------


class Limits(TypedDict):
    required: tuple[str, ...]
    max_bytes: int
    max_rows: int


LIMITS: Limits = {"required": ("date", "foot", "first_step_pain", "average_pain"), "max_bytes": 4096, "max_rows": 3}


def test_it_reads_the_export_back_into_log_values():
    parsed = read_logs_csv(logs_csv([a_log(sym_morning_pain=True, bruising=None)]).encode(), **LIMITS)

    assert parsed.error == "" and parsed.rows_read == 1
    [row] = parsed.rows
    assert row.line == 2 and row.errors == ()
    assert row.values["date"] == date(2026, 11, 20) and row.values["first_step_pain"] == 6
    assert row.values["sym_morning_pain"] is True and row.values["bruising"] is None
    assert row.values["note"] == "=cmd|' /C calc'!A0"  # the export's neutralisation undone


def test_it_says_which_cells_it_cannot_read_row_by_row():
    data = b"date,foot,first_step_pain,average_pain,sym_morning_pain\n2026-13-01,left,five,4,maybe\n2026-03-01,left,5,4,no,x\n"

    parsed = read_logs_csv(data, **LIMITS)

    first, second = parsed.rows
    assert first.line == 2 and first.errors == (
        "date '2026-13-01' is not a date like 2026-03-01",
        "first-step pain 'five' is not a whole number",
        "sym morning pain 'maybe' is not yes or no",
    )
    assert second.errors == ("more cells than columns",)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"x" * 4097, "larger than 4 KB"),
        ("date,foot\n".encode("utf-16"), "not UTF-8"),
        (b"date,foot\n2026-03-01,left\n", "missing: first_step_pain, average_pain"),
        (b"date,foot,first_step_pain,average_pain,secret\n", "Unknown columns: secret"),
        (b"date,foot,first_step_pain,average_pain\n", "no rows under the header"),
        (b"date,foot,first_step_pain,average_pain\n" + b"2026-03-01,left,1,1\n" * 4, "more than 3 rows"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_as_a_whole(data, error):
    assert error in read_logs_csv(data, **LIMITS).error


def test_the_streaming_writer_yields_one_neutralised_line_at_a_time():
    lines = csv_lines([["=1+1", None, True], [7, "plain", "@x"]], header=["a", "b", "c"])

    assert next(lines) == "a,b,c\r\n"
    assert list(lines) == ["'=1+1,,yes\r\n", "7,plain,'@x\r\n"]
