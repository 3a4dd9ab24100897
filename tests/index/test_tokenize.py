"""Tokens: the same words for the ways papers and people write indicators, quarters and numbers."""

from __future__ import annotations

import pytest

from index.lexical import Lexical
from index.tokenize import codes, joined_pairs, normalise, stem, tokenize


def test_letter_digit_joins_split_like_spaced_forms() -> None:
    assert tokenize("NI59") == tokenize("NI 59") == ["ni", "59"]
    assert tokenize("what was NI59?") == tokenize("What was NI 59?")


@pytest.mark.parametrize("text", ["Q3", "q3", "Qu 3", "Qtr.3", "Quarter 3", "quarter three", "third quarter"])
def test_every_way_of_writing_a_quarter_gives_quarter_and_its_number(text: str) -> None:
    tokens = tokenize(text)
    assert "quarter" in tokens and "3" in tokens
    assert tokens == ["quarter", "3"]


def test_quarters_stay_distinct() -> None:
    assert tokenize("Q4") == ["quarter", "4"]
    assert tokenize("fourth quarter") == ["quarter", "4"]
    assert tokenize("Q3") != tokenize("Q4")


@pytest.mark.parametrize(("text", "kept"), [("Part 2", "2"), ("NI 8", "8"), ("Option B", "b")])
def test_one_character_tokens_are_kept(text: str, kept: str) -> None:
    assert kept in tokenize(text)


def test_stop_words_go_and_word_forms_meet() -> None:
    assert tokenize("What were the placements of the children?") == [stem("placement"), stem("children")]
    assert tokenize("the policies") == tokenize("policy")


@pytest.mark.parametrize(("a", "b"), [
    ("placements", "placement"), ("policies", "policy"), ("recruited", "recruitment"),
    ("added", "add"), ("safeguarding", "safeguard"),
])
def test_word_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize(("word", "other"), [("status", "state"), ("gas", "ga"), ("business", "bus")])
def test_words_ending_in_s_do_not_fold_into_other_words(word: str, other: str) -> None:
    assert stem(word) != stem(other)


def test_normalise_lowercases_and_unifies_unicode_and_ampersands() -> None:
    assert normalise("Children & Families") == "children  and  families"
    assert tokenize("Children & Families") == tokenize("children and families") == [stem("children"), stem("family")]
    assert tokenize("ＮＩ５９") == ["ni", "59"]  # full-width forms fold under NFKC


def test_accented_words_meet_their_plain_spelling() -> None:
    assert tokenize("the village fête") == tokenize("the village Fete") == [stem("village"), "fete"]
    assert tokenize("Café, naïve") == ["cafe", stem("naive")]


def test_decimals_stay_whole_and_year_ranges_split() -> None:
    assert tokenize("63.30%") == ["63.3"]
    assert tokenize("2010-11") == ["2010", "11"]


def test_empty_and_stop_word_only_text_has_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize("what was the") == []


def test_a_decimal_is_one_figure_so_59_6_does_not_match_ni_59() -> None:
    assert "59" not in tokenize("NI 80 - Level 3 qualification 59.6%")
    assert tokenize("12.50%") == tokenize("12.5%") == ["12.5"]
    assert tokenize("£298,720") == ["298720"]


def test_words_written_apart_give_their_joined_stem() -> None:
    assert joined_pairs("Their case loads had reached 110") == ["caseload"]
    assert joined_pairs("in to the 2 of") == []


def test_a_question_about_caseloads_finds_a_paper_that_writes_case_loads() -> None:
    texts = ["Their case loads have reduced to an average of 80.", "Caseloads of reviewing officers are high.",
             "The case was heard on a heavy day."]
    lexical = Lexical.build(texts)
    assert lexical.joined("average case load") == ["caseload"]
    scores = lexical.scores(tokenize("average caseload"))
    assert scores[0] > scores[2] and scores[0] > 0


def test_codes_are_one_token_each() -> None:
    assert codes("NI59 and NI 68 - P4.12, G3 and 68% in Quarter 1") == ["ni59", "ni68", "p4.12", "g3"]
    assert codes("held on 28 June 2011 and 3 Sept 2012") == []


def test_a_question_about_ni_68_prefers_its_row_over_a_row_holding_68_percent() -> None:
    lexical = Lexical.build(["NI 59 - Initial assessments\t81%\t68%", "NI 68 - Referrals going on to assessment\t85%"])
    scores = lexical.scores(tokenize("NI 68 quarter 1") + lexical.joined("NI 68 quarter 1"))
    assert scores[1] > scores[0]


def test_quarterly_is_not_a_quarter() -> None:
    assert "quarter" not in tokenize("quarterly reporting")
