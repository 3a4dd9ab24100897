"""Keeping the server up under hostile or heavy use: per-client rate limits (token buckets, 429 with
Retry-After) and a bound on requests in flight (503 with Retry-After, at once, instead of a queue
that grows until clients time out)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from web.auth import Viewer, ViewerDep
from web.errors import error_response

# Paths that never queue behind the heavy ones: static files and the liveness check.
UNLIMITED_PREFIXES = ("/static/", "/healthz")


@dataclass(frozen=True)
class Limits:
    """How much one client may ask, and how much the whole server takes on at once."""

    ask_per_second: float = 1.0  # sustained questions a client may ask ...
    ask_burst: int = 30  # ... after a burst of this many
    login_per_second: float = 0.2  # sign-in attempts from one address (one per 5 s) ...
    login_burst: int = 10  # ... after this many
    max_in_flight: int = 64  # requests being served at once (40 run in the threadpool, the rest wait)
    retry_after: int = 2  # seconds a shed request is told to wait


class TokenBucket:
    """One bucket per key: `burst` requests at once, refilled at `rate` a second. Thread-safe."""

    def __init__(self, rate: float, burst: int, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._remember(key, tokens - 1.0, now)
                return 0.0
            self._remember(key, tokens, now)
            return (1.0 - tokens) / self.rate

    def _remember(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            self._forget_full(now)
        self._buckets[key] = (tokens, now)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (they hold no memory worth keeping); if none has,
        the oldest half, so many clients can never grow the table without bound."""
        full = [k for k, (t, then) in self._buckets.items() if t + (now - then) * self.rate >= self.burst]
        if not full:
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            full = oldest[: len(oldest) // 2 or 1]
        for key in full:
            del self._buckets[key]


def client_key(request: Request, viewer: Viewer) -> str:
    """Signed-in users are limited as themselves, everyone else by address."""
    if viewer.signed_in:
        return f"user:{viewer.name}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def enforce(bucket: TokenBucket, key: str, what: str) -> None:
    wait = bucket.take(key)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(429, f"Too many {what} from this client; try again in {seconds} s.",
                            headers={"Retry-After": str(seconds)})


def ask_allowed(request: Request, viewer: ViewerDep) -> None:
    """The /api/ask rate limit, per client."""
    enforce(request.app.state.ask_bucket, client_key(request, viewer), "questions")


AskAllowed = Annotated[None, Depends(ask_allowed)]


class Admission:
    """ASGI middleware: at most `limit` requests in flight; the next gets 503 + Retry-After.

    It runs on the event loop, so the counter needs no lock.
    """

    def __init__(self, app: ASGIApp, limit: int, retry_after: int = 2) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            detail = f"Clerk is busy with other requests; try again in {self.retry_after} s."
            await error_response(503, detail, {"Retry-After": str(self.retry_after)})(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
