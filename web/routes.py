"""The HTTP routes: each one calls the Assistant and converts its result to a response schema.

Routes are plain `def` functions on purpose: encoding a question is CPU work, and FastAPI runs
sync routes in its threadpool instead of on the event loop. Every route reads the viewer's
clearance and passes it down: below it, an exempt document is as absent as one never ingested
(404 with the same words), never "forbidden".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from qa.answer import Citation, Filters
from qa.assistant import Assistant
from web import precedents
from web.auth import Viewer, ViewerDep
from web.deps import AssistantDep
from web.extracts import covering
from web.figures import answer_series, header_of
from web.limits import AskAllowed
from web.schemas import (
    AnswerOut,
    AskRequest,
    CitationOut,
    DocumentOut,
    ErrorOut,
    ExtractOut,
    ExtractParams,
    HealthOut,
    ResolutionOut,
    ResolutionParams,
    ResolutionsOut,
    SearchOut,
    SearchParams,
)

MAX_NAME = 255

_ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 413, 422, 429, 503)}
router = APIRouter(responses=_ERRORS)  # type: ignore[arg-type]


def scoped(filters: Filters | None, viewer: Viewer) -> Filters:
    """The request's filters at the viewer's clearance (whatever the request said of it)."""
    return replace(filters or Filters(), clearance=viewer.clearance)


@router.post("/api/ask")
def ask(body: AskRequest, assistant: AssistantDep, viewer: ViewerDep, _: AskAllowed) -> AnswerOut:
    answer = assistant.ask(
        body.question, history=body.turns(), k=body.k, filters=scoped(body.to_filters(), viewer), id=body.id
    )
    headers = [header_of(assistant.index, c) for c in answer.citations]
    return AnswerOut.of(answer, headers, answer_series(assistant.index, answer))


@router.get("/api/search")
def search(params: Annotated[SearchParams, Query()], assistant: AssistantDep, viewer: ViewerDep) -> SearchOut:
    citations = assistant.search(params.q, k=params.k, filters=scoped(params.to_filters(), viewer))
    return SearchOut(results=[_cited(assistant, c) for c in citations])


@router.get("/api/resolutions")
def resolutions(params: Annotated[ResolutionParams, Query()], assistant: AssistantDep,
                viewer: ViewerDep) -> ResolutionsOut:
    """RESOLVED blocks only: by relevance to `q`, or every one newest first when `q` is empty."""
    found = precedents.find(assistant, params.q, scoped(params.to_filters(), viewer), params.k, params.sort)
    return ResolutionsOut(results=[ResolutionOut.of(r) for r in found])


@router.get("/api/resolutions.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def resolutions_csv(params: Annotated[ResolutionParams, Query()], assistant: AssistantDep,
                    viewer: ViewerDep) -> Response:
    found = precedents.find(assistant, params.q, scoped(params.to_filters(), viewer), params.k, params.sort)
    disposition = 'attachment; filename="clerk-resolutions.csv"'
    return Response(precedents.to_csv(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})


@router.get("/api/extract")
def extract(params: Annotated[ExtractParams, Query()], assistant: AssistantDep, viewer: ViewerDep) -> ExtractOut:
    """The indexed extract a deep link points into, with its neighbours' spans."""
    source = assistant.document(plain_name(params.source), viewer.clearance).source
    found = covering(assistant.index, source, params.start, params.end)
    chunk = found.chunk
    return ExtractOut(
        citation=_cited(assistant, Citation.of(chunk, 0.0)) if chunk else None,
        previous=[found.previous.start, found.previous.end] if found.previous else None,
        next=[found.next.start, found.next.end] if found.next else None,
    )


def _cited(assistant: Assistant, citation: Citation) -> CitationOut:
    return CitationOut.of(citation, header_of(assistant.index, citation))


@router.get("/api/documents/{source:path}")
def document(source: str, assistant: AssistantDep, viewer: ViewerDep) -> DocumentOut:
    view = assistant.document(plain_name(source), viewer.clearance)
    return DocumentOut(source=view.source, title=view.title, text=view.text, meta=dict(view.meta))


@router.get("/healthz")
def healthz(assistant: AssistantDep, viewer: ViewerDep) -> HealthOut:
    documents, chunks = assistant.stats(viewer.clearance)
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
