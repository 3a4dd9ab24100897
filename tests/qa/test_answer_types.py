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
    ("How much time is set aside for public speaking?", "number"),  # no sum of money
    ("By how much did the number of referrals fall?", "number"),
    ("Why was the floodlight grant refused?", None),  # a reason, whatever it is about
    ("Was the budget motion carried?", None),  # a yes or no
    ("What did the council agree about fees in the budget?", None),  # a decision
    ("budget line for the two administrators", "money"),
])
def test_the_kind_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_type(question) == kind


def test_a_name_the_question_already_gives_is_not_an_answer() -> None:
    known = set(tokenize("Who proposed the grant to the Harvest Supper?"))
    assert not names_new("person", "A request for a grant to the Harvest Supper.", known)
    assert names_new("person", "Request proposed by Cllr Brown and seconded by Cllr Patel.", known)


@pytest.mark.parametrize(("question", "kind"), [
    ("Who seconded the budget amendment?", "person"),  # the asking word, not the topic, decides
    ("How many people were paid?", "number"),
    ("How much was spent when the hall opened?", "money"),
    ("When was the grant paid?", "date"),
])
def test_the_earliest_asking_words_decide(question: str, kind: str) -> None:
    assert asked_type(question) == kind


@pytest.mark.parametrize(("kind", "text"), [
    ("person", "The Finance Committee met"), ("person", "Agenda\nItem 5"), ("place", "in March"),
    ("place", "in Appendix A"), ("date", "2000 homes"), ("date", "paragraph 3.2.10"),
    ("time", "a 1:50 scale"), ("money", "a 3m fence"), ("money", "2 million visitors"),
    ("person", "A Review of the plan"), ("person", "NHS England"), ("date", "we may go"), ("money", "2019"),
])
def test_ordinary_text_names_no_such_thing(kind: str, text: str) -> None:
    assert not names_new(kind, text, set())


@pytest.mark.parametrize(("kind", "text"), [
    ("person", "Jane Patel spoke"), ("person", "Cllr Brown"), ("place", "at the Village Hall"),
    ("date", "in 2019"), ("date", "12/03/2024"), ("time", "7.30pm"), ("money", "£3m"),
    ("person", "Councillor A Kolker"), ("person", "Mrs C Bell"), ("person", "JA Hall"), ("person", "Ms. M. Woods"),
    ("date", "20.09.10"), ("date", "by September"), ("date", "early 2013"), ("date", "at 7:09 p.m."),
    ("money", "47,265"),
])
def test_the_things_asked_for_are_found(kind: str, text: str) -> None:
    assert names_new(kind, text, set())


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
    text = "Northshire County Council resolved that NCC's budget of £42,128 be noted.\nProposed by Cllr Brown"
    words = common_words(text)
    assert {"resolv", "budget", "note", "propos"} <= set(words)
    assert not {"northshir", "counti", "council", "ncc", "42128", "brown", "cllr"} & set(words)


def test_word_keys_pair_words_and_shapes_with_the_question_class() -> None:
    keys = word_keys("person|who", "Seconded by Cllr Patel", set(tokenize("who seconded it?")))
    assert "s:Aa" in keys and "person|who×s:Aa" in keys
    assert "w:second" not in keys  # the question's own word adds nothing
    assert shapes("£42,128 (b) Cllr") == {"£9,9", "(a)", "Aa"}
