"""Shared helpers for the benchmarks: the database, the index, a server in a thread."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import uvicorn

from api.database import start_database
from api.settings import Settings
from geo.store.db import make_engine
from geo.store.migrate import upgrade
from geo.store.zones.snapshot import build_index


def engine_and_index():
    url = start_database(Settings(), log=lambda _: None)
    upgrade(url)
    engine = make_engine(url)
    return url, engine, build_index(engine)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """Run an ASGI app with uvicorn in a background thread on a free loopback port."""

    def __init__(self, app, port: int | None = None):
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def border_region_points(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random points over Vietnam's bounding box on the mainland (lon, lat)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(102.15, 109.5, n), rng.uniform(8.5, 23.4, n)


def percentiles_ms(samples_s: list[float]) -> str:
    p50, p99 = np.percentile(np.asarray(samples_s) * 1000, [50, 99])
    return f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
