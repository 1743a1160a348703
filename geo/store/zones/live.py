"""A worker's live zone index: built once, rebuilt when the data changes, never per request.

On a primary a background thread LISTENs on ``borderzone_zones`` (raised by triggers on
every zone table) and also probes the data version every ``poll_s`` seconds as a safety
net. On a hot standby (``pg_is_in_recovery()``) ``LISTEN`` is impossible, so the thread
probes only: every ``poll_s`` seconds, or at once when a caller waits for a version
(``nudge``), and records the replay position and lag for ``/health``. When the database
is unreachable the holder reports itself unavailable, so callers answer 503 instead of
serving answers that may miss a new decision; it recovers on its own.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from sqlalchemy.engine import Engine, make_url

from geo.batch import check as batch
from geo.common import heap
from geo.common.errors import StoreUnavailable
from geo.location.answer_rules import route_cuts
from geo.location.footprint import DEFAULT_SPEC, FootprintSpec
from geo.location.index import ZoneIndex
from geo.store.zones import snapshot

log = logging.getLogger("borderzone.index")
CHANNEL = "borderzone_zones"
MIN_PROBE_GAP_S = 0.1

#: Where this server is in the WAL stream. Lag is 0 when everything received has been
#: replayed (an idle primary sends nothing, so "time since the last replayed commit"
#: alone would grow forever); otherwise the age of the last replayed commit.
REPLICA_STATUS = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
            ELSE pg_current_wal_lsn() END::text,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END,
       (SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver LIMIT 1)
"""


def _libpq_dsn(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def warm(index: ZoneIndex) -> None:
    """Prepare, before the index is swapped in, what requests would otherwise build on
    first use: the index's own structures (``ZoneIndex.prepare``), the areas routes cut
    from belt and land border rows (``route_cuts``), the batch grid for now."""
    index.prepare()
    route_cuts(index)
    batch.epoch(index)


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
        #: set once an index is served: every index is prepared (``warm``) before its swap
        self.prepared = threading.Event()
        self._refreshing = threading.Lock()
        #: True while the last rebuild failed and an older index is still served
        self.stale = False
        #: the class of the error that made the index stale (``DataError``, ...)
        self.stale_error: str | None = None
        self._failed_version: int | None = None
        #: the server's role and WAL position at the last probe (``/health``)
        self.replica: dict = {"role": None, "wal_lsn": None, "lag_s": None,
                              "primary": None}
        #: the data version the database reported at the last probe
        self.db_version: int | None = None
        #: seconds the last index build took (snapshot read + layer preparation) ...
        self.build_s: float | None = None
        #: ... and its preparation for requests (``warm``), both before the swap
        self.warm_s: float | None = None

    # -- reading ----------------------------------------------------------------------
    def get(self) -> ZoneIndex:
        """The current index (the last good one while a rebuild fails: ``stale``), or
        StoreUnavailable while the database is unreachable or no index could be built."""
        index = self._index
        if index is None and self.stale_error is not None:
            raise StoreUnavailable("the zone index could not be built from the data "
                                   f"({self.stale_error}); location answers are suspended")
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
        """Rebuild if the data version moved (or ``force``): build, prepare, then swap. True
        when a new index was swapped in.

        An unreachable database raises StoreUnavailable (checks answer 503 until it is
        back). Any other failure of the build or its preparation (bad data, a geometry
        error) keeps the last good index serving, marked ``stale`` with the error's class
        (``/health``); that version is not tried again until the data moves or ``force``.
        One refresh at a time: a second caller waits, then finds the index current.
        """
        with self._refreshing:
            version = snapshot.current_version(self.engine)
            self.db_version = version
            current = self._index
            if not force and ((current is not None and current.version == version)
                              or version == self._failed_version):
                self._healthy = True
                return False
            try:
                index = self._build()
            except StoreUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - bad data must not stop the service
                self._build_failed(version, exc)
                return False
            with self._lock:
                self._index = index
                self._healthy = True
            log.info("zone index rebuilt at data version %s", index.version)
            del current, index  # the old index may go now, before the heap is settled
            heap.settle()  # the collector no longer walks this index (geo.common.heap)
            self.stale, self.stale_error, self._failed_version = False, None, None
            self.prepared.set()
            return True

    def _build(self) -> ZoneIndex:
        """Read and prepare a new index (nothing is shared before this returns)."""
        started = time.monotonic()
        index = snapshot.build_index(self.engine, self.footprint)
        self.build_s = round(time.monotonic() - started, 3)
        started = time.monotonic()
        warm(index)
        self.warm_s = round(time.monotonic() - started, 3)
        return index

    def _build_failed(self, version: int, exc: Exception) -> None:
        self._failed_version = version
        self.stale = self._index is not None
        self.stale_error = type(exc).__name__
        self.last_error = f"{type(exc).__name__}: {exc}"
        self._healthy = self._index is not None
        log.error("zone index: building data version %s failed (%s); %s", version,
                  self.last_error, f"still serving version {self._index.version}"
                  if self._index is not None else "no index to serve")

    def start(self) -> None:
        """Build now if possible, then keep fresh in the background."""
        try:
            self.refresh(force=True)  # a build failure leaves no index: 503 until one builds
        except StoreUnavailable as exc:
            self.last_error = exc.message
            self._healthy = False
        self._thread = threading.Thread(target=self._run, name="zone-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop refreshing and let the index go (a worker or a test's app that has shut
        down must not keep ~1 GB of prepared geometry alive)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        with self._lock:
            self._index = None
        self._healthy = False
        heap.release()  # the collector may reclaim this index if a cycle holds it

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # noqa: BLE001 - any failure means: unavailable, retry
                self._healthy = False
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("zone index listener lost the database: %s", self.last_error)
                self._stop.wait(1.0)

    def nudge(self) -> None:
        """Probe now rather than at the end of the interval (a caller waits for a version)."""
        self._wake.set()

    def _status(self, conn: psycopg.Connection) -> bool:
        """Record role, replay position and lag; True on a standby. Raises when the
        server went away."""
        in_recovery, lsn, lag_s, sender = conn.execute(REPLICA_STATUS).fetchone()
        self.replica = {"role": "replica" if in_recovery else "primary",
                        "wal_lsn": lsn, "lag_s": None if lag_s is None else round(lag_s, 3),
                        "primary": sender}
        if in_recovery and sender and getattr(self.engine, "info_writes_to", "") is None:
            self.engine.info_writes_to = f"database server {sender}"  # type: ignore[attr-defined]
        return bool(in_recovery)

    def _listen(self) -> None:
        with psycopg.connect(_libpq_dsn(self.engine), autocommit=True,
                             connect_timeout=5) as conn:
            if self._status(conn):
                self._probe_only(conn)
                return
            conn.execute(f"LISTEN {CHANNEL}")
            self.refresh()
            last_probe = time.monotonic()
            while not self._stop.is_set():
                changed = any(True for _ in conn.notifies(timeout=0.5, stop_after=1))
                if changed or self._wake.is_set() or time.monotonic() - last_probe > self.poll_s:
                    self._wake.clear()
                    if self._status(conn):
                        return  # demoted to a standby: start again, probing only
                    self.refresh()
                    last_probe = time.monotonic()

    def _probe_only(self, conn: psycopg.Connection) -> None:
        """A standby cannot LISTEN: probe the version every ``poll_s`` (or when nudged)."""
        self.refresh()
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not self._status(conn):
                return  # promoted to primary: start again, listening
            self.refresh()
            self._stop.wait(MIN_PROBE_GAP_S)  # many waiting callers: still one probe a gap
