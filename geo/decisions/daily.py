"""A province's decisions day by day, for planners' timelines (Hanoi calendar days).

For each day: how many decisions were **issued** (signed that day), **extended** (an
extension signed that day), **revoked** (a revocation taking effect that day), and how many
were **in force** at some moment of the day (their effective window, after extensions and
revocation, ``[start, end)``, overlaps the day).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from geo.common.errors import InvalidInput
from geo.common.timeutil import HANOI, to_hanoi
from geo.decisions.history import DecisionFile

MAX_DAYS = 3_660
COLUMNS = ("issued", "extended", "revoked", "in_force")


def _day(moment: datetime) -> date:
    return to_hanoi(moment).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=HANOI)


def daily_counts(files: Iterable[DecisionFile], first: date,
                 last: date) -> list[dict[str, date | int]]:
    """One row per day from ``first`` to ``last`` (inclusive): ``day`` and ``COLUMNS``."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"days: from {first} to {last}, at most {MAX_DAYS} days",
                           field="days")
    acts: dict[str, Counter] = {name: Counter() for name in COLUMNS}
    windows = []
    for file in files:
        acts["issued"][_day(file.decision.signed_at)] += 1
        for ext in file.extensions:
            acts["extended"][_day(ext.extension.signed_at)] += 1
        for rec in file.revocations:
            acts["revoked"][_day(rec.revocation.effective_at)] += 1
        start, end = file.window
        if start < end:
            windows.append((start, end))
    rows = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        begin, finish = _midnight(day), _midnight(day + timedelta(days=1))
        in_force = sum(1 for start, end in windows if start < finish and end > begin)
        rows.append({"day": day, **{name: acts[name][day] for name in COLUMNS[:3]},
                     "in_force": in_force})
    return rows
