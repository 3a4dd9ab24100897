"""The web application: routes, the MCP endpoint (/mcp), sign-in, error handlers, security headers,
a request-size limit, per-client rate limits and a bound on requests in flight."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corpus.errors import IndexError_
from qa.assistant import Assistant
from qa.settings import Settings
from qa.users import UserStore
from web.auth import Auth
from web.deps import AssistantSlot
from web.errors import CatchAll, error_response, index_hint, install_handlers
from web.limits import Admission, Limits, Quotas, TokenBucket
from web.login import router as login
from web.mcp_http import PATH as MCP_PATH
from web.mcp_http import McpEndpoint
from web.facets import FacetCache
from web.pages import router as pages
from web.routes import router

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
MAX_BODY = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(settings: Settings, assistant: Assistant | None = None, limits: Limits | None = None,
               secure_cookie: bool = True) -> FastAPI:
    """The app over `assistant`, or over one opened from `settings` at startup.

    Accounts are read from the index folder (`python -m qa users`). `limits` overrides the ones the
    settings give (CLERK_RATE_*, CLERK_MAX_INFLIGHT). `secure_cookie=False` is for
    tests that speak plain HTTP to a non-loopback name only; browsers keep Secure cookies on
    http://localhost and 127.0.0.1.
    """
    limits = limits or Limits.of(settings)
    app = FastAPI(
        title="Clerk",
        summary="Answers with cited extracts from council committee papers.",
        lifespan=_lifespan,
        docs_url=None,  # the Swagger page loads scripts from a CDN, which the CSP forbids
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.assistant_slot = AssistantSlot(settings, assistant)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.facet_cache = FacetCache()
    app.state.auth = Auth(UserStore.in_index(settings.index_dir), secure_cookie)
    app.state.quotas = Quotas(limits)
    app.state.mcp = McpEndpoint(app.state.assistant_slot, app.state.auth, app.state.quotas,
                                app.state.facet_cache, settings.host)
    app.add_route(MCP_PATH, app.state.mcp, include_in_schema=False)
    app.state.login_bucket = TokenBucket(limits.login_per_second, limits.login_burst)
    app.include_router(router)
    app.include_router(pages)
    app.include_router(login)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_handlers(app)
    # Added last is outermost: headers go on every response, the 500 fallback included.
    app.add_middleware(CatchAll)
    # Documents are long plain text: compressed, the viewer of a 360 KB pack moves about a fifth.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY)
    app.add_middleware(Admission, limit=limits.max_in_flight, retry_after=limits.retry_after)
    app.add_middleware(SecurityHeaders)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    mcp: McpEndpoint = app.state.mcp
    async with mcp.running():
        await _open(app.state.assistant_slot)
        yield


async def _open(slot: AssistantSlot) -> None:
    try:
        assistant = await run_in_threadpool(slot.get)
    except IndexError_ as exc:
        # Serve anyway: the API answers 503 with the fix until the index has been built.
        logger.error("cannot open the index (%s); %s", exc, index_hint(slot.settings))
    else:
        await run_in_threadpool(_warm_up, assistant)


def _warm_up(assistant: Assistant) -> None:
    """Load the embedding model now: otherwise the first question waits seconds for it."""
    started = time.perf_counter()
    assistant.embedder.encode(["warm-up"])
    logger.info("embedding model ready in %.1f s", time.perf_counter() - started)


class SecurityHeaders:
    """ASGI middleware adding the CSP and related headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware refusing request bodies over `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    @property
    def detail(self) -> str:
        return f"The request body is larger than the {self.max_bytes // 1024} KB limit."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await error_response(413, self.detail)(scope, receive, send)
            return
        await self.app(scope, self._limited(receive), send)

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # FastAPI re-raises HTTPException from body reading; the handler makes it JSON.
                raise HTTPException(413, self.detail)
            return message

        return limited_receive


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0
