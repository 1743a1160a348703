"""Rows of a batch refused one by one: each bad row gets its own error, the others their
answers (issue 9, item 4).

A ``RowError`` names the row (``line`` of a CSV file, header included, or ``feature`` index
of a FeatureCollection, from 0), its ``id`` when it could be read, the ``field`` and the
message. ``Refusals`` collects them while the columns are parsed: the first problem of a row
is the one reported. A batch with no good row left, or with more than ``MAX_ROW_ERRORS``
bad rows (a file in the wrong format, not a few slips), is refused whole (422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from geo.common.errors import InvalidInput

#: More bad rows than this and the batch is refused whole: the input is in the wrong shape.
MAX_ROW_ERRORS = 1_000


@dataclass(frozen=True)
class RowError:
    """One refused row: ``position`` in the input's data rows (from 0), the place as
    ``line`` (CSV) or ``feature`` (GeoJSON), ``id`` as given (None when unread)."""

    position: int
    place: str
    field: str
    message: str
    id: object = None

    @property
    def located(self) -> dict:
        kind, _, number = self.place.partition(" ")
        if kind == "line":
            return {"line": int(number)}
        return {"feature": int(self.place.removeprefix("features[").rstrip("]"))}

    def as_dict(self) -> dict:
        return {"id": self.id, **self.located, "error": {"field": self.field,
                                                         "message": self.message}}


class Refusals:
    """Row errors of one batch of ``size`` rows, by position; ``where(i)`` names row ``i``."""

    def __init__(self, size: int, where: Callable[[int], str]):
        self.size, self.where = size, where
        self.errors: dict[int, RowError] = {}

    @property
    def mask(self) -> np.ndarray:
        """True for each refused row."""
        out = np.zeros(self.size, dtype=bool)
        out[list(self.errors)] = True
        return out

    def add(self, i: int, field: str, message: str) -> None:
        """Refuse row ``i`` (its first problem only); too many rows refuse the batch."""
        if i in self.errors:
            return
        place = self.where(i)
        self.errors[i] = RowError(i, place, field, message if message.startswith(place)
                                  else f"{place}: {message}")
        if len(self.errors) > MAX_ROW_ERRORS:
            raise self.whole(f"more than {MAX_ROW_ERRORS:,} rows are bad, so the input is "
                             "not in the expected shape")

    def add_error(self, i: int, exc: InvalidInput) -> None:
        self.add(i, exc.field or "body", exc.message)

    def whole(self, why: str) -> InvalidInput:
        """The batch refused whole, naming the first bad row."""
        first = self.errors[min(self.errors)]
        return InvalidInput(f"{first.message} ({why}; {len(self.errors):,} row(s) refused)",
                            field=first.field,
                            detail={**first.located, "refused": len(self.errors)})

    def finish(self, ids: np.ndarray) -> tuple[np.ndarray, tuple[RowError, ...]]:
        """The mask of rows kept and the errors in input order, with their ids."""
        keep = ~self.mask
        if self.size and not keep.any():
            raise self.whole("no row is good")
        errors = tuple(RowError(e.position, e.place, e.field, e.message,
                                _plain(ids[e.position]))
                       for _, e in sorted(self.errors.items()))
        return keep, errors


def _plain(value: object) -> object:
    if value is None or isinstance(value, str | int | float):
        return value if value != "" else None
    return str(value)
