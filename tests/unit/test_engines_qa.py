"""Extractive QA and the reusable BM25 ranking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_cli.local.engines.qa import Answer, answer
from bedrock_cli.text.bm25 import BM25, bm25_rank

NOTES = """# Travel notes

We spent a week in Europe in the spring. The weather was mild and the trains ran on time.

Paris is the capital of France. The city has about 2.1 million inhabitants. We arrived on
March 3, 2024 and stayed for five days.

The Louvre was designed by I. M. Pei, who added the glass pyramid in 1989. Our guide,
Marie Dupont, met us at the Gare du Nord.

Berlin is the capital of Germany. The European Union restricted three pesticides in 2018.
"""


def ask(question: str) -> Answer:
    return answer(question, NOTES)


def test_what_question_answers_with_the_sentence() -> None:
    result = ask("What is the capital of France?")
    assert result.text == "Paris is the capital of France."
    assert result.sentence == "Paris is the capital of France."
    assert NOTES[result.start : result.end] == "Paris is the capital of France."
    assert result.score == 1.0


def test_the_right_sentence_among_similar_ones() -> None:
    assert ask("What is the capital of Germany?").sentence == "Berlin is the capital of Germany."


@pytest.mark.parametrize(
    ("question", "short", "sentence_start"),
    [
        ("How many inhabitants does the city have?", "2.1 million", "The city has"),
        ("When did we arrive?", "March 3, 2024", "We arrived on"),
        ("Who designed the Louvre pyramid?", "I. M. Pei", "The Louvre was"),
        ("Where did Marie Dupont meet us?", "Gare du Nord", "Our guide"),
        ("How long did we stay?", "five days", "We arrived on"),
        ("When did the EU restrict pesticides?", "2018", "The European Union"),
    ],
)
def test_short_answer_by_question_type(question: str, short: str, sentence_start: str) -> None:
    result = ask(question)
    assert result.text == short
    assert result.sentence is not None and result.sentence.startswith(sentence_start)
    assert NOTES[result.start : result.end] == short  # the span points into the context


def test_span_offsets_survive_line_breaks_inside_the_sentence() -> None:
    result = ask("When did we arrive?")
    assert result.sentence == "We arrived on March 3, 2024 and stayed for five days."
    assert NOTES[result.start : result.end] == "March 3, 2024"


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Spain?",  # the entity is absent
        "What is the airspeed velocity of an unladen swallow?",  # nothing matches
        "Who is the president of the United States?",
        "What?",  # no content words
        "",
    ],
)
def test_unanswerable_questions_give_none(question: str) -> None:
    result = ask(question)
    assert result.text is None
    assert result.sentence is None
    assert (result.start, result.end) == (-1, -1)


def test_empty_context_gives_none() -> None:
    assert answer("What is the capital of France?", "").text is None


# --------------------------------------------------------------------------- BM25

PASSAGES = [
    "Paris is the capital of France.",
    "Bees make honey from nectar.",
    "France is a large country in Europe.",
    "The capital city of Italy is Rome, a capital of art.",
]


def test_bm25_ranks_best_first_and_drops_non_matches() -> None:
    ranked = bm25_rank("capital of France", PASSAGES, 10)
    assert [i for i, _ in ranked] == [0, 3, 2]
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


def test_bm25_k_limits_the_result() -> None:
    assert [i for i, _ in bm25_rank("capital of France", PASSAGES, 1)] == [0]
    assert bm25_rank("capital", PASSAGES, 0) == []


def test_bm25_stems_and_ignores_stopwords() -> None:
    assert bm25_rank("the honeys", PASSAGES, 5) == bm25_rank("honey", PASSAGES, 5)
    assert bm25_rank("the of and", PASSAGES, 5) == []


def test_bm25_matches_the_okapi_formula() -> None:
    import math

    passages = ["apple banana", "apple apple cherry date", "cherry"]
    index = BM25(passages)
    avg = (2 + 4 + 1) / 3
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    expected = idf * 2 * 2.5 / (2 + 1.5 * (0.25 + 0.75 * 4 / avg))
    assert index.scores("apple")[1] == pytest.approx(expected)


def test_bm25_index_reused_for_many_queries() -> None:
    index = BM25(PASSAGES)
    assert index.rank("honey", 3) == bm25_rank("honey", PASSAGES, 3)
    assert index.rank("Rome", 3)[0][0] == 3


def test_bm25_on_many_passages() -> None:
    passages = [f"note {i} about topic{i % 97} and item{i}" for i in range(20_000)]
    ranked = bm25_rank("item12345 topic4", passages, 5)
    assert ranked[0][0] == 12345


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200), st.text(max_size=500))
def test_answer_is_always_in_the_context(question: str, context: str) -> None:
    result = answer(question, context)
    if result.text is None:
        assert result.sentence is None
    else:
        assert context[result.start : result.end].split() == result.text.split()
        assert 0.0 <= result.score <= 1.0


WORDS = [
    "Paris",
    "Berlin",
    "capital",
    "France",
    "river",
    "honey",
    "bees",
    "1989",
    "queen",
    "colony",
    "seven",
    "museum",
]
sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=8).map(
    lambda w: " ".join(w).capitalize() + "."
)


@settings(max_examples=80, deadline=None)
@given(st.lists(sentences, min_size=1, max_size=8), st.lists(st.sampled_from(WORDS), max_size=4))
def test_answers_point_at_a_sentence_of_the_context(context: list[str], words: list[str]) -> None:
    text = "\n".join(context)
    result = answer("What about " + " ".join(words) + "?", text)
    if result.text is not None:
        assert result.sentence in context
        assert text[result.start : result.end] == result.text
        assert result.score >= 0.5


# ----------------------------------------------- the examples: spans, not headings

MEETING = """# Team sync — notes

