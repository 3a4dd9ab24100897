"""Extractive answers: the cell, sentence or resolution inside a chunk that answers the question.

Every answer is a span of the chunk it comes from, so the answer and its citation cannot
disagree. Tables answer with the cell of the column the question names; minute questions with
the item number; decisions with the RESOLVED text verbatim; anything else with the sentence
that shares most with the question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from corpus.dates import find_date, mentioned_periods, spoken
from corpus.document import Chunk
from corpus.lines import marked_heading, plain, shouting
from corpus.sentences import sentences, strip_span
from corpus.tables import cells_of
from index.tokenize import normalise, tokenize
from qa.motions import asks_motion, motion_answer

MAX_ANSWER = 400
_QUARTER = re.compile(r"\bquarter ([1-4])\b")
_ROLE_WORDS = {
    "target": ("target", "aim", "goal"),
    "outturn": ("outturn", "previous", "last year", "prior year", "baseline"),
    "comment": ("comment", "commentary", "why", "explain", "reason"),
    "rag": ("rag", "rating", "red", "amber", "green"),
    "lead": ("lead", "responsible", "who"),
    "travel": ("direction", "travel", "trend"),
    "polarity": ("polarity", "good"),
    # A grants table's "Recommendation" or "Decision" column says what was decided, and why.
    "decision": ("recommend", "decision", "why", "turned down", "reject", "refus", "approv", "decid",
                 "award", "granted", "outcome"),
}
_DECISION = re.compile(r"\b(resolv|decid|decision|agree|approv|recommend|ask(?:ed)? for|request|conclu)", re.I)
_ITEM_NUMBER = re.compile(r"\b(minute|item)\s+(number|no\.?)\b|\bwhich (minute|item)\b", re.I)
_QUANTITY = re.compile(
    r"\b(how (many|much|often|long|soon|big|likely)|what (percentage|proportion|number|rate|share|level|are the chances)"
    r"|chances?|likelihood|average|total|per ?cent|%)", re.I)


@dataclass(frozen=True)
class Extract:
    """An answer span inside a chunk's text, with how well it fits the question (0..1)."""

    start: int
    end: int
    fit: float
    label: str | None = None
    empty_cell: bool = False


@lru_cache(maxsize=8192)
def _name_key(name: str) -> str:
    """A name as compared with an acronym's expansion (the same few names come every question)."""
    return normalise(name)


@dataclass(frozen=True)
class Vocabulary:
    """What the index knows about words: their idf, and the acronyms the papers define."""

    idf: Mapping[str, float] = field(default_factory=dict)
    acronyms: Mapping[str, str] = field(default_factory=dict)

    def weight(self, term: str) -> float:
        return self.idf.get(term, 1.0)

    def place_of(self, chunk: Chunk) -> set[str]:
        """Terms that name where a chunk sits (its paper, committee, meeting date, and the
        acronyms of those, "HWB" for the Health and Wellbeing Board): they say which chunk,
        not which sentence in it."""
        names = [x for x in (chunk.title, chunk.committee) if x]
        keys = {_name_key(n) for n in names}
        short = [a for a, full in self.acronyms.items() if _name_key(full) in keys]
        return set(tokenize(" ".join([*names, spoken(chunk.meeting_date), *short])))


def _roles(header: str) -> set[str]:
    h = header.lower()
    roles = {role for role, words in _ROLE_WORDS.items() if any(re.search(rf"\b{w}", h) for w in words[:2])}
    return roles | ({"year end"} if re.search(r"\b(year|yr\.?) end\b", h) else set())


def _period_tokens(text: str) -> set[str]:
    """Tokens with each 20xx year also as its two-digit form, so '2010/11' meets '10 /11'."""
    tokens = set(tokenize(text))
    return tokens | {t[2:] for t in tokens if len(t) == 4 and t.startswith("20")}


def _asked_roles(question: str) -> set[str]:
    q = normalise(question)
    asked = {role for role, words in _ROLE_WORDS.items() if any(re.search(rf"\b{w}", q) for w in words)}
    if re.search(r"\b(year[- ]end|end of (the )?(year|20\d\d)|whole year|full year|over (the )?year)\b", q):
        asked.add("year end")
    return asked


def column_score(question: str, header: str) -> float:
    """How clearly the question names this column (negative when it names another)."""
    score = len(_period_tokens(question) & _period_tokens(header)) * 0.5
    asked_q, head_q = quarters(question), quarters(header)
    if head_q:
        score += 3.0 if head_q & asked_q else (-1.0 if asked_q else -0.5)
    asked = _asked_roles(question)
    for role in _roles(header):
        if role == "year end":
            score += 2.5 if "year end" in asked else (0.0 if asked_q else 1.0)
        else:
            score += 5.0 if role in asked else -3.0
    return score


