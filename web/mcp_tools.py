"""Clerk's MCP tools (`ask`, `search`, `resolutions`, `get_extract`, `list_committees`) on the
official `mcp` package's MCPServer, for assistants such as Claude Desktop.

Each tool validates its arguments with the HTTP API's own request schemas and answers through
web/api.py, so it returns the very objects the HTTP API returns, at the caller's clearance: an
officer's bearer token sees exempt papers, anyone else public ones only. A transport says who the
caller is (web/mcp_http.py: the request's token and address; web/mcp_stdio.py: the token the
server was started with). Bad input is a tool error in words, never a crash of the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import HTTPException
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field, ValidationError

from corpus.errors import ClerkError
from qa.assistant import MAX_K, Assistant
from web import api
from web.auth import Viewer
from web.errors import describe_validation
from web.facets import FacetCache
from web.limits import QUESTIONS, SEARCHES, Quotas
from web.schemas import (
    MAX_OFFSET,
    MAX_TURNS,
    AnswerOut,
    AskRequest,
    CommitteesOut,
    ExtractOut,
    ExtractParams,
    FilterText,
    FiltersIn,
    Question,
    ResolutionParams,
    ResolutionsOut,
    SearchOut,
    SearchParams,
    TopK,
    TurnIn,
)
from web.precedents import SORTS

NAME = "clerk"
INSTRUCTIONS = (
    "Clerk answers questions from council committee papers with verified, cited extracts. Use `ask` for a "
    "question (it returns a short extractive answer and the extracts that support it; quote the answer and "
    "cite citations[0]), `search` for ranked extracts, `resolutions` for what committees RESOLVED, "
    "`get_extract` to read a cited span with its neighbours, and `list_committees` for what the papers cover."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


@dataclass(frozen=True)
class Caller:
    """Who called a tool: their viewer, and the address their quota is counted by (None: a local
    client over stdio, which no quota applies to)."""

    viewer: Viewer
    address: str | None = None


@dataclass(frozen=True)
class Backend:
    """What the tools work with: the assistant (opened on first need), who the caller is, the
    quotas (None: none apply) and the committees' cache."""

    assistant: Callable[[], Assistant]
    caller: Callable[[Context], Caller]
    quotas: Quotas | None = None
    facets: FacetCache = field(default_factory=FacetCache)

    def admit(self, ctx: Context, what: str | None = None) -> tuple[Assistant, Viewer]:
        """The assistant and the caller's viewer, once the caller's quota for `what` allows."""
        caller = self.caller(ctx)
        if what and self.quotas is not None and caller.address is not None:
            self.quotas.check(what, caller.viewer, caller.address)
        return self.assistant(), caller.viewer


@contextmanager
def in_words() -> Iterator[None]:
    """Clerk's own errors, refused requests and invalid combinations become tool errors in words."""
    try:
        yield
    except ClerkError as exc:
        raise ToolError(str(exc)) from exc
    except HTTPException as exc:
        raise ToolError(str(exc.detail)) from exc
    except ValidationError as exc:
        raise ToolError(describe_validation(exc.errors())) from exc


Filters = Annotated[FiltersIn | None, Field(description="optional: committee, date_from, date_to (YYYY-MM-DD), kind")]
Query = Annotated[str, Field(description="the words to look for", min_length=1, max_length=2000)]


def _filters(filters: FiltersIn | None) -> dict[str, Any]:
    return filters.model_dump() if filters else {}


def build(backend: Backend) -> MCPServer:
    """The MCP server with Clerk's five tools over `backend`."""
    server: MCPServer = MCPServer(NAME, instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    def ask(
        question: Question, ctx: Context,
        history: Annotated[list[TurnIn], Field(max_length=MAX_TURNS, description="earlier turns, oldest first")] = [],  # noqa: B006 - pydantic copies defaults
        k: TopK = None, filters: Filters = None,
    ) -> AnswerOut:
        """Answer a question from the council papers: a short extractive answer (null when the papers do
        not hold it) with ranked cited extracts; citations[0] supports the answer."""
        with in_words():
            assistant, viewer = backend.admit(ctx, QUESTIONS)
            body = AskRequest(question=question, history=history, k=k, filters=filters)
            return api.ask(assistant, body, viewer)

    @server.tool(annotations=READ_ONLY)
    def search(query: Query, ctx: Context, k: TopK = None, filters: Filters = None) -> SearchOut:
        """Ranked extracts of the papers for some words, best first, each with its source and offsets."""
        with in_words():
            assistant, viewer = backend.admit(ctx, SEARCHES)
            return api.search(assistant, SearchParams(q=query, k=k, **_filters(filters)), viewer)

    @server.tool(annotations=READ_ONLY)
    def resolutions(
        ctx: Context, query: FilterText = None,
        k: Annotated[int, Field(ge=1, le=MAX_K, strict=True)] = 20,
        sort: Annotated[str, Field(pattern="^(" + "|".join(SORTS) + ")$", description="relevance or date")] = "relevance",
        filters: Filters = None,
    ) -> ResolutionsOut:
        """What committees RESOLVED, cited as committee, meeting date and minute: by relevance to the
        query, or every resolution newest first without one."""
        with in_words():
            assistant, viewer = backend.admit(ctx)
            params = ResolutionParams(q=query, k=k, sort=sort, **_filters(filters))
            return api.resolutions(assistant, params, viewer)

    @server.tool(annotations=READ_ONLY)
    def get_extract(
        source: Annotated[str, Field(min_length=1, max_length=255, description="a citation's source")],
        start: Annotated[int, Field(ge=0, le=MAX_OFFSET, strict=True)],
        end: Annotated[int, Field(ge=0, le=MAX_OFFSET, strict=True)], ctx: Context,
    ) -> ExtractOut:
        """The indexed extract covering characters start..end of a document, with its neighbours' spans."""
        with in_words():
            assistant, viewer = backend.admit(ctx)
            return api.extract(assistant, ExtractParams(source=source, start=start, end=end), viewer)

    @server.tool(annotations=READ_ONLY)
    def list_committees(ctx: Context) -> CommitteesOut:
        """The committees, kinds of extract and the period the papers cover."""
        with in_words():
            assistant, viewer = backend.admit(ctx)
            return api.committees(backend.facets, assistant, viewer)

    return server
