"""``borderzone check LON LAT`` through a running borderzone service, when there is one.

A worker keeps the whole zone index in memory, so asking it costs one loopback request;
starting Python with numpy, shapely, pyproj and SQLAlchemy costs about a second. The
service asked is ``BORDERZONE_SERVER_URL``, else the one this environment would serve
(``BORDERZONE_HOST``:``BORDERZONE_PORT``, default 127.0.0.1:8000). Only the standard library
is imported here. ``--local`` skips it; when nothing answers at once, or the service is
degraded, the caller falls back to the local check (``api.cli.point``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

CONNECT_TIMEOUT_S = 0.3  # loopback: a refused or silent port is known at once
ANSWER_TIMEOUT_S = 10.0


def server_url() -> str:
    if os.environ.get("BORDERZONE_SERVER_URL"):
        return os.environ["BORDERZONE_SERVER_URL"].rstrip("/")
    host = os.environ.get("BORDERZONE_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{host}:{os.environ.get('BORDERZONE_PORT', '8000')}"


def _get(url: str, timeout: float) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def ask(lon: float, lat: float, at: str | None, crs: str | None) -> tuple[int, dict] | None:
    """(status, body) of GET /v1/check/point on the running service, or None when no
    healthy borderzone answers (the caller then checks locally)."""
    base = server_url()
    try:
        status, health = _get(f"{base}/health", CONNECT_TIMEOUT_S)
        if status != 200 or health.get("status") != "ok" or "index_version" not in health:
            return None
        query = {"lon": repr(lon), "lat": repr(lat)}
        query.update({k: v for k, v in (("at", at), ("crs", crs)) if v})
        return _get(f"{base}/v1/check/point?{urllib.parse.urlencode(query)}",
                    ANSWER_TIMEOUT_S)
    except (OSError, ValueError):  # refused, timed out, not JSON: not a borderzone here
        return None
