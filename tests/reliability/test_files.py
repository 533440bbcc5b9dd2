"""Files: nothing existing is overwritten without --force, names derived from prompts are
sanitised and stay inside the output directory, history is private (0600, with its -wal and
-shm, whatever the umask), and config and outputs are written atomically — a failure or a
kill mid-write leaves the old file or the new one, never a torn one, and never follows a link
planted where the temporary file goes.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomllib

from bedrock_cli import paths
from bedrock_cli.pytest_plugin import LocalBedrock
from tests.helpers import Run, cli
from tests.reliability.conftest import REPO
from tests.reliability.zygote import Zygote

BODY = '{"messages": [{"role": "user", "content": [{"text": "hi"}]}]}'


def local(*args: str, input: str | None = None) -> Run:
    return cli(["--backend", "local", *args], input=input)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- no overwrite without --force -------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["image", "a red square", "--size", "320x320", "-o"],
    ["invoke", "nova-lite", "--body", BODY, "-o"],
    ["invoke", "nova-lite", "--stream", "--body", BODY, "-o"],
    ["embed", "hello", "-o"],
    ["history", "export", "-o"],
])
def test_an_existing_file_is_kept_unless_force(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / ("out.png" if command[0] == "image" else "out.json")
    target.write_bytes(b"precious")
    refused = local(*command, str(target))
    assert refused.exit_code == 2, refused.stderr
    assert refused.exception is None
    assert "--force" in refused.stderr
    assert target.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []
    forced = local(*command, str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert target.read_bytes() != b"precious"
    assert leftovers(tmp_path) == []


def test_refused_before_any_call(local_bedrock: LocalBedrock, aws_env: None,
                                 tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("keep")
    for args in (["invoke", "nova-lite", "--body", BODY, "-o", str(target)],
                 ["embed", "hello", "-o", str(target)],
                 ["image", "a cat", "-o", str(target.with_suffix(".png"))]):
        if args[0] == "image":
            target.with_suffix(".png").write_bytes(b"keep")
        run = cli(["--backend", "aws", "--endpoint-url", local_bedrock.endpoint_url, *args])
        assert run.exit_code == 2, run.stderr
    assert local_bedrock.requests == []


def test_a_failed_stream_leaves_the_old_file_and_no_temporary(
        local_bedrock: LocalBedrock, aws_env: None, tmp_path: Path) -> None:
    target = tmp_path / "chunks.jsonl"
    target.write_text("the previous run\n")
    local_bedrock.fault("cut-after=3")
    run = cli(["--backend", "aws", "--endpoint-url", local_bedrock.endpoint_url, "invoke",
               "nova-lite", "--stream", "--body", BODY, "-o", str(target), "--force"])
    assert run.exit_code == 5
    assert target.read_text() == "the previous run\n"  # replaced only when complete
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["a directory", "a missing directory"])
def test_o_that_cannot_be_a_file(tmp_path: Path, where: str) -> None:
    target = tmp_path if where == "a directory" else tmp_path / "nope" / "out.json"
    for command in (["invoke", "nova-lite", "--body", BODY], ["embed", "hello"],
                    ["history", "export"]):
        run = local(*command, "-o", str(target))
        assert run.exception is None, f"{command}: {run.exception!r}"
        if where == "a directory" or command[0] != "history":
            assert run.exit_code == 2, f"{command}: {run.stderr}"
        assert "Traceback" not in run.stderr


def test_batch_output_is_resumed_never_clobbered(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "prompt": "hi", "max_tokens": 3}\n')
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not batch output\n")
    run = local("batch", "run", str(inp), "-o", str(notes))
    assert run.exit_code == 2, run.stderr
    assert notes.read_text() == "my notes, not batch output\n"
    same = local("batch", "run", str(inp), "-o", str(inp))
    assert same.exit_code == 2
    assert inp.read_text() == '{"id": "a", "prompt": "hi", "max_tokens": 3}\n'


# -- names derived from prompts -------------------------------------------------------------

HOSTILE_PROMPTS = ["../../../../etc/passwd", "/absolute/path/evil", "..", ".", "~root",
                   "a/b\\c:d*e?f\"g<h>i|j", "\x00\x01\x1b[31mred", "CON", "nul.png",
                   "ünïcödé – ☃ 漢字", "x" * 500, "   ", "-rf --force", "$(rm -rf ~)",
                   ".hidden", "name.png.exe"]


def test_names_from_prompts_are_sanitised_and_stay_inside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    from bedrock_cli.local import image_render

    monkeypatch.setattr(image_render, "_render_one",  # a blank picture: names are the point
                        lambda _r, _l, width, height, *_: Image.new("RGB", (width, height)))
    out = tmp_path / "images"
    out.mkdir()
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    names = []
    for prompt in HOSTILE_PROMPTS:
        run = local("image", "--size", "320x320", "--seed", "7", "-o", f"{out}/", "--", prompt)
        if not prompt.strip():
            assert run.exit_code == 2 and run.stdout == ""  # no prompt: nothing to draw
            continue
        assert run.exit_code == 0, f"{prompt!r}: {run.stderr}"
        [written] = [Path(line) for line in run.stdout.splitlines()]
        assert written.parent.resolve() == out.resolve()
        names.append(written.name)
    for name in names:
        assert name.endswith("-7.png") or name.split("-")[-2] == "7", name
        stem = name.removesuffix(".png")
        assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in stem), name
        assert len(name) <= 80 and not name.startswith((".", "-"))
    assert len(set(names)) == len(names)  # a taken name gets -2, -3, ... never reused
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


def test_the_same_prompt_twice_never_overwrites(tmp_path: Path) -> None:
    first = local("image", "a boat", "--size", "320x320", "--seed", "1", "-o", f"{tmp_path}/")
    second = local("image", "a boat", "--size", "320x320", "--seed", "1", "-o", f"{tmp_path}/")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.stdout != second.stdout
    assert Path(second.stdout.strip()).name == "a-boat-1-2.png"


# -- history is private ------------------------------------------------------------------------


def test_history_files_are_0600_whatever_the_umask(isolated_env: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for n in range(2):  # the first run creates the database; the second reopens it
        proc = subprocess.run([sys.executable, "-c",
                               "import os; os.umask(0); from bedrock_cli.cli.main import main; "
                               "main()", "--backend", "local", "generate", f"call {n}",
                               "--max-tokens", "3", "--no-stream"],
                              env=env, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
    data = isolated_env / "data"
    db = data / "history.db"
    found = [p for p in data.iterdir() if p.name.startswith("history.db")]
    assert db in found
    for path in found:
        assert mode(path) == 0o600, path.name


def test_history_export_is_private(isolated_env: Path, tmp_path: Path) -> None:
    local("generate", "hi", "--max-tokens", "3", "--no-stream")
    out = tmp_path / "export.jsonl"
    run = local("history", "export", "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert mode(out) == 0o600


# -- atomic writes -------------------------------------------------------------------------------


def test_atomic_write_failing_mid_write_keeps_the_old_file(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dir" / "config.toml"
    path.parent.mkdir()
    path.write_text('model = "old"\n')
    real_fdopen = os.fdopen

    class HalfThenDiskFull:
        """The file object atomic_write writes through: half the bytes, then ENOSPC."""

        def __init__(self, fd: int, *args: Any) -> None:
            self.file = real_fdopen(fd, *args)

        def __enter__(self) -> HalfThenDiskFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", HalfThenDiskFull)
    with pytest.raises(OSError):
        paths.atomic_write(path, b'model = "new and much longer than the old one"\n')
    monkeypatch.undo()
    assert path.read_text() == 'model = "old"\n'
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_atomic_write_failing_at_the_rename_keeps_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.png"
    path.write_bytes(b"old")

    def no_rename(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(PermissionError):
        paths.atomic_write(path, b"new")
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_config_set_that_fails_is_a_clean_error_and_keeps_the_file(
        isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = isolated_env / "config.toml"
    assert local("config", "set", "model", "nova-pro").exit_code == 0
    before = config.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    run = local("config", "set", "model", "haiku")
    monkeypatch.undo()
    assert run.exception is None and run.exit_code == 2, run.stderr
    assert config.read_bytes() == before
    assert leftovers(isolated_env) == []


def test_atomic_write_never_follows_a_link_planted_for_its_temporary(tmp_path: Path) -> None:
    """The temporary file's name must not be guessable into a symlink that turns the write
    into a clobber of another file (a shared /tmp, a shared output directory)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("must survive")
    out = tmp_path / "out.png"
    for pid in range(os.getpid() - 5, os.getpid() + 6):
        (tmp_path / f".{out.name}.{pid}.tmp").symlink_to(victim)
    paths.atomic_write(out, b"new image bytes")
    assert victim.read_text() == "must survive"
    assert out.read_bytes() == b"new image bytes" and not out.is_symlink()


