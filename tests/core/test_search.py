"""``core.search``: the words of a search box, and the search text they are matched against."""

import pytest

from core.search import MAX_WORD_LENGTH, MAX_WORDS, search_text, search_words


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("6204 Bearing", ["6204", "bearing"]),
        ("  bolt   bolt\tM8 ", ["bolt", "m8"]),
        ("", []),
        (None, []),
        ("ÖLFILTER", ["ölfilter"]),
    ],
)
def test_what_is_typed_becomes_distinct_lowercased_words(typed, words):
    assert search_words(typed) == words


def test_very_many_or_very_long_words_are_cut():
    assert len(search_words(" ".join(f"w{i}" for i in range(50)))) == MAX_WORDS
    assert search_words("x" * 5000) == ["x" * MAX_WORD_LENGTH]


def test_a_search_text_is_its_pieces_lowercased_without_empty_ones():
    assert search_text("P-100", " Ball Bearing ", "", None, "V-7") == "p-100\nball bearing\nv-7"
