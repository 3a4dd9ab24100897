// Clerk's precedent finder: RESOLVED blocks only, with minute numbers, sorted by relevance or
// date; each citation can be copied in the standard form and the list downloaded as CSV.
// Resolution text is only ever placed with textContent.
"use strict";

(function () {
  const C = window.Clerk;
  const form = document.getElementById("resolutions-form");
  const status = document.getElementById("status");
  const list = document.getElementById("resolutions");
  const csv = document.getElementById("csv-link");
  const template = document.getElementById("resolution-template");
  const button = document.getElementById("find-button");

  function params() {
    const out = new URLSearchParams(C.readFilters(form));
    const q = form.elements.namedItem("q").value.trim();
    if (q) out.set("q", q);
    const sort = form.elements.namedItem("sort").value;
    if (sort !== "relevance") out.set("sort", sort);
    return out;
  }

  function fromUrl() {
    const search = new URLSearchParams(location.search);
    C.writeFilters(form, C.filtersFromUrl(location.search));
    form.elements.namedItem("q").value = search.get("q") || "";
    form.elements.namedItem("sort").value = search.get("sort") === "date" ? "date" : "relevance";
  }

  function item(r) {
    const node = template.content.firstElementChild.cloneNode(true);
    const minute = r.minute ? "Minute " + r.minute : "Resolution";
    node.querySelector(".minute").textContent = minute + (r.item_heading ? " – " + r.item_heading : "");
    node.querySelector(".provenance").textContent =
      [r.committee, C.spokenDate(r.meeting_date), r.page !== null ? "page " + r.page : ""].filter((p) => p).join(" · ");
    node.querySelector(".verbatim").textContent = r.text;
    node.querySelector(".citation-text").textContent = r.citation;
    const copy = node.querySelector(".copy");
    copy.dataset.citation = r.citation;
    copy.setAttribute("aria-label", "Copy citation: " + r.citation);
    const link = node.querySelector(".open-link");
    link.href = C.docLink(r.source, r.start, r.end);
    link.append(C.el("span", "visually-hidden", ": " + minute));
    C.markExempt(node, r.access);
    return node;
  }

  async function find() {
    const query = params();
    const text = query.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
    csv.href = "/api/resolutions.csv" + (text ? "?" + text : "");
    button.disabled = true;
    status.classList.remove("error");
    status.textContent = "Searching the resolutions…";
    try {
      const data = await C.getJson("/api/resolutions?" + text);
      list.replaceChildren(...data.results.map(item));
      const n = data.results.length;
      const order = query.has("q") ? "" : ", latest meeting first (no words to rank them by)";
      status.textContent = n === 0 ? "No resolution matches." : n + " resolution" + (n === 1 ? "" : "s") + " found" + order + ".";
    } catch (err) {
      list.replaceChildren();
      status.textContent = err.message;
      status.classList.add("error");
    } finally {
      button.disabled = false;
    }
  }

  // Clipboard API where allowed; otherwise select the citation so Ctrl+C copies it.
  async function copy(button) {
    const citation = button.dataset.citation;
    try {
      await navigator.clipboard.writeText(citation);
      status.textContent = "Copied: " + citation;
    } catch (err) {
      const text = button.closest(".resolution").querySelector(".citation-text");
      const range = document.createRange();
      range.selectNodeContents(text);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = "The citation is selected: press Ctrl+C (or ⌘C) to copy it.";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    find();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name !== "q") find();
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (button) copy(button);
  });

  fromUrl();
  find();
})();
