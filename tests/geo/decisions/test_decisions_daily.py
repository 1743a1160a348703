"""Day-by-day counts refuse a reversed or unbounded range (the counts themselves are checked
on recorded decisions by tests/test_notebooks.py)."""

from datetime import date

import pytest

from geo.common.errors import InvalidInput
from geo.decisions.daily import daily_counts


@pytest.mark.parametrize(("first", "last"), [(date(2026, 2, 1), date(2026, 1, 31)),
                                             (date(2000, 1, 1), date(2026, 1, 1))])
def test_daily_counts__bad_range_refused(first, last):
    with pytest.raises(InvalidInput, match="days"):
        daily_counts([], first, last)


def test_daily_counts__empty_days_are_listed():
    rows = daily_counts([], date(2026, 1, 30), date(2026, 2, 1))
    assert [r["day"] for r in rows] == [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1)]
    assert all(r["in_force"] == r["issued"] == 0 for r in rows)
