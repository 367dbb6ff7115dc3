"""One way to write a number on the pages, in the reports' sentences and in the drawn charts."""

import pytest

from tracker.progress.words import format_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.0, "2"),
        (0, "0"),
        (1.5, "1.5"),
        (6.75, "6.8"),
        (4.96, "5"),
        (3.04, "3"),
        (10, "10"),
        (123.45, "123.5"),
    ],
)
def test_it_writes_one_decimal_at_most_and_no_trailing_zero(value, text):
    assert format_number(value) == text
