"""Every example in docs/testing.md runs, in order, in one working directory, like a doctest.

Fenced blocks, by their info string:

- ``python file=NAME`` / ``toml file=NAME`` / ``json file=NAME``: written to NAME; a
  ``test_*.py`` file is then run with pytest (the installed ``local_bedrock`` plugin) and
  must pass;
- ``python``: run with the interpreter and must exit 0;
- ``console``: each ``$ command`` runs in bash and its output (stdout and stderr) must be the
  lines shown under it;
- ``bash``: runs as a script and must exit 0 (``cwd=repo``: from the repository root);
- ``text``: illustrations (formats, commands that need an AWS account); not run.

The only substitutions: a free port for 8787, and, because there is no AWS account here, a
local emulator on loopback for ``--upstream aws`` (with dummy keys and a region, as a user's
own AWS configuration would provide).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bedrock_cli.local import Emulator, EmulatorOptions
from bedrock_cli.local.server import ServerConfig, ServerThread

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"
FENCE = re.compile(r"^```(\S+)([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def blocks() -> list[tuple[str, dict[str, str], str]]:
    out = []
    for match in FENCE.finditer(DOC.read_text(encoding="utf-8")):
        lang, attrs, code = match.groups()
        out.append((lang, dict(a.split("=", 1) for a in attrs.split()), code))
    return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console(code: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in pairs]


def test_the_doc_has_every_kind_of_example() -> None:
    kinds = {(lang, "file" in attrs) for lang, attrs, _ in blocks()}
    assert {("python", True), ("python", False), ("toml", True), ("json", True),
            ("console", False), ("bash", False)} <= kinds


@pytest.mark.slow
def test_every_example_runs(isolated_env: Path) -> None:
    work = Path.cwd()
    port = str(_free_port())
    upstream = ServerThread(Emulator(EmulatorOptions()),
                            ServerConfig(port=0, idle_timeout=2.0, shutdown_grace=0.5)).start()
    env = {**os.environ, "NO_COLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    ran = 0
    try:
        for lang, attrs, code in blocks():
            code = code.replace("8787", port)
            where = f"docs/testing.md {lang} block {attrs or ''}:\n{code}"
            if "file" in attrs:
                (work / attrs["file"]).write_text(code, encoding="utf-8")
                if attrs["file"].startswith("test_") and lang == "python":
                    result = subprocess.run(
                        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                         attrs["file"]], cwd=work, env=env, capture_output=True, text=True,
                        timeout=300)
                    assert result.returncode == 0, f"{where}\n{result.stdout}{result.stderr}"
                    ran += 1
            elif lang == "python":
                result = subprocess.run([sys.executable, "-"], input=code, cwd=work, env=env,
                                        capture_output=True, text=True, timeout=300)
                assert result.returncode == 0, f"{where}\n{result.stdout}{result.stderr}"
                ran += 1
            elif lang == "console":
                for command, expected in console(code):
                    result = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=work,
                                            env=env, capture_output=True, text=True,
                                            timeout=300)
                    assert result.stdout.strip() == expected.strip(), f"$ {command}"
                    ran += 1
            elif lang == "bash":
                script = code.replace("--upstream aws", f"--upstream {upstream.url}")
                stand_in = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1"}
                result = subprocess.run(
                    ["bash", "-e", "-c", script], cwd=ROOT if attrs.get("cwd") == "repo"
                    else work, env={**env, **stand_in}, capture_output=True, text=True,
                    timeout=300)
                assert result.returncode == 0, f"{where}\n{result.stdout}{result.stderr}"
                ran += 1
    finally:
        upstream.stop(grace=0.5)
    assert ran >= 10
    cassette = (work / "cassette.jsonl").read_text(encoding="utf-8")
    assert '"operation": "Converse"' in cassette and "testing" not in cassette
