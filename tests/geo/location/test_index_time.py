"""Instants in the index: naive datetimes are Hanoi time whatever the server's zone."""

import time
from datetime import UTC, datetime

import numpy as np
import pytest

from geo.common.timeutil import HANOI
from geo.location.index import FAR_PAST, as_utc64


@pytest.fixture()
def server_in_new_york(monkeypatch):
    """The process's local zone set to UTC-05:00/-04:00 (and put back afterwards)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_as_utc64__naive_is_hanoi_not_server_local(server_in_new_york):
    assert datetime(2026, 3, 1, 8, 0).astimezone().utcoffset().total_seconds() == -5 * 3600
    # 08:00 in Hanoi (UTC+07:00) is 01:00 UTC, written out by hand
    assert as_utc64(datetime(2026, 3, 1, 8, 0), FAR_PAST) == np.datetime64(
        "2026-03-01T01:00:00", "us")


def test_as_utc64__aware_instants_keep_their_offset(server_in_new_york):
    expected = np.datetime64("2026-03-01T01:00:00.000001", "us")
    assert as_utc64(datetime(2026, 3, 1, 8, 0, 0, 1, tzinfo=HANOI), FAR_PAST) == expected
    assert as_utc64(datetime(2026, 3, 1, 1, 0, 0, 1, tzinfo=UTC), FAR_PAST) == expected


def test_as_utc64__none_is_the_default():
    assert as_utc64(None, FAR_PAST) == FAR_PAST
