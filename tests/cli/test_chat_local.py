"""chat on the local backend, end to end: piped turns, blocks, plain output, --continue, slash
commands, and what history keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_cli.history import History
from tests.helpers import cli


def local(*args: str, input: str | bytes | None = None) -> object:
    return cli(["--backend", "local", *args], input=input)


def rows(home: Path) -> list[dict[str, object]]:
    return History(home / "data").rows(limit=None, oldest_first=True)


def test_a_piped_two_line_chat_answers_both_and_logs_both(isolated_env: Path) -> None:
    run = local("chat", "--json", input="Tell me about the harbour.\nAnd the railway?\n")
    assert run.exit_code == 0, run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(answers) == 2 and all(a["text"] for a in answers)
    listed = local("history", "list", "--json").json()
    assert [r["prompt"] for r in listed] == ["And the railway?", "Tell me about the harbour."]
    assert {r["command"] for r in listed} == {"chat"}
    assert listed[0]["conversation_id"] == listed[1]["conversation_id"] == listed[1]["id"]
    second = History(isolated_env / "data").get(listed[0]["id"])
    assert second is not None
    assert len(json.loads(str(second["messages"]))) == 4  # the first turn went along


@pytest.mark.parametrize("tail", ["", "\n"])
def test_a_piped_chat_ending_inside_a_block_sends_the_block(tail: str) -> None:
    run = local("chat", "--json", input=f'hello\n"""\nfirst line\nsecond line{tail}')
    assert run.exit_code == 0, run.stderr
    assert len(run.stdout.splitlines()) == 2  # both messages answered
    assert 'ended inside a """ block' in run.stderr
    listed = local("history", "list", "--json").json()
    assert [r["prompt"] for r in listed] == ["first line\nsecond line", "hello"]


def test_chat_plain_output_and_continue(isolated_env: Path) -> None:
    run = local("chat", input="After the rain, the streets were\n")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip()
    assert run.stderr == ""
    again = local("chat", "--continue", input="/history\nAnd then?\n")
    assert again.exit_code == 0, again.stderr
    assert "Continuing conversation" in again.stderr
    assert "1. you: After the rain, the streets were" in again.stderr
    calls = rows(isolated_env)
    assert calls[1]["conversation_id"] == calls[0]["id"]


def test_chat_multiline_and_commands(isolated_env: Path) -> None:
    text = '/system Be brief.\n"""\nline one\nline two\n"""\n/save chat.md\n/exit\nnever sent\n'
    run = local("chat", input=text)
    assert run.exit_code == 0, run.stderr
    [row] = rows(isolated_env)
    assert row["prompt"] == "line one\nline two"
    assert row["system"] == "Be brief."
    saved = Path("chat.md").read_text()
    assert "## You\n\nline one\nline two" in saved
    assert "System prompt set." in run.stderr and "Saved 1 turn(s)" in run.stderr
