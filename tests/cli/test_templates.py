"""`templates save|list|show|edit|delete|path` and `--template NAME -p KEY VALUE` on
generate, chat and batch run."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from bedrock_cli.templates import Template, parse, substitute
from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws, cli

LOCAL = ["--backend", "local"]
PROMPT = "Translate into {lang}:\n\n{input}"


@pytest.fixture
def saved(isolated_env: Path) -> Path:
    run = cli(["templates", "save", "tr", "--prompt", PROMPT, "-s", "You translate into "
               "{lang}.", "-m", "haiku", "-t", "0.2", "--max-tokens", "300"])
    assert run.exit_code == 0, run.stderr
    assert "variables: lang, input." in run.stderr
    return isolated_env / "templates" / "tr.toml"


def test_save_list_show_delete(saved: Path) -> None:
    assert saved.is_file() and stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    assert cli(["templates", "path"]).stdout == f"{saved.parent}\n"
    listed = cli(["templates", "list", "--json"]).json()
    assert listed == [{"name": "tr", "system": "You translate into {lang}.", "prompt": PROMPT,
                       "model": "haiku", "temperature": 0.2, "max_tokens": 300,
                       "variables": ["lang", "input"]}]
    assert cli(["templates", "list"]).stdout.startswith("tr  [haiku] (lang, input) Translate")
    shown = cli(["templates", "show", "tr"]).stdout
    assert parse("tr", shown).prompt == PROMPT
    assert cli(["templates", "show", "tr", "--json"]).json()["variables"] == ["lang", "input"]
    again = cli(["templates", "save", "tr", "--prompt", "x"])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli(["templates", "save", "tr", "--prompt", "x", "--force"]).exit_code == 0
    assert cli(["templates", "show", "tr", "--json"]).json()["prompt"] == "x"
    assert cli(["templates", "delete", "tr"]).exit_code == 0
    assert not saved.exists()
    gone = cli(["templates", "show", "tr"])
    assert gone.exit_code == 2 and "No template named 'tr'" in gone.stderr


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "x..y", "a b", "t.toml", ""])
def test_names_cannot_leave_the_folder(isolated_env: Path, name: str) -> None:
    run = cli(["templates", "save", name, "--prompt", "x"])
    assert run.exit_code == 2 and "not a valid template name" in run.stderr
    assert not (isolated_env / "templates").exists()
    assert cli(["templates", "show", name]).exit_code == 2


def test_save_checks_its_values(isolated_env: Path) -> None:
    assert cli(["templates", "save", "t"]).exit_code == 2  # neither prompt nor system
    bad = cli(["templates", "save", "t", "--prompt", "x", "-t", "3"])
    assert bad.exit_code == 2 and "--temperature 3" in bad.stderr
    unknown = cli(["templates", "save", "t", "--prompt", "x", "-m", "sonet"])
    assert unknown.exit_code == 2 and "Unknown model 'sonet'" in unknown.stderr


def test_generate_fills_the_template(endpoint: FakeEndpoint, saved: Path) -> None:
    endpoint.add_stream(converse_frames(["Guten Morgen."]))
    run = aws(endpoint, "generate", "--template", "tr", "-p", "lang", "German", "Good morning")
    assert run.exit_code == 0, run.stderr
    request = endpoint.requests[0]
    assert request.path == "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream"
    body = request.json()
    assert body["system"] == [{"text": "You translate into German."}]
    assert body["messages"][0]["content"] == [{"text": "Translate into German:\n\nGood morning"}]
    assert body["inferenceConfig"] == {"maxTokens": 300, "temperature": 0.2}


def test_the_command_line_wins_and_stdin_is_input(endpoint: FakeEndpoint, saved: Path) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "--template", "tr", "-p", "lang=French", "-m", "nova-lite",
              "-t", "0.9", "-s", "Custom.", input="Good night\n")
    assert run.exit_code == 0, run.stderr
    request = endpoint.requests[0]
    assert "nova-lite" in request.path
    body = request.json()
    assert body["system"] == [{"text": "Custom."}]
    assert body["messages"][0]["content"] == [{"text": "Translate into French:\n\nGood night"}]
    assert body["inferenceConfig"]["temperature"] == 0.9


def test_a_missing_variable_is_exit_2_naming_it(endpoint: FakeEndpoint, saved: Path) -> None:
    run = aws(endpoint, "generate", "--template", "tr", "Good morning")
    assert run.exit_code == 2
    assert "Template 'tr' needs a value for 'lang'." in run.stderr
    assert "-p lang VALUE" in run.stderr
    no_input = aws(endpoint, "generate", "--template", "tr", "-p", "lang", "German")
    assert no_input.exit_code == 2 and "'input'" in no_input.stderr
    assert endpoint.requests == []


def test_param_without_template_and_unknown_template(endpoint: FakeEndpoint) -> None:
    run = aws(endpoint, "generate", "hi", "-p", "lang", "German")
    assert run.exit_code == 2 and "no --template was given" in run.stderr
    run = aws(endpoint, "generate", "hi", "--template", "nope")
    assert run.exit_code == 2 and "No template named 'nope'" in run.stderr


def test_input_is_appended_when_the_prompt_does_not_use_it(endpoint: FakeEndpoint) -> None:
    assert cli(["templates", "save", "sum", "--prompt", "Summarize in {n} words. Keep "
                "{{braces}} and {\"json\": 1}."]).exit_code == 0
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "--template", "sum", "-p", "n", "5", "The text.")
    assert run.exit_code == 0, run.stderr
    text = endpoint.requests[0].json()["messages"][0]["content"][0]["text"]
    assert text == 'Summarize in 5 words. Keep {braces} and {"json": 1}.\n\nThe text.'
    assert "does not use 'extra'" in aws(endpoint, "generate", "--template", "sum", "-p", "n",
                                          "5", "-p", "extra", "x", "T.").stderr


def test_round_trip_of_awkward_text() -> None:
    for text in ["plain", "two\nlines", "quotes \" and ''' and \\ backslash", "tab\tand\r\n",
                 "ünïcödé ✓", "ends with a quote'", "\x7f control"]:
        template = Template("t", system=text, prompt=text + " {input}", defaults={"k": text})
        again = parse("t", template.to_toml())
        assert (again.system, again.prompt, again.defaults) == (text, text + " {input}",
                                                              {"k": text})
    assert substitute("{a}{{a}}{b c}", {"a": "1"}) == "1{a}{b c}"


def test_defaults_table_and_broken_files(isolated_env: Path, endpoint: FakeEndpoint) -> None:
    folder = isolated_env / "templates"
    folder.mkdir()
    (folder / "d.toml").write_text('prompt = "Hello {who}"\n[defaults]\nwho = "world"\n')
    (folder / "bad.toml").write_text('prompt = "x"\ncolour = "red"\n')
    endpoint.add_stream(converse_frames(["ok"]))
    assert aws(endpoint, "generate", "--template", "d").exit_code == 0
    assert endpoint.requests[0].json()["messages"][0]["content"][0]["text"] == "Hello world"
    run = aws(endpoint, "generate", "--template", "bad", "x")
    assert run.exit_code == 2 and "unknown keys: colour" in run.stderr
    listed = {t["name"]: t for t in cli(["templates", "list", "--json"]).json()}
    assert "error" in listed["bad"] and listed["d"]["defaults"] == {"who": "world"}


def test_edit_opens_the_editor_and_checks_the_file(isolated_env: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    script = isolated_env / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('temperature = 0.3\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    run = cli(["templates", "edit", "new"])
    assert run.exit_code == 0, run.stderr
    assert "created" in run.stderr
    shown = cli(["templates", "show", "new", "--json"]).json()
    assert shown["temperature"] == 0.3 and shown["prompt"] == "{input}"
    saved = (isolated_env / "templates" / "new.toml").read_text()
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('oops = \\n')\n")
    broken = cli(["templates", "edit", "new"])
    assert broken.exit_code == 2 and "not valid TOML" in broken.stderr
    # the template is untouched and usable; the edit is kept, not lost
    assert (isolated_env / "templates" / "new.toml").read_text() == saved
    assert cli(["templates", "show", "new", "--json"]).exit_code == 0
    draft = isolated_env / "templates" / "new.toml.draft"
    assert draft.read_text().endswith("oops = \n") and str(draft) in broken.stderr
    assert [t["name"] for t in cli(["templates", "list", "--json"]).json()] == ["new"]
    # the next edit opens the draft: fixing it saves it
    script.write_text("import sys\np = sys.argv[1]\ntext = open(p).read()\n"
                      "open(p, 'w').write(text.replace('oops = ', 'max_tokens = 9'))\n")
    fixed = cli(["templates", "edit", "new"])
    assert fixed.exit_code == 0, fixed.stderr
    assert "Continuing your unsaved edit" in fixed.stderr
    shown = cli(["templates", "show", "new", "--json"]).json()
    assert (shown["temperature"], shown["max_tokens"]) == (0.3, 9)
    assert not draft.exists()


def test_batch_run_fills_each_record(saved: Path, tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": 1, "prompt": "Good morning", "lang": "German"}) + "\n" +
                   json.dumps({"id": 2, "prompt": "Good night"}) + "\n")
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--template", "tr", "-p",
               "lang", "French"])
    assert run.exit_code == 0, run.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == [1, 2]
    assert {line["model"] for line in lines} == {"anthropic.claude-haiku-4-5-20251001-v1:0"}


def test_batch_run_missing_variable_sends_nothing(saved: Path, tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": 1, "prompt": "Good morning"}) + "\n")
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--template", "tr"])
    assert run.exit_code == 2
    assert "line 1: Template 'tr' needs a value for 'lang'" in run.stderr
    assert not out.exists() or out.read_text() == ""


def test_chat_wraps_each_message(saved: Path, isolated_env: Path) -> None:
    run = cli([*LOCAL, "chat", "--template", "tr", "-p", "lang", "German", "--json"],
              input="Good morning\n")
    assert run.exit_code == 0, run.stderr
    from bedrock_cli.history import History

    [row] = History(isolated_env / "data").rows()
    assert row["prompt"] == "Translate into German:\n\nGood morning"
    assert row["system"] == "You translate into German."
    assert row["model"] == "anthropic.claude-haiku-4-5-20251001-v1:0"
    missing = cli([*LOCAL, "chat", "--template", "tr"], input="hi\n")
    assert missing.exit_code == 2 and "'lang'" in missing.stderr
