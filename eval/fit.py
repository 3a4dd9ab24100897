"""Fitting the answer selector (qa/selector.py) on the tune split: every candidate of every tune
question, labelled by whether it holds a gold answer; a word model (which words and word shapes
answer which class of question: logistic regression over the candidates' keys) whose
out-of-fold score joins the features; boosted trees (LightGBM) or logistic regression over
them; Platt calibration of the chosen candidate's probability on out-of-fold predictions; and the
abstention threshold that answers best with at most MAX_FALSE_DECLINES of answerable questions
declined."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
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
from qa.assistant import Assistant
from qa.selector import Selector, WordModel

MAX_FALSE_DECLINES = 0.05
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
# The word model: strong regularisation; only words found among the candidates of at least
# MIN_SOURCES of the tune questions' source documents (council English, not one paper's names
# or figures; word shapes are always kept); the WORDS_KEPT largest weights are saved (keeping
# 2,000 of about 16,000 moved the word model's own held-out choices by under a point).
WORDS_C = 0.03
MIN_SOURCES = 10
WORDS_KEPT = 2000
INNER_FOLDS = 4


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


def collect(pairs: Sequence[tuple[Assistant, Question]], questions_by_id: dict[str, Question]) -> Examples:
    """Each question asked of its assistant, and its candidates labelled."""
    rows, labels, owners, asked, groups, keys = [], [], [], [], [], []
    for assistant, q in tqdm(pairs, desc="candidates", unit="q", disable=None, leave=False):
        hits, found = assistant.candidates(q.question, history(q, questions_by_id), k=10)
        n = len(asked)
        asked.append(q)
        # a question that names no paper goes with its source: two on one passage stay together
        groups.append(group_of(q, questions_by_id) or f"{q.source or q.file} | {q.source or q.id}")
        for c in found:
            text = assistant.index.chunks[hits[c.hit].row].text[c.start:c.end]
            rows.append(c.features)
            keys.append(c.keys)
            labels.append(int(not c.empty_cell and answer_correct(q.answers, text, True)))
            owners.append(n)
    return Examples(np.asarray(rows, dtype=np.float64), np.asarray(labels), np.asarray(owners),
                    tuple(asked), tuple(groups), tuple(keys))


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

        return _Fitted(scaler, word_model, trees=lightgbm.LGBMClassifier(**TREES).fit(full, y))
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
    or declined when they must be empty) with at most MAX_FALSE_DECLINES of answerable
    questions declined."""
    best = (-1, 0.0)
    for t in sorted({0.0, *confidence.tolist()}):
        declined = confidence < t
        if answerable.any() and (declined & answerable).sum() / answerable.sum() > MAX_FALSE_DECLINES:
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
    settings = {**(TREES if kind == "trees" else {"C": C}), "words_C": WORDS_C, "min_sources": MIN_SOURCES,
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
