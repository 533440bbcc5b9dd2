"""The extractive summarizer: sentence splitting, lengths, styles, focus, bounds."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines.summarizer import split_sentences, summarize
from bedrock_cli.text.terms import stem, terms

ARTICLE = """# The Honeybee

The western honeybee is one of the most important pollinators in the world. Farmers depend on \
honeybees to pollinate crops such as almonds, apples and blueberries. Without them, yields of \
many fruits and vegetables would fall sharply.

A honeybee colony is organised around a single queen. The queen lays up to 2,000 eggs a day \
during the peak of summer. Worker bees, all of them female, clean the hive, feed the larvae, \
build wax comb and forage for nectar and pollen. Drones are male bees whose only role is to \
mate with a queen from another colony.

Honeybees communicate through a behaviour known as the waggle dance. A forager that has found \
a rich source of nectar returns to the hive and dances on the comb. The angle of the dance \
tells the other workers the direction of the flowers relative to the sun, and its duration \
tells them the distance.

Since the early 2000s, beekeepers in the U.S. and Europe have reported heavy losses of \
colonies. Scientists blame a combination of causes, including the Varroa mite, pesticides such \
as neonicotinoids, poor nutrition and the loss of wild flowers. The Varroa mite spreads \
viruses between bees and weakens the colony.

Governments have responded in different ways. The European Union restricted the outdoor use \
of three neonicotinoid pesticides in 2018. Many cities now encourage gardeners to plant wild \
flowers and to avoid spraying pesticides. Researchers are also breeding bees that groom the \
mites off each other.

Honey itself is made from nectar that workers store in the comb and dry by fanning their \
wings. A strong colony can produce more than 25 kg of surplus honey in a good year. \
Beekeepers harvest this surplus and leave enough for the bees to survive the winter.
"""

SOURCE_SENTENCES = [s.text for s in split_sentences(ARTICLE)]


def decompose(summary: str, sources: list[str]) -> list[str] | None:
    """The source sentences that, joined by spaces, make ``summary`` (None if there are none)."""
    if not summary:
        return []
    for s in sources:
        if summary == s or summary.startswith(s + " "):
            rest = decompose(summary[len(s) :].lstrip(), sources)
            if rest is not None:
                return [s, *rest]
    return None


def sentences_of(summary: str) -> list[str]:
    found = decompose(summary, SOURCE_SENTENCES)
    assert found is not None, f"not made of source sentences: {summary!r}"
    return found


# ---------------------------------------------------------------- sentence splitting


def test_split_keeps_abbreviations_decimals_and_quotes_together() -> None:
    text = (
        "Mr. Smith went to Washington, D.C. on Monday. He paid $3.50 for coffee, e.g. a latte. "
        'The U.S. Army was there. "Stop!" he said. Then he left. Prof. J. R. Tolkien wrote '
        "books, etc. The end is near... Or is it? Yes!"
    )
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Smith went to Washington, D.C. on Monday.",
        "He paid $3.50 for coffee, e.g. a latte.",
        "The U.S. Army was there.",
        '"Stop!" he said.',
        "Then he left.",
        "Prof. J. R. Tolkien wrote books, etc.",
        "The end is near...",
        "Or is it?",
        "Yes!",
    ]


def test_split_after_abbreviation_when_a_sentence_clearly_starts() -> None:
    texts = [s.text for s in split_sentences("He moved to the U.S. The move was hard.")]
    assert texts == ["He moved to the U.S.", "The move was hard."]


def test_split_spans_point_into_the_source_and_mark_paragraphs() -> None:
    text = "First one.  Second\n  one.\n\n- an item here\n- another item\n\n## Heading\nLast."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "First one.",
        "Second one.",
        "an item here",
        "another item",
        "Heading",
        "Last.",
    ]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 1, 2, 2]
    for s in sentences:
        assert re.sub(r"\s+", " ", text[s.start : s.end]) == s.text


def test_split_empty_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t") == []


def test_terms_drop_stopwords_and_stem() -> None:
    assert terms("The bees were running to the flowers") == ["bee", "run", "flower"]
    assert stem("arrived") == stem("arrive") == stem("arriving")


# ---------------------------------------------------------------------- summaries


@pytest.mark.parametrize(
    ("length", "low", "high"), [("short", 1, 2), ("medium", 3, 5), ("long", 8, 12)]
)
def test_length_sets_the_number_of_sentences(length: str, low: int, high: int) -> None:
    picked = sentences_of(summarize(ARTICLE, length=length))
    assert low <= len(picked) <= high


def test_sentences_keep_document_order() -> None:
    picked = sentences_of(summarize(ARTICLE, length="long"))
    positions = [SOURCE_SENTENCES.index(s) for s in picked]
    assert positions == sorted(positions)


def test_longer_summaries_hold_more() -> None:
    sizes = [len(summarize(ARTICLE, length=n).split()) for n in ("short", "medium", "long")]
    assert sizes[0] < sizes[1] < sizes[2]


def test_short_text_is_returned_whole_when_it_has_fewer_sentences() -> None:
    text = "Cats sleep for most of the day. Dogs like to walk in the park."
    assert summarize(text, length="long") == text


def test_bullets_style() -> None:
    out = summarize(ARTICLE, style="bullets", length="medium")
    lines = out.split("\n")
    assert 3 <= len(lines) <= 5
    assert all(line.startswith("- ") for line in lines)
    assert all(line[2:] in SOURCE_SENTENCES for line in lines)


def test_tldr_style_is_one_line() -> None:
    out = summarize(ARTICLE, style="tldr", length="short")
    assert out.startswith("TL;DR: ")
    assert "\n" not in out
    assert 1 <= len(sentences_of(out.removeprefix("TL;DR: "))) <= 2


def test_focus_changes_the_pick() -> None:
    plain = summarize(ARTICLE, length="short")
    focused = summarize(ARTICLE, length="short", focus="pesticides")
    assert focused != plain
    assert "pesticide" in focused


def test_max_words_bounds_the_summary() -> None:
    out = summarize(ARTICLE, length="long", max_words=40)
    assert len(out.split()) <= 40
    assert sentences_of(out)


def test_max_words_smaller_than_any_sentence_cuts_the_best_one() -> None:
    out = summarize(ARTICLE, max_words=4)
    assert out.endswith(" …")
    assert len(out.split()) == 5  # four words and the ellipsis
    assert any(s.startswith(out.removesuffix(" …")) for s in SOURCE_SENTENCES)


def test_empty_input_gives_empty_summary() -> None:
    assert summarize("") == ""
    assert summarize("   \n\n  ") == ""


def test_invalid_length_or_style() -> None:
    with pytest.raises(ValueError, match="length"):
        summarize(ARTICLE, length="tiny")
    with pytest.raises(ValueError, match="style"):
        summarize(ARTICLE, style="poem")


def test_a_hundred_page_text_completes() -> None:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(5000)] + ["the", "of", "and", "bees"] * 300
    paragraphs, size = [], 0
    while size < 300_000:
        paragraph = " ".join(
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 30))).capitalize() + "."
            for _ in range(rng.randint(3, 8))
        )
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    text = "\n\n".join(paragraphs)
    out = summarize(text, length="long", style="bullets")
    lines = out.split("\n")
    assert 8 <= len(lines) <= 12
    assert all(line[2:] in text for line in lines)


# ------------------------------------------------------------------------ properties

VOCABULARY = "bees honey queen colony the a of flowers nectar Dr. U.S. 3.5 mites hive"
words = st.sampled_from(VOCABULARY.split(" "))
sentence = st.lists(words, min_size=1, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
document = st.lists(sentence, min_size=1, max_size=15).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    document,
    st.sampled_from(["short", "medium", "long"]),
    st.sampled_from(["bullets", "paragraph"]),
)
def test_summary_is_made_of_input_sentences(text: str, length: str, style: str) -> None:
    out = summarize(text, length=length, style=style)
    sources = [s.text for s in split_sentences(text)]
    if style == "bullets":
        assert all(line.removeprefix("- ") in sources for line in out.split("\n"))
    else:
        assert decompose(out, sources)


# ------------------------------------- headings and boilerplate out, risks and conclusions in

REPORT = """# Quarterly infrastructure review

