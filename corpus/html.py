"""HTML reader for council web pages (ModernGov, CMIS and the like): the readable content as text.

The page's content is found (<main>, else <body>), its chrome dropped – navigation, breadcrumbs,
cookie banners, forms, links to the meeting's PDFs, "pdf icon PDF 129 KB" – and what is left
is written as blocks (`html_blocks`) separated by blank lines.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import Tag

from corpus.document import SourceText
from corpus.errors import ReadError
from corpus.html_blocks import TITLE_CLASS, blocks, class_tokens

DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "form", "aside", "iframe",
    "svg", "button", "select", "input", "textarea", "img", "object", "embed", "canvas", "map",
    "video", "audio", "link", "meta", "title",
}  # fmt: skip
DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "dialog"}
DROP_NAME_TOKENS = {
    "breadcrumb", "breadcrumbs", "cookie", "cookies", "skip", "share", "sharing", "social", "navbar",
    "nav", "navigation", "menu", "sidebar", "banner", "masthead", "noprint", "pagination", "footer",
    "copyright", "login", "skiplinks", "crumb", "crumbs",
}  # fmt: skip
FILE_SIZE = re.compile(
    r"\(?\s*(?:(?:pdf|word|doc|excel|file) icon\s*)?(?:\b|(?<=[a-z]))(?:PDF|DOCX?|XLSX?|RTF|ODT|PPTX?|CSV|HTML?)"
    r",?\s+"
    r"\d+(?:[.,]\d+)?\s*(?:KB|kB|MB|GB|bytes)\b\s*\)?|\b(?:pdf|word|doc|excel|file) icon\b",
    re.IGNORECASE,
)
DOCUMENT_HREF = re.compile(r"\.(?:pdf|docx?|xlsx?|rtf|odt|pptx?|csv)(?:$|[?#])|mgConvert2PDF|/documents/", re.I)
BOILERPLATE = re.compile(
    r"^(?:(?:share|print|email|e-mail|bookmark) (?:this|the) page|skip to (?:main )?content|back to top"
    r"|you are here:?.*|home|contact us|accessibility|privacy(?: policy)?|cookies?(?: policy| settings)?"
    r"|(?:accept|reject) (?:all )?cookies|site ?map|rss|subscribe|log ?in|sign in|search|menu"
    r"|follow us on .{1,40}|(?:[^>›»\n.]{1,60}\s[>›»]\s){2,}[^>›»\n.]{1,80}"
    r"|(?:supporting|additional|related) documents?:?|view (?:the )?(?:background|decision|reasons?|outcome|"
    r"minutes|agenda|directions|webcast)\b.{0,80}|media|documents?:?|(?:©|\(c\)|copyright\b).{0,100})$",
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
    """Remove chrome: non-content tags, navigation by role or class/id, hidden elements, and
    list items or paragraphs that are only a link to a document."""
    total = len(root.get_text(strip=True))
    for tag in root.find_all(True):
        if not tag.decomposed and (is_chrome(tag, total) or is_document_link(tag) or is_link_list(tag)):
            tag.decompose()


def is_document_link(tag: Tag) -> bool:
    """<li><a href="report.pdf">Report PDF 120 KB</a></li>: a link to a paper, not content (an
    item's title that links to its report stays)."""
    if tag.name not in {"li", "p", "div"} or class_tokens(tag) & TITLE_CLASS:
        return False
    link = only_link(tag)
    return link is not None and bool(DOCUMENT_HREF.search(str(link.get("href", ""))) or FILE_SIZE.search(link.get_text(" ")))


def is_link_list(tag: Tag) -> bool:
    """A list whose every item is a link alone: a menu or a list of the meeting's papers."""
    items = tag.find_all("li", recursive=False) if tag.name in {"ul", "ol"} else []
    return bool(items) and all(only_link(item) is not None for item in items)


def only_link(tag: Tag) -> Tag | None:
    """The element's one <a>, when the link is all the text it holds."""
    links = tag.find_all("a")
    if len(links) != 1 or " ".join(links[0].get_text(" ").split()) != " ".join(tag.get_text(" ").split()):
        return None
    return links[0]


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
