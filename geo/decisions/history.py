"""What was recorded about a decision, and when: the bitemporal view (RULES.md §4, issue 4).

Two times run through every decision:

* **valid time** — when the restriction is in force: the half-open effective window
  ``[start, end)`` of ``geo.decisions.timeline.effective_window`` after its extensions and
  revocation;
* **transaction time** — when the system learnt of each act: the ``recorded_at`` stamp of the
  decision, of each extension and of the revocation (append-only records, never edited).

``DecisionFile.known_at(t2)`` drops every act recorded after ``t2``; the window and status of
what remains are what a planner would have seen at ``t2``. So "which decisions were in force
at T, as the system knew at T2" is ``f.known_at(T2)`` then ``f.active_at(T)``.

Pure domain: the records come from ``geo.store.decisions.repository``; no SQL here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from geo.common.errors import Conflict, InvalidInput
from geo.common.timeutil import to_hanoi
from geo.decisions.model import Decision, Extension, Revocation
from geo.decisions.timeline import (
    ExtensionPeriod,
    Status,
    effective_window,
    extension_periods,
    status_at,
)

#: Clock difference tolerated between the signing office and the server.
SIGNING_CLOCK_SKEW = timedelta(minutes=5)


class EventKind(StrEnum):
    """What an entry of the append-only event log records."""

    ISSUED = "issued"
    EXTENDED = "extended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Event:
    """One entry of the decision's event log: who recorded what, when (transaction time)."""

    kind: EventKind
    act_number: str
    recorded_at: datetime
    recorded_by: str
    payload: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RecordedExtension:
    """An extension with its transaction time and the rule it was checked against."""

    extension: Extension
    recorded_at: datetime
    recorded_by: str
    rule_id: str = ""
    citation: str = ""


@dataclass(frozen=True)
class RecordedRevocation:
    revocation: Revocation
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class ResolvedArea:
    """The decision's area as resolved when it was recorded.

    ``geojson`` is a GeoJSON MultiPolygon in EPSG:4326 (lon, lat); ``area_m2`` is geodesic
    (square metres on the WGS 84 ellipsoid); ``text`` is the area as the forms write it.
    ``geojson``/``area_m2`` are the area in force: what the decision wrote, clipped to its
    scope within its province (``written_m2``: the area as written; None on records made
    before migration 0011, whose area was stored as written).
    """

    geojson: Mapping[str, Any] = field(hash=False)
    text: str
    area_m2: float
    warnings: tuple[str, ...] = ()
    written_m2: float | None = None  # the area as written, before clipping to the scope


def _decisive(decision: Decision, extensions: tuple[Extension, ...],
              revocations: tuple[RecordedRevocation, ...]) -> RecordedRevocation | None:
    """The revocation that ends the window earliest (of equals, the first recorded)."""
    best: RecordedRevocation | None = None
    best_end = None
    for rec in sorted(revocations, key=lambda r: r.recorded_at):
        end = effective_window(decision, extensions, rec.revocation)[1]
        if best_end is None or end < best_end:
            best, best_end = rec, end
    return best


@dataclass(frozen=True)
class DecisionFile:
    """A decision and every act recorded about it (extensions, revocations, events).

    ``revocations`` are every revocation recorded, one per revoked act (the decision, an
    extension); ``revocation`` is the one that ends the window earliest (None: none). Build
    with either: given only ``revocation``, it is the one revocation.
    """

    decision: Decision
    area: ResolvedArea
    recorded_at: datetime
    recorded_by: str
    rule_id: str = ""
    citation: str = ""
    warnings: tuple[str, ...] = ()  # of the authority check and area resolution, as recorded
    extensions: tuple[RecordedExtension, ...] = ()
    revocation: RecordedRevocation | None = None
    events: tuple[Event, ...] = ()
    revocations: tuple[RecordedRevocation, ...] = ()

    def __post_init__(self) -> None:
        if not self.revocations and self.revocation is not None:
            object.__setattr__(self, "revocations", (self.revocation,))
        elif self.revocations:
            object.__setattr__(self, "revocation", _decisive(
                self.decision, self.extension_records, self.revocations))

    def revocation_of(self, act_number: str) -> RecordedRevocation | None:
        """The recorded revocation of act ``act_number`` (the decision or an extension)."""
        return next((r for r in self.revocations if r.revocation.revokes == act_number), None)

    # -- transaction time ---------------------------------------------------------------
    def known_at(self, moment: datetime | None) -> DecisionFile | None:
        """The file as recorded at ``moment`` (None: as now); None if not yet recorded."""
        if moment is None:
            return self
        if self.recorded_at > moment:
            return None
        revocations = tuple(r for r in self.revocations if r.recorded_at <= moment)
        return replace(
            self,
            extensions=tuple(e for e in self.extensions if e.recorded_at <= moment),
            revocation=None, revocations=revocations,
            events=tuple(e for e in self.events if e.recorded_at <= moment),
        )

    # -- valid time ---------------------------------------------------------------------
    @property
    def extension_records(self) -> tuple[Extension, ...]:
        return tuple(e.extension for e in self.extensions)

    @property
    def revocation_record(self) -> Revocation | None:
        return None if self.revocation is None else self.revocation.revocation

    @property
    def periods(self) -> tuple[ExtensionPeriod, ...]:
        return extension_periods(self.decision, self.extension_records)

    @property
    def window(self) -> tuple[datetime, datetime]:
        """``(start, end)``: start inclusive, end exclusive; empty if it never took effect."""
        return effective_window(self.decision, self.extension_records, self.revocation_record)

    def status_at(self, moment: datetime) -> Status:
        return status_at(self.decision, moment, self.extension_records, self.revocation_record)

    def active_at(self, moment: datetime) -> bool:
        start, end = self.window
        return start <= moment < end

    @property
    def act_numbers(self) -> frozenset[str]:
        """Numbers of the decision and its extensions (what a revocation may revoke)."""
        return frozenset({self.decision.number, *(e.extension.number for e in self.extensions)})


