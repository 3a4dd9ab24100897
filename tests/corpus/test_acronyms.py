"""Acronyms the papers define: "Children in Care Council (CICC)", however the words are laid out."""

from __future__ import annotations

import pytest

from corpus.acronyms import find_acronyms


@pytest.mark.parametrize(("text", "acronym", "expansion"), [
    ("the Children in Care Council (CICC) met", "CICC", "Children in Care Council"),
    ("a Health & WellBeing Board (HWBB) paper", "HWBB", "Health & WellBeing Board"),
    ("the Cheshire East Consultation Service (ChECS) took", "ChECS", "Cheshire East Consultation Service"),
    # a printed line ends inside the name
    ("the Provisional Local\nGovernment Finance Settlement (PLGFS) 2025-26", "PLGFS",
     "Provisional Local Government Finance Settlement"),
    ("rated using a Red/Amber/Green (RAG) status", "RAG", "Red Amber Green"),
    # every word giving its initial beats a shorter tail that borrows a letter from inside a word
    ("the County Council Network (CCN) said", "CCN", "County Council Network"),
])
def test_a_defined_acronym_is_found(text: str, acronym: str, expansion: str) -> None:
    assert find_acronyms([text])[acronym] == expansion


def test_a_blank_line_ends_the_name() -> None:
    assert find_acronyms(["Main\n\nBoard (MB) met"]) == {}
    assert find_acronyms(["Main\nBoard (MB) met"]) == {"MB": "Main Board"}


def test_brackets_that_no_words_spell_are_not_acronyms() -> None:
    assert find_acronyms(["Apologies were received (AOB) from members."]) == {}
