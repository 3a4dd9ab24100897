// Clerk's source viewer: highlights the span named by `#c=START-END` in the laid-out document,
// scrolls to it, and shows the extract's provenance with links to its neighbours.
// Every run and table cell carries its offsets (data-s, data-e) into the document text.
"use strict";

(function () {
  const C = window.Clerk;
  const article = document.getElementById("doc-text");
  const back = document.getElementById("back-link");
  try {
    const chat = sessionStorage.getItem("clerk.chatUrl");
    if (chat && chat.startsWith("/")) back.href = chat;
  } catch (err) {
    // No sessionStorage: the back link goes to the plain page.
  }
  if (!article) return;

  const source = article.dataset.source;
  const length = Number(article.dataset.length);
  const panel = document.getElementById("extract-panel");
  const meta = document.getElementById("extract-meta");
  const prev = document.getElementById("prev-extract");
  const next = document.getElementById("next-extract");
  const leaves = Array.from(article.querySelectorAll("[data-s]"));
  let neighbours = { previous: null, next: null };
  let shown = 0; // bumped by every show(): a reply for an earlier hash must not overwrite a later one

  // "#c=START-END", optionally "&a=START-END" for the answer inside it (document offsets).
  function spansFromHash() {
    const m = /^#c=(\d+)-(\d+)(?:&a=(\d+)-(\d+))?$/.exec(location.hash);
    if (!m) return null;
    const [start, end] = [Number(m[1]), Number(m[2])];
    if (!(start < end && end <= length)) return "invalid";
    const spans = [{ start: start, end: end, cls: "hl" }];
    const a = [Number(m[3]), Number(m[4])];
    if (m[3] !== undefined && start <= a[0] && a[0] < a[1] && a[1] <= end) {
      spans.push({ start: a[0], end: a[1], cls: "hl hl-answer" });
    }
    return spans;
  }

  function clearMarks() {
    article.querySelectorAll("mark.hl").forEach((mark) => {
      const parent = mark.parentNode;
      mark.replaceWith(document.createTextNode(mark.textContent));
      parent.normalize();
    });
    article.querySelectorAll(".hl-whole, .hl-row, .hl-answer-cell").forEach((node) =>
      node.classList.remove("hl-whole", "hl-row", "hl-answer-cell"));
    const old = document.getElementById("highlight");
    if (old) old.removeAttribute("id");
  }

  // Cut one leaf (its single text node is document_text[s:e]) where the spans begin and end,
  // and wrap each piece a span covers in a <mark> of the innermost span's class.
  function markLeaf(leaf, s, e, spans) {
    const node = leaf.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE || node.length !== e - s || leaf.childNodes.length !== 1) {
      leaf.classList.add("hl-whole"); // parsing changed the text (e.g. "\r"): mark all of it
      return [leaf];
    }
    const clamp = (x) => Math.min(e - s, Math.max(0, x - s));
    const cuts = new Set([0, e - s]);
    spans.forEach((span) => cuts.add(clamp(span.start)).add(clamp(span.end)));
    const points = Array.from(cuts).sort((x, y) => x - y);
    const pieces = [];
    const marks = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const text = node.data.slice(a, b);
      const inner = spans.filter((span) => span.start <= s + a && s + b <= span.end).pop();
      if (!inner) {
        pieces.push(text);
        continue;
      }
      const mark = C.el("mark", inner.cls, text);
      pieces.push(mark);
      marks.push(mark);
    }
    leaf.replaceChildren(...pieces);
    return marks;
  }

  function highlight(spans) {
    const [start, end] = [spans[0].start, spans[0].end];
    const marks = [];
    for (const leaf of leaves) {
      const s = Number(leaf.dataset.s);
      const e = Number(leaf.dataset.e);
      if (s >= end) break;
      if (e <= start || e === s) continue;
      const made = markLeaf(leaf, s, e, spans);
      marks.push(...made);
      const row = leaf.closest("tr");
      if (row) row.classList.add("hl-row");
      if (row && made.some((m) => m.classList.contains("hl-answer"))) leaf.classList.add("hl-answer-cell");
    }
    return marks;
  }

  async function describe(start, end, turn) {
    panel.hidden = false;
    meta.textContent = "Characters " + start + "–" + end + " of this document.";
    try {
      const params = new URLSearchParams({ source: source, start: String(start), end: String(end) });
      const data = await C.getJson("/api/extract?" + params.toString());
      if (turn !== shown) return;
      neighbours = data;
      if (data.citation) meta.textContent = C.provenance(data.citation) + " · " + data.citation.kind;
    } catch (err) {
      if (turn !== shown) return;
      neighbours = { previous: null, next: null };
    }
    prev.disabled = !neighbours.previous;
    next.disabled = !neighbours.next;
  }

  function show() {
    const turn = ++shown;
    clearMarks();
    neighbours = { previous: null, next: null }; // until this span's own neighbours arrive
    prev.disabled = next.disabled = true;
    const spans = spansFromHash();
    if (spans === null) {
      panel.hidden = true;
      return;
    }
    if (spans === "invalid") {
      panel.hidden = false;
      meta.textContent = "The link names a span outside this document; the whole document is shown.";
      return;
    }
    const marks = highlight(spans);
    if (marks.length) {
      const first = marks.find((m) => m.classList.contains("hl-answer")) || marks[0];
      first.id = "highlight";
      first.tabIndex = -1;
      first.scrollIntoView({ block: "center" });
      first.focus({ preventScroll: true });
    }
    describe(spans[0].start, spans[0].end, turn);
  }

  function go(span) {
    if (span) location.hash = "#c=" + span[0] + "-" + span[1];
  }

  prev.addEventListener("click", () => go(neighbours.previous));
  next.addEventListener("click", () => go(neighbours.next));
  document.getElementById("to-highlight").addEventListener("click", (event) => {
    const mark = document.getElementById("highlight");
    if (!mark) return;
    event.preventDefault(); // keep the #c= hash: it is the deep link
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  });
  window.addEventListener("hashchange", show);
  show();
})();
