"""Request and response models of the HTTP API, kept apart from the assistant's dataclasses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from qa.answer import Answer, Citation, Filters, Turn
from qa.assistant import MAX_K, MAX_QUESTION
from qa.series import Series
from web.facets import Facets
from web.precedents import SORTS, Resolution

MAX_ANSWER = 4000
MAX_TURNS = 20
MAX_OFFSET = 2**31  # character offsets into a document; no ingested text is longer


def _clean_text(value: str, limit: int) -> str:
    text = value.strip()
    if not 1 <= len(text) <= limit:
        raise PydanticCustomError(
            "text_length",
            "must be 1 to {limit} characters long after trimming spaces (got {length})",
            {"limit": limit, "length": len(text)},
        )
    return text


def _clean_question(value: str) -> str:
    return _clean_text(value, MAX_QUESTION)


def _clean_optional(value: str | None) -> str | None:
    """Blank form fields mean "no restriction"."""
    if value is None or not value.strip():
        return None
    return _clean_text(value, 200)


def _clean_date(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise PydanticCustomError(
            "iso_date", "must be a date written YYYY-MM-DD (got '{value}')", {"value": text[:40]}
        ) from None


Question = Annotated[str, AfterValidator(_clean_question)]
FilterText = Annotated[str | None, AfterValidator(_clean_optional)]
IsoDate = Annotated[str | None, AfterValidator(_clean_date)]
TopK = Annotated[int | None, Field(ge=1, le=MAX_K, strict=True)]


class FiltersIn(BaseModel):
    """Optional restrictions on committee, meeting date range and kind of extract."""

    committee: FilterText = None
    date_from: IsoDate = None
    date_to: IsoDate = None
    kind: FilterText = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> FiltersIn:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise PydanticCustomError(
                "date_order", "date_from ({date_from}) is after date_to ({date_to})",
                {"date_from": self.date_from, "date_to": self.date_to},
            )
        return self

    def to_filters(self) -> Filters | None:
        filters = Filters(**self.model_dump(include=set(FiltersIn.model_fields)))
        return None if filters.empty else filters


class TurnIn(BaseModel):
    """One earlier exchange of the conversation."""

    question: Question
    answer: Annotated[str | None, Field(max_length=MAX_ANSWER)] = None


class AskRequest(BaseModel):
    """Body of POST /api/ask."""

    question: Question
    history: Annotated[list[TurnIn], Field(max_length=MAX_TURNS)] = []
    k: TopK = None
    filters: FiltersIn | None = None
    id: Any = None

    def turns(self) -> tuple[Turn, ...]:
        return tuple(Turn(question=t.question, answer=t.answer) for t in self.history)

    def to_filters(self) -> Filters | None:
        return self.filters.to_filters() if self.filters else None


class SearchParams(FiltersIn):
    """Query string of GET /api/search."""

    q: Question
    k: Annotated[int | None, Field(ge=1, le=MAX_K)] = None


class CitationOut(BaseModel):
    """A cited extract: `text` is exactly the document text from `start` to `end`."""

    model_config = ConfigDict(extra="allow")

    source: str
    start: int
    end: int
    text: str
    page: int | None
    title: str | None
    committee: str | None
    meeting_date: str | None
    kind: str
    score: float
    access: str = "public"

    @classmethod
    def of(cls, citation: Citation, header: tuple[str, ...] | None = None) -> CitationOut:
        """`header` (the column labels of a table row) is added for table extracts only."""
        extra = {"header": list(header)} if header else {}
        return cls.model_validate({**citation.to_json(), **extra})


class AnswerOut(BaseModel):
    """The answer object of the contract (plus any extras the assistant adds)."""

    model_config = ConfigDict(extra="allow")

    id: Any = None
    question: str
    answer: str | None
    answerable: bool
    confidence: float
    citations: list[CitationOut]
    took_ms: float

    @classmethod
    def of(cls, answer: Answer, headers: list[tuple[str, ...] | None] | None = None,
           series: Series | None = None) -> AnswerOut:
        """The contract object; `headers` label table extracts, `series` is the answered row."""
        data = answer.to_json()
        headers = headers or []
        data["citations"] = [CitationOut.of(c, headers[i] if i < len(headers) else None)
                             for i, c in enumerate(answer.citations)]
        if series is not None:
            data["series"] = SeriesOut.of(series)
        return cls.model_validate(data)


class PointOut(BaseModel):
    """One figure of a table row: column label, value, the cell as written, its role."""

    label: str
    value: float
    text: str
    role: str
    high: float | None = None
    answer: bool = False


class SeriesOut(BaseModel):
    """The figures of the performance-table row an answer came from, in column order."""

    label: str
    unit: str
    points: list[PointOut]

    @classmethod
    def of(cls, series: Series) -> SeriesOut:
        points = [PointOut(**vars(p)) for p in series.points]
        return cls(label=series.label, unit=series.unit, points=points)


class ResolutionParams(FiltersIn):
    """Query string of GET /api/resolutions: the words (optional), filters, order and how many."""

    q: FilterText = None
    k: Annotated[int, Field(ge=1, le=MAX_K)] = 20
    sort: Annotated[str, Field(pattern="^(" + "|".join(SORTS) + ")$")] = "relevance"


class ResolutionOut(BaseModel):
    """A RESOLVED block with its minute and the citation in the standard form."""

    committee: str | None
    meeting_date: str | None
    minute: str | None
    item_heading: str | None
    text: str
    source: str
    start: int
    end: int
    page: int | None
    score: float
    citation: str
    link: str
    access: str = "public"

    @classmethod
    def of(cls, r: Resolution) -> ResolutionOut:
        return cls(**vars(r), link=r.link)


class ResolutionsOut(BaseModel):
    results: list[ResolutionOut]


class ExtractParams(BaseModel):
    """Query string of GET /api/extract: a span of one document."""

    source: Annotated[str, Field(min_length=1, max_length=255)]
    start: Annotated[int, Field(ge=0, le=MAX_OFFSET)]
    end: Annotated[int, Field(ge=0, le=MAX_OFFSET)]


class ExtractOut(BaseModel):
    """The indexed extract that best covers a span, and the spans of its neighbours."""

    citation: CitationOut | None
    previous: list[int] | None
    next: list[int] | None


class SearchOut(BaseModel):
    """Ranked extracts for a query, best first."""

    results: list[CitationOut]


class DocumentOut(BaseModel):
    """The full text of one ingested document, the text citation offsets index into."""

    source: str
    title: str | None
    text: str
    meta: dict[str, Any]


class KindOut(BaseModel):
    kind: str
    label: str


class CommitteesOut(BaseModel):
    """What the papers a viewer may see cover: committees, kinds of extract, first and last meeting."""

    committees: list[str]
    kinds: list[KindOut]
    first_date: str | None
    last_date: str | None

    @classmethod
    def of(cls, facets: Facets) -> CommitteesOut:
        kinds = [KindOut(kind=k, label=label) for k, label in facets.kinds]
        return cls(committees=list(facets.committees), kinds=kinds, first_date=facets.first_date,
                   last_date=facets.last_date)


class HealthOut(BaseModel):
    """Liveness plus the size of the loaded index."""

    status: str = "ok"
    documents: int
    chunks: int


class ErrorOut(BaseModel):
    """Every error response: what was wrong, in words."""

    detail: str
