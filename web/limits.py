"""Keeping the server up under hostile or heavy use: per-client rate limits (token buckets, 429 with
Retry-After) and a bound on requests in flight (503 with Retry-After, at once, instead of a queue
that grows until clients time out).

The figures come from the settings (CLERK_RATE_*, CLERK_MAX_INFLIGHT); `create_app(limits=...)`
overrides them. A service token is limited by its own quota instead of the per-client one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from corpus.errors import QuotaExceeded
from qa.settings import Settings
from web.auth import Viewer, ViewerDep
from qa.users import Token
from web.errors import error_response

# Paths that never queue behind the heavy ones: static files and the liveness check.
UNLIMITED_PREFIXES = ("/static/", "/healthz")


@dataclass(frozen=True)
class Limits:
    """How much one client may ask, and how much the whole server takes on at once."""

    ask_per_second: float = 1.0  # sustained questions a client may ask ...
    ask_burst: int = 30  # ... after a burst of this many
    search_per_second: float = 10.0  # the same for searches
    search_burst: int = 100
    login_per_second: float = 0.2  # sign-in attempts from one address (one per 5 s) ...
    login_burst: int = 10  # ... after this many
    max_in_flight: int = 64  # requests being served at once (40 run in the threadpool, the rest wait)
    retry_after: int = 2  # seconds a shed request is told to wait

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits the settings (CLERK_RATE_*, CLERK_MAX_INFLIGHT) set."""
        return cls(settings.rate_ask, settings.rate_ask_burst, settings.rate_search, settings.rate_search_burst,
                   settings.rate_login, settings.rate_login_burst, settings.max_inflight)


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


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_key(viewer: Viewer, address: str) -> str:
    """Signed-in users are limited as themselves, everyone else by address."""
    if viewer.signed_in:
        return f"user:{viewer.name}"
    return f"ip:{address}"


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


def enforce(bucket: TokenBucket, key: str, what: str) -> None:
    """Count one request of `key`; raises QuotaExceeded (a 429 with Retry-After) when none is left."""
    wait = bucket.take(key)
    if wait > 0:
        raise QuotaExceeded(f"Too many {what} from this client; try again in {_seconds(wait)} s.", _seconds(wait))


QUESTIONS, SEARCHES = "questions", "searches"


class Quotas:
    """The rate limits of questions and searches: a bucket per client, or per service token at
    that token's own rate. Used by the HTTP routes and the MCP tools alike."""

    def __init__(self, limits: Limits) -> None:
        self._clients = {QUESTIONS: TokenBucket(limits.ask_per_second, limits.ask_burst),
                         SEARCHES: TokenBucket(limits.search_per_second, limits.search_burst)}
        self._services: dict[tuple[str, float], TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, what: str, viewer: Viewer, address: str) -> None:
        """Count one request; raises QuotaExceeded when the viewer has none left."""
        token = viewer.service
        if token is None:
            enforce(self._clients[what], client_key(viewer, address), what)
            return
        wait = self._service(what, token).take(token.digest)
        if wait > 0:
            raise QuotaExceeded(f"This service token's quota of {token.rate:g} {what} a second is used up; "
                                f"try again in {_seconds(wait)} s.", _seconds(wait))

    def _service(self, what: str, token: Token) -> TokenBucket:
        """One bucket table per kind and rate, keyed by token digest (a token's rate never changes)."""
        key = (what, token.rate or 1.0)
        with self._lock:
            if key not in self._services:
                self._services[key] = TokenBucket(key[1], token.burst)
            return self._services[key]


def ask_allowed(request: Request, viewer: ViewerDep) -> None:
    """The /api/ask rate limit, per client or service token."""
    request.app.state.quotas.check(QUESTIONS, viewer, address(request))


def search_allowed(request: Request, viewer: ViewerDep) -> None:
    """The /api/search rate limit, per client or service token."""
    request.app.state.quotas.check(SEARCHES, viewer, address(request))


AskAllowed = Annotated[None, Depends(ask_allowed)]
SearchAllowed = Annotated[None, Depends(search_allowed)]


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
