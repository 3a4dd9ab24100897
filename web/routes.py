"""The HTTP routes: each one hands its request to web/api.py, which calls the Assistant at the
viewer's clearance and returns a response schema.

Routes are plain `def` functions on purpose: encoding a question is CPU work, and FastAPI runs
sync routes in its threadpool instead of on the event loop. Below the viewer's clearance, an
exempt document is as absent as one never ingested (404 with the same words), never "forbidden".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web import api, precedents
from web.auth import ViewerDep
from web.deps import AssistantDep
from web.facets import FacetCache
from web.limits import AskAllowed, SearchAllowed
from web.schemas import (
    AnswerOut,
    AskRequest,
    CommitteesOut,
    DocumentOut,
    ErrorOut,
    ExtractOut,
    ExtractParams,
    HealthOut,
    ResolutionParams,
    ResolutionsOut,
    SearchOut,
    SearchParams,
)

_ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 413, 422, 429, 503)}
router = APIRouter(responses=_ERRORS)  # type: ignore[arg-type]


@router.post("/api/ask")
def ask(body: AskRequest, assistant: AssistantDep, viewer: ViewerDep, _: AskAllowed) -> AnswerOut:
    return api.ask(assistant, body, viewer)


@router.get("/api/search")
def search(params: Annotated[SearchParams, Query()], assistant: AssistantDep, viewer: ViewerDep,
           _: SearchAllowed) -> SearchOut:
    return api.search(assistant, params, viewer)


@router.get("/api/resolutions")
def resolutions(params: Annotated[ResolutionParams, Query()], assistant: AssistantDep,
                viewer: ViewerDep) -> ResolutionsOut:
    """RESOLVED blocks only: by relevance to `q`, or every one newest first when `q` is empty."""
    return api.resolutions(assistant, params, viewer)


@router.get("/api/resolutions.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def resolutions_csv(params: Annotated[ResolutionParams, Query()], assistant: AssistantDep,
                    viewer: ViewerDep) -> Response:
    found = api.found_resolutions(assistant, params, viewer)
    disposition = 'attachment; filename="clerk-resolutions.csv"'
    return Response(precedents.to_csv(found), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})


@router.get("/api/extract")
def extract(params: Annotated[ExtractParams, Query()], assistant: AssistantDep, viewer: ViewerDep) -> ExtractOut:
    """The indexed extract a deep link points into, with its neighbours' spans."""
    return api.extract(assistant, params, viewer)


@router.get("/api/committees")
def committees(request: Request, assistant: AssistantDep, viewer: ViewerDep) -> CommitteesOut:
    """The committees, kinds of extract and period of the papers the viewer may see."""
    cache: FacetCache = request.app.state.facet_cache
    return api.committees(cache, assistant, viewer)


@router.get("/api/documents/{source:path}")
def document(source: str, assistant: AssistantDep, viewer: ViewerDep) -> DocumentOut:
    view = assistant.document(api.plain_name(source), viewer.clearance)
    return DocumentOut(source=view.source, title=view.title, text=view.text, meta=dict(view.meta))


@router.get("/healthz")
def healthz(assistant: AssistantDep, viewer: ViewerDep) -> HealthOut:
    documents, chunks = assistant.stats(viewer.clearance)
    return HealthOut(documents=documents, chunks=chunks)