def table_answer(question: str, chunk: Chunk) -> Extract | None:
    """The cell under the column the question names, with 'row — column' as its label."""
    cells = cells_of(chunk.text)
    if not chunk.header or len(cells) < 2:
        return None
    offsets = _cell_offsets(cells)
    label_at = label_column(cells)
    best: tuple[float, int] | None = None
    for i, header in enumerate(chunk.header[: len(cells)]):
        if i == label_at or not header:
            continue
        score = column_score(question, header)
        if best is None or score > best[0]:
            best = (score, i)
    if best is None:
        return None
    score, i = best
    quoted = _QUOTED.search(question)
    if quoted and score >= 0.5:
        return _row_with_value(chunk, cells, offsets, label_at, i, quoted[1])
    if score <= 0.5:
        # Nothing in the question names a column: the right-most figure is the row's total
        # or latest value, which is what an unqualified "how many" asks for.
        numeric = [j for j in range(len(cells)) if j != label_at and re.search(r"\d", cells[j])]
        i = numeric[-1] if numeric else i
    row_label = plain(cells[label_at])
    column = chunk.header[i] if i < len(chunk.header) and chunk.header[i] else f"column {i + 1}"
    start, end = strip_span(chunk.text, offsets[i], offsets[i] + len(cells[i]))
    if start == end:
        return Extract(0, 0, 0.0, f"{row_label} — {column}", empty_cell=True)
    fit = min(1.0, 0.5 + 0.15 * score)
    return Extract(start, end, fit, f"{row_label} — {column}")


_QUOTED = re.compile(r"['‘\"“]([^'’\"”]{1,24})['’\"”]")


def _row_with_value(chunk: Chunk, cells: tuple[str, ...], offsets: list[int], label_at: int,
                    column: int, value: str) -> Extract:
    """"Which body is marked 'R' for 16.05.14?": the row's name when its cell in the named
    column holds the quoted value, and a poor fit when it does not."""
    label = f"{plain(cells[label_at])} — {chunk.header[column]} = {value}"
    if column < len(cells) and cells[column].strip().casefold() == value.strip().casefold():
        start, end = strip_span(chunk.text, offsets[label_at], offsets[label_at] + len(cells[label_at]))
        return Extract(start, end, 1.0, label)
    return Extract(0, 0, 0.0, label, empty_cell=True)


def _cell_offsets(cells: tuple[str, ...]) -> list[int]:
    offsets, pos = [], 0
    for cell in cells:
        offsets.append(pos)
        pos += len(cell) + 1
    return offsets


def label_column(cells: tuple[str, ...]) -> int:
    """The cell that names the row: the longest of the first three filled, text-like cells."""
    candidates = [(len(c.strip()), i) for i, c in enumerate(cells[:3]) if re.search(r"[A-Za-z]{3}", c)]
    return max(candidates)[1] if candidates else 0


def asked_terms(question: str, chunk: Chunk, vocab: Vocabulary) -> dict[str, float]:
    """The question's terms with their idf, less those that only say which paper or meeting the
    chunk is (and, for a date question, the dates it names: they say which meeting it is about);
    all of them when nothing else is left."""
    place = vocab.place_of(chunk)
    if _wanted_shape(question) is _DATE:
        place |= set(tokenize(" ".join(_spoken_period(p) for p in mentioned_periods(question))))
    terms = set(tokenize(question))
    return {t: vocab.weight(t) for t in (terms - place) or terms}


def sentence_answer(question: str, chunk: Chunk, vocab: Vocabulary | None = None) -> Extract | None:
    """The sentence sharing most (idf-weighted) question terms; a bare heading line takes the
    line after it ("Apologies" over the names)."""
    vocab = vocab or Vocabulary()
    wants = _wanted_shape(question)
    weight = asked_terms(question, chunk, vocab)
    if not weight:
        return None
    wanted = set(weight)
    total = sum(weight.values()) or 1.0
    spans = list(sentences(chunk.text, wrapped=True))
    best: tuple[float, int, int] | None = None
    for n, (start, end) in enumerate(spans):
        if n + 1 < len(spans) and _runs_on(chunk.text, start, end, spans[n + 1], wants):
            end = spans[n + 1][1]  # "Apologies" over the names, a heading over its figures
        words = set(tokenize(chunk.text[start:end]))
        score = sum(weight[t] for t in wanted & words) / total
        if wants and _has_shape(wants, _NUMBERING.sub("", chunk.text[start:end], count=1), question):
            score += 0.15
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return None
    score, start, end = best
    end = _past_heading(chunk.text, spans, start, end)
    if wants is not None:
        end = _on_to_what_is_asked(chunk.text, spans, start, end, wants, question)
    start = _below_heading(chunk.text, spans, start, end)
    start, end = whole_list(chunk.text, spans, start, end)
    return Extract(start, clip_end(chunk.text, start, end), min(1.0, score))


