"""`.env` and AWS's own variables (issue 13.10): a `.env` never overrides the real environment,
and when it supplies an endpoint, a credential, a region or a profile the CLI says so on stderr
(once, never under --quiet, never a secret's value)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bedrock_cli.settings import resolve
from tests.helpers import cli

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz"
DOTENV = ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://user:pw@10.9.8.7:8443/path?q=1\n"
          "AWS_ACCESS_KEY_ID=AKIADOTENVEXAMPLE0001\n"
          f"AWS_SECRET_ACCESS_KEY={SECRET}\n"
          "AWS_REGION=eu-west-1\n")
KEYS = ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION")


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """resolve() exports .env's AWS variables into os.environ: undo that after the test."""
    for key in KEYS:
        monkeypatch.setenv(key, "x")
        monkeypatch.delenv(key)


def test_dotenv_aws_variables_never_override_the_real_environment(
        tmp_path: Path, restored: None, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(DOTENV)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "https://real.example.com")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-real-secret")
    settings = resolve({}, cwd=tmp_path)
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == "https://real.example.com"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "the-real-secret"
    # what the environment lacked is taken from .env, and remembered as such
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIADOTENVEXAMPLE0001"
    assert sorted(settings.from_dotenv) == ["AWS_ACCESS_KEY_ID", "AWS_REGION"]
    assert (settings.region, settings.source("region")) == ("eu-west-1", ".env AWS_REGION")


def test_an_empty_environment_value_still_wins_over_dotenv(
        tmp_path: Path, restored: None, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(DOTENV)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "")
    resolve({}, cwd=tmp_path)
    assert os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == ""


def test_the_cli_says_once_which_aws_settings_came_from_dotenv(restored: None) -> None:
    Path(".env").write_text(DOTENV)
    run = cli(["--backend", "local", "tokens", "hello"])
    assert run.exit_code == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if ".env" in line]
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert f"{Path.cwd() / '.env'}" in line
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://10.9.8.7:8443" in line
    assert "AWS_ACCESS_KEY_ID" in line and "AWS_SECRET_ACCESS_KEY" in line
    assert "AWS_REGION=eu-west-1" in line
    for secret in (SECRET, "AKIADOTENVEXAMPLE0001", "user", "pw@"):
        assert secret not in run.stderr + run.stdout


def test_quiet_hides_the_notice_and_no_dotenv_means_no_notice(restored: None) -> None:
    Path(".env").write_text(DOTENV)
    quiet = cli(["--backend", "local", "-q", "tokens", "hello"])
    assert quiet.exit_code == 0 and ".env" not in quiet.stderr
    Path(".env").write_text("BEDROCK_CLI_MODEL=nova-lite\n")
    plain = cli(["--backend", "local", "tokens", "hello"])
    assert plain.exit_code == 0 and ".env" not in plain.stderr


def test_a_dotenv_endpoint_is_named_when_the_call_cannot_connect(restored: None) -> None:
    Path(".env").write_text("AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:9\n"
                            "AWS_ACCESS_KEY_ID=AKIADOTENVEXAMPLE0001\n"
                            f"AWS_SECRET_ACCESS_KEY={SECRET}\nAWS_REGION=us-east-1\n")
    run = cli(["--backend", "aws", "--max-attempts", "1", "--connect-timeout", "1",
               "generate", "--no-stream", "hi"])
    assert run.exit_code == 5
    assert "Could not connect to 127.0.0.1:9" in run.stderr
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:9" in run.stderr
    assert SECRET not in run.stderr
