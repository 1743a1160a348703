"""Servers for bench/http_load.py: `python bench/serve.py {bare|index|postgis} PORT`.

* bare    — a FastAPI app whose endpoint returns a constant (the ceiling);
* index   — borderzone itself (GET /v1/check/point from the in-memory index);
* postgis — the same question answered by one PostGIS query per request.
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI, Query

from api.app import create_app
from api.database import start_database
from api.settings import Settings
from geo.store.db import make_engine, reading
from geo.store.zones.queries import point_check_sql


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/check/point")
    async def point() -> dict:
        return {"in_vietnam": True, "province": {"code": "20", "name": "Lạng Sơn"}}

    return app


def postgis_app() -> FastAPI:
    app = FastAPI()
    engine = make_engine(start_database(Settings(), log=lambda _: None), pool_size=32)

    @app.get("/v1/check/point")
    def point(lon: float = Query(), lat: float = Query()) -> dict:
        with reading(engine) as conn:
            return point_check_sql(conn, lon, lat)

    return app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    app = {"bare": bare_app, "postgis": postgis_app,
           "index": lambda: create_app(Settings())}[kind]()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
