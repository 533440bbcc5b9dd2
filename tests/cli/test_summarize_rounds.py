"""Issue 13.6: map-reduce reduces in as many rounds as it needs, each round shrinking its
input, and never exits 2 after calls were made; `--chunk-tokens` is bounded as documented
(100 to half the model's context window) and its messages say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_cli.errors import ServiceError, UsageError
from bedrock_cli.history import History
from bedrock_cli.tasks import common
from bedrock_cli.tasks import summarize as task
from tests.helpers import cli

TOPICS = ["harbour", "railway", "library", "orchard", "bridge", "market"]


def report(paragraphs: int = 40) -> str:
    """About 8 KB of short paragraphs (the size in the issue)."""
    return "\n\n".join(
        f"In {1800 + i} the {TOPICS[i % 6]} of Lindqvist changed again. The council recorded "
        f"that {i + 3} families depended on the {TOPICS[i % 6]} for their living that year. "
        f"Visitors described the {TOPICS[i % 6]} as the busiest place in the valley."
        for i in range(paragraphs)) + "\n"


def local(*args: str) -> object:
    return cli(["--backend", "local", *args])


@pytest.mark.parametrize("chunk", ["100", "150", "500"])
def test_small_chunks_reduce_in_rounds_until_one_call_takes_them(isolated_env: Path,
                                                                 chunk: str) -> None:
    text = report()
    assert 8000 <= len(text) <= 8500
    Path("report.txt").write_text(text)
    run = local("summarize", "report.txt", "--chunk-tokens", chunk, "--json")
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    result = run.json()  # type: ignore[attr-defined]
    rows = History(isolated_env / "data").rows(limit=None, oldest_first=True)
    assert len(rows) == result["calls"]
    params = [json.loads(str(r["params"])) for r in rows[:-1]]
    levels: dict[int, int] = {}
    for p in params:
        levels[p["level"]] = levels.get(p["level"], 0) + 1
    counts = [levels[level] for level in sorted(levels)]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == len(counts)
    assert sum(counts) + 1 == result["calls"] < 2 * result["parts"]
    assert result["text"] and all(s.rstrip(".") in text
                                  for s in result["text"].split(". ") if s)


def test_rounds_ask_for_shorter_part_summaries_when_parts_are_small() -> None:
    assert task.part_length(24_000 * common.CHARS_PER_TOKEN) == "long"
    assert task.part_length(1000 * common.CHARS_PER_TOKEN) == "medium"
    assert task.part_length(100 * common.CHARS_PER_TOKEN) == "short"
    inp = task.SummarizeInput(paths=[])
    assert "one or two sentences" in task.instruction_for(inp, part=(1, 3), part_length="short")
    assert "eight to twelve" in task.instruction_for(inp, part=(1, 3))


def test_summaries_that_do_not_shrink_go_to_the_last_call_whole() -> None:
    sentence = ("The committee examined every clause of the agreement over many long sessions "
                "and, after considering the objections raised by the delegates from the "
                "northern provinces, the merchants of the coastal towns, and the guilds, "
                "concluded that the revised terms would stand until the next assembly. ")
    Path("long.txt").write_text(sentence * 30)
    run = local("summarize", "long.txt", "--chunk-tokens", "100", "--json")
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert "no longer get shorter" in run.stderr  # type: ignore[attr-defined]


def test_summaries_too_large_for_the_window_fail_as_a_service_result() -> None:
    tgt = common.Target("vendor.some-model-v1:0", None, "vendor.some-model-v1:0")
    plan = task.Plan(tgt, task.SummarizeInput(paths=[]), [], "", [], [], 300, None)
    with pytest.raises(ServiceError) as caught:
        task._overflow(plan, "word " * 20_000, None)  # ~33,000 tokens; the window is 8,000
    assert caught.value.exit_code == 5
    assert "context window of 8000" in caught.value.message
    assert "up to 4000" in (caught.value.hint or "")
    notices: list[str] = []
    assert task._overflow(plan, "word " * 1000, notices.append).startswith("word")
    assert len(notices) == 1 and "no longer get shorter" in notices[0]


def test_chunk_tokens_bound_is_half_the_window_as_documented() -> None:
    tgt = common.Target("amazon.nova-lite-v1:0", None, "x")  # 8,000-token window assumed
    assert common.chunk_tokens(tgt, 4000) == 4000
    with pytest.raises(UsageError) as caught:
        common.chunk_tokens(tgt, 4001)
    assert "half of x's context window of 8000" in caught.value.message
    assert caught.value.hint == "Use at most 4000."
    with pytest.raises(UsageError, match="too small"):
        common.chunk_tokens(tgt, 99)
    help_text = local("summarize", "--help").stdout  # type: ignore[attr-defined]
    assert "at most half the model's context window" in " ".join(help_text.split())


def test_a_chunk_over_half_the_window_is_refused_before_any_call(isolated_env: Path) -> None:
    Path("report.txt").write_text(report())
    run = local("summarize", "report.txt", "-m", "nova-lite", "--chunk-tokens", "200000")
    assert run.exit_code == 2  # type: ignore[attr-defined]
    assert "Use at most 150000." in run.stderr  # type: ignore[attr-defined]
    assert History(isolated_env / "data").rows(limit=None, oldest_first=True) == []