def _on_to_what_is_asked(text: str, spans: list[tuple[int, int]], start: int, end: int,
                         wants: re.Pattern[str], question: str) -> int:
    """A sentence that names the subject but not the figure, date or name asked for takes the
    next sentence of its paragraph when that holds it ("Village show – request for a
    grant. Councillors agreed to give £50.")."""
    if _has_shape(wants, _NUMBERING.sub("", text[start:end], count=1), question):
        return end
    following = next(((a, b) for a, b in spans if a >= end), None)
    if following is None or "\n\n" in text[end:following[0]] or "\t" in text[following[0]:following[1]]:
        return end
    nxt = text[following[0]:following[1]]
    return following[1] if len(nxt.split()) >= 3 and _has_shape(wants, nxt, question) else end


def _below_heading(text: str, spans: list[tuple[int, int]], start: int, end: int) -> int:
    """A heading read with the line under it ("9 APOLOGIES FOR ABSENCE" over the names) helped
    choose the answer but is not part of it: the answer starts below it."""
    newline = text.find("\n", start, end)
    line = text[start:newline]
    if newline < 0 or not (marked_heading(line) or shouting(line)):
        return start
    return next((a for a, _ in spans if newline < a < end), start)



def _past_heading(text: str, spans: list[tuple[int, int]], start: int, end: int) -> int:
    """A heading is no answer: "1.0 Recommendations" is answered with what follows it."""
    line = text[start:end]
    if "\n" in line or len(line.split()) > 12 or line.rstrip().endswith((".", "!", "?", ";")):
        return end
    following = [(a, b) for a, b in spans if a >= end]
    if not following or "\n" not in text[end:following[0][0]]:
        return end
    a, b = following[0]
    whole = whole_list(text, spans, a, b)
    return whole[1] if _LIST_ITEM.match(text[a:b]) else b


_LIST_ITEM = re.compile(r"^\s*(?:[-•*]\s+)?(?:\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}[.)])\s", re.I)


def whole_list(text: str, spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """An answer that is one item of a lettered or numbered list ("a) That the report be
    noted") is given with the items after it, then before it, as far as an answer allows."""
    if not _LIST_ITEM.match(text[start:end]):
        return start, end
    lines = [(a, b) for a, b in spans if text[text.rfind("\n", 0, a) + 1:a].strip() == ""]
    items = [i for i, (a, _) in enumerate(lines) if _LIST_ITEM.match(text[a:a + 12])]
    here = next((i for i in items if lines[i][0] <= start < lines[i][1] + 1), None)
    if here is None:
        return start, end
    def fits(a: int, b: int) -> bool:
        return lines[b][1] - lines[a][0] <= MAX_ANSWER

    first = last = here
    while last + 1 in items and fits(first, last + 1):
        last += 1
    while first - 1 in items and fits(first - 1, last):
        first -= 1
    return lines[first][0], max(lines[last][1], end)


_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{1,2})\s+(?:Mc|Mac|O')?[A-Z][a-z]{2,}")
_DATE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th|<sup>\w+</sup>)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_NUMBER = re.compile(r"\d")
# Paragraph numbering ("- 2.1 ", "3. ", "(iv) ") is not a figure that answers anything.
_NUMBERING = re.compile(r"^\W*(?:\d{1,2}(?:\.\d{1,2})*\.?|\(?[ivx]{1,4}\)|[a-z]\))\s+", re.I)


def _wanted_shape(question: str) -> re.Pattern[str] | None:
    """What the answer to this kind of question looks like: a figure, a date or a name."""
    q = question.lower()
    if re.search(r"\b(when|what date|which date|on what day)\b", q) or re.search(r"\bwhich (earlier )?meeting\b", q):
        return _DATE
    if _QUANTITY.search(question):
        return _NUMBER
    if re.search(r"\bwho\b|\bwhich (two |three )?(people|person|officers?|members?|nurses?|councillors?)\b", q):
        return _NAME
    return None


_NUMBER_WORD = re.compile(
    r"\b(?:no|none|nil|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:thir|four|fif|six|seven|eigh|nine)teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand|million|half|all|every|unanimous(?:ly)?)\b", re.I)
