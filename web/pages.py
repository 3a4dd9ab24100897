"""The HTML pages: the assistant, the source viewer and the resolutions finder.

Pages render even while the index cannot be opened (the API then answers 503 with the fix), so
a person sees what is wrong instead of a JSON error. All document text goes through Jinja's
autoescaping; the scripts only ever place text with textContent. What a page shows – committees,
starter questions, the viewer – is what the viewer's clearance may see; an exempt document is a
plain "no such document" below it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corpus.access import PUBLIC, may_see
from corpus.dates import spoken
from corpus.errors import DocumentNotFound, IndexError_
from qa.assistant import Assistant
from web.auth import Viewer, ViewerDep
from web.deps import SettingsDep, TemplatesDep
from web.errors import index_hint
from web.facets import FacetCache
from web.api import plain_name
from web.viewer import layout

router = APIRouter(include_in_schema=False)


def _assistant(request: Request) -> tuple[Assistant | None, str | None]:
    try:
        return request.app.state.assistant_slot.get(), None
    except IndexError_ as exc:
        return None, f"The index cannot be used ({exc}); {index_hint(request.app.state.settings)}."


def _context(request: Request, page: str, viewer: Viewer) -> tuple[Assistant | None, dict[str, Any]]:
    assistant, problem = _assistant(request)
    cache: FacetCache = request.app.state.facet_cache
    facets = cache.get(assistant, viewer.clearance) if assistant else None
    return assistant, {"page": page, "facets": facets, "problem": problem, "viewer": viewer}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: TemplatesDep, settings: SettingsDep, viewer: ViewerDep) -> HTMLResponse:
    context = {**_context(request, "ask", viewer)[1], "default_k": settings.k}
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/resolutions", response_class=HTMLResponse)
def resolutions(request: Request, templates: TemplatesDep, viewer: ViewerDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "resolutions.html", _context(request, "resolutions", viewer)[1])


@router.get("/doc/{source:path}", response_class=HTMLResponse)
def document(source: str, request: Request, templates: TemplatesDep, viewer: ViewerDep) -> HTMLResponse:
    """The whole document, laid out; the script highlights the span named by `#c=START-END`."""
    assistant, context = _context(request, "doc", viewer)
    if assistant is None:
        return templates.TemplateResponse(request, "doc.html", context, status_code=503)
    try:
        view = assistant.document(plain_name(source), viewer.clearance)
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
        exempt=not may_see(PUBLIC, view.meta.get("access", PUBLIC)),
    )
    return templates.TemplateResponse(request, "doc.html", context)
