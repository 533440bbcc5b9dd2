"""Crash safety: `batch run` killed with SIGKILL at random points, many times, then resumed;
CLI processes writing history at once, and killed while writing.

tests/batch/test_kill_resume.py kills a run three times after whole lines; here the kills land
anywhere (start-up, the resume scan, mid-write), ten of them, and every kill is followed by a
check of what is on disk at that moment.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from bedrock_cli.pytest_plugin import LocalBedrock
from tests.batch.conftest import aws_args, write_prompts
from tests.batch.test_run_endpoint import canned
from tests.reliability.conftest import REPO
from tests.reliability.zygote import Zygote

pytestmark = pytest.mark.slow

N = 400
KILLS = 10


def _count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _on_disk(path: Path) -> Counter[str]:
    """Ids of the whole lines in the output now. Only the last line may be torn (a write cut
    by the kill); every whole line is a complete JSON record."""
    if not path.exists():
        return Counter()
    data = path.read_bytes()
    lines = data.split(b"\n")
    whole, tail = lines[:-1], lines[-1]
    ids = Counter(str(json.loads(line)["id"]) for line in whole)
    if tail:  # torn: not a complete record (the next run cuts it off)
        with pytest.raises(ValueError):
            json.loads(tail)
    return ids


def test_ten_kill_9s_at_random_points_then_resume(tmp_path: Path,
                                                 local_bedrock: LocalBedrock) -> None:
    local_bedrock.emulator.interceptors.insert(0, canned)
    local_bedrock.options.latency_ms = 30
    inp = write_prompts(tmp_path / "in.jsonl", N)
    out = tmp_path / "out.jsonl"
    argv = [*aws_args(local_bedrock), "batch", "run", str(inp), "-o", str(out), "-c", "8",
            "--quiet"]
    process = [sys.executable, "-m", "bedrock_cli", *argv]
    rng = random.Random(90210)
    kills: list[str] = []

    # 1: a fresh process, killed somewhere in its start-up (imports, settings, the scan)
    proc = subprocess.Popen(process, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))
    time.sleep(rng.uniform(0.05, 0.6))
    assert proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    kills.append("in start-up")

    # 2..10: runs forked from a pre-imported process, killed at random points of the run
    with Zygote() as zygote:
        while len(kills) < KILLS:
            before = _count(out)
            pid = zygote.run(argv, tmp_path / f"run{len(kills)}")
            if rng.random() < 0.3:  # anywhere: the resume scan, the first calls, a write
                time.sleep(rng.uniform(0.0, 0.35))
                kills.append("at a random time")
            else:  # a random number of lines in, at a random instant after that
                wanted = before + rng.randint(1, 30)
                deadline = time.monotonic() + 30
                while _count(out) < wanted and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(rng.uniform(0, 0.03))
                kills.append(f"after {_count(out) - before} lines")
            os.kill(pid, signal.SIGKILL)
            status = zygote.reap(pid)
            assert status == -signal.SIGKILL, f"run {len(kills)} ended by itself ({status}): " \
                + (tmp_path / f"run{len(kills) - 1}.err").read_text()
            ids = _on_disk(out)
            assert not ids or set(ids.values()) == {1}, \
                f"a record twice (kill {len(kills)}: {kills[-1]})"
            assert len(ids) < N

    final = subprocess.run(process, capture_output=True, timeout=120, env=dict(os.environ))
    assert final.returncode == 0, final.stderr.decode()
    ids = _on_disk(out)
    assert set(ids) == {f"r{i}" for i in range(N)}
    assert set(ids.values()) == {1}
    assert out.read_bytes().endswith(b"\n")


def test_eight_processes_times_ten_calls_lose_no_history_row(isolated_env: Path,
                                                              tmp_path: Path) -> None:
    """Eight CLI processes at once, ten times over (the first eight race to create the
    database): 80 rows, none lost, none torn."""
    warm = ["--backend", "local", "generate", "warm", "--max-tokens", "3", "--no-stream",
            "--quiet", "--no-log"]
    with Zygote(warm=warm) as zygote:
        for n in range(10):  # eight processes writing at once, ten times over
            running = [zygote.run(["--backend", "local", "generate", f"worker {w} call {n}",
                                   "--max-tokens", "3", "--no-stream", "--quiet"],
                                  tmp_path / f"c{n}-{w}") for w in range(8)]
            assert [zygote.reap(pid) for pid in running] == [0] * 8
    db_path = isolated_env / "data" / "history.db"
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        prompts = [row[0] for row in db.execute("SELECT prompt FROM calls")]
        ids = [row[0] for row in db.execute("SELECT id FROM calls")]
        statuses_kept = {row[0] for row in db.execute("SELECT status FROM calls")}
    finally:
        db.close()
    expected = [f"worker {w} call {n}" for w in range(8) for n in range(10)]
    assert sorted(prompts) == sorted(expected)
    assert len(set(ids)) == 80 and statuses_kept == {"complete"}
    for name in ("history.db", "history.db-wal", "history.db-shm"):
        path = db_path.with_name(name)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


KILLED_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from bedrock_cli.history import CallRecord, History
    store, worker = History(Path(sys.argv[1])), sys.argv[2]
    n = 0
    while True:
        text = f"{worker}-{n} " + "x" * 2000
        store.record(CallRecord(command="generate", status="complete", prompt=text,
                                response=text[::-1]))
        print(n, flush=True)
        n += 1
""")


def test_processes_killed_while_writing_history_leave_it_whole(isolated_env: Path) -> None:
    data = isolated_env / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(5)
    acknowledged: dict[str, int] = {}
    for round_ in range(3):
        procs = {f"w{round_}{k}": subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, str(data), f"w{round_}{k}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for k in range(4)}
        time.sleep(rng.uniform(0.6, 1.2))
        for name, proc in procs.items():
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate(timeout=10)
            acknowledged[name] = len(out.split())  # records whose write had returned
    db = sqlite3.connect(data / "history.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT prompt, response FROM calls").fetchall()
    finally:
        db.close()
    written: Counter[str] = Counter()
    for prompt, response in rows:
        assert response == prompt[::-1]  # every row whole
        written[prompt.split("-")[0]] += 1
    assert sum(acknowledged.values()) > 0
    for name, count in acknowledged.items():
        # every acknowledged write survived; at most the one in flight at the kill is extra
        assert count <= written[name] <= count + 1, name
