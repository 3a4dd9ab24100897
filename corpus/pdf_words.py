"""PDF line clean-up (pure): control characters, ligatures, bullets, words broken at line ends."""

from __future__ import annotations

import re

HYPHEN_MARKS = "\ufffe\x02\u00ad"  # pdfium's "hyphen at line end", STX, soft hyphen
BULLET_GLYPHS = "•▪◦●○■□►▶➢➤✓✔‣⁃∙·\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06e\uf0a8"  # incl. Symbol/Wingdings
BULLET = re.compile(rf"^[{BULLET_GLYPHS}]\s*|^o\s+(?=[A-Z])")  # Word's second-level bullet is a Courier "o"
CONTROL = re.compile(r"[\x00-\x01\x03-\x08\x0b-\x1f\x7f\ue000-\uf8ff]")
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
WORD = re.compile(r"[^\W\d_]+")
BREAK_SITE = re.compile(rf"[^\W\d_]*(?:[{HYPHEN_MARKS}]|-\n)[^\W\d_]*")
URL = re.compile(r"\S*(?:://|www\.)\S*")
MARKED_BREAK = re.compile(rf"([^\W\d_]+)[{HYPHEN_MARKS}]([^\W\d_]+)")


def normalise_lines(raw: str) -> list[str]:
    """Lines without control characters, repeated spaces or bullet glyphs; table rows as they are."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line if "\t" in line else normalise_line(line) for line in lines]


def normalise_line(line: str) -> str:
    line = BULLET.sub("- ", " ".join(line.translate(LIGATURES).split()))  # before CONTROL: some bullets are PUA
    return " ".join(CONTROL.sub("", line).split())


def clean_cell(cell: str | None) -> str:
    """A table cell's text on one line, words broken inside the cell re-joined."""
    text = (cell or "").translate(LIGATURES)
    text = re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)
    return " ".join(CONTROL.sub("", text).split())


def rejoin_hyphenation(pages: list[list[str]]) -> None:
    """Join words broken at line ends ("manage-\\nment"), keeping compounds ("father-inclusive")."""
    text = "\n".join("\n".join(lines) for lines in pages)
    plain = BREAK_SITE.sub(" ", text).casefold()
    vocab = set(WORD.findall(plain))
    compounds = set(re.findall(r"[^\W\d_]+-[^\W\d_]+", plain))
    for lines in pages:
        for i, line in enumerate(lines):
            if "\t" not in line:
                line = URL.sub(lambda m: m[0].replace("\ufffe", "-"), line)  # never join inside URLs
                line = MARKED_BREAK.sub(lambda m: join_word(m[1], m[2], vocab, compounds), line)
                lines[i] = line.replace("\ufffe", "-").replace("\x02", "-").replace("\u00ad", "")
        join_line_breaks(lines, vocab, compounds)


def join_line_breaks(lines: list[str], vocab: set[str], compounds: set[str]) -> None:
    """Move the rest of a word broken by a trailing hyphen up to the line that holds its start."""
    emptied: set[int] = set()
    for i in range(len(lines) - 1):
        head, tail = lines[i], lines[i + 1]
        left = re.search(r"(?<![\w-])([^\W\d_]+)-$", head)
        right = re.match(r"([^\W\d_]+)(\S*)\s*", tail)
        if left and right and "\t" not in head + tail:
            lines[i] = head[: left.start()] + join_word(left[1], right[1], vocab, compounds) + right[2]
            lines[i + 1] = tail[right.end() :]
            emptied |= {i + 1} if not lines[i + 1] else set()
    lines[:] = [line for i, line in enumerate(lines) if i not in emptied]


def join_word(left: str, right: str, vocab: set[str], compounds: set[str]) -> str:
    """The two halves of a word broken at a line end, with or without the hyphen."""
    lo, ro = left.casefold(), right.casefold()
    if lo + ro in vocab:
        return left + right
    if not right[0].islower() or f"{lo}-{ro}" in compounds or ro in vocab:
        return f"{left}-{right}"
    return left + right
