"""Vector tiles answered before routing: a pure-ASGI fast path for ``/tiles/.../*.mvt``.

A map asks for dozens of tiles per view, most of them cache hits (``geo.layers.cache``).
Through FastAPI each paid for route matching over every route and for dependency solving,
several times the cost of the hit itself. ``TileFastPath`` sits innermost of the
middlewares — after the rate limit (per principal), the body limit and the version wait —
and answers ``GET /tiles/{layer}/{z}/{x}/{y}.mvt`` itself when everything about the caller
and the view is known without the database:

* the caller is anonymous, or its credential was already checked (by the rate limiter, or
  still in the authenticator's cache);
* the query holds nothing but ``datetime`` and ``as_known_at``, and every value parses and
  is allowed to this caller.

A cache hit is answered on the event loop; a miss is built in a worker thread
(``TileService.tile``: one statement). Anything else — an error, an unknown credential,
another parameter, a database failure — goes on to the route (``api.routers.tiles``),
which answers with the same headers (``tile_headers``) and the proper error. The fast
path adds no rule of its own.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
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
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) < 9
                                  for p in parts[1:]):
        return None
    return parts[0], int(parts[1]), int(parts[2]), int(parts[3])


class TileFastPath:
    """Pure ASGI middleware: ``/tiles/{layer}/{z}/{x}/{y}.mvt`` without routing."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if (scope["type"] == "http" and scope["method"] == "GET"
                and path.startswith(PREFIX) and path.endswith(SUFFIX)):
            answer = await self._answer(scope, path)
            if answer is not None:
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope, path: str):
        """(status, raw headers, body), or None to let the route answer."""
        asked = _view(scope, path)
        if asked is None:
            return None
        principal, coll, (z, x, y), view = asked
        service = scope["app"].state.tiles
        answer = service.cached(coll, z, x, y, **view)
        if answer is None:  # a miss, or the change log is due: one statement, in a thread
            try:
                answer = await run_in_threadpool(partial(service.tile, coll, z, x, y, **view))
            except GeoError:
                return None  # the route answers (503 and the like)
        entry = answer.entry
        raw = [(k.lower().encode(), v.encode()) for k, v in
               tile_headers(entry, principal.cleared, view["moment"], hit=answer.hit).items()]
        if Headers(scope=scope).get("if-none-match") == entry.etag:
            return 304, raw, b""
        raw += [(b"content-type", docs.MVT.encode()),
                (b"content-length", str(len(entry.data)).encode())]
        return 200, raw, entry.data


def _view(scope, path: str):
    """(principal, collection, (z, x, y), view) when all is known without the database and
    valid; None otherwise (the route then answers, with its errors)."""
    try:
        tile = _tile_path(path)
        principal = _known_principal(scope, Headers(scope=scope))
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
        view = {"cleared": principal.cleared, "known_at": known, "moment": now(),
                "interval": params.parse_datetime(query.get("datetime"))}
    except (GeoError, UnicodeError, ValueError):
        return None
    return principal, coll, (z, x, y), view


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
