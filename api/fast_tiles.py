"""Cached vector tiles answered before routing: a pure-ASGI fast path for the tile cache hits.

A map asks for dozens of tiles per view, nearly all of them cache hits (``geo.layers.cache``).
Through FastAPI each hit paid for route matching over every route and for dependency
solving, several times the cost of the hit itself. ``CachedTiles`` sits innermost of the
middlewares — after the rate limit (per principal), the body limit and the version wait —
and answers ``GET /tiles/{layer}/{z}/{x}/{y}.mvt`` itself when, and only when, everything
is known without the database:

* the caller is anonymous, or its credential was already checked (by the rate limiter, or
  still in the authenticator's cache);
* the query holds nothing but ``datetime`` and ``as_known_at``, and every value parses;
* the tile is in the cache for that caller's view (cleared or not) and the change log was
  read recently (``TileService.cached``).

Anything else — a miss, an error, an unknown credential, another parameter — goes on to the
route (``api.routers.tiles``), which answers with the same headers (``tile_headers``) and
the proper error. The fast path adds no rule of its own.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import Headers

from api.auth import PRINCIPAL_STATE, credential_of
from api.routers.ogc_support import check_history
from api.routers.tiles import tile_headers
from geo.common.errors import GeoError
from geo.common.security import ANONYMOUS
from geo.common.timeutil import now, parse_instant
from geo.layers import collections as registry
from geo.layers import documents as docs
from geo.layers import params, tiles

PREFIX, SUFFIX = "/tiles/", ".mvt"
_VIEW_PARAMS = frozenset({"datetime", "as_known_at"})


def _tile_path(path: str) -> tuple[str, int, int, int] | None:
    parts = path[len(PREFIX):-len(SUFFIX)].split("/")
    if len(parts) != 4 or not all(p.isdigit() and len(p) < 9 for p in parts[1:]):
        return None
    return parts[0], int(parts[1]), int(parts[2]), int(parts[3])


class CachedTiles:
    """Pure ASGI middleware: cache hits of ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if (scope["type"] == "http" and scope["method"] == "GET"
                and path.startswith(PREFIX) and path.endswith(SUFFIX)):
            answer = self._answer(scope, path)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope, path: str):
        """(status, raw headers, body) of a cache hit, or None to let the route answer."""
        tile = _tile_path(path)
        headers = Headers(scope=scope)
        try:
            principal = _known_principal(scope, headers)
            if tile is None or principal is None:
                return None
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if not query.keys() <= _VIEW_PARAMS:
                return None
            layer, z, x, y = tile
            coll = registry.get(layer)
            tiles.check_tile(z, x, y)
            known = parse_instant(query.get("as_known_at"), field="as_known_at")
            check_history(coll, principal, known)
            moment = now()
            hit = scope["app"].state.tiles.cached(
                coll, z, x, y, cleared=principal.cleared,
                interval=params.parse_datetime(query.get("datetime")), known_at=known,
                moment=moment)
        except (GeoError, UnicodeError, ValueError):
            return None  # the route answers, with the proper error
        if hit is None:
            return None
        fresh = tile_headers(hit.entry, principal.cleared, moment, hit=True)
        raw = [(k.lower().encode(), v.encode()) for k, v in fresh.items()]
        if headers.get("if-none-match") == hit.entry.etag:
            return 304, raw, b""
        data = hit.entry.data
        raw += [(b"content-type", docs.MVT.encode()),
                (b"content-length", str(len(data)).encode())]
        return 200, raw, data


def _known_principal(scope, headers: Headers):
    """The caller if known without the database: anonymous, checked by the rate limiter,
    or in the authenticator's cache; None otherwise (the route resolves it)."""
    if "x-api-key" not in headers and "authorization" not in headers:
        return ANONYMOUS
    checked = scope.get("state", {}).get(PRINCIPAL_STATE)
    if checked is not None:
        return checked
    credential = credential_of(headers)
    return None if credential is None else scope["app"].state.auth.cached(credential)
