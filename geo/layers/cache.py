"""The tile cache that stays true (per worker, in memory).

* An entry is keyed by layer, tile, and *view*: whether the caller is cleared (uncleared
  callers get footprints: never the same entry as cleared ones), the ``datetime`` asked
  (``None`` = now) and ``as_known_at``.
* An entry for *now* expires at the next validity boundary inside its tile (a decision
  starting or ending), so the tile is rebuilt at that instant with no edit in the database.
* An edit drops exactly the entries whose buffered tile box (``geo.layers.tiles``) meets
  the edit's old or new geometry (EPSG:3857): the cleared view is compared with the exact
  shapes, the uncleared view with what uncleared callers are shown (footprints of sensitive
  zones). Other tiles, other layers keep their entries.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import shapely

from geo.layers import tiles


@dataclass(frozen=True)
class TileKey:
    layer: str
    z: int
    x: int
    y: int
    cleared: bool
    at: str | None = None  # the datetime asked, as text; None = now
    known: str | None = None  # as_known_at, as text


@dataclass(frozen=True)
class Entry:
    data: bytes
    etag: str
    expires_at: datetime | None  # the next validity boundary inside the tile (now views)

    def fresh(self, moment: datetime) -> bool:
        return self.expires_at is None or moment < self.expires_at


@dataclass(frozen=True)
class Change:
    """One edit of a layer's source: the old or new shape (EPSG:3857) as cleared callers
    see it (``exact``) and as uncleared callers see it (``public``)."""

    layers: tuple[str, ...]
    exact: object  # shapely geometry or None
    public: object


def etag_of(key: TileKey, version: int, data: bytes) -> str:
    digest = hashlib.sha256(repr((key, version)).encode() + data).hexdigest()[:20]
    return f'"{digest}"'


class TileCache:
    """Thread-safe LRU of built tiles; ``invalidate`` drops exactly what an edit touches."""

    def __init__(self, max_entries: int = 20_000):
        self.max_entries = max_entries
        self._entries: OrderedDict[TileKey, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.cursor = 0  # the last change (store's change-log id) applied

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: TileKey, moment: datetime) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if not entry.fresh(moment):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: TileKey, entry: Entry, built_at: int | None = None) -> bool:
        """Store ``entry``, unless changes were applied since it was built (cursor
        ``built_at``): it may predate one of them, and its invalidation has passed."""
        with self._lock:
            if built_at is not None and built_at != self.cursor:
                return False
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return True

    def snapshot(self) -> list[TileKey]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def drop_layers(self, layer_ids: set[str]) -> list[TileKey]:
        """Drop every entry of these layers (a whole table was emptied)."""
        with self._lock:
            dropped = [k for k in self._entries if k.layer in layer_ids]
            for key in dropped:
                del self._entries[key]
        return dropped

    def invalidate(self, changes: Iterable[Change]) -> list[TileKey]:
        """Drop the entries whose buffered tile box meets a change's geometry for that
        entry's view; returns the keys dropped."""
        changes = list(changes)
        if not changes:
            return []
        with self._lock:
            keys = list(self._entries)
        dropped = [k for k in keys if _touched(k, changes)]
        with self._lock:
            for key in dropped:
                self._entries.pop(key, None)
        return dropped


def _touched(key: TileKey, changes: list[Change]) -> bool:
    box = None
    for change in changes:
        if key.layer not in change.layers:
            continue
        shape = change.exact if key.cleared else change.public
        if shape is None:
            continue
        if box is None:
            box = shapely.box(*tiles.buffered_bounds(key.z, key.x, key.y))
        if shapely.intersects(box, shape):
            return True
    return False
