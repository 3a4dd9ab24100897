"""Synthetic growth of a papers folder: copies with other committee and council names, shifted
years and shuffled sentences, so term statistics change and every copy is a near-duplicate
distractor for the dev questions. Copy 0 is the originals, untouched."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

PLACES = (
    "Northfield", "Eastmoor", "Westbrook", "Southvale", "Ashcombe", "Brackley", "Carnforth", "Dunmere",
    "Elmstead", "Fairhaven", "Glenrow", "Hartwell", "Ivybridge", "Kelmarsh", "Larkhill", "Millbrook",
    "Netherby", "Oakridge", "Penwortham", "Queensbury", "Redmire", "Stanway", "Thornbury", "Upwood",
)
COUNCIL = "Cheshire East"
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def place_of(copy: int) -> str:
    """A distinct place name for each copy (a number joins the name past the list's end)."""
    name = PLACES[(copy - 1) % len(PLACES)]
    return name if copy <= len(PLACES) else f"{name}{(copy - 1) // len(PLACES)}"


def transform(text: str, copy: int, committees: list[str], rng: random.Random) -> str:
    """One synthetic copy of a paper's text."""
    place = place_of(copy)
    for name in sorted(committees, key=len, reverse=True):
        text = text.replace(name, f"{place} {name}")
    text = text.replace(COUNCIL, place)
    shift = 1 + copy % 9
    text = YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    return "\n".join(_shuffle_line(line, rng) for line in text.split("\n"))


def _shuffle_line(line: str, rng: random.Random) -> str:
    """Sentences of a prose line in another order; table rows (tab-separated) stay as they are."""
    if "\t" in line:
        return line
    parts = SENTENCE_END.split(line)
    if len(parts) < 3:
        return line
    rng.shuffle(parts)
    return " ".join(parts)


def grow(papers: Path, out: Path, scale: int, committees: list[str], seed: int = 0) -> list[Path]:
    """Write `scale` copies of every paper in `papers` into `out` (created); the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    sources = sorted(p for p in papers.iterdir() if p.is_file() and p.suffix in {".txt", ".md"})
    for copy in range(scale):
        for path in sources:
            target = out / (path.name if copy == 0 else f"{path.stem}-c{copy:03d}{path.suffix}")
            if copy == 0:
                shutil.copyfile(path, target)
            else:
                rng = random.Random(f"{seed}:{copy}:{path.name}")
                text = path.read_text(encoding="utf-8")
                target.write_text(transform(text, copy, committees, rng), encoding="utf-8")
            written.append(target)
    return written