Attendees: Alice Martin, Bob Chen, Carla Diaz

## Decisions

We agreed to move the launch to the second week of May. Bob will update the roadmap.

## Next meeting

The next meeting is on Thursday, 14 March 2024 at 10:00 in Room 4B.
"""

RECIPE = """# Lemon drizzle cake

Ingredients:
- 225 g butter
- 4 eggs

Method:
Heat the oven to 180°C. Beat the butter and sugar until pale, then add the eggs.
Pour the mixture into a lined tin and bake for 25 minutes, until a skewer comes out clean.
"""

KILIMANJARO = """Mount Kilimanjaro

Kilimanjaro is a dormant volcano in Tanzania. It has three volcanic cones.
At 5,895 metres above sea level, it is the highest mountain in Africa.
The first recorded ascent was made by Hans Meyer and Ludwig Purtscheller in 1889.
"""


@pytest.mark.parametrize(
    ("context", "question", "short"),
    [
        (MEETING, "When is the next meeting?", "Thursday, 14 March 2024 at 10:00"),
        (MEETING, "Where is the next meeting?", "Room 4B"),
        (MEETING, "Who attended?", "Alice Martin, Bob Chen, Carla Diaz"),
        (MEETING, "When is the launch?", "the second week of May"),
        (RECIPE, "How long to bake?", "25 minutes"),
        (RECIPE, "How much butter?", "225 g"),
        (RECIPE, "How many eggs?", "4 eggs"),
        (RECIPE, "What temperature should the oven be?", "180°C"),
        (KILIMANJARO, "How high is Kilimanjaro?", "5,895 metres"),
        (KILIMANJARO, "Where is Kilimanjaro?", "Tanzania"),
        (KILIMANJARO, "When was the first ascent?", "1889"),
        (KILIMANJARO, "Who made the first ascent?", "Hans Meyer and Ludwig Purtscheller"),
    ],
)
def test_typed_questions_get_the_span(context: str, question: str, short: str) -> None:
    result = answer(question, context)
    assert result.text == short
    assert context[result.start : result.end] == short


@pytest.mark.parametrize("question", ["What is the next meeting?", "What are the decisions?",
                                      "What is the method?", "What is Mount Kilimanjaro?"])
def test_headings_are_never_answers(question: str) -> None:
    for context in (MEETING, RECIPE, KILIMANJARO):
        result = answer(question, context)
        heading_lines = {"Team sync — notes", "Decisions", "Next meeting", "Method:",
                         "Ingredients:", "Lemon drizzle cake", "Mount Kilimanjaro"}
        assert result.sentence not in heading_lines


@pytest.mark.parametrize("question", ["How high is Everest?", "What is the capital of Japan?",
                                      "When does the museum open?"])
def test_declines_when_no_sentence_supports_it(question: str) -> None:
    assert answer(question, KILIMANJARO).text is None


GIT_LOG = """commit 3f2a1b9
Author: Dana Lee <dana@example.com>
Date:   Mon Mar 4 10:12:00 2024 +0100

    Fix the login bug: sessions expired one hour early because of a timezone offset

commit 9c8d7e6
Author: Omar Haddad <omar@example.com>
Date:   Fri Mar 1 16:40:00 2024 +0100

    Add dark mode to the settings page
"""


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("Who fixed the login bug?", "Dana Lee"),
        ("When was the login bug fixed?", "Mon Mar 4 10:12:00 2024"),
        ("Who added dark mode?", "Omar Haddad"),
    ],
)
def test_who_and_when_read_the_labelled_lines_next_to_the_answer(question: str,
                                                                  short: str) -> None:
    result = answer(question, GIT_LOG)
    assert result.text == short
    assert GIT_LOG[result.start : result.end] == short


def test_the_sentence_before_in_a_paragraph_gives_context() -> None:
    text = ("In 1802 the harbour of Lindqvist changed again. The council recorded that 5 "
            "families depended on the harbour for their living that year.\n\nIn 1803 the mill "
            "changed again. The council recorded that 9 families depended on the mill.")
    assert answer("How many families depended on the harbour in 1802?", text).text == "5 families"
    assert answer("How many families depended on the mill in 1803?", text).text == "9 families"
