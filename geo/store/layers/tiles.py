"""Vector tiles served from a per-worker cache that stays true (``geo.layers.cache``).

The worker reads the change log (``layer_change``, migration 0009) past its cursor — one
indexed query that usually returns nothing — and drops exactly the cached tiles the logged
old and new shapes touch, whenever the last read is more than ``sync_every_s`` old: a
cache hit needs no database round trip, a miss one statement (``geo.store.layers.mvt``),
and an edit reaches the cached tiles within ``sync_every_s``. Built tiles always show the
data as it is when they are built. Tiles for
*now* carry the next validity boundary inside them and are rebuilt once it passes.

``cached`` is the hit path (a dict lookup: the async route calls it on the event loop);
``tile`` may touch the database and runs in a worker thread.
"""

from __future__ import annotations

import threading
import time
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
from geo.store.layers import mvt


@dataclass(frozen=True)
class TileAnswer:
    entry: tc.Entry
    hit: bool


#: Default bound on how long an edit may take to reach a worker's cached tiles, seconds.
SYNC_EVERY_S = 0.25


def _key(coll: Collection, z: int, x: int, y: int, cleared: bool, interval: Interval | None,
         known_at: datetime | None) -> tc.TileKey:
    return tc.TileKey(coll.id, z, x, y, cleared,
                      None if interval is None else interval.text(),
                      None if known_at is None else known_at.isoformat())


class TileService:
    def __init__(self, engine: Engine, *, max_entries: int = 20_000,
                 sync_every_s: float = SYNC_EVERY_S):
        self.engine = engine
        self.cache = tc.TileCache(max_entries)
        self.sync_every_s = sync_every_s
        self._sync_lock = threading.Lock()
        self._started = False
        self._synced_at = float("-inf")  # time.monotonic() of the last change-log read

    def cached(self, coll: Collection, z: int, x: int, y: int, *, cleared: bool,
               interval: Interval | None, known_at: datetime | None, moment: datetime
               ) -> TileAnswer | None:
        """The cached tile, without touching the database; None when it must be built or
        the change log is due to be read (then call ``tile``, in a thread)."""
        if self._due():
            return None
        entry = self.cache.get(_key(coll, z, x, y, cleared, interval, known_at), moment)
        return None if entry is None else TileAnswer(entry, True)

    def sync(self) -> int:
        """Apply the change log to the cache; returns how many entries were dropped."""
        with translated(), self._connect() as conn:
            return self._sync(conn)

    def _connect(self):
        """A pooled connection in autocommit: reads only, so no BEGIN and no ROLLBACK
        round trips around the one statement."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _due(self) -> bool:
        return time.monotonic() - self._synced_at > self.sync_every_s

    def _sync(self, conn) -> int:
        with self._sync_lock:
            began = time.monotonic()
            if not self._started:
                self.cache.cursor, self._started = layers.last_change(conn), True
                self._synced_at = began
                return 0
            dropped = 0
            while True:
                rows = layers.changes_since(conn, self.cache.cursor)
                if not rows:
                    self._synced_at = began  # what was committed before ``began`` is applied
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
        """The tile for this view; ``moment`` is now (for views without ``datetime``).
        Reads the change log when due, then answers from the cache or builds the tile (one
        connection, one statement). A tile is built from the data as it is now, whatever
        the cursor; it is stored only if no change was applied meanwhile."""
        key = _key(coll, z, x, y, cleared, interval, known_at)
        query = ItemQuery(interval=interval or Interval(moment, moment), as_known_at=known_at,
                          cleared=cleared)
        with translated(), self._connect() as conn:
            if self._due():
                self._sync(conn)
            entry = self.cache.get(key, moment)
            if entry is not None:
                return TileAnswer(entry, True)
            version = self.cache.cursor
            data, boundary = mvt.tile(conn, coll, query, z, x, y,
                                      boundary_after=None if interval is not None else moment)
        entry = tc.Entry(data, tc.etag_of(key, version, data), boundary)
        self.cache.put(key, entry, built_at=version)
        return TileAnswer(entry, False)


def _shape(wkb):
    return None if wkb is None else shapely.from_wkb(bytes(wkb))
