"""Fitting the question adapter (qa/adapter.py), the chunk reranker (qa/reranker.py) and the
answer selector (qa/selector.py) on the tune split: the adapter on the retrieved sentences that
hold a gold answer (and, for each question, one fitted without its paper, which its candidates
are made with); the reranker on which retrieved chunks hold a gold answer; then every candidate
of the chunks it puts first (reordered out of fold), labelled by whether it holds a gold
answer; a word model (which words and word shapes answer which class of question: logistic
regression over the candidates' keys) whose out-of-fold score joins the features; boosted trees
(LightGBM) or logistic regression over them; Platt calibration of the chosen candidate's
probability on out-of-fold predictions; and the abstention threshold that answers best while
the share of answerable questions declined stays under MAX_FALSE_DECLINES with 95 % confidence."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from eval.metrics import answer_correct
from eval.questions import Question, history
from eval.split import group_of
from qa.adapter import QuestionAdapter, Sentences, fit_adapter
from qa.assistant import Assistant
from qa.candidates import FEATURES, Candidate
from qa.reranker import DEPTH, POOL, Reranker, chunk_features, reorder
from qa.selector import Selector, WordModel

MAX_FALSE_DECLINES = 0.05
BOUND_ALPHA = 0.05  # the false-decline share is bounded at 95 % confidence (threshold_for)
C = 1.0  # inverse regularisation strength of the logistic model
FOLDS = 5
MODELS = ("trees", "logistic")
# Small, slow-learning trees (400 of 7 leaves, learning rate 0.03: the best of four settings by
# repeated grouped cross-validation on the tune split; eval/README.md compares the models); they
# learn which features matter together (a candidate that names a person matters for "who"
# questions), which one weight per feature cannot.
TREES = {"objective": "binary", "n_estimators": 400, "learning_rate": 0.03, "num_leaves": 7,
         "min_child_samples": 40, "reg_lambda": 1.0, "subsample": 0.8, "subsample_freq": 1,
         "colsample_bytree": 0.8, "random_state": 0, "n_jobs": 1, "verbose": -1}
# The trees may only raise a candidate's probability with more of the question around it (its
# context, chunk and window) and a closer cosine, and only lower it for a rarer term missing,
# another period, or no figure or kind of thing that was asked for: a span in a chunk that holds
# none of a question's words is not a likely answer because tune questions seldom looked like it
# ("How many goals did the football team score?" was answered "80%" on the test papers,
# confidence 0.39). The span's own coverage stays free: a span that repeats the question (or,
# for a follow-up, the question before it) is often not the answer (held-out 0.578 / 0.537
# against 0.578 / 0.504 with it constrained too; eval/README.md).
RISING = ("coverage_context", "coverage_chunk", "coverage_window", "dense", "dense_chunk", "dense_qa")
FALLING = ("missing_rare", "period_mismatch", "shape_missing", "type_lacking")
MONOTONE = [1 if f in RISING else -1 if f in FALLING else 0 for f in FEATURES] + [0]  # + the word score
# The word model: strong regularisation; only words found among the candidates of at least
# MIN_SOURCES of the tune questions' source documents (council English, not one paper's names
# or figures; word shapes are always kept); the WORDS_KEPT largest weights are saved (keeping
# 2,000 of about 16,000 moved the word model's own held-out choices by under a point).
WORDS_C = 0.03
MIN_SOURCES = 10
WORDS_KEPT = 2000
INNER_FOLDS = 4
# The chunk reranker (qa/reranker.py): lambdarank trees as small and slow as the selector's. On
# held-out questions it put a chunk holding the answer first for 0.733 of them against
# retrieval's 0.676 (eval/README.md).
RANKER = {"objective": "lambdarank", "n_estimators": 300, "learning_rate": 0.03, "num_leaves": 7,
          "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8,
          "random_state": 0, "n_jobs": 1, "verbose": -1}


@dataclass(frozen=True)
class Examples:
    """The candidates of a question set: features, labels, and which question each belongs to."""

    x: np.ndarray
    y: np.ndarray
    question: np.ndarray  # index into `questions`
    questions: tuple[Question, ...]
    groups: tuple[str, ...]  # each question's paper (folds never split one)
    keys: tuple[tuple[str, ...], ...]  # each candidate's word-model keys

    @property
    def paper(self) -> np.ndarray:
        """Each candidate's question's paper."""
        return np.asarray([self.groups[i] for i in self.question])


@dataclass(frozen=True)
class Pool:
    """One question's retrieved chunks (the reranker's rows, and whether each holds a gold
    answer) and the candidates of all of them (and whether each is a gold answer)."""

    question: Question
    group: str  # its paper: folds never split one
    chunks: np.ndarray
    relevant: np.ndarray
    candidates: tuple[Candidate, ...]
    labels: np.ndarray


def group(question: Question, questions_by_id: dict[str, Question]) -> str:
    """The question's paper: folds never split one (a question that names no paper goes with
    its source, so two on one passage stay together)."""
    source = question.source or question.file
    return group_of(question, questions_by_id) or f"{source} | {question.source or question.id}"


def fit_adapters(pairs: Sequence[tuple[Assistant, Question]], questions_by_id: dict[str, Question],
                 ) -> tuple[QuestionAdapter, dict[str, QuestionAdapter]]:
    """The question adapter (qa/adapter.py) fitted on every question's retrieved sentences, and
    for each question one fitted without its paper (what its candidates are made with, so the
    selector weighs `dense_qa` as it will be on papers the adapter has not seen)."""
    examples, groups = [], []
    for assistant, q in tqdm(pairs, desc="sentences", unit="q", disable=None, leave=False):
        vector, found = assistant.retrieved_sentences(q.question, history(q, questions_by_id))
        relevant = [q.answerable and answer_correct(q.answers, text, True) for text, _ in found]
        vectors = np.asarray([v for _, v in found], dtype=np.float32) if found else np.zeros((0, len(vector)))
        examples.append(Sentences(vector, vectors, np.asarray(relevant, dtype=bool)))
        groups.append(group(q, questions_by_id))
    folds = min(FOLDS, len(set(groups)))
    if folds < 2:
        raise ValueError("the tune questions are all about one paper: fitting out of fold needs two or more")
    by_question: dict[str, QuestionAdapter] = {}
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(examples)), None, groups):
        try:
            adapter = fit_adapter([examples[i] for i in train])
        except ValueError:  # no answer in the other papers' sentences: these keep the plain cosine
            continue
        by_question.update({pairs[i][1].id: adapter for i in test})
    return fit_adapter(examples), by_question


def collect(pairs: Sequence[tuple[Assistant, Question]], questions_by_id: dict[str, Question],
            adapters: dict[str, QuestionAdapter] | None = None) -> list[Pool]:
    """Each question asked of its assistant (its question's vector moved by its own adapter
    from `adapters`): its pool of retrieved chunks and their candidates, labelled."""
    pools = []
    for assistant, q in tqdm(pairs, desc="candidates", unit="q", disable=None, leave=False):
        hits, found = assistant.pool(q.question, history(q, questions_by_id), k=POOL,
                                     adapter=(adapters or {}).get(q.id))
        chunks = [assistant.index.chunks[h.row] for h in hits[:POOL]]
        labels = [int(not c.empty_cell and answer_correct(q.answers, chunks[c.hit].text[c.start:c.end], True))
                  for c in found]
        pools.append(Pool(q, group(q, questions_by_id), chunk_features(assistant.pool_hits(hits[:POOL]), found),
                          np.asarray([int(answer_correct(q.answers, c.text, True)) for c in chunks]),
                          tuple(found), np.asarray(labels, dtype=int)))
    return pools


def examples_of(pools: Sequence[Pool], scores: Sequence[np.ndarray] | None = None) -> Examples:
    """The selector's examples: the candidates of each pool's first DEPTH chunks, reordered by
    the reranker's `scores` when given (as qa/assistant.py does when answering)."""
    rows, labels, owners, keys = [], [], [], []
    for n, pool in enumerate(pools):
        if scores is not None:
            reordered = reorder(scores[n], pool.candidates, DEPTH)
            found, taken = reordered.candidates, reordered.taken
        else:
            taken = [i for i, c in enumerate(pool.candidates) if c.hit < DEPTH]
            found = [pool.candidates[i] for i in taken]
        for c, i in zip(found, taken):
            rows.append(c.features)
            keys.append(c.keys)
            labels.append(int(pool.labels[i]))
            owners.append(n)
    return Examples(np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES)), np.asarray(labels, dtype=int),
                    np.asarray(owners, dtype=int), tuple(p.question for p in pools),
                    tuple(p.group for p in pools), tuple(keys))