_MONEY_ASKED = re.compile(r"\bhow much\b.*\b(?:cost|pa(?:y|id)|spen[dt]|grant|donat|g[ia]ve|budget|fees?|charge|fund|worth|contribut)",
                         re.I)
_MONEY = re.compile(r"[£$€]\s?\d|\d\s?(?:pounds|dollars|euros|k\b|m\b|bn\b|million|billion)|\b(?:no|nothing|free)\b",
                    re.I)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def answer_shape(question: str) -> str | None:
    """What the question asks for: "date", "number", "name", or None for anything else."""
    wants = _wanted_shape(question)
    return {_DATE: "date", _NUMBER: "number", _NAME: "name"}.get(wants) if wants is not None else None


def lacks_what_is_asked(question: str, answer: str) -> bool:
    """Whether a question asking for a figure or a date is answered by text that holds none:
    the nearest sentence about the subject ("the defibrillator has now been fitted") is then
    not an answer to "how much did it cost?", and the papers are taken not to say."""
    wants = _wanted_shape(question)
    if wants is _NUMBER and _MONEY_ASKED.search(question) and not _MONEY.search(answer):
        return True  # "how much will councillors be paid?" is not answered by "By-Law 2024-54"
    if wants is _NUMBER:
        return not (_NUMBER.search(answer) or _NUMBER_WORD.search(answer))
    if wants is _DATE:
        return not (_NUMBER.search(answer) and _MONTH.search(answer) or find_date(answer))
    return False


def _spoken_period(period: str) -> str:
    """'2018-03' -> 'March 2018', '2018-03-20' -> '20 March 2018'."""
    return spoken(period) if len(period) == 10 else spoken(f"{period}-01").split(" ", 1)[1]


def _has_shape(wants: re.Pattern[str], text: str, question: str) -> bool:
    """Whether the text holds what is asked for; a date the question itself names ("the March
    2018 committee approved the minutes of which meeting?") is not the date it asks for."""
    named = mentioned_periods(question) if wants is _DATE else []
    for m in wants.finditer(text):
        date = find_date(text[m.start():m.end() + 8]) if named else None
        if not (date and any(date.startswith(p) for p in named)):
            return True
    return False


def _runs_on(text: str, start: int, end: int, following: tuple[int, int],
             wants: re.Pattern[str] | None = None) -> bool:
    """A short line, or a heading line over the line that holds what is asked ("Dates of
    Future Council Meetings" over the dates, a report title over its author), reads as one."""
    line = text[start:end]
    nxt = text[following[0]:following[1]]
    if "\t" in line or "\t" in nxt or "\n" not in text[end:following[0]]:
        return False
    if len(line.split()) <= 3:
        return True
    if line.rstrip().endswith((".", ":", ";", "?", "!", ",")):
        return False
    if wants is not None and wants.search(nxt) and not wants.search(line):
        return True
    return len(nxt.split()) <= 4 and bool(_NAME.search(nxt) or _DATE.search(nxt))


def clip_end(text: str, start: int, end: int) -> int:
    """End the answer within MAX_ANSWER characters, at a word boundary."""
    if end - start <= MAX_ANSWER:
        return end
    cut = text.rfind(" ", start, start + MAX_ANSWER)
    return cut if cut > start else start + MAX_ANSWER


def resolution_answer(question: str, chunk: Chunk, vocab: Vocabulary | None = None) -> Extract:
    """The RESOLVED text verbatim, from the first words after the RESOLVED label; it fits as
    well as its item heading and text share the question's terms."""
    text = chunk.text
    m = re.search(r"\b(?:it was\s+)?(?:resolved|agreed|decision)\b[\W_]*", text[:300], re.I)
    start = m.end() if m and m.end() < len(text) else 0
    start = strip_span(text, start, len(text))[0]
    vocab = vocab or Vocabulary()
    wanted = set(tokenize(question)) - vocab.place_of(chunk)
    weight = {t: vocab.weight(t) for t in wanted}
    have = set(tokenize(f"{chunk.item_heading or ''} {text}"))
    share = sum(w for t, w in weight.items() if t in have) / (sum(weight.values()) or 1.0)
    return Extract(start, clip_end(text, start, len(text)), min(1.0, 0.5 + share))


def item_answer(chunk: Chunk) -> Extract | None:
    """The minute/item number printed in the chunk's heading line."""
    if not chunk.item:
        return None
    m = re.search(rf"(?<![\d/]){re.escape(chunk.item)}(?![\d/])", chunk.text[:20])
    return Extract(m.start(), m.end(), 0.8, chunk.item_heading) if m else None


def asks_decision(question: str) -> bool:
    """Whether the question asks what was resolved, decided, agreed or asked for."""
    return bool(_DECISION.search(question))


