"""The one tokenizer: CountTokens, usage and max_tokens all count with it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.text.tokenizer import CHUNK, WORD_MAX, count_tokens, tokenize


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("", []),
        (
            "After the rain, the streets were wet.",
            ["After", " the", " rain", ",", " the", " streets", " were", " wet", "."],
        ),
        (
            "I don't know; it's 1814!",
            ["I", " don", "'t", " know", ";", " it", "'s", " 181", "4", "!"],
        ),
        ("extraordinary", ["extra", "ordi", "nary"]),
        (" understanding", [" under", "stan", "ding"]),
        ("line one\n\nline two", ["line", " one", "\n\n", "line", " two"]),
        ("a   b", ["a", "  ", " b"]),
        ("tab\there", ["tab", "\t", "here"]),
        ("snake_case_name", ["snake", "_", "case", "_", "name"]),
        ("café déjà vu", ["café", " déjà", " vu"]),
        ('{"k": [1, 22]}', ["{", '"', "k", '"', ":", " [", "1", ",", " 22", "]", "}"]),
    ],
)
def test_pieces(text: str, pieces: list[str]) -> None:
    assert tokenize(text) == pieces
    assert count_tokens(text) == len(pieces)


def test_counts_are_stable() -> None:
    # Pinned: other modules (CountTokens, usage, cost) and users' budgets rely on these.
    assert count_tokens("After the rain, the streets were") == 7
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("The quick brown fox jumps over the lazy dog.") == 10
    assert count_tokens("x" * 100) == 17  # ceil(100 / CHUNK) balanced chunks
    assert count_tokens(" " * 40) == 3


def test_long_words_split_into_balanced_chunks() -> None:
    assert WORD_MAX == 7 and CHUNK == 6
    assert tokenize("streets") == ["streets"]  # WORD_MAX letters: one token
    assert tokenize(" sunshine") == [" suns", "hine"]  # 8 letters: two chunks of 4
    word = "antidisestablishmentarianism"  # 28 letters -> 5 chunks of 5-6
    chunks = tokenize(word)
    assert "".join(chunks) == word
    assert [len(c) for c in chunks] == [6, 6, 6, 5, 5]


def test_english_prose_is_about_four_characters_per_token() -> None:
    prose = (
        "It is a truth universally acknowledged, that a single man in possession of a good "
        "fortune, must be in want of a wife. However little known the feelings or views of "
        "such a man may be on his first entering a neighbourhood, this truth is so well fixed "
        "in the minds of the surrounding families, that he is considered the rightful "
        "property of some one or other of their daughters."
    )
    assert 3.5 <= len(prose) / count_tokens(prose) <= 5.0


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_round_trip(text: str) -> None:
    pieces = tokenize(text)
    assert "".join(pieces) == text
    assert count_tokens(text) == len(pieces)
    assert all(pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Zé9_'-.,!\n\t  ")), max_size=80))
def test_every_piece_is_one_token(text: str) -> None:
    for piece in tokenize(text):
        assert count_tokens(piece) == 1, piece


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z]{1,20}|[0-9]{1,6}|[.,;:!?—]", fullmatch=True), max_size=30))
def test_words_joined_with_spaces_count_per_word(words: list[str]) -> None:
    # The text engine streams word by word: a space-led word never merges with the text before.
    text = ""
    total = 0
    for w in words:
        piece = w if w in ".,;:!?—" or not text or text.endswith("—") else " " + w
        total += count_tokens(piece)
        text += piece
    assert count_tokens(text) == total