def fit_reranker(pools: Sequence[Pool]) -> tuple[Reranker, list[np.ndarray], dict[str, float]]:
    """The reranker fitted on every pool, each pool's scores from one fitted without its paper
    (what the selector is fitted on), and how often its first chunk holds a gold answer, in
    retrieval's order and reranked out of fold."""
    groups = np.asarray([p.group for p in pools])
    folds = min(FOLDS, len(set(groups.tolist())))
    if folds < 2:
        raise ValueError("the tune questions are all about one paper: fitting out of fold needs two or more")
    scores: list[np.ndarray] = [np.zeros(len(p.chunks)) for p in pools]
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(pools)), None, groups):
        model = _ranker([pools[i] for i in train])
        for i in test:
            scores[i] = _scores(model, pools[i].chunks)
    model = _ranker(pools)
    answerable = [n for n, p in enumerate(pools) if p.question.answerable and len(p.chunks)]
    figures = {
        "first_relevant_retrieved": _first_relevant(pools, answerable, None),
        "first_relevant_oof": _first_relevant(pools, answerable, scores),
    }
    reranker = Reranker(model.booster_.model_to_string(), {"settings": RANKER, "pool": POOL, "depth": DEPTH,
                                                         **figures})
    return reranker, scores, figures


def _ranker(pools: Sequence[Pool]) -> Any:
    import lightgbm

    used = [p for p in pools if len(p.chunks)]
    x = np.vstack([p.chunks for p in used])
    y = np.concatenate([p.relevant for p in used])
    return lightgbm.LGBMRanker(**RANKER).fit(x, y, group=[len(p.chunks) for p in used])


