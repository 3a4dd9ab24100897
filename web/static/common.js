// What every Clerk page shares: dates in words, provenance lines, links into the viewer,
// filters read from and written to the URL, and marking a span inside text.
// Text is only ever placed with textContent or text nodes, never parsed as HTML.
"use strict";

window.Clerk = (function () {
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];
  const FILTERS = ["committee", "date_from", "date_to", "kind"];

  // "2011-06-28" -> "28 June 2011"; anything else is returned as it came.
  function spokenDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) return iso || "";
    return Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1];
  }

  function minuteOf(c) {
    if (!c.item) return "";
    const word = c.kind === "resolution" || c.kind === "minutes" ? "Minute " : "Item ";
    return word + c.item + (c.item_heading ? " – " + c.item_heading : "");
  }

  // committee · meeting date · document title · page · minute/item
  function provenance(c) {
    const parts = [c.committee, spokenDate(c.meeting_date), c.title,
      c.page !== null && c.page !== undefined ? "page " + c.page : "", minuteOf(c)];
    return parts.filter((p) => p).join(" · ") || c.source;
  }

  function docLink(source, start, end) {
    return "/doc/" + encodeURIComponent(source) + "#c=" + start + "-" + end;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Append `text` to `parent`, wrapping the part inside [span[0], span[1]) - offsets counted
  // from `offset` - in a <mark>.
  function appendMarked(parent, text, offset, span) {
    const a = span ? Math.max(0, span[0] - offset) : 0;
    const b = span ? Math.min(text.length, span[1] - offset) : 0;
    if (!span || b <= a) {
      parent.append(text);
      return null;
    }
    const mark = el("mark", "", text.slice(a, b));
    parent.append(text.slice(0, a), mark, text.slice(b));
    return mark;
  }

  function filtersFromUrl(search) {
    const params = new URLSearchParams(search);
    const out = {};
    FILTERS.forEach((name) => {
      const value = (params.get(name) || "").trim();
      if (value) out[name] = value;
    });
    return out;
  }

  // Form controls named like the filters <-> a plain object of the non-empty ones.
  function readFilters(form) {
    const out = {};
    FILTERS.forEach((name) => {
      const field = form.elements.namedItem(name);
      const value = field ? field.value.trim() : "";
      if (value) out[name] = value;
    });
    return out;
  }

  function writeFilters(form, filters) {
    FILTERS.forEach((name) => {
      const field = form.elements.namedItem(name);
      if (!field) return;
      const value = filters[name] || "";
      if (field.tagName === "SELECT" && value && !Array.from(field.options).some((o) => o.value === value)) {
        field.append(new Option(value, value)); // a shared link may name a committee not listed
      }
      field.value = value;
    });
  }

  async function getJson(url, options) {
    const response = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options));
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      const detail = data && typeof data.detail === "string" ? data.detail : response.statusText;
      throw new Error(detail || "The request failed (" + response.status + ").");
    }
    return data;
  }

  // Extracts from exempt (Part 2) papers carry a badge and a class, so they stand out.
  function markExempt(item, access) {
    if (access !== "exempt") return;
    item.classList.add("exempt");
    const badge = el("span", "exempt-badge", "Exempt");
    badge.title = "Not for publication (Schedule 12A): do not share outside the council";
    const where = item.querySelector(".provenance");
    where.prepend(badge, " ");
  }

  // Signed in, the page may show exempt material; otherwise it must not, even from storage.
  function mayShowExempt() {
    return document.body.dataset.clearance === "exempt";
  }

  // Signing out clears what this site stored (the conversation may quote exempt papers).
  document.addEventListener("submit", (event) => {
    if (!event.target.matches(".signout-form")) return;
    try {
      localStorage.clear();
      sessionStorage.clear();
    } catch (err) {
      // Storage disabled: nothing was kept.
    }
  });

  return { FILTERS, spokenDate, provenance, minuteOf, docLink, el, appendMarked,
    filtersFromUrl, readFilters, writeFilters, getJson, markExempt, mayShowExempt };
})();
