// Clerk's page: ask /api/ask, show the answer and its cited extracts.
// Document text is only ever placed with textContent, never parsed as HTML.
"use strict";

(function () {
  const MAX_TURNS = 20;
  let history = [];

  const form = document.getElementById("ask-form");
  const question = document.getElementById("question");
  const button = document.getElementById("ask-button");
  const reset = document.getElementById("reset-button");
  const result = document.getElementById("result");
  const status = document.getElementById("status");
  const answerBox = document.getElementById("answer");
  const citationsHeading = document.getElementById("citations-heading");
  const citationsList = document.getElementById("citations");

  function field(id) {
    const value = document.getElementById(id).value.trim();
    return value === "" ? null : value;
  }

  function requestBody(text) {
    const body = { question: text, history: history.slice(-MAX_TURNS) };
    const filters = {
      committee: field("committee"),
      date_from: field("date-from"),
      date_to: field("date-to"),
    };
    if (Object.values(filters).some((v) => v !== null)) body.filters = filters;
    const k = field("k");
    if (k !== null) body.k = Number(k);
    return body;
  }

  async function ask(text) {
    const response = await fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(requestBody(text)),
    });
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

  function clearResult() {
    answerBox.hidden = true;
    citationsHeading.hidden = true;
    citationsList.replaceChildren();
    status.classList.remove("error");
  }

  function showStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  function provenance(c) {
    const parts = [c.committee, c.meeting_date, c.title];
    if (c.page !== null && c.page !== undefined) parts.push("page " + c.page);
    return parts.filter((p) => p !== null && p !== undefined && p !== "").join(" · ");
  }

  // Where the answer sits in the first extract: the server's highlight, else a text search.
  function answerSpan(c, answer) {
    if (Array.isArray(c.highlight) && c.highlight.length === 2) return c.highlight;
    const at = answer ? c.text.indexOf(answer) : -1;
    return at < 0 ? null : [at, at + answer.length];
  }

  // The extract as text nodes, with the answer span (if any) marked.
  function extractNode(text, span) {
    const quote = document.createElement("blockquote");
    if (!span || span[0] < 0 || span[1] > text.length || span[0] >= span[1]) {
      quote.textContent = text;
      return quote;
    }
    const mark = document.createElement("mark");
    mark.textContent = text.slice(span[0], span[1]);
    quote.append(text.slice(0, span[0]), mark, text.slice(span[1]));
    return quote;
  }

  function citationItem(c, index, answer) {
    const item = document.createElement("li");
    const meta = document.createElement("p");
    meta.className = "provenance";
    meta.textContent = provenance(c) || c.source;
    const source = document.createElement("p");
    source.className = "source";
    source.textContent = c.source + " · " + c.kind + " · characters " + c.start + "–" + c.end;
    const span = index === 0 && answer ? answerSpan(c, answer) : null;
    item.append(meta, extractNode(c.text, span), source);
    return item;
  }

  function showAnswer(data) {
    answerBox.querySelector(".question-echo").textContent = "Q: " + data.question;
    const text = answerBox.querySelector(".answer-text");
    text.textContent = data.answerable && data.answer
      ? data.answer
      : "The papers do not appear to hold the answer to this question.";
    answerBox.querySelector(".confidence").textContent =
      "Confidence " + Math.round(data.confidence * 100) + "% · " + Math.round(data.took_ms) + " ms";
    answerBox.hidden = false;
    const citations = data.citations || [];
    citationsHeading.hidden = citations.length === 0;
    citations.forEach((c, i) => citationsList.append(citationItem(c, i, data.answer)));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    clearResult();
    if (text === "") {
      showStatus("Please type a question first.", true);
      question.focus();
      return;
    }
    button.disabled = true;
    result.setAttribute("aria-busy", "true");
    showStatus("Searching the papers…");
    try {
      const data = await ask(text);
      showStatus("");
      showAnswer(data);
      history.push({ question: data.question, answer: data.answer });
    } catch (err) {
      showStatus(err.message, true);
    } finally {
      button.disabled = false;
      result.setAttribute("aria-busy", "false");
    }
  });

  reset.addEventListener("click", () => {
    history = [];
    question.value = "";
    clearResult();
    showStatus("New conversation started.");
    question.focus();
  });
})();