def _scores(model: Any, chunks: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(chunks), dtype=np.float64) if len(chunks) else np.zeros(0)


def _first_relevant(pools: Sequence[Pool], which: Sequence[int], scores: Sequence[np.ndarray] | None) -> float:
    if not which:
        return 0.0
    first = [int(np.argmax(scores[n])) if scores is not None else 0 for n in which]
    return round(sum(int(pools[n].relevant[f]) for n, f in zip(which, first)) / len(which), 3)


def general_words(examples: Examples, least: int = MIN_SOURCES, rows: np.ndarray | None = None) -> frozenset[str]:
    """The word keys ("w:report") found among the candidates (of `rows`, else all) of at least
    `least` source documents."""
    seen: dict[str, set[str]] = {}
    for i in range(len(examples.keys)) if rows is None else rows.tolist():
        keys, source = examples.keys[i], examples.questions[examples.question[i]].source or ""
        for key in keys:
            if key.startswith("w:"):
                seen.setdefault(key, set()).add(source)
    return frozenset(k for k, sources in seen.items() if len(sources) >= least)


def _usable(key: str, words: frozenset[str]) -> bool:
    base = key.rsplit("×", 1)[-1]
    return not base.startswith("w:") or base in words


def fit_words(keys: Sequence[tuple[str, ...]], y: np.ndarray, words: frozenset[str]) -> WordModel:
    """The word model over the usable keys, its WORDS_KEPT largest weights kept."""
    vectorizer = DictVectorizer()
    h = vectorizer.fit_transform([{k: 1 for k in ks if _usable(k, words)} for ks in keys])
    if h.shape[1] == 0 or len(set(y.tolist())) < 2:
        return WordModel(0.0, {})
    model = LogisticRegression(C=WORDS_C, max_iter=3000).fit(h, y)
    coef = model.coef_[0]
    names = vectorizer.get_feature_names_out()
    kept = np.argsort(-np.abs(coef))[:WORDS_KEPT]
    return WordModel(float(model.intercept_[0]), {str(names[i]): float(coef[i]) for i in kept if coef[i] != 0})


