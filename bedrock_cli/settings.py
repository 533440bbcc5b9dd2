"""Settings resolved with provenance: flag > environment > `.env` > config file > defaults.

`.env` in the working directory never overrides the real environment. Every value remembers
where it came from, so `config show` can say why a setting has the value it has.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bedrock_cli import paths
from bedrock_cli.errors import UsageError


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true/false, yes/no, on/off or 1/0")


def _parse_positive_float(value: str) -> float:
    number = float(value)
    if not number > 0 or number == float("inf"):  # also refuses nan
        raise ValueError("must be a number greater than 0")
    return number


def _parse_attempts(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 20:
        raise ValueError("must be between 1 and 20")
    return number


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: Any
    env: tuple[str, ...] = ()
    parse: Callable[[str], Any] = str
    choices: tuple[str, ...] = ()
    help: str = ""
    in_file: bool = True  # may be written with `config set`

    def convert(self, raw: Any, source: str) -> Any:
        if raw is None:
            value = raw
        elif self.parse is str:
            value = str(raw)  # a TOML number or boolean given for a text setting
        else:
            # flags arrive typed (a float, an int) and TOML values too: check them all
            try:
                value = self.parse(raw if isinstance(raw, str) else str(raw))
            except ValueError as exc:
                if source == "flag":
                    option = "--" + self.name.replace("_", "-")
                    raise UsageError(f"Invalid value {raw!r} for {option}: {exc}.",
                                     f"See `bedrock-cli --help` for {option}.") from None
                raise UsageError(
                    f"Invalid value {raw!r} for {self.name} (from {source}): {exc}.",
                    f"Fix it in {source}, or see `bedrock-cli config show`.",
                ) from None
        if self.choices and value not in self.choices:
            raise UsageError(
                f"Invalid value {raw!r} for {self.name} (from {source}).",
                f"Use one of: {', '.join(self.choices)}.",
            )
        return value


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("backend", "auto", ("BEDROCK_CLI_BACKEND",), choices=("auto", "aws", "local"),
                help="aws, local (offline emulator) or auto (aws when credentials resolve)"),
    SettingSpec("model", "amazon.nova-lite-v1:0", ("BEDROCK_CLI_MODEL",),
                help="default text model (id or alias)"),
    SettingSpec("image_model", "amazon.nova-canvas-v1:0", ("BEDROCK_CLI_IMAGE_MODEL",),
                help="default image model"),
    SettingSpec("embed_model", "amazon.titan-embed-text-v2:0", ("BEDROCK_CLI_EMBED_MODEL",),
                help="default embeddings model"),
    SettingSpec("format", "auto", ("BEDROCK_CLI_FORMAT",),
                choices=("auto", "text", "markdown", "json"), help="output format"),
    SettingSpec("home", None, ("BEDROCK_CLI_HOME",), help="data directory (history, caches)"),
    SettingSpec("log", True, ("BEDROCK_CLI_LOG",), parse=_parse_bool,
                help="log every call to history (0 disables)"),
    SettingSpec("profile", None, ("AWS_PROFILE",), help="AWS profile"),
    SettingSpec("region", None, ("AWS_REGION", "AWS_DEFAULT_REGION"), help="AWS region"),
    SettingSpec("endpoint_url", None, (), help="endpoint for bedrock-runtime (and bedrock)"),
    SettingSpec("read_timeout", 300.0, ("BEDROCK_CLI_READ_TIMEOUT",),
                parse=_parse_positive_float, help="socket read timeout in seconds"),
    SettingSpec("connect_timeout", 10.0, ("BEDROCK_CLI_CONNECT_TIMEOUT",),
                parse=_parse_positive_float, help="connect timeout in seconds"),
    SettingSpec("max_attempts", 3, ("BEDROCK_CLI_MAX_ATTEMPTS", "AWS_MAX_ATTEMPTS"),
                parse=_parse_attempts, help="total attempts per call, retries included"),
    SettingSpec("retry_mode", "standard", ("BEDROCK_CLI_RETRY_MODE", "AWS_RETRY_MODE"),
                choices=("standard", "adaptive", "legacy"), help="botocore retry mode"),
    SettingSpec("local_guardrails", None, ("BEDROCK_CLI_LOCAL_GUARDRAILS",),
                help="JSON file of guardrails the local backend applies"),
    SettingSpec("usage", False, ("BEDROCK_CLI_USAGE",), parse=_parse_bool,
                help="print the tokens and cost of every command on stderr (--usage)"),
    SettingSpec("quiet", False, ("BEDROCK_CLI_QUIET",), parse=_parse_bool, in_file=False,
                help="no notices or progress on stderr"),
    SettingSpec("debug", False, ("BEDROCK_CLI_DEBUG",), parse=_parse_bool, in_file=False,
                help="log requests and show tracebacks"),
)
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


def _default(name: str) -> Any:
    return SPEC_BY_NAME[name].default


@dataclass
class Settings:
    """Every resolved setting as a typed attribute (one per `SPECS` entry), with its source."""

    backend: str = _default("backend")
    model: str = _default("model")
    image_model: str = _default("image_model")
    embed_model: str = _default("embed_model")
    format: str = _default("format")
    home: str | None = _default("home")
    log: bool = _default("log")
    profile: str | None = _default("profile")
    region: str | None = _default("region")
    endpoint_url: str | None = _default("endpoint_url")
    read_timeout: float = _default("read_timeout")
    connect_timeout: float = _default("connect_timeout")
    max_attempts: int = _default("max_attempts")
    retry_mode: str = _default("retry_mode")
    local_guardrails: str | None = _default("local_guardrails")
    usage: bool = _default("usage")
    quiet: bool = _default("quiet")
    debug: bool = _default("debug")
    sources: dict[str, str] = field(default_factory=dict)
    config_path: Path = field(default_factory=paths.config_file)
    # AWS's own variables taken from `.env` (absent from the real environment), for the notice
    from_dotenv: dict[str, str] = field(default_factory=dict)
    dotenv_path: Path | None = None

    @property
    def values(self) -> dict[str, Any]:
        """Each setting's value by name, in `SPECS` order."""
        return {spec.name: getattr(self, spec.name) for spec in SPECS}

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    @property
    def data_dir(self) -> Path:
        # os.path.expanduser leaves '~nosuchuser' as it is (Path.expanduser raises)
        return Path(os.path.expanduser(self.home)) if self.home else paths.user_data_dir()

    @property
    def json_output(self) -> bool:
        return self.format == "json"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):  # imported here: most runs have no config file
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(
            f"Cannot read the config file {path}: {exc}.",
            "Fix or delete it, or point BEDROCK_CLI_CONFIG elsewhere.",
        ) from None
    return {k: v for k, v in data.items() if not isinstance(v, dict)}


