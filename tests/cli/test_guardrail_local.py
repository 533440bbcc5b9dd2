"""Guardrails offline: `guardrail check` and `generate --guardrail` against a local file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import cli

LOCAL = ["--backend", "local"]
BLOCKED = "Sorry, I can't help with that."


@pytest.fixture(autouse=True)
def guardrails_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "guardrails.json"
    path.write_text(json.dumps({"guardrails": {"g1": {
        "version": "1", "blocked_message": BLOCKED, "denied_words": ["dragonfruit"],
        "pii": [{"type": "EMAIL", "action": "ANONYMIZE"}]}}}))
    monkeypatch.setenv("BEDROCK_CLI_LOCAL_GUARDRAILS", str(path))
    return path


def test_check_a_denied_word_blocks_and_exits_6() -> None:
    run = cli(["guardrail", "check", *LOCAL, "I love dragonfruit", "--guardrail", "g1"])
    assert run.exit_code == 6
    assert run.stdout == BLOCKED + "\n"
    assert run.stderr.splitlines() == [
        "Action: GUARDRAIL_INTERVENED (Guardrail blocked.)",
        "  denied word 'dragonfruit': BLOCKED",
        "Error: Guardrail g1 (version DRAFT) blocked the input."]


def test_check_an_email_is_anonymized() -> None:
    run = cli(["guardrail", "check", *LOCAL, "-", "-g", "g1:1", "--source", "output"],
              input="write to bob@example.com")
    assert run.exit_code == 6
    assert run.stdout == "write to {EMAIL}\n"
    assert "EMAIL 'bob@example.com': ANONYMIZED" in run.stderr
    assert "masked the output" in run.stderr


def test_check_clean_text_passes_and_json() -> None:
    run = cli(["guardrail", "check", *LOCAL, "The weather is nice.", "-g", "g1", "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["action"] == "NONE" and data["output"] == "The weather is nice."
    assert data["outputs"] == [] and data["guardrail"] == "g1" and data["version"] == "DRAFT"
    assert data["source"] == "input" and data["backend"] == "local"
    assert run.stderr == ""


@pytest.mark.parametrize(("args", "code", "message"), [
    (["x"], 2, "Missing --guardrail"),
    (["x", "-g", "Bad Id"], 2, "is not a guardrail id"),
    (["x", "-g", "g1", "--source", "middle"], 2, "--source 'middle' is not input or output"),
    (["x", "-g", "g2"], 5, "BEDROCK_CLI_LOCAL_GUARDRAILS"),
])
def test_check_errors(args: list[str], code: int, message: str) -> None:
    run = cli(["guardrail", "check", *LOCAL, *args])
    assert run.exit_code == code
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2


@pytest.mark.parametrize("extra", [[], ["--no-stream"], ["--api", "invoke", "-m", "haiku-3"]])
def test_generate_blocked_by_guardrail_exits_6(extra: list[str]) -> None:
    run = cli(["generate", *LOCAL, "Tell me about dragonfruit", "--guardrail", "g1", *extra])
    assert run.exit_code == 6
    assert run.stdout == BLOCKED + "\n"
    assert f"Guardrail g1 (version DRAFT) intervened: {BLOCKED}" in run.stderr


def test_generate_guardrail_json_and_trace_under_debug() -> None:
    run = cli(["generate", *LOCAL, "Tell me about dragonfruit", "--guardrail", "g1:1",
               "--json", "--debug"])
    assert run.exit_code == 6
    assert run.json()["stop_reason"] == "guardrail_intervened"
    trace_line = next(line for line in run.stderr.splitlines()
                      if line.startswith("debug: guardrail trace: "))
    trace = json.loads(trace_line.split(": ", 2)[2])
    assert trace["inputAssessment"]["g1"]["wordPolicy"]["customWords"][0]["match"] == \
        "dragonfruit"
    assert json.loads(run.stderr.splitlines()[-1])["error"]["exit_code"] == 6


def test_generate_masks_an_email_and_passes_clean_text() -> None:
    masked = cli(["generate", *LOCAL, "Mail bob@example.com after the rain", "--guardrail",
                  "g1", "--max-tokens", "5", "--debug"])
    assert masked.exit_code == 0, masked.stderr
    assert "ANONYMIZED" in masked.stderr and "bob@example.com" not in masked.stdout
    clean = cli(["generate", *LOCAL, "After the rain", "--guardrail", "g1", "--max-tokens",
                 "5"])
    assert clean.exit_code == 0 and clean.stderr == "" and clean.stdout.strip()


def test_generate_unknown_guardrail_gets_a_guardrail_hint() -> None:
    run = cli(["generate", *LOCAL, "hi", "--guardrail", "nope"])
    assert run.exit_code == 5
    assert "does not exist" in run.stderr and "BEDROCK_CLI_LOCAL_GUARDRAILS" in run.stderr


@pytest.mark.parametrize("content", ["not json{", '{"guardrails": 5}', None])
@pytest.mark.parametrize("args", [["generate", "hi", "--guardrail", "g1"],
                                  ["guardrail", "check", "hi", "--guardrail", "g1"]])
def test_a_bad_local_guardrails_file_is_a_configuration_error_naming_it(
        guardrails_file: Path, content: str | None, args: list[str]) -> None:
    if content is None:
        guardrails_file.unlink()
    else:
        guardrails_file.write_text(content)
    run = cli([*args, *LOCAL])
    assert run.exit_code == 3, run.stderr
    assert run.stderr.startswith(f"Error: Cannot use the local guardrails file {guardrails_file}")
    assert "Bedrock rejected" not in run.stderr and "models show" not in run.stderr
    assert "docs/guardrails.md" in run.stderr
    assert len(run.stderr.splitlines()) == 2


def test_serve_refuses_a_bad_local_guardrails_file(guardrails_file: Path) -> None:
    guardrails_file.write_text('{"guardrails": []}')
    env = {k: v for k, v in os.environ.items() if k != "BEDROCK_CLI_RAISE_INTERNAL"}
    done = subprocess.run([sys.executable, "-m", "bedrock_cli", "serve", "--port", "0"],
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 3, done.stderr
    assert str(guardrails_file) in done.stderr
