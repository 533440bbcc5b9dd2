from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli


def test_config_show_lists_sources(monkeypatch, isolated_env: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BEDROCK_CLI_MODEL", "haiku")
    run = cli(["config", "show", "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["settings"]["model"] == {"value": "haiku", "source": "env BEDROCK_CLI_MODEL"}
    assert data["settings"]["backend"] == {"value": "auto", "source": "default"}
    assert data["config_file"] == str(isolated_env / "config.toml")
    text = cli(["config", "show"])
    assert "model" in text.stdout and "[env BEDROCK_CLI_MODEL]" in text.stdout


def test_config_set_then_show(isolated_env: Path) -> None:
    run = cli(["config", "set", "model", "nova-pro"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    data = cli(["config", "show", "--json"]).json()
    assert data["settings"]["model"] == {"value": "nova-pro", "source": "config"}
    assert cli(["config", "path"]).stdout.strip() == str(isolated_env / "config.toml")


def test_config_set_rejects_bad_values(isolated_env: Path) -> None:
    run = cli(["config", "set", "backend", "cloud"])
    assert run.exit_code == 2
    assert "auto, aws, local" in run.stderr
    assert not (isolated_env / "config.toml").exists()


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("model", "nosuchmodel", "Unknown model 'nosuchmodel'"),
    ("model", "sonet", "closest: sonnet"),
    ("model", "nova-canvas", "nova-canvas is an image model; model takes a text model"),
    ("image_model", "nova-lite", "image_model takes an image model"),
    ("embed-model", "haiku", "embed_model takes an embedding model"),
])
def test_config_set_checks_models_against_the_catalog(isolated_env: Path, key: str,
                                                      value: str, needle: str) -> None:
    run = cli(["config", "set", key, value])
    assert run.exit_code == 2
    assert needle in run.stderr and len(run.stderr.splitlines()) == 2
    assert not (isolated_env / "config.toml").exists()


def test_config_set_keeps_an_unknown_bedrock_id_with_a_notice(isolated_env: Path) -> None:
    run = cli(["config", "set", "model", "acme.new-model-v1:0"])
    assert run.exit_code == 0
    assert "not in bedrock-cli's catalog" in run.stderr
    assert 'model = "acme.new-model-v1:0"' in (isolated_env / "config.toml").read_text()


def test_flag_overrides_config_file(isolated_env: Path) -> None:
    (isolated_env / "config.toml").write_text('backend = "aws"\n')
    data = cli(["config", "show", "--json", "--backend", "local"]).json()
    assert data["settings"]["backend"] == {"value": "local", "source": "flag"}


def test_models_list_json_and_filters() -> None:
    run = cli(["models", "list", "--json"])
    assert run.exit_code == 0, run.stderr
    models = run.json()
    ids = {m["id"] for m in models}
    assert "amazon.nova-lite-v1:0" in ids and "amazon.nova-canvas-v1:0" in ids
    anthropic = cli(["models", "list", "--provider", "anthropic", "--json"]).json()
    assert anthropic and all(m["provider"] == "Anthropic" for m in anthropic)
    images = cli(["models", "list", "--modality", "image", "--json"]).json()
    assert "amazon.nova-canvas-v1:0" in {m["id"] for m in images}
    piped = cli(["models", "list"])
    assert "amazon.nova-lite-v1:0\tAmazon" in piped.stdout
    assert cli(["models", "list", "--provider", "nobody"]).exit_code == 2


def test_models_show_says_how_it_is_called() -> None:
    run = cli(["models", "show", "sonnet", "--region", "eu-west-1", "--backend", "local",
               "--json"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["called_as"].startswith("eu.anthropic.")
    assert data["inference_profile"]
    run = cli(["models", "show", "nova-lite", "--backend", "local"])
    assert "amazon.nova-lite-v1:0" in run.stdout
    assert cli(["models", "show", "no-such-model", "--backend", "local"]).exit_code == 2


def test_json_error_shape_for_usage_errors() -> None:
    run = cli(["models", "show", "zzz", "--json", "--backend", "local"])
    assert run.exit_code == 2
    assert json.loads(run.stderr)["error"]["exit_code"] == 2