Subject: Q3 review of the storage platform
Attendees: Dana Lee, Omar Haddad, Priya Nair, Tom Berg

## Usage

Storage use grew by 18 percent over the quarter, mostly from the analytics team's new log \
archive. The archive now holds 420 terabytes across three regions. Most of the growth came \
from logs that nobody reads after the first week. The platform team added two new storage \
classes in August. Requests per second stayed flat at around 9,000 during business hours.

## Costs

Monthly storage spend rose from 41,000 to 52,000 dollars. The largest line item is the \
infrequent-access tier, which the archive uses by default. Data transfer between regions \
costs another 6,000 dollars a month.

## Risks

The main risk is that the archive bucket has no lifecycle rule, so its cost will keep \
growing every month until someone deletes data by hand. A second, smaller risk is the \
single region used by the billing database backups.

## Recommendation

We recommend adding a 90-day lifecycle rule to the archive and replicating the billing \
backups to a second region before the end of the year.

Best regards,
Dana Lee
"""

RISK = ("The main risk is that the archive bucket has no lifecycle rule, so its cost will keep "
        "growing every month until someone deletes data by hand.")
BOILERPLATE = ("Quarterly infrastructure review", "Subject:", "Attendees:", "Usage", "Costs",
               "Risks", "Recommendation", "Best regards", "Dana Lee\n")


@pytest.mark.parametrize("length", ["short", "medium", "long"])
@pytest.mark.parametrize("style", ["paragraph", "bullets", "tldr"])
def test_no_headings_or_boilerplate_in_summaries(length: str, style: str) -> None:
    out = summarize(REPORT, length=length, style=style)
    for line in out.split("\n"):
        body = line.removeprefix("- ").removeprefix("TL;DR: ")
        assert not any(body.startswith(b.strip()) for b in BOILERPLATE), out


def test_the_risk_and_the_recommendation_are_kept() -> None:
    out = summarize(REPORT, length="medium")
    assert RISK in out
    assert "We recommend adding a 90-day lifecycle rule" in out
    short = summarize(REPORT, length="short")
    assert RISK in short or short.startswith("We recommend")  # a conclusion, not the opener


def test_tldr_is_exactly_one_sentence_whatever_the_length() -> None:
    for length in ("short", "medium", "long"):
        out = summarize(REPORT, style="tldr", length=length)
        assert out.startswith("TL;DR: ") and "\n" not in out
        assert len(split_sentences(out.removeprefix("TL;DR: "))) == 1


def test_bullets_are_bullets_and_lengths_grow() -> None:
    counts = []
    for length in ("short", "medium", "long"):
        lines = summarize(REPORT, style="bullets", length=length).split("\n")
        assert all(line.startswith("- ") and len(line) > 2 for line in lines)
        counts.append(len(lines))
    assert counts[0] < counts[1] < counts[2]
