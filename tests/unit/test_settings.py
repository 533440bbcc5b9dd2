from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_cli import settings as settings_module
from bedrock_cli.errors import UsageError
from bedrock_cli.settings import resolve, set_config_value


def write_config(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def config_path(isolated_env: Path) -> Path:
    return isolated_env / "config.toml"


PRECEDENCE = [
    # (flag, env, dotenv, config file, expected value, expected source)
    ("flag-m", "env-m", "dot-m", "file-m", "flag-m", "flag"),
    (None, "env-m", "dot-m", "file-m", "env-m", "env BEDROCK_CLI_MODEL"),
    (None, None, "dot-m", "file-m", "dot-m", ".env BEDROCK_CLI_MODEL"),
    (None, None, None, "file-m", "file-m", "config"),
    (None, None, None, None, "amazon.nova-lite-v1:0", "default"),
]


@pytest.mark.parametrize(("flag", "env", "dotenv", "file", "expected", "source"), PRECEDENCE)
def test_model_precedence(tmp_path: Path, config_path: Path, flag: str | None, env: str | None,
                          dotenv: str | None, file: str | None, expected: str,
                          source: str) -> None:
    environ = {"BEDROCK_CLI_CONFIG": str(config_path)}
    if env:
        environ["BEDROCK_CLI_MODEL"] = env
    if dotenv:
        (tmp_path / ".env").write_text(f"BEDROCK_CLI_MODEL={dotenv}\n")
    if file:
        write_config(config_path, f'model = "{file}"\n')
    settings = resolve({"model": flag}, environ=environ, cwd=tmp_path)
    assert settings.model == expected
    assert settings.source("model") == source


def test_dotenv_never_overrides_real_environment(tmp_path: Path, config_path: Path) -> None:
    (tmp_path / ".env").write_text("BEDROCK_CLI_BACKEND=aws\n")
    settings = resolve({}, environ={"BEDROCK_CLI_BACKEND": "local",
                                    "BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)
    assert settings.backend == "local"
    assert settings.source("backend") == "env BEDROCK_CLI_BACKEND"


def test_region_env_order(config_path: Path, tmp_path: Path) -> None:
    environ = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2",
               "BEDROCK_CLI_CONFIG": str(config_path)}
    settings = resolve({}, environ=environ, cwd=tmp_path)
    assert (settings.region, settings.source("region")) == ("eu-west-1", "env AWS_REGION")
    del environ["AWS_REGION"]
    settings = resolve({}, environ=environ, cwd=tmp_path)
    assert (settings.region, settings.source("region")) == ("us-west-2", "env AWS_DEFAULT_REGION")
    settings = resolve({"region": "ap-south-1"}, environ=environ, cwd=tmp_path)
    assert (settings.region, settings.source("region")) == ("ap-south-1", "flag")


def test_defaults(config_path: Path, tmp_path: Path) -> None:
    settings = resolve({}, environ={"BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)
    assert settings.backend == "auto"
    assert settings.read_timeout == 300.0
    assert settings.max_attempts == 3
    assert settings.retry_mode == "standard"
    assert settings.image_model == "amazon.nova-canvas-v1:0"
    assert settings.embed_model == "amazon.titan-embed-text-v2:0"
    assert settings.log is True


def test_log_disabled_by_env(config_path: Path, tmp_path: Path) -> None:
    settings = resolve({}, environ={"BEDROCK_CLI_LOG": "0",
                                    "BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)
    assert settings.log is False


@pytest.mark.parametrize(("key", "raw"), [("backend", "cloud"), ("max_attempts", "0"),
                                          ("read_timeout", "-1"), ("format", "yaml"),
                                          ("log", "maybe")])
def test_invalid_values_are_usage_errors(config_path: Path, tmp_path: Path, key: str,
                                         raw: str) -> None:
    with pytest.raises(UsageError):
        resolve({key: raw}, environ={"BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)


def test_set_config_value_writes_atomically_and_keeps_other_keys(config_path: Path) -> None:
    write_config(config_path, 'region = "eu-west-1"\n')
    assert set_config_value(config_path, "model", "haiku") == "haiku"
    assert set_config_value(config_path, "max-attempts", "5") == 5
    data = settings_module.read_config_file(config_path)
    assert data == {"region": "eu-west-1", "model": "haiku", "max_attempts": 5}
    assert config_path.stat().st_mode & 0o777 == 0o600
    assert not list(config_path.parent.glob(".config.toml.*"))


def test_set_unknown_key_is_refused(config_path: Path) -> None:
    with pytest.raises(UsageError, match="Unknown setting"):
        set_config_value(config_path, "colour", "blue")
    assert not config_path.exists()


def test_broken_config_file_is_a_usage_error(config_path: Path, tmp_path: Path) -> None:
    write_config(config_path, "model = [unclosed\n")
    with pytest.raises(UsageError, match="Cannot read the config file"):
        resolve({}, environ={"BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)


def test_every_setting_is_a_typed_attribute() -> None:
    from dataclasses import fields

    declared = {f.name for f in fields(settings_module.Settings)}
    assert {spec.name for spec in settings_module.SPECS} <= declared
    assert list(settings_module.Settings().values) == [s.name for s in settings_module.SPECS]


def test_a_toml_number_for_a_text_setting_becomes_text(config_path: Path, tmp_path: Path) -> None:
    write_config(config_path, "region = 5\nmax_attempts = 4\n")
    settings = resolve({}, environ={"BEDROCK_CLI_CONFIG": str(config_path)}, cwd=tmp_path)
    assert (settings.region, settings.source("region")) == ("5", "config")
    assert settings.max_attempts == 4