def test_outputs_never_follow_a_link_planted_for_their_temporary(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("must survive")
    out = tmp_path / "out.json"
    (tmp_path / f".{out.name}.{os.getpid()}.tmp").symlink_to(victim)
    run = local("invoke", "nova-lite", "--body", BODY, "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert victim.read_text() == "must survive"
    assert json.loads(out.read_text())  # the answer, in a regular file
    assert not out.is_symlink()


def test_config_set_killed_at_random_points_leaves_old_or_new(isolated_env: Path,
                                                              tmp_path: Path) -> None:
    """`config set` run and SIGKILLed at random instants, 12 times: after every kill the file
    parses and holds a value that was set, never a torn one."""
    config = isolated_env / "config.toml"
    # a free-form setting: `config set model` checks names against the catalog
    assert local("config", "set", "local_guardrails", "value-0").exit_code == 0
    rng = random.Random(3)
    written = {"value-0"}
    with Zygote("bedrock_cli.settings", "tomllib") as zygote:
        for n in range(1, 13):
            long_value = f"value-{n}-" + "x" * rng.randint(0, 50_000)
            written.add(long_value)
            pid = zygote.run(["config", "set", "local_guardrails", long_value],
                             tmp_path / f"set{n}")
            time.sleep(rng.uniform(0, 0.15))
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            zygote.reap(pid)
            value = tomllib.loads(config.read_text())["local_guardrails"]
            assert value in written
    assert mode(config) == 0o600


@pytest.mark.parametrize("command", [
    ["image", "a red square", "--size", "320x320", "-o", "{blocked}/out.png"],
    ["history", "export", "-o", "{blocked}/export.jsonl"],
    ["embed", "hello", "-o", "{blocked}/vectors.json"],
    ["invoke", "nova-lite", "--body", BODY, "-o", "{blocked}/out.json"],
    ["config", "set", "model", "haiku"],
])
def test_an_output_that_cannot_be_written_is_exit_2_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    blocked = tmp_path / "a-file"  # a regular file where a directory should be: even root
    blocked.write_text("x")        # cannot write below it
    monkeypatch.setenv("BEDROCK_CLI_CONFIG", str(blocked / "config.toml"))
    run = local(*[part.replace("{blocked}", str(blocked)) for part in command])
    assert run.exception is None, repr(run.exception)
    assert run.exit_code == 2, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: ") and str(blocked) in lines[0]
    assert ".tmp" not in run.stderr  # the file asked for, not a temporary
    assert blocked.read_text() == "x"


def _plant(directory: Path, name: str, victim: Path) -> None:
    """Symlinks at the predictable temporary names (this process's pid and its neighbours)."""
    for pid in range(os.getpid() - 3, os.getpid() + 4):
        (directory / f".{name}.{pid}.tmp").symlink_to(victim)


def test_batch_files_never_follow_a_link_planted_for_their_temporary(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("must survive")
    # batch run's resume rewrites its output without the error lines it will retry
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "prompt": "hi", "max_tokens": 3}\n')
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "error": {"code": "ThrottlingException", "message": "x"}}\n')
    _plant(tmp_path, out.name, victim)
    run = local("batch", "run", str(inp), "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a"]
    # batch submit uploads to file:// (the local backend), batch fetch writes the results
    from tests.batch.conftest import write_prompts

    prompts = write_prompts(tmp_path / "prompts.jsonl", 100)
    (tmp_path / "in").mkdir()
    _plant(tmp_path / "in", "prompts.jsonl", victim)
    sub = local("batch", "submit", str(prompts), "--input-s3", f"file://{tmp_path}/in/",
                "--output-s3", f"file://{tmp_path}/out/", "--role-arn",
                "arn:aws:iam::123456789012:role/BedrockBatch")
    assert sub.exit_code == 0, sub.stderr
    job = sub.stdout.strip()
    waited = local("batch", "wait", job, "--interval", "0.1", "--max-interval", "0.2")
    assert waited.exit_code == 0, waited.stderr
    fetched = tmp_path / "results.jsonl"
    _plant(tmp_path, fetched.name, victim)
    got = local("batch", "fetch", job, "-o", str(fetched))
    assert got.exit_code == 0, got.stderr
    assert len(fetched.read_text().splitlines()) == 100
    assert victim.read_text() == "must survive"