def _words_out_of_fold(keys: Sequence[tuple[str, ...]], y: np.ndarray, papers: np.ndarray,
                       words: frozenset[str]) -> np.ndarray:
    """Each candidate's word score from a word model fitted without its paper: what the trees
    are fitted on, so they weigh the score as it will be on papers it has not seen."""
    out = np.full(len(y), float(y.mean()) if len(y) else 0.0)  # one paper only: the prior
    folds = min(INNER_FOLDS, len(set(papers.tolist())))
    if folds < 2:
        return out
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(y)), y, papers):
        model = fit_words([keys[i] for i in train], y[train], words)
        out[test] = model.scores([keys[i] for i in test])
    return out


@dataclass(frozen=True)
class _Fitted:
    """One fitted selector model: the word model and the trees (or logistic weights) over the
    features with the word score appended."""

    scaler: StandardScaler
    words: WordModel
    logistic: LogisticRegression | None = None
    trees: Any = None  # a fitted lightgbm.LGBMClassifier

    def predict(self, x: np.ndarray, keys: Sequence[tuple[str, ...]]) -> np.ndarray:
        full = np.hstack([x, self.words.scores(keys)[:, None]])
        if self.trees is not None:
            return self.trees.predict_proba(full)[:, 1]
        if self.logistic is None:
            raise ValueError("a fitted selector model has neither trees nor logistic weights")
        return self.logistic.predict_proba(self.scaler.transform(full))[:, 1]


def _model(x: np.ndarray, keys: Sequence[tuple[str, ...]], y: np.ndarray, papers: np.ndarray,
           words: frozenset[str], kind: str = "trees") -> _Fitted:
    full = np.hstack([x, _words_out_of_fold(keys, y, papers, words)[:, None]])
    scaler = StandardScaler().fit(full)
    scaler.scale_[scaler.scale_ == 0] = 1.0
    word_model = fit_words(keys, y, words)
    if kind == "trees":
        import lightgbm

        trees = lightgbm.LGBMClassifier(**TREES, monotone_constraints=MONOTONE).fit(full, y)
        return _Fitted(scaler, word_model, trees=trees)
    logistic = LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(full), y)
    return _Fitted(scaler, word_model, logistic=logistic)


def out_of_fold(examples: Examples, kind: str = "trees") -> np.ndarray:
    """Each candidate's probability from a model fitted without its question's paper (its
    general words too are found without it)."""
    groups = examples.paper
    p = np.zeros(len(examples.y))
    folds = min(FOLDS, len(set(groups)))
    if folds < 2:
        raise ValueError("the tune questions are all about one paper: fitting out of fold needs two or more")
    for train, test in GroupKFold(n_splits=folds).split(examples.x, examples.y, groups):
        words = general_words(examples, rows=train)
        model = _model(examples.x[train], [examples.keys[i] for i in train], examples.y[train], groups[train],
                       words, kind)
        p[test] = model.predict(examples.x[test], [examples.keys[i] for i in test])
    return p


