"""``X-Index-Version``: the zone index version an answer was computed with.

``api.deps.get_index`` notes the version of the index it hands to a request in the ASGI
scope; this middleware copies it into the response headers, so a caller (or a cache in
front) can tell which data an answer reflects, and a caller that has just written can see
when its write reached the checks.
"""

from __future__ import annotations

SCOPE_KEY = "borderzone.index_version"
HEADER = b"x-index-version"


class IndexVersionHeader:
    """Pure ASGI middleware: adds the header when the request used the zone index."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message):
            if message["type"] == "http.response.start" and SCOPE_KEY in scope:
                headers = list(message.get("headers", []))
                headers.append((HEADER, str(scope[SCOPE_KEY]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)
