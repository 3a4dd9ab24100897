"""What Milvus is given of a build: Clerk's tokens spelt so both analyzers keep them whole, one
text row per chunk of each access level, a vector row per vector unit, and the changes between
what a collection holds and what a build wants."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.access import EXEMPT, PUBLIC
from index.lexical import EMPTY
from index.milvus_rows import Changes, Fields, spell, text_of, text_rows, vector_rows
from index.tokenize import codes, tokenize, words
from qa.assistant import Assistant

TOKEN = st.from_regex(r"[a-z0-9][a-z0-9.,]{0,8}", fullmatch=True)


@given(st.lists(TOKEN, min_size=1, max_size=8))
def test_spelt_tokens_survive_a_word_tokenizer_one_for_one(tokens: list[str]) -> None:
    text = text_of(tokens)
    assert re.findall(r"\w+", text) == text.split(" ") == [spell(t) for t in tokens]


@given(TOKEN, TOKEN)
def test_spelling_keeps_different_tokens_different(a: str, b: str) -> None:
    assert (spell(a) == spell(b)) == (a == b)


def test_codes_numbers_and_the_empty_placeholder_are_spelt_whole() -> None:
    found = words("NI 59 was 59.6% in P4.12, and 1,2,3 items")
    assert text_of(tokenize(found) + codes(found)).split() == [
        "ni", "59", "59_p6", "p", "4_p12", "1_c2_c3", "item", "ni59", "p4_p12"]
    assert spell(EMPTY) == "_e"


@pytest.mark.slow
def test_each_access_level_gets_exactly_its_own_chunks(exempt_assistant: Assistant) -> None:
    index = exempt_assistant.index
    public, exempt = text_rows(index, PUBLIC), text_rows(index, EXEMPT)
    assert {r.id for r in public} == {c.id for c in index.chunks if c.access == PUBLIC}
    assert {r.id for r in exempt} == {c.id for c in index.chunks if c.access == EXEMPT}
    assert all(r.fields.access == PUBLIC for r in public) and all(r.fields.access == EXEMPT for r in exempt)
    assert not any("tallowmer" in r.text for r in public)
    assert any("tallowmer" in r.text for r in exempt)


@pytest.mark.slow
def test_text_rows_hold_the_tokens_the_builtin_bm25_scores(assistant: Assistant) -> None:
    index = assistant.index
    rows = {r.id: r for r in text_rows(index, PUBLIC)}
    row = next(r for r, c in enumerate(index.chunks) if c.text.startswith("NI59 - Initial assessments"))
    chunk = index.chunks[row]
    assert "ni59" in rows[chunk.id].text.split()
    assert rows[chunk.id].fields == Fields(PUBLIC, "children and families scrutiny committee", "table", "2011-07-26")


@pytest.mark.slow
def test_every_vector_unit_is_a_row_with_its_chunk_and_the_build_vector(assistant: Assistant) -> None:
    index = assistant.index
    rows = list(vector_rows(index))
    assert len(rows) == int((index.owners >= 0).sum())
    assert len({r.id for r in rows}) == len(rows)
    first = index.chunks[0]
    own = [r for r in rows if r.chunk == first.id]
    assert [r.id for r in own] == [f"{first.id}#{n}" for n in range(len(index.vector_rows(0)))]
    assert (own[0].vector == index.vectors[index.vector_rows(0)[0]]).all()


def test_changes_upsert_what_differs_and_delete_what_vanished() -> None:
    held = {"a": "1", "b": "2", "c": "3"}
    changes = Changes.between(held, {"a": "1", "b": "20", "d": "4"})
    assert (changes.upsert, changes.delete, len(changes)) == (["b", "d"], ["c"], 3)
    assert len(Changes.between(held, dict(held))) == 0
