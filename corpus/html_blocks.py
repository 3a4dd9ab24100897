"""HTML elements as text blocks: headings, paragraphs, lists, data tables and agenda-item rows.

Headings become "# Heading" lines (a bold-only or title-classed short paragraph counts as one),
list items "- item" or "N. item", data tables tab-separated rows with the header row first.
A table used for layout – ModernGov's item table, one row per item with the number in its own
cell – becomes its content, each item opening with a "## N. Title" heading.
"""

from __future__ import annotations

import re

from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "body", "blockquote", "pre", "address", "figure",
    "figcaption", "details", "summary", "fieldset", "center", "li", "dl", "dt", "dd", "hr",
    "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
ITEM_NUMBER = re.compile(r"^(?:(?:item|minute|min\.?)\s+)?\(?(\d{1,4}(?:/\d{2,4})?[a-z]?)[.):]?\)?$", re.I)
DECISION = re.compile(r"^(?:it was\s+)?(?:resolved|agreed|decision)\b", re.I)
TITLE_CLASS = {"title", "heading", "subtitle"}
HEADING_MAX_WORDS = 14
LAYOUT_MIN_WORDS = 60  # a cell this long is content, not a table value


def blocks(node: Tag) -> list[str]:
    """The node's content as blocks: paragraphs, headings, lists and tables, in order."""
    out: list[str] = []
    inline: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            inline += [] if isinstance(child, SKIPPED_STRINGS) else [re.sub(r"\s+", " ", str(child))]
        elif isinstance(child, Tag) and child.name == "br":
            inline.append("\n")
        elif isinstance(child, Tag) and (child.name in BLOCK_TAGS or child.find(BLOCK_TAGS)):
            out += flush(inline) + block(child)
        elif isinstance(child, Tag):
            inline.append(inline_text(child))
    return out + flush(inline)


def flush(inline: list[str]) -> list[str]:
    """Pending inline text as one paragraph block (lines kept where <br> broke them)."""
    lines = [" ".join(line.split()) for line in "".join(inline).split("\n")]
    inline.clear()
    text = "\n".join(line for line in lines if line)
    return [text] if text else []


def inline_text(tag: Tag) -> str:
    """Inline markup's text, <br> as a line break."""
    parts: list[str] = []
    for piece in tag.descendants:
        if isinstance(piece, Tag) and piece.name == "br":
            parts.append("\n")
        elif isinstance(piece, NavigableString) and not isinstance(piece, SKIPPED_STRINGS):
            parts.append(re.sub(r"\s+", " ", str(piece)))
    return "".join(parts)


def block(tag: Tag) -> list[str]:
    """One block-level element as blocks."""
    if re.fullmatch(r"h[1-6]", tag.name):
        text = " ".join(tag.get_text(" ").split())
        return [f"{'#' * int(tag.name[1])} {text}"] if text else []
    if tag.name in {"ul", "ol"}:
        lines = list_lines(tag, 0)
        return ["\n".join(lines)] if lines else []
    if tag.name == "table":
        return table_blocks(tag)
    if tag.name == "pre":
        text = tag.get_text().strip("\n")
        return [text] if text.strip() else []
    if tag.name in {"p", "div"} and is_heading(tag):
        return [f"### {' '.join(tag.get_text(' ').split())}"]
    return blocks(tag)


def is_heading(tag: Tag) -> bool:
    """A short paragraph in bold alone, or classed as a title: a heading in all but the tag."""
    text = " ".join(tag.get_text(" ").split())
    if not text or len(text.split()) > HEADING_MAX_WORDS or text.endswith(".") or DECISION.match(text):
        return False
    if tag.find(BLOCK_TAGS) or ITEM_NUMBER.match(text):
        return False
    if class_tokens(tag) & TITLE_CLASS:
        return True
    if any(class_tokens(t) & TITLE_CLASS and len(t.get_text(" ").split()) * 2 >= len(text.split())
           for t in tag.find_all(True)):
        return True  # "<span class=ItemNumber>2.</span> <span class=ItemTitle>Licence</span>"
    bold = "".join(b.get_text(" ") for b in tag.find_all(["strong", "b"]) if not b.find_parent(["strong", "b"]))
    return " ".join(bold.split()) == text


