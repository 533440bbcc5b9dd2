"""Hashed n-gram embeddings: deterministic, unit length, lexical similarity."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines.embeddings import embed

ROOT = Path(__file__).resolve().parents[2]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("dimensions", [256, 384, 512, 1024, 1536])
def test_dimension_and_unit_length(dimensions: int) -> None:
    vector = embed("Paris is the capital of France.", dimensions=dimensions)
    assert len(vector) == dimensions
    assert all(isinstance(v, float) for v in vector)
    assert math.sqrt(sum(v * v for v in vector)) == pytest.approx(1.0)


def test_without_normalize_the_length_is_the_raw_weight() -> None:
    raw = embed("bees bees bees make honey", dimensions=512, normalize=False)
    unit = embed("bees bees bees make honey", dimensions=512)
    norm = math.sqrt(sum(v * v for v in raw))
    assert norm > 1.0
    assert [v / norm for v in raw] == pytest.approx(unit)


def test_same_text_same_vector_in_another_process() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    code = (
        "import json; from bedrock_cli.local.engines.embeddings import embed; "
        f"print(json.dumps(embed({text!r}, dimensions=256)))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        ).stdout
        for seed in ("1", "2")
    ]
    assert json.loads(runs[0]) == json.loads(runs[1]) == embed(text, dimensions=256)


def test_texts_sharing_words_are_closer() -> None:
    query = embed("How do honeybees make honey?", dimensions=1024)
    related = embed("Honeybees make honey from the nectar of flowers.", dimensions=1024)
    unrelated = embed("The central bank raised interest rates again.", dimensions=1024)
    assert cosine(query, related) > cosine(query, unrelated) + 0.2
    assert cosine(query, query) == pytest.approx(1.0)


def test_word_pieces_make_inflections_close() -> None:
    a = embed("running", dimensions=512)
    assert cosine(a, embed("runner", dimensions=512)) > cosine(a, embed("banana", dimensions=512))


def test_input_type_does_not_change_the_space() -> None:
    text = "where is the station"
    plain = embed(text, dimensions=256)
    assert embed(text, dimensions=256, input_type="search_query") == plain
    assert embed(text, dimensions=256, input_type="search_document") == plain


def test_whitespace_only_text_is_the_zero_vector() -> None:
    assert embed(" \n\t", dimensions=8) == [0.0] * 8


def test_punctuation_only_text_still_embeds() -> None:
    vector = embed("?!", dimensions=64)
    assert math.sqrt(sum(v * v for v in vector)) == pytest.approx(1.0)


def test_invalid_dimensions() -> None:
    with pytest.raises(ValueError, match="dimensions"):
        embed("text", dimensions=0)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip()), st.sampled_from([1, 7, 256]))
def test_non_empty_text_is_always_unit_length(text: str, dimensions: int) -> None:
    vector = embed(text, dimensions=dimensions)
    assert len(vector) == dimensions
    assert math.sqrt(sum(v * v for v in vector)) == pytest.approx(1.0)
