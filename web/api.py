"""What the API does at a viewer's clearance, shared by the HTTP routes and the MCP tools: a
request schema in, a response schema out, so both answer with the very same cited objects.

Below the viewer's clearance an exempt document is as absent as one never ingested.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import HTTPException

from qa.answer import Citation, Filters
from qa.assistant import Assistant
from web import precedents
from web.auth import Viewer
from web.extracts import covering
from web.facets import FacetCache
from web.figures import answer_series, header_of
from web.schemas import (
    AnswerOut,
    AskRequest,
    CitationOut,
    CommitteesOut,
    ExtractOut,
    ExtractParams,
    ResolutionOut,
    ResolutionParams,
    ResolutionsOut,
    SearchOut,
    SearchParams,
)

MAX_NAME = 255


def scoped(filters: Filters | None, viewer: Viewer) -> Filters:
    """The request's filters at the viewer's clearance (whatever the request said of it)."""
    return replace(filters or Filters(), clearance=viewer.clearance)


def ask(assistant: Assistant, body: AskRequest, viewer: Viewer) -> AnswerOut:
    answer = assistant.ask(
        body.question, history=body.turns(), k=body.k, filters=scoped(body.to_filters(), viewer), id=body.id
    )
    headers = [header_of(assistant.index, c) for c in answer.citations]
    return AnswerOut.of(answer, headers, answer_series(assistant.index, answer))


def search(assistant: Assistant, params: SearchParams, viewer: Viewer) -> SearchOut:
    citations = assistant.search(params.q, k=params.k, filters=scoped(params.to_filters(), viewer))
    return SearchOut(results=[cited(assistant, c) for c in citations])


def found_resolutions(assistant: Assistant, params: ResolutionParams, viewer: Viewer) -> list[precedents.Resolution]:
    return precedents.find(assistant, params.q, scoped(params.to_filters(), viewer), params.k, params.sort)


def resolutions(assistant: Assistant, params: ResolutionParams, viewer: Viewer) -> ResolutionsOut:
    """RESOLVED blocks only: by relevance to `q`, or every one newest first when `q` is empty."""
    return ResolutionsOut(results=[ResolutionOut.of(r) for r in found_resolutions(assistant, params, viewer)])


def extract(assistant: Assistant, params: ExtractParams, viewer: Viewer) -> ExtractOut:
    """The indexed extract a deep link points into, with its neighbours' spans."""
    source = assistant.document(plain_name(params.source), viewer.clearance).source
    found = covering(assistant.index, source, params.start, params.end)
    chunk = found.chunk
    return ExtractOut(
        citation=cited(assistant, Citation.of(chunk, 0.0)) if chunk else None,
        previous=[found.previous.start, found.previous.end] if found.previous else None,
        next=[found.next.start, found.next.end] if found.next else None,
    )


def committees(cache: FacetCache, assistant: Assistant, viewer: Viewer) -> CommitteesOut:
    """The committees, kinds of extract and period of the papers the viewer may see."""
    return CommitteesOut.of(cache.get(assistant, viewer.clearance))


def cited(assistant: Assistant, citation: Citation) -> CitationOut:
    return CitationOut.of(citation, header_of(assistant.index, citation))


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
