from datetime import date, timedelta

import pytest

from journal.schedule import schedule

TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("instrument", "days_ago", "due"),
    [
        ("phq9", None, True),
        ("phq9", 0, False),
        ("phq9", 13, False),
        ("phq9", 14, True),
        ("phq9", 40, True),
        ("fiqr", None, True),
        ("fiqr", 29, False),
        ("fiqr", 30, True),
    ],
)
def test_it_says_what_is_due(instrument, days_ago, due):
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    items = {item.instrument: item for item in schedule({instrument: last}, TODAY)}
    assert items[instrument].is_due(TODAY) is due
    assert set(items) == {"phq9", "fiqr"}  # ACR 2016 is on demand, never due