def read_dotenv(cwd: Path | None = None) -> dict[str, str]:
    path = (cwd or Path.cwd()) / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # only when a .env exists

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def resolve(
    flags: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Resolve every setting. `flags` holds values given on the command line (None = not given)."""
    flags = flags or {}
    env = dict(os.environ if environ is None else environ)
    dotenv = read_dotenv(cwd)
    config_path = paths.config_file({**dotenv, **env})
    file_values = read_config_file(config_path)
    settings = Settings(config_path=config_path)
    for spec in SPECS:
        raw: Any = None
        source = "default"
        if flags.get(spec.name) is not None:
            raw, source = flags[spec.name], "flag"
        else:
            for layer_name, layer in (("env", env), (".env", dotenv)):
                hit = next((var for var in spec.env if layer.get(var) not in (None, "")), None)
                if hit is not None:
                    raw, source = layer[hit], f"{layer_name} {hit}"
                    break
            else:
                if spec.in_file and spec.name in file_values:
                    raw, source = file_values[spec.name], "config"
        value = spec.default if source == "default" else spec.convert(raw, source)
        setattr(settings, spec.name, value)
        settings.sources[spec.name] = source
    # AWS's own variables that .env may carry are exported for boto3, never overriding the
    # real environment.
    for key, value in dotenv.items():
        if key.startswith("AWS_") and key not in env and value:
            settings.from_dotenv[key] = value
            if environ is None:
                os.environ[key] = value
    if settings.from_dotenv:
        settings.dotenv_path = (cwd or Path.cwd()) / ".env"
    return settings


_SHOWN = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def dotenv_notice(settings: Settings) -> str | None:
    """One line saying which AWS variables came from `.env`: an endpoint, a key or a profile
    there silently decides where calls go and whose credentials sign them. Values are shown
    only for endpoints (without any user:password part), regions and profiles; never a
    secret's."""
    if not settings.from_dotenv:
        return None
    shown = []
    for key, value in sorted(settings.from_dotenv.items()):
        if key.startswith("AWS_ENDPOINT_URL"):
            from urllib.parse import urlsplit

            parts = urlsplit(value)
            host = parts.hostname or ""
            shown.append(f"{key}={parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"
                         if parts.scheme and host else f"{key}=(not a URL)")
        elif key in _SHOWN:
            shown.append(f"{key}={value}")
        else:
            shown.append(key)
    return (f"Using AWS settings from {settings.dotenv_path} (not set in the environment): "
            f"{', '.join(shown)}. Remove them there if calls should not use them.")


def render_toml(values: Mapping[str, Any]) -> str:
    lines = ["# bedrock-cli configuration (written by `bedrock-cli config set`)"]
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {json.dumps(str(value))}")
    return "\n".join(lines) + "\n"


def set_config_value(path: Path, key: str, raw: str) -> Any:
    """Validate and write one key to the config file atomically; returns the parsed value."""
    spec = SPEC_BY_NAME.get(key.replace("-", "_"))
    if spec is None or not spec.in_file:
        known = ", ".join(s.name for s in SPECS if s.in_file)
        raise UsageError(f"Unknown setting {key!r}.", f"Settings you can set: {known}.")
    value = spec.convert(raw, "the command line")
    current = read_config_file(path)
    current[spec.name] = value
    try:
        paths.atomic_write(path, render_toml(current).encode("utf-8"), mode=0o600)
    except OSError as exc:  # the old file, if any, is untouched
        raise UsageError(f"Cannot write the config file {path}: {exc.strerror or exc}.",
                         "Check the directory's permissions and free space, or point "
                         "BEDROCK_CLI_CONFIG elsewhere.") from None
    return value
