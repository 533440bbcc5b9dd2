"""Where bedrock-cli keeps its configuration and data, per platform, without extra packages."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "bedrock-cli"


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        return Path(env.get("APPDATA") or _home() / "AppData" / "Roaming") / APP
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    return Path(env.get("XDG_CONFIG_HOME") or _home() / ".config") / APP


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or _home() / "AppData" / "Local") / APP
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / APP
    return Path(env.get("XDG_DATA_HOME") or _home() / ".local" / "share") / APP


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$BEDROCK_CLI_CACHE``, else ``$XDG_CACHE_HOME/bedrock-cli``, else ``~/.cache/...``:
    files that can always be rebuilt (the text engine's model, the parsed catalog)."""
    env = os.environ if environ is None else environ
    explicit = env.get("BEDROCK_CLI_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else _home() / ".cache") / APP


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get("BEDROCK_CLI_CONFIG")
    return Path(explicit) if explicit else user_config_dir(env) / "config.toml"


PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parent as 0700 (the XDG rule), whatever the umask, so no
    other local user can plant files in our data, config or cache directories before the
    private files in them exist. Directories that already exist are left as they are."""
    missing: list[Path] = []
    probe = path
    while not probe.is_dir():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):  # the umask can only narrow 0700, never widen it
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise
    return path


def temporary_beside(path: Path) -> Path:
    """A fresh name for a temporary file next to `path` (random, so not guessable)."""
    import secrets

    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def create_exclusive(tmp: Path, mode: int) -> int:
    """Open a new file for writing; never an existing one, never through a symlink planted
    where it goes (O_EXCL), so a write cannot be turned into a clobber of another file."""
    return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never a torn one.
    A private file (no group or other bits in `mode`) gets private missing directories."""
    tmp = temporary_beside(path)
    try:
        if mode & 0o077:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            private_dir(path.parent)
        fd = create_exclusive(tmp, mode)
    except OSError as exc:  # name the file asked for, not the temporary
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
