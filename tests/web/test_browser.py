"""The pages in real headless Chromium over the real test index: ask, cite, open the span, follow
up, filter, find resolutions, stay inert on hostile papers, survive a reload, work at 375 px.

Each test saves screenshots under test-artefacts/ (listed in the README's UI section).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under CI, with the reason
    expect = None  # type: ignore[assignment]

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NI59_Q3 = "What was NI 59 in Q3?"
DOC_URL = re.compile(r"/doc/[^#]+#c=\d+-\d+(&a=\d+-\d+)?$")
SCRUTINY = "Children and Families Scrutiny Committee"
BOARD = "Health and Wellbeing Board"
# Text on Clerk's pages must reach WCAG AA contrast against what is behind it.
CONTRAST_JS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!(el instanceof HTMLElement) || !el.getClientRects().length) continue;
    if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || el.closest("[disabled]")) continue;
    const a = lum(rgb(cs.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize), large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName + "." + el.className + " " + ratio.toFixed(2));
  }
  return bad;
}"""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def ask(page: Any, question: str) -> Any:
    """Type the question, press Enter, and return the new (top) turn once it has rendered."""
    before = page.locator("#turns > li").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#turns > li').length > n", arg=before)
    return page.locator("#turns > li").first


def tab_until(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches `selector` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def no_errors(tab: Any) -> None:
    assert tab.errors == [], tab.errors  # console errors include CSP violations


def page_weight(page: Any) -> dict[str, Any]:
    """Bytes transferred for the document and every resource of the current page load."""
    return page.evaluate("""() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource");
      return {document: nav.transferSize, resources: res.map((r) => [r.name, r.transferSize]),
              total: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0)};
    }""")


# --- ask, cite, open the span --------------------------------------------------------------------


def test_keyboard_ask_then_open_citation_highlights_the_span(
    desktop: Any, live_url: str, record_metric: Any
) -> None:
    page = desktop.page
    page.goto(live_url + "/")
    weight = page_weight(page)
    record_metric("first_load_bytes", weight)
    assert weight["total"] < 60_000, weight  # no framework: the whole first load is small

    tab_until(page, "#question")
    page.keyboard.type(NI59_Q3)
    page.keyboard.press("Enter")
    turn = page.locator("#turns > li").first
    expect(turn.locator(".answer-text")).to_have_text("41% (50% as of Dec)")
    took = page.evaluate("performance.getEntriesByName('clerk-answer')[0].duration")
    record_metric("time_to_first_answer_ms", round(took, 1))
    expect(page.locator("#announce")).to_contain_text("Answer: 41% (50% as of Dec).")
    first = turn.locator(".citation").first
    expect(first.locator(".provenance")).to_contain_text(SCRUTINY)
    expect(first.locator("mark")).to_have_text("41% (50% as of Dec)")
    expect(first.locator("th").first).to_have_text("Key Performance or Outcome Description")
    # The answer comes from a performance-table row: its series is drawn with labelled values.
    chart = turn.locator("figure.chart svg.series")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 7
    assert chart.locator("rect.bar-answer").count() == 1
    expect(chart.locator("text.value-answer")).to_contain_text("41%")
    assert "2010-11 Target 80%" in chart.get_attribute("aria-label")
    assert page.evaluate(CONTRAST_JS) == []
    desktop.screenshot("01-answer-with-citations-and-chart", full_page=True)

    link = first.locator("a.open-link")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/doc/[^#]+#c=\d+-\d+&a=\d+-\d+", href)  # the extract, and the answer in it
    tab_until(page, "a.open-link")
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    page.keyboard.press("Enter")
    page.wait_for_url(DOC_URL)
    mark = page.locator("#doc-text mark.hl").first
    expect(mark).to_be_in_viewport()
    start, end = map(int, href.split("#c=")[1].split("&")[0].split("-"))
    text = page.request.get(live_url + "/api/documents/" + href.split("/doc/")[1].split("#")[0]).json()["text"]
    marked = "".join(page.locator("#doc-text mark.hl").all_text_contents())
    assert squeeze(marked) == squeeze(text[start:end])
    assert page.locator("#doc-text tr.hl-row").count() == 1  # the row of a table, rendered as a table
    answer = page.locator("#doc-text mark.hl-answer")
    expect(answer).to_have_text("41% (50% as of Dec)")
    assert page.evaluate("document.activeElement.id") == "highlight"
    assert answer.evaluate("m => m === document.activeElement")
    expect(page.locator("#extract-meta")).to_contain_text(SCRUTINY)
    assert page.evaluate(CONTRAST_JS) == []
    desktop.screenshot("02-viewer-highlights-the-cited-row")
    no_errors(desktop)


def test_viewer_deep_link_to_prose_and_neighbours(desktop: Any, live_url: str) -> None:
    page = desktop.page
    hit = page.request.get(live_url + "/api/search", params={"q": "average caseload", "k": 1}).json()["results"][0]
    page.goto(f"{live_url}/doc/{hit['source']}#c={hit['start']}-{hit['end']}")
    marked = "".join(page.locator("#doc-text mark.hl").all_text_contents())
    assert marked == hit["text"]  # prose keeps its line breaks: the span is exact
    expect(page.locator("#doc-text mark.hl").first).to_be_in_viewport()
    page.click("#next-extract")
    page.wait_for_function("s => location.hash !== s", arg=f"#c={hit['start']}-{hit['end']}")
    after = page.locator("#doc-text mark.hl").first
    expect(after).to_be_in_viewport()
    assert int(page.url.split("#c=")[1].split("-")[0]) > hit["start"]
    page.goto(f"{live_url}/doc/{hit['source']}#c=5-999999999")
    expect(page.locator("#extract-meta")).to_contain_text("outside this document")
    assert page.locator("#doc-text mark.hl").count() == 0
    no_errors(desktop)


# --- follow-ups and reload -----------------------------------------------------------------------


def test_follow_up_sends_the_previous_turn(desktop: Any, live_url: str) -> None:
    page = desktop.page
    page.goto(live_url + "/")
    ask(page, NI59_Q3)
    with page.expect_request(lambda r: r.url.endswith("/api/ask")) as request:
        turn = ask(page, "And in Q4?")
    body = request.value.post_data_json
    assert body["history"] == [{"question": NI59_Q3, "answer": "41% (50% as of Dec)"}]
    expect(turn.locator(".answer-text")).to_have_text("41%")
    expect(turn.locator(".answer-label")).to_contain_text("Quarter 4")
    expect(turn.locator(".citation").first.locator("td").first).to_contain_text("NI59")
    desktop.screenshot("03-follow-up-uses-the-previous-turn", full_page=True)
    no_errors(desktop)


def test_reload_keeps_the_conversation_and_new_conversation_clears_it(desktop: Any, live_url: str) -> None:
    page = desktop.page
    page.goto(live_url + "/")
    ask(page, NI59_Q3)
    ask(page, "What is the average caseload of Independent Reviewing Officers?")
    page.reload()
    questions = page.locator("#turns .turn-question").all_text_contents()
    assert questions == ["What is the average caseload of Independent Reviewing Officers?", NI59_Q3]
    expect(page.locator("#turns .answer-text").first).to_contain_text("80 children")
    assert page.locator("#turns > li").count() == 2  # the shared ?q= was not asked again
    desktop.screenshot("04-conversation-after-reload", full_page=True)
    page.click("#reset-button")
    expect(page.locator("#welcome")).to_be_visible()
    page.reload()
    assert page.locator("#turns > li").count() == 0
    no_errors(desktop)


def test_not_found_is_said_plainly_with_the_nearest_extracts(desktop: Any, live_url: str) -> None:
    page = desktop.page
    page.goto(live_url + "/")
    turn = ask(page, "How many goals did the football team score?")
    expect(turn.locator(".answer-text")).to_have_text("Not found in the papers.")
    expect(turn.locator(".extracts-heading")).to_have_text("Nearest extracts")
    assert turn.locator(".citation").count() >= 1
    expect(page.locator("#announce")).to_contain_text("Not found in the papers.")
    desktop.screenshot("05-not-found-with-nearest-extracts", full_page=True)
    no_errors(desktop)


# --- filters ---------------------------------------------------------------------------------------


def test_committee_filter_narrows_answers_and_lives_in_the_url(desktop: Any, live_url: str) -> None:
    page = desktop.page
    page.goto(live_url + "/")
    unfiltered = ask(page, "What was resolved?").locator(".citation .provenance").all_text_contents()
    assert any(SCRUTINY in p for p in unfiltered)

    page.click("#filters-panel summary")
    page.select_option("#committee", BOARD)
    chip = page.locator("#chips button.chip")
    expect(chip).to_have_text(re.compile(f"Committee: {BOARD}"))
    assert parse_qs(urlparse(page.url).query)["committee"] == [BOARD]
    turn = ask(page, "What was resolved?")
    expect(turn.locator(".turn-scope")).to_have_text(f"Searched only Committee: {BOARD}")
    narrowed = turn.locator(".citation .provenance").all_text_contents()
    assert narrowed and all(p.startswith(BOARD) for p in narrowed)
    desktop.screenshot("06-committee-filter-chip", full_page=True)

    shared = page.url  # a search can be shared: the link carries the filter
    other = desktop.context.new_page()
    other.goto(shared)
    expect(other.locator("#chips button.chip")).to_have_text(re.compile(BOARD))
    assert other.locator("#committee").input_value() == BOARD
    other.close()

    chip.click()
    expect(page.locator("#chips button.chip")).to_have_count(0)
    assert "committee" not in parse_qs(urlparse(page.url).query)
    no_errors(desktop)


def test_kind_filter_from_a_shared_link(desktop: Any, live_url: str) -> None:
    page = desktop.page
    page.goto(live_url + "/?kind=resolution&q=What+was+decided%3F")
    turn = page.locator("#turns > li").first
    expect(turn.locator(".turn-question")).to_have_text("What was decided?")
    kinds = turn.locator(".citation .kind").all_text_contents()
    assert kinds and all(k.startswith("resolution") for k in kinds)
    no_errors(desktop)


# --- resolutions -------------------------------------------------------------------------------------


def test_resolutions_view_lists_minutes_copies_citations_and_downloads_csv(
    desktop: Any, live_url: str
) -> None:
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page = desktop.page
    page.goto(live_url + "/resolutions")
    minutes = page.locator("#resolutions .minute")
    expect(minutes.first).to_be_visible()
    headings = minutes.all_text_contents()
    assert "Minute 19 – ASSISTIVE TECHNOLOGY TASK AND FINISH GROUP RECOMMENDATIONS" in headings
    assert "Minute 70 – REGULATION 33 BI-ANNUAL REPORT" in headings
    assert headings[0].startswith("Minute 19")  # no words: every resolution, latest meeting first

    page.fill("#rq", "training session for members")
    page.press("#rq", "Enter")
    expect(minutes.first).to_have_text("Minute 70 – REGULATION 33 BI-ANNUAL REPORT")
    first = page.locator("#resolutions .resolution").first
    expect(first.locator(".verbatim")).to_contain_text("That a training session be arranged for Members")
    citation = f"{SCRUTINY}, 28 June 2011, minute 70"
    expect(first.locator(".citation-text")).to_have_text(citation)
    first.locator("button.copy").click()
    expect(page.locator("#status")).to_have_text("Copied: " + citation)
    assert page.evaluate("navigator.clipboard.readText()") == citation
    assert parse_qs(urlparse(page.url).query)["q"] == ["training session for members"]

    page.select_option("#sort", "date")
    expect(page.locator("#status")).to_contain_text("found")
    dates = page.locator("#resolutions .provenance").all_text_contents()
    assert dates[0].startswith(BOARD)  # 2015 before 2011
    csv_href = page.locator("#csv-link").get_attribute("href")
    assert "sort=date" in csv_href and "q=training" in csv_href
    response = page.request.get(live_url + csv_href)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert {r["minute"] for r in rows} >= {"70", "19"}
    assert next(r for r in rows if r["minute"] == "70")["citation"] == citation
    desktop.screenshot("07-resolutions-view", full_page=True)

    first.locator("a.open-link").click()
    page.wait_for_url(DOC_URL)
    expect(page.locator("#doc-text mark.hl").first).to_contain_text("RESOLVED")
    no_errors(desktop)


# --- hostile papers ----------------------------------------------------------------------------------


def test_hostile_document_renders_as_text(desktop: Any, hostile_url: str) -> None:
    page = desktop.page
    page.goto(hostile_url + "/")
    turn = ask(page, "What was resolved about hostile markup in published papers?")
    expect(turn.locator(".citation").first).to_be_visible()
    extracts = " ".join(turn.locator(".citation").all_text_contents())
    assert "<img src=x onerror=" in extracts or "<script>" in extracts
    scorecard = ask(page, "What was papers checked for hostile markup in Quarter 3?")
    expect(scorecard.locator(".citation").first).to_be_visible()
    desktop.screenshot("08-hostile-paper-answer-inert", full_page=True)

    href = turn.locator("a.open-link").first.get_attribute("href")
    page.goto(hostile_url + href)
    body = page.locator("#doc-text")
    expect(body).to_contain_text('<script>window.__pwned = "prose"</script>')
    expect(body).to_contain_text("<img src=x onerror=\"window.__pwned='cell'\">")
    desktop.screenshot("09-hostile-paper-viewer-inert")
    page.goto(hostile_url + "/resolutions")
    expect(page.locator("#resolutions .verbatim").first).to_contain_text("<img src=x onerror=")
    for url in ("/", href, "/resolutions"):
        page.goto(hostile_url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main img, main iframe, main script").count() == 0
    no_errors(desktop)


# --- small screens -----------------------------------------------------------------------------------


def test_usable_at_375_px(phone: Any, live_url: str) -> None:
    page = phone.page
    page.goto(live_url + "/")
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(overflow) <= 0
    phone.screenshot("10-phone-empty-page-with-starters", full_page=True)
    page.locator("#welcome button.starter").first.click()
    turn = page.locator("#turns > li").first
    expect(turn.locator(".answer-text")).not_to_be_empty()
    expect(turn.locator("svg.series")).to_be_visible()
    assert page.evaluate(overflow) <= 0
    box = turn.locator("svg.series").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate(CONTRAST_JS) == []
    phone.screenshot("11-phone-answer-with-chart", full_page=True)
    turn.locator("a.open-link").first.click()
    page.wait_for_url(DOC_URL)
    expect(page.locator("#doc-text mark.hl").first).to_be_in_viewport()
    assert page.evaluate(overflow) <= 0
    phone.screenshot("12-phone-viewer")
    page.goto(live_url + "/resolutions")
    expect(page.locator("#resolutions .minute").first).to_be_visible()
    assert page.evaluate(overflow) <= 0
    phone.screenshot("13-phone-resolutions", full_page=True)
    no_errors(phone)


# --- exempt papers -------------------------------------------------------------------------------


def test_exempt_extracts_only_after_signing_in_and_marked_clearly(desktop: Any, exempt_url: str) -> None:
    from tests.web.exempt import OFFICER

    page = desktop.page
    question = "Where was Oriel Fenwick-Quist placed?"
    page.goto(exempt_url + "/")
    turn = ask(page, question)
    expect(turn.locator(".answer-text")).to_have_text("Not found in the papers.")
    assert "Tallowmere" not in page.content() and page.locator(".exempt-badge").count() == 0

    page.click("#signin-link")
    page.fill("#login-name", OFFICER[0])
    page.fill("#login-password", OFFICER[1])
    page.click("#login-button")
    page.wait_for_url(exempt_url + "/")
    expect(page.locator(".signed-in")).to_contain_text(OFFICER[0])
    expect(page.locator(".exempt-notice")).to_be_visible()
    turn = ask(page, question)
    first = turn.locator(".citation").first
    expect(first.locator(".exempt-badge")).to_have_text("Exempt")
    expect(first).to_have_class(re.compile(r"\bexempt\b"))
    expect(first.locator(".extract")).to_contain_text("Tallowmere Cottage")
    assert page.evaluate(CONTRAST_JS) == []
    desktop.screenshot("14-exempt-extract-marked-for-an-officer", full_page=True)

    first.locator("a.open-link").click()
    page.wait_for_url(DOC_URL)
    expect(page.locator(".exempt-banner")).to_contain_text("Not for publication")
    expect(page.locator(".doc-meta .access-exempt")).to_have_text("Exempt (Part 2)")
    assert page.evaluate(CONTRAST_JS) == []
    desktop.screenshot("15-exempt-paper-in-the-viewer")

    page.click("#signout-button")
    page.wait_for_url(exempt_url + "/")
    expect(page.locator("#signin-link")).to_be_visible()
    assert page.evaluate("localStorage.length") == 0  # the conversation quoting exempt text is gone
    assert "Tallowmere" not in page.content()
    assert page.request.get(exempt_url + "/api/documents/part2_placement.txt").status == 404
    no_errors(desktop)
