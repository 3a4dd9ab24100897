"""The HTTP routes: each one calls the Assistant and converts its result to a response schema.

Routes are plain `def` functions on purpose: encoding a question is CPU work, and FastAPI runs
sync routes in its threadpool instead of on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from web.deps import AssistantDep, SettingsDep, TemplatesDep
from web.schemas import (
    AnswerOut,
    AskRequest,
    CitationOut,
    DocumentOut,
    ErrorOut,
    HealthOut,
    SearchOut,
    SearchParams,
)

MAX_NAME = 255

_ERRORS = {code: {"model": ErrorOut} for code in (404, 413, 422, 503)}
router = APIRouter(responses=_ERRORS)  # type: ignore[arg-type]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request, templates: TemplatesDep, settings: SettingsDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"default_k": settings.k})


@router.post("/api/ask")
def ask(body: AskRequest, assistant: AssistantDep) -> AnswerOut:
    answer = assistant.ask(
        body.question, history=body.turns(), k=body.k, filters=body.to_filters(), id=body.id
    )
    return AnswerOut.of(answer)


@router.get("/api/search")
def search(params: Annotated[SearchParams, Query()], assistant: AssistantDep) -> SearchOut:
    citations = assistant.search(params.q, k=params.k, filters=params.to_filters())
    return SearchOut(results=[CitationOut.of(c) for c in citations])


@router.get("/api/documents/{source:path}")
def document(source: str, assistant: AssistantDep) -> DocumentOut:
    view = assistant.document(plain_name(source))
    return DocumentOut(source=view.source, title=view.title, text=view.text, meta=dict(view.meta))


@router.get("/healthz")
def healthz(assistant: AssistantDep) -> HealthOut:
    documents, chunks = assistant.stats()
    return HealthOut(documents=documents, chunks=chunks)


def plain_name(source: str) -> str:
    """`source` if it is a bare file name; 400 for paths, dot names and control characters."""
    bad = (
        not source
        or len(source) > MAX_NAME
        or source.startswith(".")
        or any(c in source for c in "/\\:")
        or any(ord(c) < 32 or ord(c) == 127 for c in source)
    )
    if bad:
        raise HTTPException(400, f"{source[:80]!r} is not a plain file name of a document")
    return source
