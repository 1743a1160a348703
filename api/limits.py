"""Request limits as plain ASGI middleware: body size (413) and rate per key (429).

* ``BodyLimit`` refuses a declared ``Content-Length`` over the limit before reading anything,
  and counts streamed bytes (chunked uploads) so a body never grows past it in memory.
* ``RateLimit`` is an in-memory token bucket per authenticated principal or, without
  credentials, per client address (``X-Forwarded-For`` only from trusted proxies); failed
  authentications have their own bucket per address; a batch pays per point
  (``charge_points``). Per worker process: N workers allow N times the rate in total (see
  docs/operations.md).

Vertex and batch-size limits are domain checks (``geo.common.limits``) called by the routers.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from api.auth import PRINCIPAL_STATE, credential_of
from api.errors import error_body, status_of
from geo.common.errors import GeoError, InvalidInput, NotAuthenticated, RateLimited

#: Paths never rate-limited (load-balancer health probes).
UNLIMITED_PATHS = frozenset({"/health"})
#: Paths whose JSON bodies have the general body limit, not the JSON one.
JSON_EXEMPT_PATHS = frozenset({"/v1/check/batch"})
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
    """413 for request bodies over ``max_bytes`` (declared or streamed). 0 disables.

    Bodies that are not file uploads (``multipart/form-data``) are read as JSON, whatever
    their declared type, and have the lower limit ``json_bytes``, except on ``json_exempt``
    paths (the batch: CSV, or GeoJSON read feature by feature as it is decoded). A JSON
    document is decoded whole: a 50 MB one cost ~2 s of CPU and stalls of every thread,
    before the route could even check the caller's credentials."""

    def __init__(self, app, max_bytes: int, json_bytes: int = 0,
                 json_exempt: frozenset[str] = frozenset()):
        self.app = app
        self.max_bytes = max_bytes
        self.json_bytes = json_bytes
        self.json_exempt = json_exempt

    def limit(self, scope) -> tuple[int, str]:
        """The limit on this request's body, and what it is called in the refusal."""
        kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):  # served under a prefix (--root-path)
            path = path[len(root):]
        if kind != "multipart/form-data" and self.json_bytes > 0 \
                and path not in self.json_exempt \
                and (self.max_bytes <= 0 or self.json_bytes < self.max_bytes):
            return self.json_bytes, "JSON request body"
        return self.max_bytes, "request body"

    @staticmethod
    def _refusal(limit: int, what: str) -> dict:
        return error_body("payload_too_large", f"{what} over the limit of {limit:,} bytes",
                          "body", limit_bytes=limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, what = self.limit(scope)
        if limit <= 0:
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() \
                and int(declared) > limit:
            return await _send_error(send, 413, self._refusal(limit, what))
        if _bounded_by_framing(scope, declared):
            return await self.app(scope, receive, send)
        state = {"seen": 0, "over": False, "started": False}

        async def counted_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit:
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
            await _send_error(send, 413, self._refusal(limit, what))


def _bounded_by_framing(scope, declared: str | None) -> bool:
    """True when HTTP/1.x framing alone keeps the body within what was checked: no body at
    all (neither length nor chunks: a GET), or exactly the declared length, which the
    server reads and no more. Chunked bodies, and HTTP/2, are counted as they stream."""
    if scope.get("http_version") not in ("1.0", "1.1"):
        return False
    if _header(scope, b"transfer-encoding") is not None:
        return False
    return declared is None or declared.strip().isdigit()


class _BodyTooLarge(Exception):
    """Raised into the app from ``receive``; never leaves ``BodyLimit``."""


class TokenBucket:
    """``rate_per_s`` tokens per second up to ``burst``, one bucket per key (LRU-bounded).

    ``clock`` (seconds, monotonic) is injectable so tests control time exactly."""

    def __init__(self, rate_per_s: float, burst: int, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = rate_per_s
        self.burst = max(1, burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _level(self, key: str, at: float) -> float:
        tokens, last = self._buckets.get(key, (float(self.burst), at))
        return min(float(self.burst), tokens + max(0.0, at - last) * self.rate)

    def take(self, key: str, at: float | None = None, *, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens: 0.0 when allowed, else the seconds until it would be.

        A cost above the burst is allowed from a full bucket and leaves it in debt (below
        zero) until refilled: a big batch is served once, then the key waits."""
        at = self.clock() if at is None else at
        with self._lock:
            tokens = self._level(key, at)
            need = min(cost, float(self.burst))
            wait = 0.0 if tokens >= need else (need - tokens) / self.rate
            self._buckets[key] = (tokens - cost if wait == 0.0 else tokens, at)
            self._buckets.move_to_end(key)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    def wait(self, key: str, at: float | None = None) -> float:
        """Seconds until ``key`` could spend one token (0.0: now), without spending it."""
        at = self.clock() if at is None else at
        with self._lock:
            tokens = self._level(key, at)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate


# -- who is calling ---------------------------------------------------------------------------
Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(text: str) -> Networks:
    """``BORDERZONE_TRUSTED_PROXIES``: addresses or CIDR networks, comma-separated."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise InvalidInput(f"BORDERZONE_TRUSTED_PROXIES: {item!r} is not an address or "
                               "network (e.g. 10.0.0.5, 10.0.0.0/8)",
                               field="BORDERZONE_TRUSTED_PROXIES") from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _bucket_of(address) -> str:
    """An address as a bucket: IPv6 by its /64 (one host usually holds the whole /64)."""
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped or address) if address.version == 6 else str(address)


@functools.lru_cache(maxsize=4096)
def _peer_bucket(peer_text: str) -> str:
    """The bucket of a TCP peer that is not a trusted proxy (parsed once per address)."""
    peer = _address(peer_text)
    return peer_text if peer is None else _bucket_of(peer)


def peer_address(scope, trusted: Networks) -> str:
    """The caller's address: the TCP peer, or, when the peer is a trusted proxy, the
    right-most ``X-Forwarded-For`` hop that is not itself a trusted proxy. Without trusted
    proxies the header is ignored (anyone can write it)."""
    peer_text = (scope.get("client") or ("unknown", 0))[0]
    if not trusted:
        return _peer_bucket(peer_text)
    peer = _address(peer_text)
    if peer is None:
        return peer_text
    if trusted and any(peer in net for net in trusted):
        forwarded = ",".join(v.decode("latin-1") for k, v in scope.get("headers", ())
                             if k.lower() == b"x-forwarded-for")
        for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
            address = _address(hop)
            if address is None:
                break  # garbage from a hop we trust to have written it: stop at that proxy
            peer = address
            if not any(address in net for net in trusted):
                break
    return _bucket_of(peer)


# -- the limiter ------------------------------------------------------------------------------
#: Where the limiter leaves (bucket, bucket key, points per token) for ``charge_points``.
RATE_STATE = "bz_rate"


def _retry(wait: float) -> dict:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


class RateLimit:
    """429 with ``Retry-After`` when a caller exceeds its rate.

    The bucket is the authenticated principal (``user:<name>``: every key and token of a
    user, however the header is written) or, without credentials, the peer address
    (``ip:<address>``). Credentials are checked here, once per request (the principal is
    handed on to the routers); a failed check spends a token of the address's *failure*
    bucket, and an address whose failure bucket is empty gets 429 without any database
    lookup (a credential already in the cache still passes)."""

    def __init__(self, app, bucket: TokenBucket, failures: TokenBucket | None,
                 trusted: Networks = (), points_per_token: int = 100):
        self.app = app
        self.bucket, self.failures = bucket, failures
        self.trusted, self.points_per_token = trusted, points_per_token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            return await self.app(scope, receive, send)
        address = peer_address(scope, self.trusted)
        try:
            principal = await self._principal(scope, address)
        except GeoError as exc:
            return await _send_domain_error(send, exc)
        key = f"ip:{address}" if principal is None else f"user:{principal.subject}"
        wait = self.bucket.take(key)
        if wait > 0:
            return await _send_error(send, 429, self._refusal(wait), _retry(wait))
        scope.setdefault("state", {})[RATE_STATE] = (self.bucket, key, self.points_per_token)
        await self.app(scope, receive, send)

    async def _principal(self, scope, address: str):
        credential = credential_of(Headers(scope=scope))
        if credential is None:
            return None
        app = scope.get("app")
        auth, engine = app.state.auth, getattr(app.state, "engine", None)
        principal = auth.cached(credential)
        failures = self.failures
        if principal is None:
            wait = failures.wait(f"fail:{address}") if failures else 0.0
            if wait > 0:
                raise RateLimited(f"too many failed authentications from this address; "
                                  f"retry in {wait:.0f} s", detail={"retry_after_s": wait})
            try:
                principal = await run_in_threadpool(auth.from_credential, credential, engine)
            except NotAuthenticated:
                if failures:
                    failures.take(f"fail:{address}")
                raise
        scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
        return principal

    def _refusal(self, wait: float) -> dict:
        return error_body("rate_limited", f"too many requests: at most {self.bucket.rate:g}/s "
                          f"(burst {self.bucket.burst}) per caller; retry in {wait:.1f} s",
                          None, retry_after_s=round(wait, 1))


async def _send_domain_error(send, exc: GeoError) -> None:
    status, code = status_of(exc)
    detail = {k: v for k, v in exc.detail.items() if k != "retry_after_s"}
    wait = exc.detail.get("retry_after_s", 5)
    headers = _retry(wait) if status in (429, 503) else None
    await _send_error(send, status, error_body(code, exc.message, exc.field, **detail), headers)


def charge_points(request, points: int) -> None:
    """Charge a batch of ``points`` to its caller's bucket: ``ceil(points / N)`` tokens more
    (N = ``BORDERZONE_RATE_POINTS_PER_TOKEN``); ``RateLimited`` (429) when it cannot pay.
    A no-op when rate limits are off."""
    held = request.scope.get("state", {}).get(RATE_STATE)
    if held is None or points <= 0:
        return
    bucket, key, per_token = held
    cost = math.ceil(points / per_token)
    wait = bucket.take(key, cost=cost)
    if wait > 0:
        raise RateLimited(f"too many points: {points:,} points cost {cost:,} tokens "
                          f"(one per {per_token:,} points) of a bucket of {bucket.burst:,} "
                          f"refilled at {bucket.rate:g}/s; retry in {wait:.0f} s",
                          field="points", detail={"retry_after_s": wait, "cost_tokens": cost})


def rate_limits(settings) -> tuple[float, int]:
    """(rate per second, burst) from settings; rate 0 means off. Unset: off in development,
    ``DEFAULT_PRODUCTION_RATE_PER_S`` elsewhere; burst defaults to two seconds' worth."""
    rate = settings.rate_per_s
    if rate is None:
        rate = 0.0 if settings.env == "development" else DEFAULT_PRODUCTION_RATE_PER_S
    burst = settings.rate_burst or max(1, int(math.ceil(rate * 2)))
    return float(rate), int(burst)


def install(app, settings) -> None:
    """Add the limits to ``app`` (rate limit outermost: refused before any body is read).
    The failed-authentication limit is on whenever the rate limit is (its rate 0: off)."""
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       json_bytes=settings.max_json_bytes, json_exempt=JSON_EXEMPT_PATHS)
    rate, burst = rate_limits(settings)
    if rate > 0:
        fail_rate = settings.auth_failure_rate_per_s
        failures = TokenBucket(fail_rate, settings.auth_failure_burst) if fail_rate else None
        app.add_middleware(RateLimit, bucket=TokenBucket(rate, burst), failures=failures,
                           trusted=parse_networks(settings.trusted_proxies),
                           points_per_token=settings.rate_points_per_token)
