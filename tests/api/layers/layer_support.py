"""Helpers for the map-layer tests: committed decisions at a window of their own.

Decisions are legal records that stay in the shared test database, so each test run puts
its decisions on a day of their own (from a random offset) and filters by their numbers.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from geo.common.timeutil import HANOI
from tests.api.decisions.decision_support import auth, decision_body

H = timedelta(hours=1)


def a_day() -> datetime:
    """08:00 Hanoi on a day between Oct 2025 and Aug 2026, a random day."""
    day = datetime(2025, 10, 1, 8, 0, tzinfo=HANOI)
    return day + timedelta(days=random.randrange(300))


def issue(client, start: datetime, hours: float) -> dict:
    """A committed decision (Lũng Cú belt) valid [start, start + hours): the body sent."""
    body = decision_body(start=start, hours=hours)
    r = client.post("/v1/decisions", json=body, headers=auth(client))
    assert r.status_code == 201, r.text
    return body
