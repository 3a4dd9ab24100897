"""Who moved, proposed or seconded a motion, who chaired a meeting, and how a recorded vote went,
read from the ways minutes write them:

    "On the proposal of Cllr. Quinn, seconded by Cllr. Ahmed the minutes were adopted."
    "Request proposed by Cllr Brown & seconded by Cllr Patel."
    "Mr Grey proposed, and Ms Osei seconded the following amendment:"
    "R2024-001 A. Smith, B. Jones:"            (resolution number, mover, seconder)
    "Councillors Lee (Chairperson), Shaw, ..."    "PRESENT IN THE CHAIR: Councillor K. Moss"
    "For (13) Mr Hart, Mr Khan, ... Against (42) ... Abstain (2)"

A question asking for one of these is answered with the name or the tally itself, from the
occurrence whose surroundings share most of the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from corpus.document import Chunk
from index.tokenize import tokenize

_TITLE = r"(?:(?:Cllrs?|Councillors?|Cmhlr|Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Mayor|Alderman)\.?\s+)"
_SURNAME = r"(?:O['’]\s?|Mc|Mac)?[A-Z][a-z][A-Za-z'’-]*"
PERSON = rf"{_TITLE}{{0,3}}(?:[A-Z]\.?\s+){{0,3}}{_SURNAME}(?:[ \t]+{_SURNAME})?"
_NAMED = rf"(?P<name>{PERSON})"

_ROLES: dict[str, list[re.Pattern[str]]] = {
    "mover": [
        re.compile(rf"(?i:proposed|moved|nominated|put forward)\s+(?i:by)\s*:?\s*{_NAMED}"),
        re.compile(rf"(?i:proposal|motion)\s+(?i:of)\s+{_NAMED}"),
        re.compile(rf"(?i:mover)\s*:\s*{_NAMED}"),
        re.compile(rf"{_NAMED}\s+(?:(?i:formally|then|duly)\s+)?(?i:proposed|moved|nominated)\b"),
        # A resolution number, then mover and seconder: "R2024-001 A. Smith, B. Jones:"
        re.compile(rf"(?m:^)[A-Z]{{0,3}}\d{{2,4}}[-/.]\d+\s+{_NAMED},\s*{PERSON}\s*[:;]"),
    ],
    "seconder": [
        re.compile(rf"(?i:seconded)\s+(?i:by)\s*:?\s*{_NAMED}"),
        re.compile(rf"(?i:seconder)\s*:\s*{_NAMED}"),
        re.compile(rf"(?i:proposed|moved),?\s+(?i:and)\s+{_NAMED}"),  # "X proposed and Y seconded"
        re.compile(rf"{_NAMED}\s+(?i:seconded)\b"),
        re.compile(rf"(?m:^)[A-Z]{{0,3}}\d{{2,4}}[-/.]\d+\s+{PERSON},\s*{_NAMED}\s*[:;]"),
    ],
    "chair": [
        re.compile(rf"{_NAMED}\s*(?:\(\s*|,\s*|\s[–-]\s*)(?i:chair(?:man|person|woman)?|cathaoirleach)\b"),
        re.compile(rf"(?<![-\w])(?<!(?i:vice) )(?i:in\s+the\s+chair|chair(?:man|person|woman)?|presiding)"
                   rf"[:*\s]+{_NAMED}"),
        re.compile(rf"{_NAMED}\s+(?i:presided|took\s+the\s+chair|in\s+the\s+chair)"),
    ],
    "vice chair": [
        re.compile(rf"{_NAMED}\s*(?:\(\s*|,\s*|\s[–-]\s*)(?i:vice[- ]?chair(?:man|person|woman)?)\b"),
        re.compile(rf"(?i:vice[- ]?chair(?:man|person|woman)?)[:*\s]+{_NAMED}"),
    ],
}
_ASKED_ROLE = [
    ("vice chair", re.compile(r"\bvice[- ]?chair", re.I)),
    ("seconder", re.compile(r"\bsecond(?:ed|er)\b", re.I)),
    ("mover", re.compile(r"\b(?:propos(?:ed|er)|moved?|mover|nominated|put forward)\b", re.I)),
    ("chair", re.compile(r"\b(?:chair(?:ed|man|person|woman)?|presided)\b", re.I)),
]
_WHO = re.compile(r"\bwho\b|\bwhich (?:councillor|member)\b", re.I)
_ROLE_VERBS = set(tokenize("who proposed propose proposal moved move motion seconded second nominated chaired "
                           "chair chairman chairperson presided vote voted votes"))

_TALLY = re.compile(r"\b(?P<side>For|Against|Abstain(?:ed|ing|ions?)?|In favour)\s*(?:\(\s*(?P<n>\d+)\s*\)|:\s*(?P<m>\d+)\b)")
_SIDE_ASKED = [
    ("against", re.compile(r"\bagainst\b", re.I)),
    ("abstain", re.compile(r"\babstain", re.I)),
    ("for", re.compile(r"\b(?:for|in favour|supported)\b", re.I)),
]


def _side(label: str) -> str:
    """"for", "against" or "abstain" for a tally's label ("In favour", "Abstentions")."""
    low = label.lower()
    return "against" if low == "against" else "abstain" if low.startswith("abstain") else "for"
