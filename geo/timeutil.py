"""Instants: always timezone-aware; input without an offset is Hanoi time (UTC+07:00)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from geo.errors import InvalidInput

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_instant(value: str | datetime | None, *, field: str = "at") -> datetime | None:
    """Parse ISO-8601 text or a datetime; a naive value is taken as Hanoi time.

    Returns an aware datetime, or None for None / empty text.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
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
    return moment


def now() -> datetime:
    """The current instant, aware, in Hanoi time."""
    return datetime.now(HANOI)


def to_hanoi(moment: datetime) -> datetime:
    """The same instant expressed in Hanoi time."""
    return moment.astimezone(HANOI)


def check_window(start: datetime, end: datetime, *, field: str = "valid_to") -> None:
    """Refuse a time window that ends before (or when) it starts."""
    if end <= start:
        raise InvalidInput(
            f"{field}: the window ends ({end.isoformat()}) before it starts "
            f"({start.isoformat()})",
            field=field,
        )
