"""How numbers read on the pages, in the reports' sentences and in the drawn charts."""

from __future__ import annotations


def format_number(value: float) -> str:
    """``value`` to one decimal, without a trailing zero: 2.0 is "2", 1.25 is "1.2", 6.75 is "6.8"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
