"""The doctor's checks that need no backend: the install, the config file, the data
directory and the history store."""

from __future__ import annotations

import os
import platform
import sqlite3
from typing import TYPE_CHECKING

from bedrock_cli import __version__
from bedrock_cli.history import HistoryDamaged, move_aside
from bedrock_cli.paths import private_dir
from bedrock_cli.tasks.doctor.checks import FAIL, OK, UPGRADE, WARN, Check

if TYPE_CHECKING:
    from pathlib import Path

    from bedrock_cli.history import History
    from bedrock_cli.settings import Settings


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


def check_config(settings: Settings) -> Check:
    """The file was read (settings resolve before any command runs, so a broken file or an
    invalid value stops earlier with its own message); say where the settings come from."""
    path = settings.config_path
    where = f"config file {path}" if path.is_file() else f"no config file at {path} (optional)"
    chosen = [f"{name}={getattr(settings, name)} ({source})"
              for name, source in settings.sources.items()
              if source != "default" and name not in ("debug", "quiet")]
    detail = where + ("; " + ", ".join(chosen) if chosen else "; all settings are defaults")
    if path.is_file() and not os.access(path, os.R_OK):
        return Check("config", FAIL, f"cannot read {path}", f"chmod 600 {path}")
    return Check("config", OK, detail + " — `bedrock-cli config show` lists them all")


def check_data_dir(data: Path) -> Check:
    fix = "Set BEDROCK_CLI_HOME to a writable directory (or fix the permissions)."
    try:
        private_dir(data)
        probe = data / f".doctor-{os.getpid()}.tmp"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return Check("data dir", FAIL, f"{data} is not writable: {exc.strerror or exc}", fix)
    return Check("data dir", OK, f"{data} is writable")


def check_history(history: History | None) -> Check:
    if history is None:
        return Check("history", OK, "history is off (--no-log or BEDROCK_CLI_LOG=0)")
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
