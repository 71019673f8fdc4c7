"""Unit tests for loaders/numfmt.py: spreadsheet values rendered as Excel shows them."""

from __future__ import annotations

import datetime as dt

import pytest

from jobstream.documents.loaders.numfmt import display_text

WHEN = dt.datetime(2026, 10, 13, 14, 5, 9)


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (None, "General", ""),
        ("text", "0.00", "text"),
        (True, "General", "TRUE"),
        (1234.5, "General", "1234.5"),
        (0.1 + 0.2, "General", "0.3"),
        (42, None, "42"),
        (1234.5, "#,##0.00", "1,234.50"),
        (1234.5, "0.00", "1234.50"),
        (1234.567, "#,##0.0#", "1,234.57"),
        (1234.5, "#,##0.0#", "1,234.5"),
        (0.125, "0.0%", "12.5%"),
        (0.21, "0%", "21%"),
        (-1234.5, "#,##0.00;(#,##0.00)", "(1,234.50)"),
        (-3, "0.00", "-3.00"),
        (0, '0.00;-0.00;"-"', "-"),
        (1234.5, "[$€-407] #,##0.00", "€ 1,234.50"),
        (1234.5, '#,##0.00 "€"', "1,234.50 €"),
        (1234.5, "_-* #,##0.00 €_-;-* #,##0.00 €_-", "1,234.50 €"),
        (-1234.5, "[Red]#,##0.00", "-1,234.50"),
        (12345678, "0.00E+00", "1.23E+07"),
        (WHEN, "yyyy-mm-dd h:mm:ss", "2026-10-13 14:05:09"),
        (WHEN, "dd.mm.yyyy", "13.10.2026"),
        (WHEN, "d mmmm yyyy", "13 October 2026"),
        (WHEN, "mmm d, yyyy", "Oct 13, 2026"),
        (WHEN, "h:mm AM/PM", "2:05 PM"),
        (WHEN, "dddd", "Tuesday"),
        (WHEN, "mm-dd-yy", "2026-10-13"),  # the locale's short date: ISO
        (WHEN, "m/d/yy h:mm", "2026-10-13 14:05"),
        (dt.date(2026, 10, 13), "yyyy-mm-dd", "2026-10-13"),
        (dt.time(9, 30), "hh:mm", "09:30"),
    ],
)
def test_values_read_as_excel_shows_them(
    value: object, number_format: str | None, shown: str
) -> None:
    assert display_text(value, number_format) == shown
