"""The HTML pages: the assistant, the source viewer and the resolutions finder.

Pages render even while the index cannot be opened (the API then answers 503 with the fix), so
a person sees what is wrong instead of a JSON error. All document text goes through Jinja's
autoescaping; the scripts only ever place text with textContent.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corpus.dates import spoken
from corpus.errors import DocumentNotFound, IndexError_
from index.store import Index
from qa.assistant import Assistant
from web.deps import SettingsDep, TemplatesDep
from web.errors import index_hint
from web.facets import Facets, facets_of
from web.routes import plain_name
from web.viewer import layout

router = APIRouter(include_in_schema=False)


class FacetCache:
    """Facets of the last index seen: they change only when the index is reopened."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: Index | None = None
        self._facets: Facets | None = None

    def get(self, index: Index) -> Facets:
        with self._lock:
            if self._index is not index or self._facets is None:
                self._index, self._facets = index, facets_of(index)
            return self._facets


def _assistant(request: Request) -> tuple[Assistant | None, str | None]:
    try:
        return request.app.state.assistant_slot.get(), None
    except IndexError_ as exc:
        return None, f"The index cannot be used ({exc}); {index_hint(request.app.state.settings)}."


def _context(request: Request, page: str) -> dict[str, Any]:
    assistant, problem = _assistant(request)
    cache: FacetCache = request.app.state.facet_cache
    facets = cache.get(assistant.index) if assistant else None
    return {"page": page, "facets": facets, "problem": problem}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: TemplatesDep, settings: SettingsDep) -> HTMLResponse:
    context = {**_context(request, "ask"), "default_k": settings.k}
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/resolutions", response_class=HTMLResponse)
def resolutions(request: Request, templates: TemplatesDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "resolutions.html", _context(request, "resolutions"))


@router.get("/doc/{source:path}", response_class=HTMLResponse)
def document(source: str, request: Request, templates: TemplatesDep) -> HTMLResponse:
    """The whole document, laid out; the script highlights the span named by `#c=START-END`."""
    context = _context(request, "doc")
    assistant = request.app.state.assistant_slot.assistant
    if context["problem"] or assistant is None:
        return templates.TemplateResponse(request, "doc.html", context, status_code=503)
    try:
        view = assistant.document(plain_name(source))
    except DocumentNotFound:
        context["missing"] = source[:255]
        return templates.TemplateResponse(request, "doc.html", context, status_code=404)
    parsed = assistant.index.documents[view.source]
    meta = view.meta
    context.update(
        doc=view,
        blocks=layout(view.text, parsed.pages),
        committees=meta.get("committees") or [],
        dates=[spoken(d) for d in meta.get("meeting_dates") or []],
        pages=meta.get("pages"),
    )
    return templates.TemplateResponse(request, "doc.html", context)
