"""The FastAPI application factory: ``create_app(settings)``; nothing happens at import."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import auth, errors, limits
from api.headers import IndexVersionHeader
from api.routers import admin, batch, check, dashboard, decisions, rules
from api.schemas import Health
from api.settings import Settings, database_url
from geo.errors import StoreUnavailable
from geo.store.db import make_engine
from geo.store.live import LiveIndex
from geo.store.migrate import upgrade

log = logging.getLogger("borderzone.api")


def _migrate_if_reachable(db_url: str) -> None:
    """Bring the schema up to date; a database that is down is not fatal: the service
    starts degraded (503s) and the zone index recovers when the database is back."""
    try:
        upgrade(db_url)
    except StoreUnavailable as exc:
        log.warning("database unreachable at start-up, serving 503 until it is back: %s",
                    exc.message)


def create_app(settings: Settings | None = None, *, url: str | None = None) -> FastAPI:
    """Build the app. ``url`` skips resolving the database (tests pass theirs)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db_url = url or database_url(settings)
        _migrate_if_reachable(db_url)
        engine = make_engine(db_url)
        live = LiveIndex(engine, poll_s=settings.index_poll_s, footprint=settings.footprint)
        live.start()
        app.state.engine, app.state.live = engine, live
        yield
        live.stop()
        engine.dispose()

    app = FastAPI(title="borderzone", version="0.1.0", lifespan=lifespan,
                  description="Vietnam's border zones: land border area, border belt, "
                              "prohibited zones, checkpoint areas, restriction decisions.")
    app.state.settings = settings
    app.state.auth = auth.Authenticator(auth.resolve_jwt_secret(settings),
                                        ttl_s=settings.jwt_ttl_s, cache_s=settings.key_cache_s)
    errors.install(app)
    limits.install(app, settings)
    app.add_middleware(IndexVersionHeader)
    app.include_router(check.router)
    app.include_router(batch.router)
    app.include_router(admin.auth_router)
    app.include_router(admin.router)
    app.include_router(decisions.router)
    app.include_router(rules.router)
    app.include_router(dashboard.router)
    # Leaflet and the dashboard's script, from the package (no CDN: it works offline)
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict:
        live = app.state.live
        # the raw database error (host, port) goes to the log, not to anonymous callers
        return {"status": "ok" if live.healthy else "degraded", "database": live.healthy,
                "index_version": live.version, "prepared": live.prepared.is_set(),
                "message": None if live.healthy else "database unavailable"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