def chosen(examples: Examples, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the probability of its likeliest candidate and whether that one is right
    (a question with no candidate counts probability 0)."""
    best_p = np.zeros(len(examples.questions))
    right = np.zeros(len(examples.questions), dtype=bool)
    for i in range(len(examples.questions)):
        mine = np.flatnonzero(examples.question == i)
        if len(mine):
            j = mine[np.argmax(p[mine])]
            best_p[i], right[i] = p[j], bool(examples.y[j])
    return best_p, right


def threshold_for(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """The confidence below which to decline: the most questions scored right (answered right,
    or declined when they must be empty) while the share of answerable questions declined is
    at most MAX_FALSE_DECLINES even at the upper end of its one-sided (1 - BOUND_ALPHA)
    Clopper-Pearson interval: a share measured on tune questions comes out higher on others
    (held-out 6 % at a tune share of 4.3 %), so the bound keeps a margin that shrinks as the
    tune set grows."""
    from scipy.stats import beta

    best = (-1, 0.0)
    n = int(answerable.sum())
    for t in sorted({0.0, *confidence.tolist()}):
        declined = confidence < t
        k = int((declined & answerable).sum())
        if n and k and beta.ppf(1 - BOUND_ALPHA, k + 1, n - k) > MAX_FALSE_DECLINES:
            break
        score = int(((~declined) & right & answerable).sum() + (declined & ~answerable).sum())
        if score > best[0]:
            best = (score, t)
    return best[1]


def fit(examples: Examples, sources: Sequence[str], kind: str = "trees") -> tuple[Selector, dict[str, float]]:
    """The selector fitted on all examples, calibrated and thresholded out of fold."""
    if kind not in MODELS:
        raise ValueError(f"unknown model {kind!r}: one of {', '.join(MODELS)}")
    if len(examples.y) == 0 or len(set(examples.y.tolist())) < 2:
        raise ValueError("nothing to fit: the tune questions need candidates both right and wrong")
    model = _model(examples.x, examples.keys, examples.y, examples.paper, general_words(examples), kind)
    best_p, right = chosen(examples, out_of_fold(examples, kind))
    answerable = np.asarray([q.answerable for q in examples.questions])
    slope, bias = platt(best_p, right)
    confidence = 1.0 / (1.0 + np.exp(-(slope * logit(best_p) + bias)))
    threshold = threshold_for(confidence, right, answerable)
    declined = confidence < threshold
    figures = {
        "questions": len(examples.questions), "candidates": int(len(examples.y)),
        "oof_chosen_right": round(float(right[answerable].mean()), 3) if answerable.any() else 0.0,
        "oof_accuracy": round(float(((~declined & right & answerable) | (declined & ~answerable)).mean()), 3),
        "oof_false_declines": round(float((declined & answerable).sum() / max(1, answerable.sum())), 3),
        "oof_abstention": round(float((declined & ~answerable).sum() / max(1, (~answerable).sum())), 3),
    }
    settings = {**(TREES if kind == "trees" else {"C": C}), **({"monotone": MONOTONE} if kind == "trees" else {}), "words_C": WORDS_C, "min_sources": MIN_SOURCES,
                "words_kept": WORDS_KEPT}
    meta = {"commit": _commit(), "fitted": datetime.date.today().isoformat(), "question_files": list(sources),
            "model": kind, "settings": settings, **figures}
    linear = model.logistic
    selector = Selector(
        mean=model.scaler.mean_, scale=model.scaler.scale_,
        coef=linear.coef_[0] if linear is not None else np.zeros(len(model.scaler.mean_)),
        intercept=float(linear.intercept_[0]) if linear is not None else 0.0,
        calibration=(slope, bias), threshold=float(threshold), meta=meta,
        trees=model.trees.booster_.model_to_string() if model.trees is not None else None,
        words=model.words)
    return selector, figures


def fit_all(pools: Sequence[Pool], sources: Sequence[str], kind: str = "trees") -> tuple[Selector, dict[str, float]]:
    """The reranker, then the selector on the candidates it leaves (reordered out of fold)."""
    reranker, scores, ranked = fit_reranker(pools)
    selector, figures = fit(examples_of(pools, scores), sources, kind)
    return replace(selector, reranker=reranker), {**ranked, **figures}


def platt(best_p: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Slope and bias of the calibration; the identity when every choice was right (or none)."""
    if len(set(right.tolist())) < 2:
        return 1.0, 0.0
    model = LogisticRegression(C=1e6).fit(logit(best_p)[:, None], right.astype(int))
    return float(model.coef_[0][0]), float(model.intercept_[0])


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
        return done.stdout.strip() or "unknown"
    except OSError:
        return "unknown"
