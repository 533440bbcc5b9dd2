"""Splitting on paragraph, then sentence boundaries, with exact spans and line numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.tasks.chunking import split_pieces, split_spans, split_text

TEXT = ("First paragraph, line one.\nLine two.\n\nSecond paragraph. It has three sentences! "
        "Does it? Yes.\n\n```\ncode\n\nmore code\n```\n\nLast.\n")


def test_paragraphs_are_packed_until_the_budget() -> None:
    assert split_text(TEXT, 10_000) == [TEXT.strip()]
    parts = split_text(TEXT, 40)
    assert parts[0] == "First paragraph, line one.\nLine two."
    assert all(len(part) <= 40 for part in parts)


def test_a_long_paragraph_splits_on_sentences() -> None:
    parts = split_text(TEXT, 40)
    assert parts[1:3] == ["Second paragraph.", "It has three sentences! Does it? Yes."]


def test_fenced_code_stays_whole() -> None:
    assert split_text(TEXT, 40)[-1] == "```\ncode\n\nmore code\n```\n\nLast."
    assert split_text(TEXT, 25)[-2:] == ["```\ncode\n\nmore code\n```", "Last."]


def test_line_numbers() -> None:
    pieces = split_pieces(TEXT, 40)
    assert (pieces[0].first_line, pieces[0].last_line) == (1, 2)
    code = next(p for p in pieces if p.text.startswith("```"))
    assert (code.first_line, code.last_line) == (6, 12)
    last = split_pieces(TEXT, 25)[-1]
    assert (last.text, last.first_line, last.last_line) == ("Last.", 12, 12)


def test_a_run_without_spaces_is_cut_hard() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .!\n", max_size=300), st.integers(min_value=1, max_value=60))
def test_spans_are_ordered_bounded_and_lose_no_text(text: str, limit: int) -> None:
    spans = split_spans(text, limit)
    at = 0
    for start, end in spans:
        assert at <= start < end <= len(text)
        assert end - start <= limit
        assert text[at:start].strip() == ""  # only whitespace between pieces
        at = end
    assert text[at:].strip() == ""