_HOW_MANY_VOTED = re.compile(r"\bhow many\b.*\b(?:vot|abstain|against\b|in favour)", re.I)
_HOW_VOTED = re.compile(r"\bhow did\s+(?P<who>.+?)\s+vote\b", re.I)
LABELS = {"mover": "Proposed by", "seconder": "Seconded by", "chair": "Chair", "vice chair": "Vice-chair",
          "vote": "Vote"}


def _own(question: str) -> str:
    """The question itself: a follow-up arrives with the question before it appended (a tally
    asked after a question about who moved a motion), which says what, not what is asked."""
    return question.split("?", 1)[0]


def asked_role(question: str) -> str | None:
    """"mover", "seconder", "chair" or "vice chair" for a question asking who held that role."""
    own = _own(question)
    if not _WHO.search(own):
        return None
    return next((role for role, pattern in _ASKED_ROLE if pattern.search(own)), None)


def asks_vote(question: str) -> bool:
    own = _own(question)
    return bool(_HOW_MANY_VOTED.search(own) or _HOW_VOTED.search(own))


def asks_motion(question: str) -> bool:
    """Whether the question asks who held a role at a meeting or how a vote went."""
    return asked_role(question) is not None or asks_vote(question)


# Where one minuted matter ends: a blank line, or a line opening with an item or resolution
# number ("2532. Land", "(18) The Chairman", "R2024-229 S. Kirkey").
_BLOCK_END = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:\(?\d{1,4}[.)][ \t]|\(\d{1,3}\)|[A-Z]{0,3}\d{2,4}[-/.]\d+[ \t]))")
# How much the matters before and after the one holding a name or tally say which it is:
# "Cllr X proposed a ban... / The motion was seconded by Cllr Y" (the matter is before).
AROUND = {"before": 0.5, "after": 0.25}


def motion_answer(question: str, chunk: Chunk, weight: Callable[[str], float],
                  place: frozenset[str] | set[str] = frozenset()) -> tuple[int, int, float, str] | None:
    """(start, end, fit, label) of the name or tally that answers the question, or None.
    `place` holds the words naming the chunk's meeting (committee, date): asked for, they
    are held by every matter of the chunk, printed there or not."""
    text = chunk.text
    wanted = set(tokenize(question)) - _ROLE_VERBS
    total = sum(weight(t) for t in wanted) or 1.0
    cuts = [0, *(m.end() for m in _BLOCK_END.finditer(text)), len(text) + 1]
    blocks = list(zip(cuts, cuts[1:]))
    held = [wanted & (set(tokenize(text[a:b])) | place) for a, b in blocks]

    best: tuple[float, int, int, str] | None = None
    for start, end, label, after in _candidates(question, text):
        i = next(n for n, (a, b) in enumerate(blocks) if a <= start < b)
        # Each asked word counts once: fully in the name's own matter, less in those around it.
        before = held[i - 1] if i else set()
        later = held[i + 1] if after and i + 1 < len(blocks) else set()
        share = sum(weight(t) * (1.0 if t in held[i] else AROUND["before"] if t in before
                                 else AROUND["after"] if t in later else 0.0) for t in wanted) / total
        if best is None or share > best[0]:
            best = (share, start, end, label)
    if best is None:
        return None
    share, start, end, label = best
    return start, end, 0.6 + 0.4 * min(1.0, share), LABELS[label]


def _candidates(question: str, text: str) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, label, whether the matter after counts) of each span that could answer;
    a tally follows the matter it counts."""
    role = asked_role(question)
    if role is not None:
        for pattern in _ROLES[role]:
            for m in pattern.finditer(text):
                yield m.start("name"), m.end("name"), role, True
        return
    voted = _HOW_VOTED.search(_own(question))
    if voted:
        surname = re.findall(r"[A-Z][A-Za-z'’-]+", voted["who"])
        if not surname:
            return
        tallies = list(_TALLY.finditer(text))
        for m in re.finditer(rf"\b{re.escape(surname[-1])}\b", text):
            side = next((t for t in reversed(tallies) if t.end() <= m.start()), None)
            if side is not None:  # the list the name stands in, and the motion before it
                yield side.start(), side.end(), "vote", False
        return
    if _HOW_MANY_VOTED.search(_own(question)):
        wants = next((side for side, pattern in _SIDE_ASKED if pattern.search(_own(question))), None)
        for m in _TALLY.finditer(text):
            if wants is None or _side(m["side"]) == wants:
                yield m.start(), m.end(), "vote", False
