"""BM25 over Clerk's own tokens (bm25s keeps one-character tokens only if we tokenise ourselves).

Tokenising is most of the cost of building BM25 (about 50 s of 56 s at 186k chunks), so each
build keeps its texts' terms (`Terms`) beside the bm25s files, and the next build tokenises only
texts it has not seen. BM25's statistics are still computed over the whole corpus every build.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.tokenize import codes, joined_pairs, tokenize, words

log = logging.getLogger(__name__)
# Kinds of term: a word's token; a code ("ni68"); two words written apart ("case load"), which
# count only when the corpus also writes them as one word.
PLAIN, CODE, JOINED = 0, 1, 2
TERMS_FILES = ("terms.json", "terms_ids.npy", "terms_offsets.npy")
EMPTY = "\u2205"  # an all-empty token list breaks bm25s; this placeholder keeps rows aligned


@dataclass
class Terms:
    """Every text's terms before the corpus is known: ids into (strings, kinds), text i's
    ids being ids[offsets[i]:offsets[i + 1]]."""

    strings: list[str]
    kinds: np.ndarray  # uint8, one per entry of strings
    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than there are texts

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def of(cls, texts: list[str], known: dict[str, int] | None = None, previous: Terms | None = None) -> Terms:
        """The terms of `texts`; a text found in `known` (text -> row of `previous`) is not
        tokenised again."""
        strings = list(previous.strings) if previous else []
        kinds = list(previous.kinds.tolist()) if previous else []
        entry = {(k, s): i for i, (s, k) in enumerate(zip(strings, kinds))}

        def ids_of(terms: list[str], kind: int) -> list[int]:
            out = []
            for term in terms:
                i = entry.get((kind, term))
                if i is None:
                    i = entry[(kind, term)] = len(strings)
                    strings.append(term)
                    kinds.append(kind)
                out.append(i)
            return out

        # Read once: a slice of a memory map costs ~15 us, of an array ~1.
        old_ids = np.asarray(previous.ids) if previous else np.zeros(0, dtype=np.int32)
        old_offsets = previous.offsets.tolist() if previous else [0]
        parts: list[np.ndarray] = []
        for text in texts:
            row = known.get(text) if known is not None else None
            if row is not None and row + 1 < len(old_offsets):
                parts.append(old_ids[old_offsets[row]:old_offsets[row + 1]])
                continue
            found = words(text)
            parts.append(np.asarray(ids_of(tokenize(found), PLAIN) + ids_of(codes(found), CODE)
                                    + ids_of(joined_pairs(found), JOINED), dtype=np.int32))
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        ids = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)
        # Entries no text uses any more (their texts left the corpus) are dropped.
        used = np.zeros(len(strings), dtype=bool)
        used[ids] = True
        if used.all():
            return cls(strings, np.asarray(kinds, dtype=np.uint8), ids, offsets)
        renumber = (np.cumsum(used) - 1).astype(np.int32)
        keep = np.flatnonzero(used).tolist()
        return cls([strings[i] for i in keep], np.asarray(kinds, dtype=np.uint8)[keep], renumber[ids], offsets)

    def tokens(self) -> tuple[list[list[int]], dict[str, int]]:
        """Each text's BM25 token ids and the vocabulary: words, codes, and the joined pairs
        whose one-word form some text of the corpus uses."""
        used = np.zeros(len(self.strings), dtype=bool)
        used[self.ids] = True
        plain = {self.strings[i] for i in np.flatnonzero(used & (self.kinds == PLAIN))}
        keep = (self.kinds != JOINED) | np.fromiter((s in plain for s in self.strings), dtype=bool,
                                                     count=len(self.strings))
        vocab: dict[str, int] = {EMPTY: 0}
        token = np.fromiter((vocab.setdefault(s, len(vocab)) if k else -1
                             for s, k in zip(self.strings, (keep & used).tolist())), dtype=np.int64,
                            count=len(self.strings))
        kept = keep[self.ids]
        ends = np.cumsum(np.concatenate([[0], kept]))[self.offsets]
        flat = token[self.ids[kept]].tolist()
        rows = [flat[a:b] or [0] for a, b in zip(ends[:-1].tolist(), ends[1:].tolist())]
        return rows, vocab

    def save(self, folder: Path) -> None:
        (folder / "terms.json").write_text(json.dumps({"strings": self.strings, "kinds": self.kinds.tolist()},
                                                      ensure_ascii=False), encoding="utf-8")
        np.save(folder / "terms_ids.npy", self.ids)
        np.save(folder / "terms_offsets.npy", self.offsets)

    @classmethod
    def load(cls, folder: Path) -> Terms | None:
        """The saved terms, or None when the build has none (made before terms were kept)."""
        if not all((folder / name).is_file() for name in TERMS_FILES):
            return None
        data = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        return cls(data["strings"], np.asarray(data["kinds"], dtype=np.uint8),
                   np.load(folder / "terms_ids.npy", mmap_mode="r"), np.load(folder / "terms_offsets.npy"))


class Lexical:
    """A BM25 index over chunk texts; scores every chunk for a query in well under a millisecond."""

    def __init__(self, model: bm25s.BM25, size: int, terms: Terms | None = None, folder: Path | None = None) -> None:
        self.model = model
        self.size = size
        self._terms = terms
        self._folder = folder

    @classmethod
    def build(cls, texts: list[str], known: dict[str, int] | None = None, previous: Terms | None = None) -> Lexical:
        """BM25 over `texts`; texts in `known` (text -> row of `previous`) reuse their terms."""
        terms = Terms.of(texts, known, previous)
        rows, vocab = terms.tokens()
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(bm25s.tokenization.Tokenized(ids=rows, vocab=vocab), show_progress=False)
        return cls(model, len(texts), terms)

    @property
    def terms(self) -> Terms | None:
        """The terms of every row (read from the build folder on first need)."""
        if self._terms is None and self._folder is not None:
            self._terms = Terms.load(self._folder)
        return self._terms

    def joined(self, text: str) -> list[str]:
        """The query's tokens for things written as one: codes ("NI 68") and words written
        apart that the papers also write as one ("case load")."""
        found = words(text)
        return [j for j in joined_pairs(found) if j in self.model.vocab_dict] + codes(found)

    def scores(self, query: str | list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk (zeros where `mask` is False or no query term is known)."""
        tokens = tokenize(query) if isinstance(query, str) else query
        ids = self.model.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        weights = None if mask is None else mask.astype(np.float32)
        return np.asarray(self.model.get_scores_from_ids(ids, weight_mask=weights), dtype=np.float32)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequency of each token (unknown tokens count as rare)."""
        indptr = self.model.scores["indptr"]
        vocab = self.model.vocab_dict
        out: dict[str, float] = {}
        for token in tokens:
            i = vocab.get(token)
            df = int(indptr[i + 1] - indptr[i]) if i is not None else 0
            out[token] = float(np.log(1.0 + (self.size - df + 0.5) / (df + 0.5)))
        return out

    def save(self, folder: Path) -> None:
        self.model.save(str(folder), show_progress=False)
        if self.terms is not None:
            self.terms.save(folder)

    @classmethod
    def load(cls, folder: Path, size: int) -> Lexical:
        model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(model, size, folder=folder)
