"""A worker's live zone index: built once, rebuilt when the data changes, never per request.

A background thread LISTENs on ``borderzone_zones`` (raised by triggers on every zone table)
and also probes the data version every ``poll_s`` seconds as a safety net. When the
database is unreachable the holder reports itself unavailable, so callers answer 503
instead of serving answers that may miss a new decision; it recovers on its own.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
import shapely
from sqlalchemy.engine import Engine, make_url

from geo.batch import check as batch
from geo.common.errors import StoreUnavailable
from geo.location import routes
from geo.location.footprint import DEFAULT_SPEC, FootprintSpec
from geo.location.index import FAR_PAST, ZoneIndex
from geo.store.zones import snapshot

log = logging.getLogger("borderzone.index")
CHANNEL = "borderzone_zones"


def _libpq_dsn(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def warm(index: ZoneIndex) -> None:
    """Prepare, before the index is swapped in, what requests would otherwise build on
    first use: route tiles, the batch grid for now, the single-point cell tables."""
    routes.prepare(index)
    batch.epoch(index)
    for name in ("territory", "neighbours", "provinces", "communes_exact",
                 "communes_simplified", "land_border", "belt", "zones", "zones_public",
                 "checkpoint_areas", "decisions", "sea"):
        layer = getattr(index, name)
        if len(layer):
            layer.hits_one(shapely.Point(0.0, 0.0), FAR_PAST)


class LiveIndex:
    """Holds the current ``ZoneIndex``; thread-safe swaps, no database work per check."""

    def __init__(self, engine: Engine, *, poll_s: float = 5.0,
                 footprint: FootprintSpec = DEFAULT_SPEC):
        self.engine = engine
        self.poll_s = poll_s
        self.footprint = footprint
        self._index: ZoneIndex | None = None
        self._healthy = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        #: set once the current index's lazy structures are built (see ``warm``)
        self.prepared = threading.Event()

    # -- reading ----------------------------------------------------------------------
    def get(self) -> ZoneIndex:
        """The current index, or StoreUnavailable while the database is unreachable."""
        index = self._index
        if index is None or not self._healthy:
            raise StoreUnavailable("the database is unavailable; location answers are "
                                   "suspended until it is back (retry shortly)")
        return index

    @property
    def version(self) -> int | None:
        return None if self._index is None else self._index.version

    @property
    def healthy(self) -> bool:
        return self._healthy and self._index is not None

    # -- refreshing -------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> bool:
        """Rebuild if the data version moved (or ``force``). True when a rebuild happened."""
        version = snapshot.current_version(self.engine)
        if not force and self._index is not None and self._index.version == version:
            self._healthy = True
            return False
        index = snapshot.build_index(self.engine, self.footprint)
        with self._lock:
            self._index = index
            self._healthy = True
        # serve at once; prepare the lazy structures beside it (a request that needs one
        # first builds it itself: duplicated work at worst, never a wrong answer)
        self.prepared.clear()
        threading.Thread(target=self._warm, args=(index,), name="zone-index-warm",
                         daemon=True).start()

    def _warm(self, index: ZoneIndex) -> None:
        warm(index)
        if self._index is index:
            self.prepared.set()
        log.info("zone index rebuilt at data version %s", index.version)
        return True

    def start(self) -> None:
        """Build now if possible, then keep fresh in the background."""
        try:
            self.refresh(force=True)
        except StoreUnavailable as exc:
            self.last_error = exc.message
            self._healthy = False
        self._thread = threading.Thread(target=self._run, name="zone-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # noqa: BLE001 - any failure means: unavailable, retry
                self._healthy = False
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("zone index listener lost the database: %s", self.last_error)
                self._stop.wait(1.0)

    def _listen(self) -> None:
        with psycopg.connect(_libpq_dsn(self.engine), autocommit=True,
                             connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.refresh()
            last_probe = time.monotonic()
            while not self._stop.is_set():
                changed = any(True for _ in conn.notifies(timeout=0.5, stop_after=1))
                if changed or time.monotonic() - last_probe > self.poll_s:
                    conn.execute("SELECT 1")  # raises when the server went away
                    self.refresh()
                    last_probe = time.monotonic()