def extract(question: str, chunk: Chunk, vocab: Vocabulary | None = None) -> Extract | None:
    """The best answer span this chunk offers for the question, or None."""
    if _ITEM_NUMBER.search(question):
        # Only a chunk that prints the number can answer; another chunk of the item cannot.
        return item_answer(chunk)
    vocab = vocab or Vocabulary()
    motion = asks_motion(question)
    if motion:
        named = motion_answer(question, chunk, vocab.weight, vocab.place_of(chunk))
        if named:
            return Extract(*named)
    if chunk.kind == "table":
        found = table_answer(question, chunk)
        if found and (found.empty_cell or _QUANTITY.search(question) or found.fit >= 0.6):
            return found
    decision = asks_decision(question)
    if chunk.kind == "resolution" and decision and _wanted_shape(question) is None:
        return resolution_answer(question, chunk, vocab)
    found = sentence_answer(question, chunk, vocab)
    if found and (decision or motion):
        # What was resolved is in the RESOLVED block, who moved it where a name holds that
        # role; the sentences around them are second best.
        found = Extract(found.start, found.end, found.fit * 0.6, found.label)
    return found


_ASKS_ACRONYM = re.compile(
    r"^\s*(?:what(?:'s| is| are| does)?\s+(?:the\s+|an?\s+)?)?([A-Za-z][A-Za-z&]{1,9})\s*"
    r"(?:stands? for|mean|means|short for|abbreviation)?\s*\??\s*$", re.I)


def asked_acronym(question: str, acronyms: dict[str, str]) -> str | None:
    """The acronym a "What is the ABC?" / "XYZ stands for?" question asks about."""
    m = _ASKS_ACRONYM.match(question)
    if not m:
        return None
    word = m[1]
    for key in (word, word.upper()):
        if key in acronyms and (word == key or len(word) >= 3):
            return key
    return None


def definition_answer(acronym: str, expansion: str, chunk: Chunk) -> Extract | None:
    """The expansion where the chunk defines the acronym: "Children in Care Council (CICC)"."""
    pattern = re.escape(expansion).replace(r"\ ", r"[\s/]+") + rf"[ \t]*\(\s*{re.escape(acronym)}\s*\)"
    m = re.search(pattern, chunk.text, re.I)
    if not m:
        return None
    return Extract(m.start(), m.start() + len(m.group(0).split("(")[0].rstrip()), 0.95, acronym)


_YEAR = re.compile(r"(?<![\d.£$,])((?:19|20)\d\d)(?:\s*[-/–]\s*((?:19|20)?\d\d))?(?!\d|,\d)")
_SHORT_RANGE = re.compile(r"(?<![\d./])(\d\d)\s*[-/–]\s*(\d\d)(?![\d./])")


def years(text: str) -> set[tuple[int, int]]:
    """Periods a text speaks of: '2011' is (2011, 2011); '2010-11', '2010/2011' and '10 /11'
    are the financial year (2010, 2011)."""
    found: set[tuple[int, int]] = set()
    for first, second in _YEAR.findall(text):
        end = int(second if len(second) == 4 else first[:2] + second) if second else int(first)
        found.add((int(first), end) if end == int(first) + 1 else (int(first), int(first)))
    for first, second in _SHORT_RANGE.findall(text):
        if int(second) == int(first) + 1:
            found.add((2000 + int(first), 2000 + int(second)))
    return found


def _same_period(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two financial years must be the same year; a calendar year meets the years it overlaps."""
    if a[0] != a[1] and b[0] != b[1]:
        return a == b
    return a[0] <= b[1] and b[0] <= a[1]


def period_mismatch(question: str, chunk: Chunk, found: Extract) -> bool:
    """The question names years or a quarter and the answer speaks of others only: a figure
    for 2014-15 is no answer to a question about 2015-16, nor Quarter 3's to one about Q2."""
    # A table cell speaks through its column ("2010-11 Target"), else the table's own period
    # (its caption, title); prose through the answer's own words.
    table = chunk.kind == "table"
    answer = found.label or "" if table else chunk.text[found.start:found.end]
    asked_quarters, said_quarters = quarters(question), quarters(answer)
    if asked_quarters and said_quarters and not asked_quarters & said_quarters:
        return True
    asked = years(question)
    said = years(answer) or (years(chunk.context) if table else set())
    return bool(asked and said) and not any(_same_period(x, y) for x in said for y in asked)


def quarters(text: str) -> set[str]:
    """The quarters a text names, however written ("Q2", "second quarter", "Quarter 2")."""
    return set(_QUARTER.findall(normalise(text)))
