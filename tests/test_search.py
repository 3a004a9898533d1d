"""The one search rule (resolutionflow/search.py): which words of a query count."""

import pytest

from resolutionflow.search import MAX_SEARCH_WORDS, search_words


@pytest.mark.parametrize(("q", "words"), [
    ("outlook password", ["outlook", "password"]),
    ("Outlook outlook OUTLOOK", ["Outlook"]),
    ("out outlook", ["outlook"]),  # a word inside another adds nothing
    ("outlook out", ["outlook"]),
    ("  ", []),
    (None, []),
])
def test_each_word_counts_once(q, words):
    assert search_words(q) == words


def test_a_search_of_many_words_uses_the_first_few():
    q = " ".join(f"w{index:02d}" for index in range(40))
    assert search_words(q) == [f"w{index:02d}" for index in range(MAX_SEARCH_WORDS)]
    assert search_words("a " * 100) == ["a"]
