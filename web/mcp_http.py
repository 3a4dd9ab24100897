"""The MCP endpoint of `qa serve`: streamable HTTP at /mcp, over the app's own assistant.

Stateless JSON exchanges (each POST stands alone), so every request is authorised on its own: an
`Authorization: Bearer TOKEN` header gives that token's clearance, an invalid one is a 401, and no
header is the public. Session cookies are not read here (a browser page must not be able to call
the tools as the officer signed in). Questions and searches count against the same quotas as
the HTTP API's. The app's lifespan runs the MCP session manager (`running()`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from web import mcp_tools
from web.auth import ANONYMOUS, Auth
from web.deps import AssistantSlot
from web.errors import error_response
from web.facets import FacetCache
from web.limits import Quotas, address

PATH = "/mcp"
_CALLER = "clerk_mcp_caller"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def caller_of(ctx: Context) -> mcp_tools.Caller:
    """The caller the endpoint put on the HTTP request the tool call came in."""
    state = getattr(ctx.request_context.request, "state", None)
    caller = getattr(state, _CALLER, None)
    # Every request passes through the endpoint; were one not to, it would be the public's.
    return caller if isinstance(caller, mcp_tools.Caller) else mcp_tools.Caller(ANONYMOUS, "unknown")


def _security(host: str) -> TransportSecuritySettings | None:
    """DNS-rebinding protection when serving on loopback, as the mcp package does itself."""
    if host not in LOOPBACK:
        return None
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )


class McpEndpoint:
    """ASGI app at /mcp: reads the caller, then hands the request to the MCP transport."""

    def __init__(self, slot: AssistantSlot, auth: Auth, quotas: Quotas, facets: FacetCache, host: str) -> None:
        self.auth = auth
        self.host = host
        backend = mcp_tools.Backend(slot.get, caller_of, quotas, facets)
        self.server: MCPServer = mcp_tools.build(backend)
        self._handler: StreamableHTTPASGIApp | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run a fresh session manager for one lifespan of the app (one cannot be run twice)."""
        self.server.streamable_http_app(streamable_http_path=PATH, stateless_http=True, json_response=True,
                                        transport_security=_security(self.host), host=self.host)
        manager = self.server.session_manager
        async with manager.run():
            self._handler = StreamableHTTPASGIApp(manager)
            try:
                yield
            finally:
                self._handler = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._handler is None:
            await error_response(503, "The MCP endpoint is not running.")(scope, receive, send)
            return
        request = Request(scope)
        try:
            viewer = await run_in_threadpool(self.auth.viewer, request, False)
        except HTTPException as exc:
            await error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))(scope, receive, send)
            return
        scope.setdefault("state", {})[_CALLER] = mcp_tools.Caller(viewer, address(request))
        await self._handler(scope, receive, send)
