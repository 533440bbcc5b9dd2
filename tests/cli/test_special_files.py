"""Issue 13.3: a named pipe, socket or device in a folder given to `ask -f` is skipped with the
notice other skipped files get, never opened (opening a pipe waits for a writer for ever). A
pipe named as a file argument is read — `-f <(command)` — and a device or socket named so is
refused with exit 2 before it is opened. Each run is a subprocess with a timeout, so a
regression fails instead of hanging the suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ANSWER = "The Pro plan costs 49 dollars per month."


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bedrock_cli", "--backend", "local", *args],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "d"
    d.mkdir()
    (d / "plans.txt").write_text(ANSWER + "\n")
    os.mkfifo(d / "pipe")
    os.mkfifo(d / "pipe.pdf")
    os.mkfifo(d / "pipe.html")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(d / "sock"))
    try:
        yield d
    finally:
        sock.close()


def test_ask_a_folder_with_pipes_and_a_socket_skips_them(folder: Path) -> None:
    proc = run("ask", "How much is the Pro plan?", "-f", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "49 dollars" in proc.stdout
    assert "Skipped 4 file(s) that are not text" in proc.stderr


def test_a_named_pipe_given_by_name_is_read(tmp_path: Path) -> None:
    pipe = tmp_path / "context"
    os.mkfifo(pipe)

    def write() -> None:
        with open(pipe, "w") as handle:
            handle.write(ANSWER + "\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    proc = run("ask", "How much is the Pro plan?", "-f", str(pipe))
    writer.join(timeout=5)
    assert proc.returncode == 0, proc.stderr
    assert "49 dollars" in proc.stdout


@pytest.mark.parametrize("command", [
    ["ask", "What is it?", "-f", "/dev/zero"],
    ["summarize", "/dev/zero"],
    ["generate", "-a", "/dev/zero", "hi"],
    ["extract", "--field", "x", "/dev/zero"],
    ["image", "a cat", "--from", "/dev/zero", "-o", "out.png"],
    ["ask", "What is it?", "-i", "/dev/zero"],
])
def test_a_device_named_as_a_file_is_refused_before_it_is_read(command: list[str]) -> None:
    proc = run(*command, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "/dev/zero is not a regular file" in proc.stderr