def class_tokens(tag: Tag) -> set[str]:
    """Words of the element's classes: "mgAiTitleTxt" -> {mg, ai, title, txt}."""
    names = re.sub(r"([a-z])([A-Z])", r"\1 \2", " ".join(tag.get_attribute_list("class") or []))
    return {t.lower() for t in re.split(r"[^A-Za-z]+", names) if t}


def list_lines(tag: Tag, depth: int) -> list[str]:
    """List items as "- item" / "N. item" lines, nested lists indented by two spaces."""
    lines: list[str] = []
    start = str(tag.get("start", ""))
    number = int(start) if start.isdigit() else 1
    for item in tag.find_all("li", recursive=False):
        marker = f"{number}. " if tag.name == "ol" else "- "
        number += 1
        nested = [sub for sub in item.find_all(["ul", "ol"], recursive=False)]
        for sub in nested:
            sub.extract()
        text = " ".join(" ".join(b.lstrip("#") for b in blocks(item)).split())
        lines += [f"{'  ' * depth}{marker}{text}"] if text else []
        for sub in nested:
            lines += list_lines(sub, depth + 1)
    return lines


def table_blocks(table: Tag) -> list[str]:
    """A data table as tab-separated rows (header row first); a layout table as its content."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    rows.sort(key=lambda tr: 0 if tr.find_parent("thead") else 1)
    if is_layout(rows):
        return [b for tr in rows for b in layout_row(tr)]
    cells = [row_cells(tr) for tr in rows]
    cells = [row for row in cells if any(row)]
    if len(cells) < 2 or max(len(row) for row in cells) < 2:
        return [b for cell in table.find_all(["td", "th"]) for b in blocks(cell)]
    return ["\n".join("\t".join(row) for row in cells)]


def cells_of(tr: Tag) -> list[Tag]:
    return tr.find_all(["td", "th"], recursive=False)


def is_layout(rows: list[Tag]) -> bool:
    """Whether the table lays out content: a cell holds paragraphs or a long text, or most rows
    are (item number, item) pairs."""
    body = [tr for tr in rows if not all(c.name == "th" for c in cells_of(tr))]
    for tr in body:
        for cell in cells_of(tr):
            if len(blocks(cell)) > 1 or len(cell.get_text(" ").split()) > LAYOUT_MIN_WORDS:
                return True
    numbered = sum(item_number(tr) is not None for tr in body)
    return len(body) >= 2 and numbered * 3 >= len(body) * 2


def item_number(tr: Tag) -> str | None:
    """"4." when the row is (item number, item content), else None."""
    cells = [c for c in cells_of(tr) if c.get_text(strip=True)]
    if len(cells) != 2:
        return None
    match = ITEM_NUMBER.match(" ".join(cells[0].get_text(" ").split()))
    return f"{match[1]}." if match else None


def layout_row(tr: Tag) -> list[str]:
    """A layout row's content; an item row opens with "## N. Title"."""
    cells = cells_of(tr)
    if all(c.name == "th" for c in cells):
        return []  # "No. | Item" over an item table
    number = item_number(tr)
    if number is None:
        return [b for cell in cells for b in blocks(cell)]
    content = [b for cell in cells if cell.get_text(strip=True) for b in blocks(cell)][1:]
    if not content:
        return [f"## {number}"]
    title, _, rest = content[0].lstrip("#").strip().partition("\n")
    return [f"## {number} {title}"] + ([rest] if rest.strip() else []) + content[1:]


def row_cells(tr: Tag) -> list[str]:
    """A row's cell texts, a spanning cell followed by empty cells so columns stay aligned."""
    out: list[str] = []
    for cell in cells_of(tr):
        out.append(" ".join(" ".join(b.lstrip("#") for b in blocks(cell)).split()))
        span = str(cell.get("colspan", "1"))
        out += [""] * (min(int(span), 50) - 1 if span.isdigit() and int(span) > 1 else 0)
    return out
