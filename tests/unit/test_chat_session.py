"""The chat REPL's logic without a terminal: multi-line input, slash commands, turns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bedrock_cli.cli.chat import chat_calls
from bedrock_cli.cli.options import make_context
from bedrock_cli.context import AppContext
from bedrock_cli.errors import InterruptedByUser
from bedrock_cli.tasks.chat import HELP, ChatSession, MultiLine


def test_multiline_between_triple_quotes() -> None:
    lines = MultiLine()
    assert lines.feed("hello\n") == "hello"
    assert lines.feed('"""') is None and lines.active
    assert lines.feed("first") is None
    assert lines.feed("") is None
    assert lines.feed('second"""') == "first\n\nsecond"
    assert not lines.active
    assert lines.feed('"""one line"""') == "one line"
    assert lines.feed('"""start') is None
    lines.reset()
    assert lines.feed("after reset") == "after reset"
    assert lines.finish() is None  # not in a block
    assert lines.feed('"""') is None and lines.feed("left open\n") is None
    assert lines.finish() == "left open\n".rstrip("\n") and not lines.active


@pytest.fixture
def app() -> Iterator[AppContext]:
    context = make_context({"backend": "local"})
    yield context
    context.close()


def test_turns_are_kept_and_logged_under_one_conversation(app: AppContext) -> None:
    session = ChatSession(chat_calls(app))
    pieces: list[str] = []
    first = session.send("After the rain, the streets were", on_text=pieces.append)
    assert "".join(pieces) == first.result.text
    session.send("And then?")
    assert session.conversation_id == first.history_id
    assert [m["role"] for m in session.messages] == ["user", "assistant"] * 2
    assert app.history is not None
    assert len(app.history.conversation(first.history_id or "")) == 2


def test_commands(app: AppContext, tmp_path: Path) -> None:
    session = ChatSession(chat_calls(app))
    assert session.command("/help").text == HELP
    assert session.command("/exit").leave and session.command("/QUIT").leave
    assert "Unknown command /nope" in session.command("/nope").text
    assert "(called as us.anthropic.claude-haiku" in session.command("/model haiku").text
    assert "Unknown model" in session.command("/model no-such-model").text
    assert session.command("/system Be brief.").text == "System prompt set."
    assert session.command("/system").text == "System prompt: Be brief."
    assert session.command("/system --clear").text == "System prompt removed."
    assert session.command("/history").text == "No turns yet."
    image = tmp_path / "dot.png"
    from PIL import Image

    Image.new("RGB", (4, 4), "red").save(image)
    session.command("/model nova-lite")
    assert session.command(f"/attach {image}").text.startswith("Attached")
    assert "File not found" in session.command(f"/attach {tmp_path / 'none.png'}").text
    session.send("What colour is it?")
    assert "red" in session.messages[-1]["content"][0]["text"]
    assert "image" in session.messages[-2]["content"][0]
    assert session.pending == []
    target = tmp_path / "chat.md"
    assert session.command(f"/save {target}").text == f"Saved 1 turn(s) to {target}."
    assert "--force" in session.command(f"/save {target}").text
    assert session.command(f"/save {target} --force").text.startswith("Saved")
    assert session.command("/history").text.startswith("1. you: What colour is it?")
    assert session.command("/clear").text == "New conversation."
    assert session.messages == [] and session.conversation_id is None


def test_an_interrupted_answer_keeps_what_arrived(app: AppContext) -> None:
    session = ChatSession(chat_calls(app))

    def stop_after_two(piece: str, seen: list[str] = []) -> None:  # noqa: B006
        seen.append(piece)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(InterruptedByUser):
        session.send("After the rain, the streets were", on_text=stop_after_two)
    assert [m["role"] for m in session.messages] == ["user", "assistant"]
    assert app.history is not None
    row = app.history.latest()
    assert row is not None and row["status"] == "partial"


def test_history_names_the_model_that_gave_each_answer(app: AppContext) -> None:
    session = ChatSession(chat_calls(app))
    session.send("After the rain, the streets were")
    session.command("/model nova-micro")
    session.send("And then?")
    labels = [line.split(": ")[0].strip() for line in
              session.command("/history").text.splitlines()[1::2]]
    assert "nova-lite" in labels[0] and "nova-micro" in labels[1], labels
    resumed = ChatSession(chat_calls(app), model="nova-pro")
    assert resumed.resume(continue_last=True, conversation_id=None) == 2
    again = [line.split(": ")[0].strip() for line in
             resumed.command("/history").text.splitlines()[1::2]]
    assert "nova-lite" in again[0] and "nova-micro" in again[1], again
