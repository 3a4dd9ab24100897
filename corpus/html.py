"""HTML reader for council web pages (ModernGov and the like): the readable content as text.

Headings become "# Heading" lines, paragraphs are separated by blank lines, list items are
"- item" (or "N. item" in numbered lists), and tables are tab-separated rows, header row first.
Page chrome (navigation, breadcrumbs, cookie banners, forms, "pdf icon PDF 129 KB") is dropped.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from corpus.document import SourceText
from corpus.errors import ReadError

DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "form", "aside", "iframe",
    "svg", "button", "select", "input", "textarea", "img", "object", "embed", "canvas", "map",
    "video", "audio", "link", "meta", "title",
}  # fmt: skip
DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "dialog"}
DROP_NAME_TOKENS = {
    "breadcrumb", "breadcrumbs", "cookie", "cookies", "skip", "share", "sharing", "social", "navbar",
    "nav", "navigation", "menu", "sidebar", "banner", "masthead", "noprint", "pagination",
}  # fmt: skip
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "body", "blockquote", "pre", "address", "figure",
    "figcaption", "details", "summary", "fieldset", "center", "li", "dl", "dt", "dd", "hr",
    "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
FILE_SIZE = re.compile(
    r"\(?\s*(?:(?:pdf|word|doc|excel|file) icon\s*)?\b(?:PDF|DOCX?|XLSX?|RTF|ODT|PPTX?|CSV|HTML?)\s+"
    r"\d+(?:[.,]\d+)?\s*(?:KB|kB|MB|GB|bytes)\b\s*\)?|\b(?:pdf|word|doc|excel|file) icon\b",
    re.IGNORECASE,
)
BOILERPLATE = re.compile(
    r"^(?:(?:share|print|email|e-mail|bookmark) (?:this|the) page|skip to (?:main )?content|back to top"
    r"|you are here:?.*|home|contact us|accessibility|privacy(?: policy)?|cookies?(?: policy| settings)?"
    r"|(?:accept|reject) (?:all )?cookies|site ?map|rss|subscribe|log ?in|sign in|search|menu"
    r"|follow us on .{1,40}|(?:[^>›»\n.]{1,60}\s[>›»]\s){2,}[^>›»\n.]{1,80})$",
    re.IGNORECASE,
)


def read_html(data: bytes) -> SourceText:
    """Read an HTML page's bytes (declared charset, else detected) into clean text."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("file looks binary (NUL bytes), not HTML")
    soup = BeautifulSoup(data, "lxml")
    title = page_title(soup)
    root = content_root(soup)
    if root is None:
        raise ReadError("HTML page has no readable content")
    prune(root)
    text = "\n\n".join(b for b in (clean_block(b) for b in blocks(root)) if b)
    if not text.strip():
        raise ReadError("HTML page has no readable content")
    return SourceText(text=text, meta={"format": "html"} | ({"title": title} if title else {}))


def page_title(soup: BeautifulSoup) -> str:
    """<title> without a trailing " | Site name", else the first <h1>."""
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    title = re.sub(r"\s+\|\s+[^|]*$", "", title)
    if not title and (h1 := soup.find("h1")) is not None:
        title = " ".join(h1.get_text().split())
    return title


def content_root(soup: BeautifulSoup) -> Tag | None:
    """<main> (or role=main) when the page marks its content, else <body>."""
    for found in (soup.find("main"), soup.select_one('[role="main"]')):
        if isinstance(found, Tag) and found.get_text(strip=True):
            return found
    body = soup.body or soup
    return body if isinstance(body, Tag) else None


def prune(root: Tag) -> None:
    """Remove chrome: non-content tags, navigation by role or class/id, hidden elements."""
    total = len(root.get_text(strip=True))
    for tag in root.find_all(True):
        if not tag.decomposed and is_chrome(tag, total):
            tag.decompose()


def is_chrome(tag: Tag, total: int) -> bool:
    """Whether the element is page furniture; a wrapper holding most of the text never is."""
    if tag.name in DROP_TAGS:
        return True
    if tag.name in {"table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}:
        return False
    if tag.has_attr("hidden") or re.search(r"display\s*:\s*none", str(tag.get("style", ""))):
        return True
    marked = str(tag.get("role", "")).lower() in DROP_ROLES or tag.get("aria-hidden") == "true"
    if not marked and not name_tokens(tag) & DROP_NAME_TOKENS:
        return False
    return len(tag.get_text(strip=True)) <= total / 2  # "page-with-sidebar" wraps the content


def name_tokens(tag: Tag) -> set[str]:
    """Words in the element's id and classes: "mgLeftNav skip-link" -> {mg, left, nav, skip, link}."""
    names = " ".join([str(tag.get("id") or ""), *tag.get_attribute_list("class")])
    names = re.sub(r"([a-z])([A-Z])", r"\1 \2", names)
    return {t.lower() for t in re.split(r"[^A-Za-z]+", names) if t}


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
    return blocks(tag)


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
        text = " ".join(" ".join(blocks(item)).split())
        lines += [f"{'  ' * depth}{marker}{text}"] if text else []
        for sub in nested:
            lines += list_lines(sub, depth + 1)
    return lines


def table_blocks(table: Tag) -> list[str]:
    """A data table as tab-separated rows (header row first); a layout table as its blocks."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    rows.sort(key=lambda tr: 0 if tr.find_parent("thead") else 1)
    cells = [row_cells(tr) for tr in rows]
    cells = [row for row in cells if any(row)]
    if len(cells) < 2 or max(len(row) for row in cells) < 2:
        return [b for cell in table.find_all(["td", "th"]) for b in blocks(cell)]
    return ["\n".join("\t".join(row) for row in cells)]


def row_cells(tr: Tag) -> list[str]:
    """A row's cell texts, a spanning cell followed by empty cells so columns stay aligned."""
    out: list[str] = []
    for cell in tr.find_all(["td", "th"], recursive=False):
        out.append(" ".join(" ".join(blocks(cell)).split()))
        span = str(cell.get("colspan", "1"))
        out += [""] * (min(int(span), 50) - 1 if span.isdigit() and int(span) > 1 else 0)
    return out


def clean_block(text: str) -> str:
    """A block without file-size link furniture and boilerplate lines."""
    lines: list[str] = []
    for line in text.split("\n"):
        if "\t" not in line:
            indent = line[: len(line) - len(line.lstrip(" "))]
            line = indent + " ".join(FILE_SIZE.sub(" ", line).split())
            marker = re.match(r"^\s*(?:#+ |- |\d+\. )", line)
            if BOILERPLATE.match(line[marker.end() if marker else 0 :].strip()):
                continue
        if line.strip():
            lines.append(line)
    return "\n".join(lines)
