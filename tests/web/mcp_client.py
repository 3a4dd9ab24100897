"""The `mcp` package's own client, held open for a test module: one task on an event loop of its
own thread owns the session (anyio wants a session entered and left by the same task) and runs
each call the tests hand it, so tests call tools synchronously."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Self

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

REPO = Path(__file__).resolve().parents[2]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
Call = Callable[[Client], Awaitable[Any]]


def http_server(url: str, token: str | None = None) -> Any:
    """The streamable HTTP transport to `url`, with a bearer token when given."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=120.0))
    return streamable_http_client(url, http_client=client)


def stdio_server(index: Path, token: str | None = None) -> StdioServerParameters:
    """`python -m qa mcp` over `index` as a subprocess, with `--token` when given."""
    args = ["-m", "qa", "mcp", "--index", str(index), *(["--token", token] if token else [])]
    return StdioServerParameters(command=sys.executable, args=args, env=OFFLINE, cwd=REPO)


class McpSession:
    """A client session to one server, open from __enter__ to __exit__."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._queue: asyncio.Queue[tuple[Call, Future[Any]] | None] | None = None

    def __enter__(self) -> Self:
        self.thread.start()
        ready: Future[None] = Future()
        self._task = asyncio.run_coroutine_threadsafe(self._serve(ready), self.loop)
        ready.result(timeout=120)
        return self

    async def _serve(self, ready: Future[None]) -> None:
        try:
            async with Client(self.server) as client:
                self._queue = asyncio.Queue()
                ready.set_result(None)
                while (item := await self._queue.get()) is not None:
                    call, result = item
                    try:
                        result.set_result(await call(client))
                    except Exception as exc:  # handed to the test that made the call
                        result.set_exception(exc)
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    def run(self, call: Call, timeout: float = 120) -> Any:
        assert self._queue is not None
        result: Future[Any] = Future()
        self.loop.call_soon_threadsafe(self._queue.put_nowait, (call, result))
        return result.result(timeout=timeout)

    def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        return self.run(lambda client: client.call_tool(name, arguments))

    def tools(self) -> list[str]:
        listed = self.run(lambda client: client.list_tools())
        return [tool.name for tool in listed.tools]

    def __exit__(self, *exc: object) -> None:
        if self._queue is not None:
            self.loop.call_soon_threadsafe(self._queue.put_nowait, None)
        try:
            self._task.result(timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
