"""Request limits as plain ASGI middleware: body size (413) and rate per key (429).

* ``BodyLimit`` refuses a declared ``Content-Length`` over the limit before reading anything,
  and counts streamed bytes (chunked uploads) so a body never grows past it in memory.
* ``RateLimit`` is an in-memory token bucket per credential (a hash of the ``X-API-Key`` or
  ``Authorization`` header) or, without credentials, per client address. Per worker process:
  N workers allow N times the rate in total (see docs/operations.md).

Vertex and batch-size limits are domain checks (``geo.limits``) called by the routers.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import OrderedDict

from api.errors import error_body

#: Paths never rate-limited (load-balancer health probes).
UNLIMITED_PATHS = frozenset({"/health"})
DEFAULT_PRODUCTION_RATE_PER_S = 100.0


async def _send_error(send, status: int, body: dict, headers: dict | None = None) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class BodyLimit:
    """413 for request bodies over ``max_bytes`` (declared or streamed). 0 disables."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self) -> dict:
        return error_body("payload_too_large",
                          f"request body over the limit of {self.max_bytes:,} bytes",
                          "body", limit_bytes=self.max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.max_bytes <= 0:
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() \
                and int(declared) > self.max_bytes:
            return await _send_error(send, 413, self._refusal())
        state = {"seen": 0, "over": False, "started": False}

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > self.max_bytes:
                    state["over"] = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message):
            if state["over"]:
                return  # whatever the app made of the interruption, the answer is 413
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _send_error(send, 413, self._refusal())


class _BodyTooLarge(Exception):
    """Raised into the app from ``receive``; never leaves ``BodyLimit``."""


class TokenBucket:
    """``rate_per_s`` tokens per second up to ``burst``, one bucket per key (LRU-bounded)."""

    def __init__(self, rate_per_s: float, burst: int, *, max_keys: int = 100_000):
        self.rate = rate_per_s
        self.burst = max(1, burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, at: float | None = None) -> float:
        """Spend a token: 0.0 when allowed, else the seconds until one is available."""
        at = time.monotonic() if at is None else at
        tokens, last = self._buckets.get(key, (float(self.burst), at))
        tokens = min(float(self.burst), tokens + (at - last) * self.rate)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0 if wait == 0.0 else tokens, at)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


def rate_key(scope) -> str:
    """The bucket of a request: its credential (hashed) or, without one, its client address."""
    credential = _header(scope, b"x-api-key") or _header(scope, b"authorization")
    if credential:
        return "cred:" + hashlib.sha256(credential.strip().encode()).hexdigest()[:32]
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}"


class RateLimit:
    """429 with ``Retry-After`` when a key or address exceeds its rate."""

    def __init__(self, app, bucket: TokenBucket):
        self.app = app
        self.bucket = bucket

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        wait = self.bucket.take(rate_key(scope))
        if wait > 0:
            body = error_body("rate_limited", f"too many requests: at most "
                              f"{self.bucket.rate:g}/s (burst {self.bucket.burst}) per key; "
                              f"retry in {wait:.1f} s", None)
            return await _send_error(send, 429, body, {"Retry-After": str(math.ceil(wait))})
        await self.app(scope, receive, send)


def rate_limits(settings) -> tuple[float, int]:
    """(rate per second, burst) from settings; rate 0 means off. Unset: off in development,
    ``DEFAULT_PRODUCTION_RATE_PER_S`` elsewhere; burst defaults to two seconds' worth."""
    rate = settings.rate_per_s
    if rate is None:
        rate = 0.0 if settings.env == "development" else DEFAULT_PRODUCTION_RATE_PER_S
    burst = settings.rate_burst or max(1, int(math.ceil(rate * 2)))
    return float(rate), int(burst)


def install(app, settings) -> None:
    """Add the limits to ``app`` (rate limit outermost: refused before any body is read)."""
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    rate, burst = rate_limits(settings)
    if rate > 0:
        app.add_middleware(RateLimit, bucket=TokenBucket(rate, burst))
