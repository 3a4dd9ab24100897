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

  function spanFromHash() {
    const m = /^#c=(\d+)-(\d+)$/.exec(location.hash);
    if (!m) return null;
    const start = Number(m[1]);
    const end = Number(m[2]);
    return start < end && end <= length ? [start, end] : "invalid";
  }

  function clearMarks() {
    article.querySelectorAll("mark.hl").forEach((mark) => {
      const parent = mark.parentNode;
      mark.replaceWith(document.createTextNode(mark.textContent));
      parent.normalize();
    });
    article.querySelectorAll(".hl-whole, .hl-row").forEach((node) => node.classList.remove("hl-whole", "hl-row"));
    const old = document.getElementById("highlight");
    if (old) old.removeAttribute("id");
  }

  // Mark [start, end) inside one leaf whose text node is document_text[s:e].
  function markLeaf(leaf, s, e, start, end) {
    const a = Math.max(start, s) - s;
    const b = Math.min(end, e) - s;
    const node = leaf.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE || node.length !== e - s || leaf.childNodes.length !== 1) {
      leaf.classList.add("hl-whole"); // parsing changed the text (e.g. "\r"): mark all of it
      return leaf;
    }
    const middle = node.splitText(a);
    middle.splitText(b - a);
    const mark = C.el("mark", "hl");
    middle.replaceWith(mark);
    mark.append(middle);
    return mark;
  }

  function highlight(start, end) {
    const marks = [];
    for (const leaf of leaves) {
      const s = Number(leaf.dataset.s);
      const e = Number(leaf.dataset.e);
      if (s >= end) break;
      if (e <= start || e === s) continue;
      marks.push(markLeaf(leaf, s, e, start, end));
      const row = leaf.closest("tr");
      if (row) row.classList.add("hl-row");
    }
    return marks;
  }

  async function describe(start, end) {
    panel.hidden = false;
    meta.textContent = "Characters " + start + "–" + end + " of this document.";
    try {
      const params = new URLSearchParams({ source: source, start: String(start), end: String(end) });
      const data = await C.getJson("/api/extract?" + params.toString());
      neighbours = data;
      if (data.citation) meta.textContent = C.provenance(data.citation) + " · " + data.citation.kind;
    } catch (err) {
      neighbours = { previous: null, next: null };
    }
    prev.disabled = !neighbours.previous;
    next.disabled = !neighbours.next;
  }

  function show() {
    clearMarks();
    const span = spanFromHash();
    if (span === null) {
      panel.hidden = true;
      return;
    }
    if (span === "invalid") {
      panel.hidden = false;
      meta.textContent = "The link names a span outside this document; the whole document is shown.";
      return;
    }
    const marks = highlight(span[0], span[1]);
    if (marks.length) {
      const first = marks[0];
      first.id = "highlight";
      first.tabIndex = -1;
      first.scrollIntoView({ block: "center" });
      first.focus({ preventScroll: true });
    }
    describe(span[0], span[1]);
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
