"""What a caller may ask of a collection, parsed into a neutral ``ItemQuery``.

* ``bbox`` — (west, south, east, north) in ``bbox-crs`` (default CRS84), kept as a lon/lat
  EPSG:4326 envelope;
* ``datetime`` — an instant or an interval ``a/b`` (``..`` or empty for an open end),
  RFC 3339; no offset means Hanoi time. A feature in force on ``[valid_from, valid_to)``
  matches when its interval *intersects* the query's (closed) interval;
* ``as_known_at`` — only what had been recorded by then (bitemporal layers);
* ``limit`` (1..10,000, default 100) / ``offset``; ``sortby`` (``+a,-b``); ``properties``;
* ``crs`` — output CRS (CRS84, EPSG:4326, EPSG:3857 or a VN-2000 code);
* ``zoom`` (vendor parameter, 0..22) — geometry for drawing at that Web Mercator zoom: the
  prepared band of ``geo.layers.tiles`` (simplified to half a display pixel, valid), as the
  tiles use; without it the exact stored geometry. For maps only, never for measuring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from geo.common.errors import InvalidInput
from geo.common.timeutil import HANOI, parse_instant
from geo.layers.collections import Collection

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Interval:
    """A closed query interval; ``None`` ends are open. An instant has start == end."""

    start: datetime | None
    end: datetime | None

    @property
    def start_day(self) -> date | None:
        return None if self.start is None else self.start.astimezone(HANOI).date()

    @property
    def end_day(self) -> date | None:
        return None if self.end is None else self.end.astimezone(HANOI).date()

    def text(self) -> str:
        if self.start is not None and self.start == self.end:
            return self.start.isoformat()
        return "/".join(".." if t is None else t.isoformat() for t in (self.start, self.end))


def parse_datetime(value: str | None, *, field: str = "datetime") -> Interval | None:
    """``datetime`` per OGC API – Features: instant, ``a/b``, ``../b``, ``a/..``."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if len(text) > 80:
        raise InvalidInput(f"{field}: too long", field=field)
    if "/" not in text:
        moment = _instant(text, field)
        return Interval(moment, moment)
    parts = text.split("/")
    if len(parts) != 2:
        raise InvalidInput(f"{field}: an interval is start/end (use '..' for an open end), "
                           f"not {value!r}", field=field)
    start, end = (None if p in ("", "..") else _instant(p, field) for p in parts)
    if start is None and end is None:
        raise InvalidInput(f"{field}: '../..' is not an interval; give at least one end",
                           field=field)
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{field}: the interval ends before it starts", field=field)
    return Interval(start, end)


def _instant(text: str, field: str) -> datetime:
    if len(text) == 10 and text[4] == "-":  # a date: the Hanoi day's first instant
        text += "T00:00:00"
    moment = parse_instant(text, field=field)
    assert moment is not None
    return moment


def parse_bbox(value: str | None, *, field: str = "bbox") -> tuple[float, ...] | None:
    """Four (or six, with heights: ignored) numbers: minx, miny, maxx, maxy in bbox-crs."""
    if value is None or value.strip() == "":
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise InvalidInput(f"{field}: four comma-separated numbers, not {value!r}",
                           field=field) from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise InvalidInput(f"{field}: four finite numbers (minx,miny,maxx,maxy)", field=field)
    if numbers[2] < numbers[0] or numbers[3] < numbers[1]:
        raise InvalidInput(f"{field}: max must not be below min", field=field)
    return tuple(numbers)


def parse_sortby(value: str | None, coll: Collection) -> tuple[tuple[str, bool], ...]:
    """``+name,-valid_from`` -> ((name, ascending), ...); names must be properties."""
    if not value:
        return ()
    out = []
    for raw in value.split(","):
        item = raw.strip()
        ascending = not item.startswith("-")
        name = item.lstrip("+-").strip()
        if coll.prop(name) is None:
            raise InvalidInput(f"sortby: {name!r} is not a property of {coll.id}; one of "
                               f"{', '.join(p.name for p in coll.props)}", field="sortby")
        out.append((name, ascending))
    return tuple(out)


def parse_properties(value: str | None, coll: Collection) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if coll.prop(n) is None]
    if unknown:
        raise InvalidInput(f"properties: {unknown} are not properties of {coll.id}",
                           field="properties")
    return names


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: 1..{MAX_LIMIT}, not {limit}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset: 0..{MAX_OFFSET}, not {offset}", field="offset")


def parse_filters(args: dict[str, str], coll: Collection) -> tuple[tuple[str, Any], ...]:
    """Property filters ``?name=value`` (equality; only declared properties)."""
    return tuple((name, value) for name, value in sorted(args.items())
                 if coll.prop(name) is not None)


@dataclass(frozen=True)
class ItemQuery:
    """One neutral query of a collection (what the store turns into SQL)."""

    bbox: tuple[float, float, float, float] | None = None  # lon/lat EPSG:4326
    interval: Interval | None = None
    as_known_at: datetime | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sortby: tuple[tuple[str, bool], ...] = ()
    properties: tuple[str, ...] | None = None
    filters: tuple[tuple[str, Any], ...] = ()
    cql: Any = None  # a checked pygeofilter AST (geo.layers.cql)
    cleared: bool = False
    extra: dict = field(default_factory=dict)
    zoom: int | None = None  # draw at this zoom (simplified band); None = exact
