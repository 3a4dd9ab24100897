// Clerk's assistant page: a conversation with /api/ask, each answer with its cited extracts,
// filters as removable chips kept in the URL, and the conversation kept in localStorage.
// Document text is only ever placed with textContent, never parsed as HTML.
"use strict";

(function () {
  const C = window.Clerk;
  const STORE = "clerk.conversation.v1";
  const MAX_TURNS = 20;
  const FILTER_NAMES = { committee: "Committee", date_from: "From", date_to: "Up to", kind: "Kind" };

  const form = document.getElementById("ask-form");
  const question = document.getElementById("question");
  const button = document.getElementById("ask-button");
  const reset = document.getElementById("reset-button");
  const status = document.getElementById("status");
  const announce = document.getElementById("announce");
  const chips = document.getElementById("chips");
  const welcome = document.getElementById("welcome");
  const conversation = document.getElementById("conversation");
  const turnsList = document.getElementById("turns");
  const turnTemplate = document.getElementById("turn-template");
  const citationTemplate = document.getElementById("citation-template");

  let turns = load(); // oldest first: [{question, data}]

  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(STORE) || "[]");
      const turns = Array.isArray(stored) ? stored.filter((t) => t && t.data && typeof t.question === "string") : [];
      // A conversation kept from a session that has ended must not show exempt extracts.
      return C.mayShowExempt() ? turns : turns.filter((t) => !(t.data.citations || []).some((c) => c.access === "exempt"));
    } catch (err) {
      return [];
    }
  }

  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify(turns.slice(-MAX_TURNS)));
    } catch (err) {
      // Storage full or disabled: the conversation still works, it just will not survive a reload.
    }
  }

  function showStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  // --- filters, chips and the URL -------------------------------------------------------------

  function optionLabel(name, value) {
    const field = form.elements.namedItem(name);
    if (field && field.tagName === "SELECT") {
      const option = Array.from(field.options).find((o) => o.value === value);
      if (option) return option.textContent;
    }
    return name.startsWith("date") ? C.spokenDate(value) : value;
  }

  function filterText(name, value) {
    return FILTER_NAMES[name] + ": " + optionLabel(name, value);
  }

  function renderChips() {
    const filters = C.readFilters(form);
    chips.replaceChildren();
    Object.keys(filters).forEach((name) => {
      const text = filterText(name, filters[name]);
      const chip = C.el("button", "chip", text);
      chip.type = "button";
      chip.setAttribute("aria-label", "Remove filter " + text);
      chip.dataset.filter = name;
      chip.append(C.el("span", "chip-x", "×"));
      chip.lastChild.setAttribute("aria-hidden", "true");
      const item = C.el("li");
      item.append(chip);
      chips.append(item);
    });
    chips.hidden = chips.childElementCount === 0;
  }

  function syncUrl() {
    const params = new URLSearchParams(C.readFilters(form));
    const last = turns[turns.length - 1];
    if (last) params.set("q", last.question);
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    try {
      sessionStorage.setItem("clerk.chatUrl", location.pathname + location.search);
    } catch (err) {
      // Without sessionStorage the viewer's back link goes to the plain page.
    }
  }

  function filtersChanged() {
    renderChips();
    syncUrl();
  }

  chips.addEventListener("click", (event) => {
    const chip = event.target.closest("button.chip");
    if (!chip) return;
    form.elements.namedItem(chip.dataset.filter).value = "";
    filtersChanged();
    showStatus("Filter removed.");
    const next = chips.querySelector("button.chip") || question;
    next.focus();
  });

  // --- rendering an answer ----------------------------------------------------------------------

  function confidenceCue(value) {
    const level = value >= 0.75 ? "high" : value >= 0.5 ? "medium" : "low";
    const label = level.charAt(0).toUpperCase() + level.slice(1) + " confidence · " + Math.round(value * 100) + "%";
    return { level, label };
  }

  function tableExtract(c, span) {
    const wrap = C.el("div", "table-wrap");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Table row");
    wrap.tabIndex = 0;
    const table = C.el("table", "row-table");
    if (Array.isArray(c.header) && c.header.length) {
      const head = C.el("tr");
      c.header.forEach((h) => {
        const th = C.el("th", "", h);
        th.scope = "col";
        head.append(th);
      });
      table.append(C.el("thead"));
      table.tHead.append(head);
    }
    const row = C.el("tr");
    let offset = 0;
    c.text.split("\t").forEach((cell) => {
      const td = C.el("td");
      if (C.appendMarked(td, cell, offset, span)) td.classList.add("answer-cell");
      row.append(td);
      offset += cell.length + 1;
    });
    const body = C.el("tbody");
    body.append(row);
    table.append(body);
    wrap.append(table);
    return wrap;
  }

  function proseExtract(c, span) {
    const quote = C.el("blockquote");
    C.appendMarked(quote, c.text, 0, span);
    return quote;
  }

  function citationItem(c, span) {
    const item = citationTemplate.content.firstElementChild.cloneNode(true);
    item.querySelector(".provenance").textContent = C.provenance(c);
    const tabular = c.kind === "table" && c.text.includes("\t");
    item.querySelector(".extract").append(tabular ? tableExtract(c, span) : proseExtract(c, span));
    const link = item.querySelector(".open-link");
    link.href = C.docLink(c.source, c.start, c.end) +
      (span ? "&a=" + (c.start + span[0]) + "-" + (c.start + span[1]) : "");
    link.append(C.el("span", "visually-hidden", ": " + (c.title || c.source)));
    item.querySelector(".kind").textContent = c.kind + " · " + c.source;
    C.markExempt(item, c.access);
    return item;
  }

  function renderTurn(turn) {
    const data = turn.data;
    const node = turnTemplate.content.firstElementChild.cloneNode(true);
    node.querySelector(".turn-question").textContent = data.question;
    const filters = turn.filters || {};
    const scope = node.querySelector(".turn-scope");
    scope.textContent = "Searched only " + Object.keys(filters).map((n) => filterText(n, filters[n])).join(" · ");
    scope.hidden = Object.keys(filters).length === 0;
    const found = data.answerable && data.answer;
    const text = node.querySelector(".answer-text");
    text.textContent = found ? data.answer : "Not found in the papers.";
    node.querySelector(".answer-box").classList.toggle("not-found", !found);
    node.querySelector(".not-found-help").hidden = Boolean(found) || !(data.citations || []).length;
    node.querySelector(".answer-label").textContent = found && data.answer_label ? data.answer_label : "";
    const cue = confidenceCue(data.confidence || 0);
    const badge = node.querySelector(".badge");
    badge.textContent = cue.label;
    badge.classList.add("badge-" + cue.level);
    node.querySelector(".took").textContent = "answered in " + Math.round(data.took_ms) + " ms";
    const citations = data.citations || [];
    node.querySelector(".extracts-heading").textContent = found
      ? "Where the answer comes from" : citations.length ? "Nearest extracts" : "No extracts matched";
    const list = node.querySelector(".citations");
    citations.forEach((c, i) => {
      const span = i === 0 && found && Array.isArray(c.highlight) ? c.highlight : null;
      list.append(citationItem(c, span));
    });
    return node;
  }

  // Charts and table scroll positions need the turn laid out, so they come after it is shown.
  function finishTurn(node, data) {
    if (data.answerable && data.answer && data.series) drawChart(node.querySelector(".chart"), data.series);
    node.querySelectorAll("td.answer-cell").forEach((cell) => {
      const wrap = cell.closest(".table-wrap");
      wrap.scrollLeft = Math.max(0, cell.offsetLeft - (wrap.clientWidth - cell.offsetWidth) / 2);
    });
  }

  function renderAll() {
    turnsList.replaceChildren();
    conversation.hidden = turns.length === 0;
    welcome.hidden = turns.length > 0;
    turns.slice().reverse().forEach((t) => {
      const node = renderTurn(t);
      turnsList.append(node);
      finishTurn(node, t.data);
    });
  }

  // --- the chart of a table row -----------------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach((k) => node.setAttribute(k, String(attrs[k])));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function shortLabel(label, max) {
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }

  function drawChart(figure, series) {
    const points = series.points;
    const width = Math.max(260, Math.min(640, figure.parentElement.clientWidth || 600));
    const rowH = 26;
    const labelW = Math.round(width * 0.38);
    const valueW = 88;
    const barW = width - labelW - valueW - 8;
    const top = Math.max(0, ...points.map((p) => (p.high !== null && p.high !== undefined ? p.high : p.value)));
    const bottom = Math.min(0, ...points.map((p) => p.value));
    const x = (v) => labelW + ((v - bottom) / (top - bottom || 1)) * barW;
    const height = points.length * rowH + 6;
    const summary = series.label + ": " + points.map((p) => p.label + " " + p.text).join("; ");
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height,
      role: "img", "aria-label": summary, class: "series" });
    chart.append(svg("title", {}, summary));
    points.forEach((p, i) => {
      const y = i * rowH + 3;
      const role = p.role === "target" || p.role === "benchmark" ? p.role : "actual";
      const label = svg("text", { x: labelW - 8, y: y + rowH / 2 + 4, "text-anchor": "end", class: "axis-label" },
        shortLabel(p.label, Math.floor(labelW / 7.5)));
      label.append(svg("title", {}, p.label));
      const left = x(Math.min(0, p.value));
      const bar = svg("rect", { x: left, y: y + 4, width: Math.max(1, Math.abs(x(p.value) - x(0))),
        height: rowH - 8, class: "bar bar-" + role + (p.answer ? " bar-answer" : "") });
      const end = Math.max(x(p.value), x(0));
      const value = svg("text", { x: end + 6, y: y + rowH / 2 + 4, class: "value" + (p.answer ? " value-answer" : "") },
        shortLabel(p.text, width < 400 ? 12 : 18));
      chart.append(label, bar, value);
    });
    const caption = figure.querySelector("figcaption");
    caption.textContent = "Every figure of the row the answer was read from" +
      (series.unit === "%" ? " (per cent)" : series.unit ? " (" + series.unit + ")" : "") +
      ". Outlined in orange: the answer; grey: the target" +
      (points.some((p) => p.role === "benchmark") ? "; purple: comparison averages." : ".");
    figure.insertBefore(chart, caption);
    figure.hidden = false;
  }

  // --- asking -------------------------------------------------------------------------------------

  function requestBody(text, fresh) {
    const earlier = fresh ? [] : turns.slice(-MAX_TURNS);
    const body = {
      question: text,
      history: earlier.map((t) => ({ question: t.data.question, answer: t.data.answer })),
    };
    const filters = C.readFilters(form);
    if (Object.keys(filters).length) body.filters = filters;
    const k = form.elements.namedItem("k").value.trim();
    if (k !== "") body.k = Number(k);
    return body;
  }

  function announceAnswer(data) {
    const first = (data.citations || [])[0];
    const where = first ? " From " + C.provenance(first) + "." : "";
    announce.textContent = data.answerable && data.answer
      ? "Answer: " + data.answer + "." + where
      : "Not found in the papers." + (first ? " Nearest extract: " + C.provenance(first) + "." : "");
  }

  // `fresh`: a question from a shared link is not a follow-up to whatever was asked here before.
  async function ask(text, fresh) {
    button.disabled = true;
    conversation.setAttribute("aria-busy", "true");
    showStatus("Searching the papers…");
    performance.mark("clerk-ask");
    const filters = C.readFilters(form);
    try {
      const data = await C.getJson("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(requestBody(text, fresh)),
      });
      turns.push({ question: data.question, data: data, filters: filters });
      turns = turns.slice(-MAX_TURNS);
      save();
      renderAll();
      performance.measure("clerk-answer", "clerk-ask");
      showStatus("");
      announceAnswer(data);
      question.value = "";
      syncUrl();
    } catch (err) {
      showStatus(err.message, true);
    } finally {
      button.disabled = false;
      conversation.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (text === "") {
      showStatus("Please type a question first.", true);
      question.focus();
      return;
    }
    ask(text);
  });

  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("change", (event) => {
    if (C.FILTERS.includes(event.target.name)) filtersChanged();
  });

  welcome.addEventListener("click", (event) => {
    const starter = event.target.closest("button.starter");
    if (!starter) return;
    question.value = starter.textContent;
    ask(starter.textContent);
  });

  reset.addEventListener("click", () => {
    turns = [];
    save();
    renderAll();
    question.value = "";
    syncUrl();
    showStatus("New conversation started.");
    question.focus();
  });

  // --- start: filters from the URL, the stored conversation, a shared question ------------------

  C.writeFilters(form, C.filtersFromUrl(location.search));
  if (Object.keys(C.readFilters(form)).length) document.getElementById("filters-panel").open = true;
  renderChips();
  renderAll();
  const shared = (new URLSearchParams(location.search).get("q") || "").trim();
  const last = turns[turns.length - 1];
  if (shared && (!last || last.question !== shared)) {
    question.value = shared;
    ask(shared, true);
  } else {
    syncUrl();
  }
})();
