"""Effective window of a decision after its extensions and revocation.

All windows are half-open ``[start, end)`` of aware instants. Rules:

* Extensions chain in signing order: each runs from the current end to its ``new_valid_to``,
  which must lie later than that end (otherwise the record is inconsistent: InvalidInput).
* Revoking the decision at ``t`` ends the window at ``t`` (an empty window if ``t`` is at or
  before the start); revoking an extension at ``t`` cuts the chain there, but never earlier
  than the start of that extension's period: the acts before it stand.
* A revocation taking effect after the natural end changes nothing.

``status_at`` classifies an instant against that window. The records of
``geo.decisions.model`` are imported for typing only, so the import runs one way:
timeline -> model (model no longer re-exports these names).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from geo.common.errors import InvalidInput
from geo.common.timeutil import parse_instant

if TYPE_CHECKING:
    from geo.decisions.model import Decision, Extension, Revocation


class Status(StrEnum):
    """State of a decision at an instant."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class ExtensionPeriod:
    """The period ``[start, end)`` one extension adds."""

    extension: Extension
    start: datetime
    end: datetime


def extension_periods(
    decision: Decision, extensions: Iterable[Extension] = ()
) -> tuple[ExtensionPeriod, ...]:
    """The chain of extension periods of ``decision``, in signing order."""
    ordered = sorted(extensions, key=lambda e: (e.signed_at, e.new_valid_to))
    numbers = [e.number for e in ordered]
    if len(set(numbers)) != len(numbers) or decision.number in numbers:
        raise InvalidInput("extensions: decision numbers must be distinct", field="extensions")
    periods: list[ExtensionPeriod] = []
    end = decision.valid_to
    for ext in ordered:
        if ext.extends != decision.number:
            raise InvalidInput(
                f"extends: extension {ext.number} extends {ext.extends}, not {decision.number}",
                field="extends",
            )
        if ext.new_valid_to <= end:
            raise InvalidInput(
                f"new_valid_to: extension {ext.number} ends at {ext.new_valid_to.isoformat()}, "
                f"not after the current end {end.isoformat()}",
                field="new_valid_to",
            )
        periods.append(ExtensionPeriod(ext, end, ext.new_valid_to))
        end = ext.new_valid_to
    return tuple(periods)


def effective_window(
    decision: Decision,
    extensions: Iterable[Extension] = (),
    revocation: Revocation | None = None,
) -> tuple[datetime, datetime]:
    """``(start, end)`` of the decision after extensions and revocation; start inclusive,
    end exclusive. An empty window (``end == start``) means it never took effect."""
    periods = extension_periods(decision, extensions)
    natural_end = periods[-1].end if periods else decision.valid_to
    if revocation is None:
        return decision.valid_from, natural_end
    if revocation.revokes == decision.number:
        floor = decision.valid_from
    else:
        starts = {p.extension.number: p.start for p in periods}
        if revocation.revokes not in starts:
            raise InvalidInput(
                f"revokes: {revocation.revokes} is neither decision {decision.number} "
                "nor one of its extensions",
                field="revokes",
            )
        floor = starts[revocation.revokes]
    end = min(natural_end, max(floor, revocation.effective_at))
    return decision.valid_from, end


def status_at(
    decision: Decision,
    at: datetime | str,
    extensions: Iterable[Extension] = (),
    revocation: Revocation | None = None,
) -> Status:
    """Status of ``decision`` at instant ``at`` (naive = Hanoi time) given its later acts.

    ACTIVE inside the effective window; REVOKED once a revocation that shortened the window has
    taken effect; PENDING before the start; EXPIRED after a natural end.
    """
    moment = parse_instant(at, field="at")
    if moment is None:
        raise InvalidInput("at: a date-time is required", field="at")
    exts = tuple(extensions)
    start, end = effective_window(decision, exts, revocation)
    if start <= moment < end:
        return Status.ACTIVE
    natural_end = effective_window(decision, exts)[1]
    if revocation is not None and end < natural_end and moment >= revocation.effective_at:
        return Status.REVOKED
    return Status.PENDING if moment < start else Status.EXPIRED
