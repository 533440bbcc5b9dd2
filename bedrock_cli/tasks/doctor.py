"""`doctor`: check the install, configuration, credentials, model access and local data, and
say for each problem exactly what to do about it.

Each check is a function returning one :class:`Check`. A check that raises is reported as a
warning (the doctor never crashes); a ``fail`` blocks use (the command exits 3). The checks
that talk to AWS are in :mod:`bedrock_cli.tasks.doctor_remote`.
"""

from __future__ import annotations

import os
import platform
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bedrock_cli import __version__
from bedrock_cli.errors import BedrockCliError
from bedrock_cli.history import HistoryDamaged, move_aside
from bedrock_cli.paths import private_dir

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
UPGRADE = "pip install -U boto3 botocore (or `pipx upgrade bedrock-cli`)"


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    checks: list[Check]
    backend: str | None
    region: str | None

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "backend": self.backend, "region": self.region,
                "checks": [c.to_json() for c in self.checks]}


def run(app: AppContext, on_check: Callable[[Check], None] | None = None) -> Report:
    """Every check, in order; ``on_check`` sees each as it finishes."""
    from bedrock_cli.tasks import doctor_remote as remote

    state = remote.State(app)
    checks: list[Check] = []
    steps: list[tuple[str, Callable[[], Check]]] = [
        ("install", check_install),
        ("config", lambda: check_config(app)),
        ("backend", state.check_backend),
        ("region", state.check_region),
        ("credentials", state.check_credentials),
        ("endpoint", state.check_endpoint),
        ("clock", state.check_clock),
        ("model", lambda: state.check_model("model", blocking=True)),
        ("image model", lambda: state.check_model("image_model", blocking=False)),
        ("embeddings model", lambda: state.check_model("embed_model", blocking=False)),
        ("data dir", lambda: check_data_dir(app)),
        ("history", lambda: check_history(app)),
    ]
    for name, step in steps:
        try:
            check = step()
        except BedrockCliError as err:
            check = Check(name, FAIL, err.message, err.hint)
        except Exception as exc:  # a diagnostic tool reports; it does not crash
            check = Check(name, WARN, f"could not check: {type(exc).__name__}: {exc}",
                          "Rerun with --debug and report this if it persists.")
        checks.append(check)
        if on_check:
            on_check(check)
    return Report(checks, state.backend, state.region)


def check_install() -> Check:
    import boto3
    import botocore
    import botocore.session

    session = botocore.session.get_session()
    runtime_ops = set(session.get_service_model("bedrock-runtime").operation_names)
    detail = (f"bedrock-cli {__version__}, Python {platform.python_version()}, "
              f"boto3 {boto3.__version__}, botocore {botocore.__version__}")
    if "Converse" not in runtime_ops:
        return Check("install", FAIL, f"{detail}: this botocore is too old for Converse", UPGRADE)
    if "CountTokens" not in runtime_ops:
        return Check("install", WARN, f"{detail}: this botocore has no CountTokens "
                     "(`bedrock-cli tokens` will not work)", UPGRADE)
    return Check("install", OK, detail)


def check_config(app: AppContext) -> Check:
    """The file was read (settings resolve before any command runs, so a broken file or an
    invalid value stops earlier with its own message); say where the settings come from."""
    settings = app.settings
    path = settings.config_path
    where = f"config file {path}" if path.is_file() else f"no config file at {path} (optional)"
    chosen = [f"{name}={getattr(settings, name)} ({source})"
              for name, source in settings.sources.items()
              if source != "default" and name not in ("debug", "quiet")]
    detail = where + ("; " + ", ".join(chosen) if chosen else "; all settings are defaults")
    if path.is_file() and not os.access(path, os.R_OK):
        return Check("config", FAIL, f"cannot read {path}", f"chmod 600 {path}")
    return Check("config", OK, detail + " — `bedrock-cli config show` lists them all")


def check_data_dir(app: AppContext) -> Check:
    data = app.settings.data_dir
    fix = "Set BEDROCK_CLI_HOME to a writable directory (or fix the permissions)."
    try:
        private_dir(data)
        probe = data / f".doctor-{os.getpid()}.tmp"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return Check("data dir", FAIL, f"{data} is not writable: {exc.strerror or exc}", fix)
    return Check("data dir", OK, f"{data} is writable")


def check_history(app: AppContext) -> Check:
    if app.history is None:
        return Check("history", OK, "history is off (--no-log or BEDROCK_CLI_LOG=0)")
    history = app.history
    path = history.path
    try:
        db = history.connect()
        verdict = str(db.execute("PRAGMA quick_check").fetchone()[0])
        calls = int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    except HistoryDamaged as exc:
        return Check("history", FAIL, exc.message.rstrip("."), exc.hint)
    except sqlite3.Error as exc:
        return Check("history", FAIL, f"{path} is damaged: {exc}", move_aside(path))
    if verdict != "ok":
        return Check("history", FAIL, f"{path} failed its integrity check: {verdict}",
                     move_aside(path))
    detail = f"{path}: {calls} calls, schema version {version}, integrity ok"
    mode = path.stat().st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        return Check("history", WARN, f"{detail}, but readable by others (mode {mode:o})",
                     f"chmod 600 {path}")
    return Check("history", OK, detail)
