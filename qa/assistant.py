"""The one core object the CLI, the web app and the evaluator share."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from corpus.access import LEVELS, PUBLIC, may_see
from corpus.errors import DocumentNotFound, QueryError
from index.builder import sentence_units
from index.embedder import Embedder
from index.store import Index, IndexStore
from index.tokenize import tokenize
from qa.access import Views
from qa.adapter import QuestionAdapter
from qa.answer import Answer, Citation, Filters, Turn
from qa.backends import Backend, shared_backend
from qa.chat import contextualise
from qa.extraction import (
    Extract,
    Vocabulary,
    asked_acronym,
    definition_answer,
    extract,
    lacks_what_is_asked,
    period_mismatch,
)
from qa.candidates import Asked, Candidate, question_candidates
from qa.motions import asks_motion
from qa.reranker import DEPTH, POOL, PoolHit, chunk_features, reorder
from qa.retrieval import MODES, Hit, Retriever
from qa.selector import Selector
from qa.settings import Settings

log = logging.getLogger(__name__)
MAX_QUESTION = 2000
MAX_K = 50
# The top hits reranked before answering, and the weights of the rerank (chosen on the dev set).
RERANK = 3
# Dev R@1 by W_RANK: 0.50 -> 0.70, 0.65 -> 0.74, 0.80-1.00 -> 0.75 (plateau); the fit still
# breaks near-ties.
W_RANK, W_FIT = 0.85, 0.15
# A question for who moved, seconded or chaired, or for a vote, is answered by the chunk that
# names that role or holds the tally, which retrieval often ranks a little below the debate
# around it: more hits are reranked and the fit weighs more. (External set: the name or tally
# was at ranks 2-4 in 3 of 12 such questions.)
MOTION_RERANK, MOTION_W_FIT = 5, 0.45
ANSWERERS = ("rules", "selector")


@dataclass(frozen=True)
class DocumentView:
    source: str
    title: str | None
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


class Assistant:
    """Answers questions and searches over one loaded index.

    Every method sees public material only unless told a higher clearance (`Filters.clearance`,
    `clearance=`): exempt documents are then as absent as documents never ingested.
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings,
                 selector: Selector | None = None, reuse: Backend | None = None) -> None:
        """`reuse`: the backend of the assistant this one replaces (a reload), whose connection
        the new build is searched through instead of a new one."""
        if settings.answerer not in ANSWERERS:
            raise QueryError(f"CLERK_ANSWERER must be one of {', '.join(ANSWERERS)}, not {settings.answerer!r}")
        self.index = index
        # Loaded now when it answers: the first question must not pay for reading the trees.
        self._selector = selector if selector is not None or settings.answerer != "selector" else Selector.load()
        self.embedder = embedder.for_kind(index.vector_kind)
        self.settings = settings
        self.views = Views(index)
        # Milvus: one connection for every level (qa/backends.py), and kept across reloads
        self.backend = reuse.over(index) if reuse is not None else shared_backend(index, settings)
        self.retrievers = {level: Retriever(self.views.of(level), self.embedder, settings, self.backend)
                           for level in LEVELS}
        self.retriever = self.retrievers[PUBLIC]

    @classmethod
    def open(cls, settings: Settings, selector: Selector | None = None) -> Assistant:
        index = IndexStore(settings.index_dir).load(settings.model)
        return cls(index, embedder_for(settings), settings, selector)

    @property
    def selector(self) -> Selector:
        """The fitted answer selector (qa/selector.json), loaded when first needed."""
        if self._selector is None:
            self._selector = Selector.load()
        return self._selector

    def _check(self, question: str, k: int | None, mode: str) -> tuple[str, int]:
        question = (question or "").strip()
        if not question:
            raise QueryError("question is empty")
        if len(question) > MAX_QUESTION:
            raise QueryError(f"question is {len(question)} characters; the limit is {MAX_QUESTION}")
        k = self.settings.k if k is None else k
        if not 1 <= k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}")
        if mode not in MODES:
            raise QueryError(f"mode must be one of {', '.join(MODES)}")
        return question, k

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid") -> list[Citation]:
        query, k = self._check(query, k, mode)
        return [self._cite(hit) for hit in self._retriever(filters).search(query, k, filters, mode)]

    def _retriever(self, filters: Filters | None) -> Retriever:
        return self.retrievers.get((filters or Filters()).clearance, self.retriever)

    def ask(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
            filters: Filters | None = None, mode: str = "hybrid", id: Any = None) -> Answer:
        started = time.perf_counter()
        question, k = self._check(question, k, mode)
        if self.settings.answerer == "selector":
            return self._select(question, history, k, filters, mode, started, id)
        asked = contextualise(question, history)
        retriever = self._retriever(filters)
        hits = retriever.search(asked, max(k, RERANK), filters, mode)
        if not hits:
            return Answer(question, None, False, 0.0, (), _ms(started), id)
        defined = self._definition(question, filters, retriever)
        if defined is not None:
            hits = [defined[0]] + [h for h in hits if h.row != defined[0].row]
        order, found = ([*range(len(hits))], defined[1]) if defined else self._choose(asked, hits, retriever.index)
        citations = [self._cite(hits[i]) for i in order][:k]
        confidence = self._confidence(asked, hits[order[0]], found)
        chunk = self.index.chunks[hits[order[0]].row]
        answerable = (found is not None and not found.empty_cell and confidence >= self.settings.abstain_below
                      and not period_mismatch(asked, chunk, found)
                      and not lacks_what_is_asked(asked, chunk.text[found.start:found.end]))
        text = None
        if found is not None and not found.empty_cell:
            citations[0] = replace(citations[0], highlight=(found.start, found.end))
            text = citations[0].text[found.start:found.end] if answerable else None
        extras = {"answer_label": found.label if found and answerable else None}
        return Answer(question, text, answerable, confidence, tuple(citations), _ms(started), id, extras)

    def candidates(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
                   filters: Filters | None = None, mode: str = "hybrid") -> tuple[list[Hit], list[Candidate]]:
        """The retrieved hits, the top POOL reordered by the fitted chunk reranker (when the
        selector holds one), and every answer candidate of the first DEPTH of them: what the
        selector chooses from."""
        reranker = self.selector.reranker
        hits, found = self.pool(question, history, k, filters, mode, POOL if reranker is not None else DEPTH)
        if reranker is None or not hits:
            return hits, found
        pool = hits[:POOL]
        scores = reranker.scores(chunk_features(self.pool_hits(pool), found))
        reordered = reorder(scores, found, DEPTH)
        # The reranker's relevance (1 for the first) is the reordered hits' score; hits below
        # the pool keep retrieval's order, their scores scaled to continue below it.
        relevance = np.exp(scores - scores.max())
        ranked = [replace(pool[i], score=round(float(relevance[i]), 6)) for i in reordered.order]
        last = pool[-1].score or 1.0
        rest = [replace(h, score=ranked[-1].score * min(1.0, h.score / last)) for h in hits[POOL:]]
        return ranked + rest, reordered.candidates

    def pool(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
             filters: Filters | None = None, mode: str = "hybrid", depth: int = POOL,
             adapter: QuestionAdapter | None = None) -> tuple[list[Hit], list[Candidate]]:
        """The retrieved hits (at least `depth`) in retrieval's order and every answer candidate
        of the top `depth` of them (the POOL is what `eval fit` fits the reranker and the
        selector on). The question's vector is moved by the selector's fitted adapter, or by
        `adapter` when one is given (`eval fit` gives each question one fitted without its paper)."""
        question, k = self._check(question, k, mode)
        asked = contextualise(question, history)
        retriever = self._retriever(filters)
        hits = retriever.search(asked, max(k, depth), filters, mode)
        if not hits:
            return [], []
        defined = self._definition(question, filters, retriever)
        if defined is not None:
            hits = [defined[0]] + [h for h in hits if h.row != defined[0].row]
        view = retriever.index  # idf and acronyms of the papers this asker may see
        vocab = Vocabulary(view.lexical.idf(tokenize(asked)), view.acronyms)
        top = hits[:depth]
        vector = retriever.query_vector(asked)
        moved = adapter or self.selector.adapter
        found = question_candidates(
            # a follow-up's own words are weighed apart from the question they were widened to
            Asked.of(asked, vocab, vector, own=question if asked != question else None,
                     adapted=moved.apply(vector) if moved is not None else None),
            self.index.chunks, [h.row for h in top],
            [h.score for h in top], self.index.vectors_of, defined[1] if defined else None)
        return hits, found

    def retrieved_sentences(self, question: str, history: Sequence[Turn] = (),
                            depth: int = POOL) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
        """The question's vector (as retrieval encodes it) and each sentence of its top `depth`
        retrieved chunks with its stored vector: what `eval fit` fits the question adapter on."""
        question, _ = self._check(question, None, "hybrid")
        asked = contextualise(question, history)
        retriever = self._retriever(None)
        found = []
        for hit in retriever.search(asked, depth, None, "hybrid")[:depth]:
            chunk, vectors = self.index.chunks[hit.row], self.index.vectors_of(hit.row)
            units = sentence_units(chunk)
            if len(vectors) == len(units) + 1:  # the chunk's own vector first, then its sentences'
                found += [(chunk.text[a:b], v) for (a, b), v in zip(units, vectors[1:])]
        return retriever.query_vector(asked), found

    def pool_hits(self, hits: Sequence[Hit]) -> list[PoolHit]:
        """What the chunk reranker reads of each hit."""
        return [PoolHit(h.score, h.lexical, h.dense, len(self.index.chunks[h.row].text.split())) for h in hits]

    def _select(self, question: str, history: Sequence[Turn], k: int, filters: Filters | None, mode: str,
                started: float, id: Any) -> Answer:
        """The answer the fitted selector chooses among every candidate span of the top hits;
        its calibrated probability is the confidence, declined below the fitted threshold."""
        hits, found = self.candidates(question, history, k, filters, mode)
        choice = self.selector.choose(found)
        if choice is None:
            citations = tuple(self._cite(h) for h in hits[:k])
            return Answer(question, None, False, 0.0, citations, _ms(started), id)
        best, confidence = choice
        pick = found[best]
        order = [pick.hit] + [i for i in range(len(hits)) if i != pick.hit]
        citations = [self._cite(hits[i]) for i in order][:k]
        answerable = not pick.empty_cell and confidence >= self.selector.threshold
        text = None
        if not pick.empty_cell:
            citations[0] = replace(citations[0], highlight=(pick.start, pick.end))
            text = citations[0].text[pick.start:pick.end] if answerable else None
        extras = {"answer_label": pick.label if answerable else None}
        return Answer(question, text, answerable, round(confidence, 3), tuple(citations), _ms(started), id, extras)

    def _definition(self, question: str, filters: Filters | None,
                    retriever: Retriever) -> tuple[Hit, Extract] | None:
        """For "what is X?" about an acronym the papers define, the chunk that defines it."""
        acronyms = retriever.index.acronyms  # those of the papers this asker may see
        acronym = asked_acronym(question, acronyms)
        if acronym is None:
            return None
        expansion = acronyms[acronym]
        for hit in retriever.search(f"{expansion} {acronym}", 20, filters, "bm25"):
            found = definition_answer(acronym, expansion, self.index.chunks[hit.row])
            if found:
                return Hit(hit.row, 1.0, hit.lexical, 1.0), found
        return None

    def _choose(self, question: str, hits: list[Hit], view: Index) -> tuple[list[int], Extract | None]:
        """Rerank the top hits by retrieval score and by how well their best answer span fits
        the question; the winner answers. (Adding the best sentence's cosine lowered dev R@1.)
        `view` is the index as the asker sees it: idf and acronyms of visible papers only."""
        top = hits[0].score or 1.0
        vocab = Vocabulary(view.lexical.idf(tokenize(question)), view.acronyms)
        depth, w_fit = (MOTION_RERANK, MOTION_W_FIT) if asks_motion(question) else (RERANK, W_FIT)
        scored: list[tuple[float, int, Extract | None]] = []
        for i, hit in enumerate(hits[:depth]):
            found = extract(question, self.index.chunks[hit.row], vocab)
            fit = found.fit if found and not found.empty_cell else 0.0
            score = (1.0 - w_fit) * hit.score / top + w_fit * fit
            scored.append((score, -i, found))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        winner = -scored[0][1]
        # The answering chunk is cited first; the rest keep their retrieval order.
        return [winner] + [i for i in range(len(hits)) if i != winner], scored[0][2]

    def _confidence(self, question: str, hit: Hit, found: Extract | None) -> float:
        """Share of the question's terms the cited chunk holds, blended with dense similarity."""
        chunk = self.index.chunks[hit.row]
        wanted = set(tokenize(question))
        coverage = len(wanted & set(tokenize(chunk.index_text))) / len(wanted) if wanted else 0.0
        dense = max(0.0, min(1.0, hit.dense)) if hit.dense else 0.5
        fit = found.fit if found and not found.empty_cell else 0.0
        return round(max(0.0, min(1.0, 0.45 * coverage + 0.35 * dense + 0.2 * fit)), 3)

    def _cite(self, hit: Hit) -> Citation:
        return Citation.of(self.index.chunks[hit.row], hit.score)

    def document(self, source: str, clearance: str = PUBLIC) -> DocumentView:
        """The whole document; an exempt one is not found, in the same words, below its level."""
        doc = self.index.documents.get(source)
        if doc is None or not may_see(clearance, doc.access):
            raise DocumentNotFound(f"no ingested document is named {source!r}")
        titles = [c.title for c in doc.chunks if c.title]
        meta = {"path_name": source, "sha256": doc.sha256, "pages": len(doc.pages) or None,
                "chunks": len(doc.chunks), "access": doc.access, **doc.meta,
                "committees": sorted({c.committee for c in doc.chunks if c.committee}),
                "meeting_dates": sorted({c.meeting_date for c in doc.chunks if c.meeting_date})}
        return DocumentView(source, doc.meta.get("title") or (titles[0] if titles else source), doc.text, meta)

    def document_text(self, source: str, clearance: str = PUBLIC) -> str:
        return self.document(source, clearance).text

    def stats(self, clearance: str = PUBLIC) -> tuple[int, int]:
        """(documents, chunks) that `clearance` may see."""
        return self.views.counts(clearance)


def embedder_for(settings: Settings) -> Embedder:
    """The embedding model and backend the settings name."""
    return Embedder(settings.model, settings.embed_batch, backend=settings.embed_backend,
                    cache_dir=settings.embed_cache)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
