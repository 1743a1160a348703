"""Reads and writes apart: which database a worker writes to and which it reads from, and
``X-Min-Index-Version`` (read your own writes on a replica).

* ``DATABASE_URL`` is the primary: writes, API-key lookups, the change listener.
* ``DATABASE_READ_URLS`` (comma-separated) are hot standbys: the zone index snapshot, the
  decision lists and history. A worker uses one of them (chosen by its process id, so N
  workers spread over the replicas); for fail-over between replicas give one URL with
  several hosts (``?host=a:5432&host=b:5432``, libpq tries them in turn).
* Without ``DATABASE_URL`` but with read URLs, or with ``BORDERZONE_READ_ONLY``, the worker
  serves reads only: every write answers 503 naming the primary
  (``BORDERZONE_PRIMARY_URL``, else the server the standby streams from).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from api.database import start_database
from api.settings import Settings

HEADER = "x-min-index-version"
PARAM = "min_index_version"
_HEADER_BYTES, _PARAM_BYTES = HEADER.encode(), PARAM.encode()


@dataclass(frozen=True)
class Topology:
    """Where this worker writes (``None``: it refuses writes) and where it reads."""

    write_url: str | None
    read_url: str
    primary_hint: str | None = None

    @property
    def split(self) -> bool:
        return self.read_url != self.write_url


def _normal(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def read_urls(settings: Settings) -> list[str]:
    raw = settings.database_read_urls or ""
    return [_normal(u.strip()) for u in raw.split(",") if u.strip()]


def topology(settings: Settings, url: str | None = None, *, log=print) -> Topology:
    """Resolve the URLs once at start-up. ``url`` overrides ``DATABASE_URL`` (tests, serve)."""
    reads = read_urls(settings)
    if url is not None:
        primary: str | None = _normal(url)
    elif settings.database_url or not reads:
        primary = start_database(settings, log=log)  # DATABASE_URL, else the embedded cluster
    else:
        primary = None
    write = None if settings.read_only else primary
    pool = reads or [primary]
    read = pool[os.getpid() % len(pool)] if len(pool) > 1 else pool[0]
    return Topology(write_url=write, read_url=read, primary_hint=settings.primary_url)


def _wanted(scope) -> tuple[int | None, str | None]:
    """The version asked for (header, else query parameter), or an error message."""
    raw = None
    for name, value in scope.get("headers", ()):
        if name == _HEADER_BYTES:
            raw = value.decode("latin-1").strip()
    if raw is None and _PARAM_BYTES in scope.get("query_string", b""):
        values = parse_qs(scope["query_string"].decode("latin-1")).get(PARAM)
        raw = values[-1].strip() if values else None
    if raw is None:
        return None, None
    if not raw.isdigit() or len(raw) > 18:
        return None, f"X-Min-Index-Version: expected a non-negative integer, got {raw[:40]!r}"
    return int(raw), None


class MinIndexVersion:
    """Pure ASGI middleware: a request asking for at least version N waits (up to
    ``wait_s``) until this worker's zone index has it, nudging the version probe; past the
    bound it is answered 503 ``behind`` with ``Retry-After`` and both versions."""

    def __init__(self, app, wait_s: float = 2.0):
        self.app = app
        self.wait_s = wait_s

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            wanted, problem = _wanted(scope)
            if problem:
                await _answer(send, 422, {"error": "invalid_input", "message": problem,
                                          "field": "X-Min-Index-Version"})
                return
            if wanted is not None and not await self._reached(scope["app"].state, wanted):
                live = scope["app"].state.live
                await _answer(send, 503, {
                    "error": "behind", "index_version": live.version, "wanted": wanted,
                    "message": f"this worker's data is at version {live.version}, not yet "
                               f"{wanted} (replication lag); retry shortly"},
                    retry_after=1)
                return
        await self.app(scope, receive, send)

    async def _reached(self, state, wanted: int) -> bool:
        live = getattr(state, "live", None)
        if live is None:
            return True
        deadline = time.monotonic() + self.wait_s
        while (live.version or 0) < wanted:
            if time.monotonic() >= deadline:
                return False
            live.nudge()
            await asyncio.sleep(0.05)
        return True


async def _answer(send, status: int, body: dict, retry_after: int | None = None) -> None:
    headers = [(b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
