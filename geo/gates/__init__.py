"""Border gates as a pure domain: working hours, status at an instant, crossing checks.

What lives here:

* ``model``     frozen, self-validating records: ``Gate`` (a row of the gate list),
  ``HoursVersion`` (daily working hours set by an instrument, from an instant),
  ``EmergencyOpening`` (a recorded act opening a gate outside its hours, RULES.md DEC-63),
  the request ``CrossingRequest`` and the text search key ``fold``;
* ``status``    open / restricted / closed at an instant, why, and ``next_change``, from the
  hours, the emergency openings and the gate's restriction decisions (bitemporal: callers
  pass what was known at ``as_known_at``);
* ``crossing``  which documents are accepted at a gate type on a border for a holder
  (RULES.md §5), who may use the gate type (GL-20..23) and which land-gate e-border
  procedure applies, by when to declare and within what the Border Guard confirms (§7).

The rules themselves are data of the catalogue (``geo/rules/crossings.yaml``, loaded by
``geo.rules.crossings``), cited and dated like the location rules. Instants are aware;
naive input is Hanoi time (UTC+07:00, ``geo.common.timeutil``).

May import: ``geo.common.errors``, ``geo.common.timeutil``, ``geo.common.zones``, ``geo.rules``,
``geo.decisions`` (decision files and their windows). Never ``geo.store``, ``api``, SQL or
web frameworks (import-linter contract in pyproject.toml).
"""

from geo.gates.crossing import check_crossing, vocabulary
from geo.gates.model import (
    CrossingRequest,
    Direction,
    EmergencyOpening,
    EmergencyReason,
    Gate,
    HoursVersion,
    fold,
)
from geo.gates.status import GateState, GateStatus, gate_status

__all__ = [
    "CrossingRequest",
    "Direction",
    "EmergencyOpening",
    "EmergencyReason",
    "Gate",
    "GateState",
    "GateStatus",
    "HoursVersion",
    "check_crossing",
    "fold",
    "gate_status",
    "vocabulary",
]
