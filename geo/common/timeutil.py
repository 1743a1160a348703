"""Instants: always timezone-aware; input without an offset is Hanoi time (UTC+07:00).

An instant is accepted from 1900-01-01T00:00Z to 9999-12-31T23:59:59.999999 Hanoi time
(after its offset is applied), so that it can be held as UTC, written in Hanoi time and
compared with any other: ``0001-01-01T00:00+14:00`` or ``9999-12-31T23:59:59-14:00`` are
refused (422), never an overflow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from geo.common.errors import InvalidInput

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=HANOI)


def parse_instant(value: str | datetime | None, *, field: str = "at") -> datetime | None:
    """Parse ISO-8601 text or a datetime; a naive value is taken as Hanoi time.

    Returns an aware datetime, or None for None / empty text.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif not isinstance(value, str):
        raise InvalidInput(f"{field}: expected an ISO-8601 date-time text, got "
                           f"{_kind(value)}", field=field)
    else:
        text = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise InvalidInput(
                f"{field}: {value!r} is not an ISO-8601 date-time "
                "(e.g. 2026-01-05T08:00:00+07:00; no offset means Hanoi time)",
                field=field,
            ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HANOI)
    return _in_range(moment, field)


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
             dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _in_range(moment: datetime, field: str) -> datetime:
    """``moment`` if it lies in [EARLIEST, LATEST] once its offset is applied."""
    try:
        inside = EARLIEST <= moment.astimezone(UTC) <= LATEST
    except (OverflowError, ValueError):  # before year 1 or after 9999 in UTC
        inside = False
    if not inside:
        raise InvalidInput(f"{field}: {moment.isoformat()} is outside the accepted range "
                           f"({EARLIEST.isoformat()} to {LATEST.isoformat()})", field=field)
    return moment


def now() -> datetime:
    """The current instant, aware, in Hanoi time."""
    return datetime.now(HANOI)


def to_hanoi(moment: datetime) -> datetime:
    """The same instant expressed in Hanoi time."""
    return moment.astimezone(HANOI)


def stamp(moment: datetime | date | None) -> str | None:
    """The one way the API and the CLI print an instant: ISO 8601 in Hanoi time
    (``2026-11-30T17:05:07.123456+07:00``); a date as ``2026-11-30``; None as None. A naive
    datetime is taken as Hanoi time, as on input."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=HANOI)
        return to_hanoi(moment).isoformat()
    return moment.isoformat()


def json_default(value: object) -> object:
    """``default=`` for ``json.dumps``: instants through ``stamp``, anything else as text."""
    if isinstance(value, datetime | date):
        return stamp(value)
    return str(value)


def check_window(start: datetime, end: datetime, *, field: str = "valid_to") -> None:
    """Refuse a time window that ends before (or when) it starts."""
    if end <= start:
        raise InvalidInput(
            f"{field}: the window ends ({end.isoformat()}) before it starts "
            f"({start.isoformat()})",
            field=field,
        )
