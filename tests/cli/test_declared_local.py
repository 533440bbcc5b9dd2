"""BEDROCK_CLI_LOCAL_RESPONSES on the CLI's own local backend: exact answers, exit 2 on a bad
file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli

EXACT = "Sunny,  21 °C — “exact”."
HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.fixture
def responses(tmp_path: Path) -> Path:
    path = tmp_path / "responses.toml"
    path.write_text(f'[[rule]]\nuser = "weather"\ntext = "{EXACT}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [[], ["--no-stream"], ["--api", "invoke"],
                                  ["--api", "invoke", "--no-stream"],
                                  ["--api", "invoke", "-m", HAIKU]])
def test_generate_prints_the_declared_text(responses: Path, args: list[str]) -> None:
    run = cli(["--backend", "local", "generate", "What's the weather?", *args],
              env={"BEDROCK_CLI_LOCAL_RESPONSES": str(responses)})
    assert run.exit_code == 0, run.stderr
    assert run.stdout == EXACT + "\n"


def test_json_output_has_the_counted_usage(responses: Path) -> None:
    run = cli(["--backend", "local", "generate", "What's the weather?", "--json"],
              env={"BEDROCK_CLI_LOCAL_RESPONSES": str(responses)})
    doc = run.json()
    assert doc["text"] == EXACT and doc["stop_reason"] == "end_turn"
    assert doc["usage"]["output_tokens"] > 0


def test_a_bad_file_is_exit_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('[[rule]]\ntext = "a"\n\n[[rule]]\ntools = "yes"\ntext = "b"\n',
                    encoding="utf-8")
    run = cli(["--backend", "local", "generate", "hi"],
              env={"BEDROCK_CLI_LOCAL_RESPONSES": str(path)})
    assert run.exit_code == 2
    assert "rule 2 (line 4): tools must be true or false" in run.stderr
    assert "Traceback" not in run.stderr
    run = cli(["--backend", "local", "generate", "hi"],
              env={"BEDROCK_CLI_LOCAL_RESPONSES": str(tmp_path / "missing.toml")})
    assert run.exit_code == 2 and "cannot read it" in run.stderr
