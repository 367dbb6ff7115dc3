import csv
import io
from datetime import date

import pytest

from tracker.csv_format import LOG_COLUMNS, logs_csv, safe_cell
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


def test_it_writes_the_export_columns_in_order():
    log = DailyLog(
        date=date(2026, 11, 20),
        foot="left",
        recorded_on=date(2026, 11, 20),
        first_step_pain=6,
        average_pain=4,
        note="=cmd|' /C calc'!A0",
    )

    header, row = list(csv.reader(io.StringIO(logs_csv([log]))))

    assert header == list(LOG_COLUMNS)
    assert row[:4] == ["2026-11-20", "left", "6", "4"]
    assert row[-1] == "'=cmd|' /C calc'!A0"
