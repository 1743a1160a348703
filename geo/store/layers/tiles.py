"""Vector tiles served from a per-worker cache that stays true (``geo.layers.cache``).

Before answering, the worker reads the change log (``layer_change``, migration 0008) past
its cursor — one indexed query that usually returns nothing — and drops exactly the
cached tiles the logged old and new shapes touch. Tiles for *now* carry the next validity
boundary inside them and are rebuilt once it passes. DB work runs in the caller's thread
(the routes are sync, so FastAPI's thread pool).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import shapely
from sqlalchemy.engine import Engine

from geo.layers import cache as tc
from geo.layers import collections as registry
from geo.layers.collections import Collection
from geo.layers.params import Interval, ItemQuery
from geo.store.db import translated
from geo.store.layers import features as layers


@dataclass(frozen=True)
class TileAnswer:
    entry: tc.Entry
    hit: bool


class TileService:
    def __init__(self, engine: Engine, *, max_entries: int = 20_000):
        self.engine = engine
        self.cache = tc.TileCache(max_entries)
        self._sync_lock = threading.Lock()
        self._started = False

    def sync(self) -> int:
        """Apply the change log to the cache; returns how many entries were dropped."""
        with self._sync_lock, translated(), self.engine.connect() as conn:
            if not self._started:
                self.cache.cursor, self._started = layers.last_change(conn), True
                return 0
            dropped = 0
            while True:
                rows = layers.changes_since(conn, self.cache.cursor)
                if not rows:
                    return dropped
                # the cursor moves first: a tile built before it is then not stored (put)
                # unless it was stored before, and so is dropped here
                self.cache.cursor = rows[-1].id
                dropped += self._apply(rows)

    def _apply(self, rows) -> int:
        changes, whole = [], set()
        for row in rows:
            ids = registry.layers_of(row.source)
            if row.whole:
                whole.update(ids)
                continue
            changes.append(tc.Change(ids, _shape(row.exact), _shape(row.public)))
        dropped = len(self.cache.invalidate(changes))
        if whole:
            dropped += len(self.cache.drop_layers(whole))
        return dropped

    def tile(self, coll: Collection, z: int, x: int, y: int, *, cleared: bool,
             interval: Interval | None, known_at: datetime | None, moment: datetime
             ) -> TileAnswer:
        """The tile for this view; ``moment`` is now (for views without ``datetime``)."""
        self.sync()
        key = tc.TileKey(coll.id, z, x, y, cleared,
                         None if interval is None else interval.text(),
                         None if known_at is None else known_at.isoformat())
        entry = self.cache.get(key, moment)
        if entry is not None:
            return TileAnswer(entry, True)
        query = ItemQuery(interval=interval or Interval(moment, moment), as_known_at=known_at,
                          cleared=cleared)
        with translated(), self.engine.connect() as conn:
            version = self.cache.cursor
            data = layers.tile(conn, coll, query, z, x, y)
            boundary = None if interval is not None else layers.next_boundary(
                conn, coll, query, z, x, y, moment)
        entry = tc.Entry(data, tc.etag_of(key, version, data), boundary)
        self.cache.put(key, entry, built_at=version)
        return TileAnswer(entry, False)


def _shape(wkb):
    return None if wkb is None else shapely.from_wkb(bytes(wkb))
