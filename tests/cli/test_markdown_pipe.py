"""Issue 13.1: `--format markdown` never drops text. Off a terminal the answer is written as the
model's text (it is markdown already); rich renders it only on a terminal, where it wraps."""

from __future__ import annotations

import io

import pytest

from bedrock_cli.output import Output
from tests.helpers import cli

PROMPT = "After the rain, the streets were"
LONG = ("# Title\n\n" + " ".join(f"word{i}" for i in range(400))
        + "\n\n- one item that is long " + "x" * 300 + "\n- two\n\n```\ncode line " + "y" * 200
        + "\n```\n")


def local(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> object:
    return cli(["--backend", "local", "-q", *args], input=input, env=env)


def plain(*args: str, input: str | None = None) -> str:
    run = local("--format", "text", *args, input=input)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    return run.stdout  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("stream", [[], ["--no-stream"]])
@pytest.mark.parametrize("columns", [None, "200", "20"])
def test_generate_markdown_piped_keeps_every_character(stream: list[str],
                                                       columns: str | None) -> None:
    args = ["generate", "-t", "0", "--max-tokens", "100", *stream, PROMPT]
    expected = plain(*args)
    assert len(expected) > 150
    env = {"COLUMNS": columns} if columns else None
    run = local("--format", "markdown", *args, env=env)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert run.stdout == expected  # type: ignore[attr-defined]


def test_markdown_from_the_environment_keeps_every_character() -> None:
    args = ["generate", "-t", "0", "--max-tokens", "100", PROMPT]
    run = local(*args, env={"BEDROCK_CLI_FORMAT": "markdown"})
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert run.stdout == plain(*args)  # type: ignore[attr-defined]


def test_summarize_bullets_markdown_piped_keeps_every_character() -> None:
    story = "\n\n".join(
        f"In {1800 + i} the harbour of Lindqvist changed again, and the council recorded that "
        f"{i + 3} families depended on the harbour for their living that year." for i in range(12))
    expected = plain("summarize", "--style", "bullets", input=story)
    assert expected.count("\n- ") >= 1
    run = local("--format", "markdown", "summarize", "--style", "bullets", input=story)
    assert run.exit_code == 0, run.stderr  # type: ignore[attr-defined]
    assert run.stdout == expected  # type: ignore[attr-defined]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["markdown", "auto"])
def test_output_off_a_terminal_writes_the_text_itself(fmt: str) -> None:
    out = Output(io.StringIO(), io.StringIO(), fmt=fmt)
    out.text(LONG)
    with out.live_markdown() as sink:
        for piece in LONG.split(" "):
            sink.add(piece + " ")
    text, streamed = out.stdout.getvalue()[:len(LONG)], out.stdout.getvalue()[len(LONG):]
    assert text == LONG
    assert streamed.split() == LONG.split()


def test_markdown_on_a_terminal_is_rendered_and_wraps_without_loss() -> None:
    out = Output(Terminal(), io.StringIO(), fmt="markdown")
    out.text(LONG)
    shown = out.stdout.getvalue()
    assert "# Title" not in shown  # rendered, not raw
    words = [w for w in LONG.split() if w.startswith("word")]
    assert all(w in shown for w in words)
