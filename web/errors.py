"""One error shape for the whole API: a status code and a JSON `{"detail": "..."}` in words.

QueryError -> 422, DocumentNotFound -> 404, IndexError_ -> 503 (with the command that builds the
index), QuotaExceeded -> 429 with Retry-After, HTTPException -> its own code, RequestValidationError -> 422 naming the bad field, and
anything unexpected -> 500 with no traceback in the body (the log has it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corpus.errors import DocumentNotFound, IndexError_, QueryError, QuotaExceeded
from qa.settings import Settings

logger = logging.getLogger(__name__)

MAX_REPORTED = 5
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """Turn pydantic's error list into one sentence a person can act on."""
    parts = [_describe_one(error) for error in errors[:MAX_REPORTED]]
    if len(errors) > MAX_REPORTED:
        parts.append(f"and {len(errors) - MAX_REPORTED} more problems")
    return "; ".join(parts) or "the request is not valid"


def _describe_one(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return "the request body is not valid JSON" + (f" ({reason})" if reason else "")
    loc = [str(p) for p in error.get("loc", ()) if p not in _LOCATIONS]
    where = ".".join(loc) or _where_default(error)
    msg = str(error.get("msg", "is not valid"))
    if error.get("type") == "missing":
        msg = "is required"
    return f"{where}: {msg}"


def _where_default(error: dict[str, Any]) -> str:
    loc = error.get("loc", ())
    return "request body" if loc[:1] == ("body",) else "request"


def index_hint(settings: Settings) -> str:
    command = f"python -m qa ingest {settings.papers_dir}"
    if settings.index_dir != Settings().index_dir:
        command += f" --index {settings.index_dir}"
    return f"run `{command}` to build the index"


async def _on_query_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, str(exc) or "the question cannot be answered as asked")


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, str(exc) or "no document has that name")


async def _on_index_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("index unusable: %s", exc)
    hint = index_hint(request.app.state.settings)
    return error_response(503, f"The index cannot be used ({exc}); {hint}.")


async def _on_quota(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QuotaExceeded)
    return error_response(429, str(exc), {"Retry-After": str(exc.retry_after)})


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, describe_validation(exc.errors()))


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(QueryError, _on_query_error)
    app.add_exception_handler(DocumentNotFound, _on_not_found)
    app.add_exception_handler(IndexError_, _on_index_error)
    app.add_exception_handler(QuotaExceeded, _on_quota)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)


class CatchAll:
    """ASGI middleware: unexpected errors become a plain 500 JSON; the log keeps the traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(500, "Internal error: the request could not be completed.")
            await response(scope, receive, send)
