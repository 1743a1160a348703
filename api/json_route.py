"""JSON request bodies read with ``geo.common.safejson`` instead of FastAPI's plain ``json.loads``.

FastAPI parses a model body with the standard decoder, which recurses without bound (a body
nested 100,000 deep is a ``RecursionError``), accepts ``NaN``/``Infinity`` and lone
surrogates (``"\\ud800"``, which then cannot be stored or echoed). Routers built with
``route_class=SafeJsonRoute`` read the body first with ``geo.common.safejson.loads``, so such a
body is a 422 naming the place in the document (``reason_text``, ``area.geometry...``).

Decoding is CPU work: a body over ``INLINE_JSON_BYTES`` is decoded in a worker thread
(``api.work``), never on the event loop. FastAPI decodes a body before it resolves the
route's dependencies, so without this an anonymous 50 MB body sent to ``/v1/decisions``
held every caller for ~2 s before its 401.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from geo.common.errors import InvalidInput
from geo.common.safejson import loads

#: Bodies up to this are decoded on the event loop (well under a millisecond).
INLINE_JSON_BYTES = 64 * 1024


async def decode_json(request: Request, data: bytes | str, *, field: str = "body") -> Any:
    """``geo.common.safejson.loads`` of ``data``, in a worker thread when it is large."""
    if len(data) <= INLINE_JSON_BYTES:
        return loads(data, field=field)
    return await request.app.state.workers.run(loads, data, field=field)


class SafeJsonRequest(Request):
    """A request whose ``json()`` is ``geo.common.safejson.loads`` of its body."""

    async def json(self) -> Any:
        if not hasattr(self, "_safe_json"):
            self._safe_json = await decode_json(self, await self.body())
        return self._safe_json


async def body_json(request: Request) -> Any:
    """The body as JSON (None when empty), decoded once: a ``SafeJsonRoute`` has decoded a
    JSON body already; any other body is decoded here, as ``decode_json`` does."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":  # a form is no JSON, and has the upload body limit
        raise InvalidInput("body: expected a JSON object, not a multipart/form-data form",
                           field="body")
    data = await request.body()
    if not data:
        return None
    if isinstance(request, SafeJsonRequest):
        return await request.json()
    return await decode_json(request, data)


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class SafeJsonRoute(APIRoute):
    """An ``APIRoute`` that parses a JSON body before FastAPI does (errors raise here, so
    they reach the domain error table as 422s instead of FastAPI's generic 400)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            safe = SafeJsonRequest(request.scope, request.receive)
            if _is_json(request) and await safe.body():
                await safe.json()
            return await handle(safe)

        return route_handler