# --------------------------------------------------------------------------- recording rules
def _t(moment: datetime) -> str:
    return to_hanoi(moment).isoformat()


def check_recordable(signed_at: datetime, now: datetime) -> None:
    """An act is recorded after it is signed: refuse a signing time in the future."""
    if signed_at > now + SIGNING_CLOCK_SKEW:
        raise InvalidInput(
            f"signed_at: {_t(signed_at)} is in the future; an act is recorded after "
            "it is signed", field="signed_at")


def check_extension_fits(file: DecisionFile, ext: Extension) -> None:
    """An extension continues the recorded chain: refuse one that a concurrent or earlier act
    already overtook (``Conflict``), so the stored chain always stays consistent."""
    if file.revocation is not None:
        rev = file.revocation
        target = rev.revocation.revokes
        what = (file.decision.number if target == file.decision.number
                else f"extension {target} of {file.decision.number}")
        raise Conflict(f"{what} was revoked by {rev.revocation.number} "
                       f"(recorded {_t(rev.recorded_at)} by {rev.recorded_by}); "
                       "a decision whose window a revocation cut is not extended",
                       field="number")
    if not file.extensions:
        return
    last = max(file.extensions, key=lambda e: e.extension.signed_at)
    natural_end = file.periods[-1].end
    if ext.new_valid_to <= natural_end or ext.signed_at < last.extension.signed_at:
        raise Conflict(
            f"{file.decision.number} was already extended to {_t(natural_end)} by "
            f"{last.extension.number} (recorded {_t(last.recorded_at)} by "
            f"{last.recorded_by}); reload the decision before extending it again",
            field="new_valid_to")
    extension_periods(file.decision, (*file.extension_records, ext))


def revocation_warnings(file: DecisionFile, rev: Revocation) -> tuple[str, ...]:
    """Points a reviewer should look at; the revocation itself is recorded."""
    if rev.revokes not in file.act_numbers:
        raise InvalidInput(f"revokes: {rev.revokes} is neither {file.decision.number} nor one "
                           "of its extensions", field="revokes")
    done = file.revocation_of(rev.revokes)
    if done is not None:
        what = ("decision" if rev.revokes == file.decision.number
                else f"extension of {file.decision.number},")
        raise Conflict(f"{what} {rev.revokes} was already revoked by "
                       f"{done.revocation.number} (recorded {_t(done.recorded_at)} by "
                       f"{done.recorded_by})", field="revokes")
    acts = {file.decision.number: file.decision.issuer,
            **{e.extension.number: e.extension.issuer for e in file.extensions}}
    warnings = []
    if acts[rev.revokes].role is not rev.issuer.role:
        warnings.append(
            f"{rev.revokes} was issued by a {acts[rev.revokes].role.value}; this revocation "
            f"is signed by a {rev.issuer.role.value} (Law 66/2020/QH14 Art 11(6): the "
            "competent person terminates early)")
    if rev.effective_at < rev.signed:
        warnings.append("effective_at is before signed_at: revocations take effect on "
                        "signing (Forms 21, 22 Art 3)")
    _, end = effective_window(file.decision, file.extension_records, rev)
    if end >= file.window[1]:
        warnings.append(f"the revocation takes effect at or after the decision's current end "
                        f"({_t(file.window[1])}): it changes nothing")
    return tuple(warnings)
