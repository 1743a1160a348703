"""Filters of the decision list: ``active_at``, ``as_known_at``, province, scope, status, bbox.

Semantics (issue 4, bitemporal):

* ``as_known_at=T2`` — only what had been recorded at T2 counts: decisions, extensions and
  revocations recorded later are ignored (transaction time).
* ``active_at=T`` — decisions in force at T: ``start <= T < end`` of the effective window
  after the (known) extensions and revocation (valid time).
* ``status`` — the status (pending, active, expired, revoked) at the *evaluation instant*:
  ``active_at`` if given, else ``as_known_at``, else now. ``active_at`` without ``status``
  means ``status=active``.
* ``province`` and ``scope`` match the decision's fields; ``bbox`` keeps decisions whose
  resolved area intersects it (evaluated by the store, in EPSG:4326).

Instants without an offset are Hanoi time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from geo.common.errors import InvalidInput, NotPermitted
from geo.common.timeutil import parse_instant
from geo.decisions.history import DecisionFile
from geo.decisions.timeline import Status
from geo.decisions.vocab import Scope

MAX_LIMIT = 5000


@dataclass(frozen=True)
class BBox:
    """A bounding box in EPSG:4326 degrees: ``west``/``east`` longitudes, ``south``/``north``
    latitudes."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        values = (self.west, self.south, self.east, self.north)
        if not all(math.isfinite(v) for v in values):
            raise InvalidInput("bbox: every value must be a finite number", field="bbox")
        if not (-180 <= self.west < self.east <= 180 and -90 <= self.south < self.north <= 90):
            raise InvalidInput(
                "bbox: expected west,south,east,north in degrees (lon, lat order) with "
                "west < east and south < north",
                field="bbox",
            )

    @classmethod
    def parse(cls, text: str | None) -> BBox | None:
        """``"west,south,east,north"`` (degrees, EPSG:4326) or None."""
        if text is None or not text.strip():
            return None
        parts = text.split(",")
        if len(parts) != 4:
            raise InvalidInput("bbox: four numbers west,south,east,north are required",
                               field="bbox")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise InvalidInput("bbox: four numbers west,south,east,north are required",
                               field="bbox") from None
        return cls(west, south, east, north)


def _enum_or_none(cls, value: str | None, name: str):
    if value is None or value == "":
        return None
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise InvalidInput(f"{name}: {value!r} is not one of {allowed}", field=name) from None


@dataclass(frozen=True)
class DecisionQuery:
    """A validated list query; see the module docstring for the meaning of each filter."""

    active_at: datetime | None = None
    as_known_at: datetime | None = None
    province_code: str | None = None
    scope: Scope | None = None
    status: Status | None = None
    bbox: BBox | None = None
    limit: int = 1000

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", field="limit")

    @classmethod
    def parse(
        cls,
        *,
        active_at: str | None = None,
        as_known_at: str | None = None,
        province: str | None = None,
        scope: str | None = None,
        status: str | None = None,
        bbox: str | None = None,
        limit: int = 1000,
    ) -> DecisionQuery:
        """Build from query-string values (ISO-8601 instants; no offset = Hanoi time)."""
        return cls(
            active_at=parse_instant(active_at, field="active_at"),
            as_known_at=parse_instant(as_known_at, field="as_known_at"),
            province_code=(province or "").strip() or None,
            scope=_enum_or_none(Scope, scope, "scope"),
            status=_enum_or_none(Status, status, "status"),
            bbox=BBox.parse(bbox),
            limit=limit,
        )

    def public(self, now: datetime) -> DecisionQuery:
        """What an uncleared caller (role app) may ask: the decisions in force at one instant
        (``active_at``, default ``now``), without history reconstruction."""
        if self.as_known_at is not None:
            raise NotPermitted("as_known_at: reconstructing past knowledge is for planners, "
                               "officers, approvers and admins", field="as_known_at")
        if self.status not in (None, Status.ACTIVE):
            raise NotPermitted("status: this role sees only decisions in force (status "
                               "active)", field="status")
        return replace(self, active_at=self.active_at or now, status=None)

    @property
    def wanted_status(self) -> Status | None:
        if self.status is None and self.active_at is not None:
            return Status.ACTIVE
        return self.status

    def instant(self, now: datetime) -> datetime:
        """The instant statuses are evaluated at: ``active_at``, ``as_known_at`` or ``now``."""
        return self.active_at or self.as_known_at or now

    def select(self, files: Iterable[DecisionFile], now: datetime) -> list[DecisionFile]:
        """Apply transaction time (``as_known_at``) then the status filter, in order given."""
        at = self.instant(now)
        wanted = self.wanted_status
        out = []
        for full in files:
            known = full.known_at(self.as_known_at)
            if known is None:
                continue
            if wanted is not None and known.status_at(at) is not wanted:
                continue
            out.append(known)
            if len(out) >= self.limit:
                break
        return out
