"""The FastAPI application factory: ``create_app(settings)``; nothing happens at import."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from api import auth, errors, limits
from api.docs import install_docs
from api.fast_tiles import TileFastPath
from api.headers import IndexVersionHeader
from api.replicas import MinIndexVersion, Topology, topology
from api.routers import (
    admin,
    batch,
    check,
    dashboard,
    decisions,
    gate_locations,
    gates,
    ogc,
    ogc_support,
    rules,
    surveys,
    tiles,
    zones,
)
from api.schemas.location import Health
from api.settings import Settings
from api.work import Workers
from geo.common.errors import StoreUnavailable
from geo.store.db import make_engine
from geo.store.layers.tiles import TileService
from geo.store.migrate import upgrade
from geo.store.zones.live import LiveIndex

log = logging.getLogger("borderzone.api")


def _migrate_if_reachable(db_url: str) -> None:
    """Bring the schema up to date; a database that is down is not fatal: the service
    starts degraded (503s) and the zone index recovers when the database is back."""
    try:
        upgrade(db_url)
    except StoreUnavailable as exc:
        log.warning("database unreachable at start-up, serving 503 until it is back: %s",
                    exc.message)


def _engines(topo: Topology) -> tuple[Engine, Engine]:
    """(write engine, read engine); the same one when there is a single database."""
    if topo.write_url is not None:
        _migrate_if_reachable(topo.write_url)
        write = make_engine(topo.write_url)
        if not topo.split:
            return write, write
        return write, make_engine(topo.read_url, read_only=True, writes_to=topo.primary_hint)
    read = make_engine(topo.read_url, read_only=True, writes_to=topo.primary_hint)
    return read, read


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    """Build the app. ``url`` skips resolving the database (tests pass theirs)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        topo = topology(settings, url)
        engine, read_engine = _engines(topo)
        live = LiveIndex(read_engine, poll_s=settings.index_poll_s,
                         footprint=settings.footprint)
        live.start()
        # engine: writes and key lookups (the primary; a read-only worker's replica, which
        # refuses writes); read_engine: the index, lists and history
        app.state.engine, app.state.read_engine, app.state.live = engine, read_engine, live
        app.state.topology = topo
        app.state.workers = Workers(settings.work_threads)
        app.state.tiles = TileService(read_engine)
        yield
        live.stop()
        for each in {engine, read_engine}:
            each.dispose()

    app = FastAPI(title="borderzone", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # install_docs: served offline
                  description="Vietnam's border zones: land border area, border belt, "
                              "prohibited zones, checkpoint areas, restriction decisions.")
    app.state.settings = settings
    app.state.auth = auth.Authenticator(auth.resolve_jwt_secret(settings),
                                        ttl_s=settings.jwt_ttl_s, cache_s=settings.key_cache_s)
    errors.install(app)
    install_docs(app)
    # innermost: tiles answered before routing, after every limit below
    app.add_middleware(TileFastPath)
    # inside the rate limit: a waiting request has been admitted first
    app.add_middleware(MinIndexVersion, wait_s=settings.min_version_wait_s)
    limits.install(app, settings)
    app.add_middleware(IndexVersionHeader)
    app.include_router(check.router)
    app.include_router(batch.router)
    app.include_router(admin.auth_router)
    app.include_router(admin.router)
    app.include_router(decisions.router)
    app.include_router(rules.router)
    app.include_router(gates.router)
    app.include_router(gates.crossings)
    app.include_router(zones.router)
    app.include_router(gate_locations.router)
    app.include_router(surveys.router)
    app.include_router(ogc.router)
    app.include_router(tiles.router)
    ogc_support.document(app)
    app.include_router(dashboard.router)
    # Leaflet and the dashboard's script, from the package (no CDN: it works offline)
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")

    @app.get("/health", response_model=Health, tags=["service"],
             responses={503: {"model": Health, "description": "degraded: the database is "
                                                              "unreachable"}})
    async def health() -> JSONResponse:
        """200 when the database and the zone index are up, 503 (same body) when degraded,
        so that load balancers and probes take a degraded instance out of rotation.
        async: attribute reads only, so it never waits for a worker thread."""
        live = app.state.live
        # the raw database error (host, port) goes to the log, not to anonymous callers
        body = {"status": "ok" if live.healthy else "degraded", "database": live.healthy,
                "index_version": live.version, "prepared": live.prepared.is_set(),
                "message": None if live.healthy else (
                    f"zone index not built ({live.stale_error})" if live.stale_error
                    else "database unavailable"),
                "role": live.replica["role"], "data_version": live.db_version,
                "wal_lsn": live.replica["wal_lsn"], "lag_s": live.replica["lag_s"],
                "index_build_s": live.build_s, "index_warm_s": live.warm_s,
                "stale": live.stale, "stale_error": live.stale_error,
                "writes": getattr(app.state, "topology", None) is not None
                and app.state.topology.write_url is not None}
        return JSONResponse(body, 200 if live.healthy else 503)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
