"""The selector's answer-type features: what a question asks for, and whether a candidate names
such a thing that the question does not already name."""

from __future__ import annotations

import pytest

from index.tokenize import tokenize
from qa.answer_types import asked_type, common_words, names_new, new_share, shapes, word_keys


@pytest.mark.parametrize(("question", "kind"), [
    ("Who seconded the motion?", "person"),
    ("which councillor declared an interest", "person"),
    ("When will the report go to Cabinet?", "date"),
    ("What time did the meeting close?", "time"),
    ("Where did the committee meet?", "place"),
    ("How much was the grant to the festival?", "money"),
    ("How many indicators were rated red?", "number"),
    ("What percentage of reviews were on time?", "number"),
    ("What did the council resolve about the bridge?", None),
])
def test_the_kind_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_type(question) == kind


def test_a_name_the_question_already_gives_is_not_an_answer() -> None:
    known = set(tokenize("Who proposed the donation to the Sung Vespers service?"))
    assert not names_new("person", "A request for a donation to the Sung Vespers service.", known)
    assert names_new("person", "Request proposed by Cllr Richards and seconded by Cllr Evans.", known)


def test_a_date_or_sum_is_new_only_when_the_question_lacks_it() -> None:
    known = set(tokenize("What was decided at the 4 March 2025 meeting about the £100 grant?"))
    assert not names_new("date", "At its meeting on 4 March 2025 the committee met.", known)
    assert names_new("date", "It will be reconsidered on 18 March 2025.", known)
    assert not names_new("money", "The £100 grant was discussed.", known)
    assert names_new("money", "A further £250 was agreed.", known)


def test_the_share_of_new_words() -> None:
    known = set(tokenize("budget for the library"))
    assert new_share(tokenize("the library budget"), known) == 0.0
    assert new_share(tokenize("library budget cut by ten"), known) == pytest.approx(2 / 4)
    assert new_share([], known) == 0.0


def test_common_words_leave_out_names_codes_and_figures() -> None:
    text = "Kent County Council resolved that KCC's budget of £42,128 be noted.\nProposed by Cllr Richards"
    words = common_words(text)
    assert {"resolv", "budget", "note", "propos"} <= set(words)
    assert not {"kent", "counti", "council", "kcc", "42128", "richard", "cllr"} & set(words)


def test_word_keys_pair_words_and_shapes_with_the_question_class() -> None:
    keys = word_keys("person|who", "Seconded by Cllr Evans", set(tokenize("who seconded it?")))
    assert "s:Aa" in keys and "person|who×s:Aa" in keys
    assert "w:second" not in keys  # the question's own word adds nothing
    assert shapes("£42,128 (b) Cllr") == {"£9,9", "(a)", "Aa"}
