"""Shared helpers for the benchmark scripts: timed subprocesses, peak memory, endpoints on
loopback, and the markdown each script contributes to docs/benchmarks.md.

Everything runs on this machine against loopback, bounded in count and time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(sys.executable).parent
CLI = str(BIN / "bedrock-cli")
RESULTS = ROOT / "bench" / "results"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


@dataclass
class Section:
    """One benchmark's contribution to docs/benchmarks.md."""

    title: str
    commands: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
        self.lines.append("")

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        out += self.lines
        if self.commands:
            out += ["Commands:", "", "```", *self.commands, "```", ""]
        return "\n".join(out)

    def save(self, name: str) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.md").write_text(self.markdown() + "\n", encoding="utf-8")
        (RESULTS / f"{name}.json").write_text(json.dumps(self.data, indent=1, default=str),
                                             encoding="utf-8")
        print(self.markdown())


def bench_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """A clean environment: own data dir, no AWS profile, dummy keys for loopback endpoints."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "BEDROCK_CLI_")) or k == "BEDROCK_CLI_CACHE"}
    # As installed: compiled bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE, which
    # would recompile every project module at every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    home = home or Path(tempfile.mkdtemp(prefix="bedrock-bench-"))
    # The text engine's cache, per checkout: other checkouts on a shared machine (another
    # version of the engine) must not replace it in the middle of a run.
    if "BEDROCK_CLI_CACHE" not in env:
        tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
        env["BEDROCK_CLI_CACHE"] = str(Path(tempfile.gettempdir()) / f"bedrock-bench-cache-{tag}")
    env.update({"BEDROCK_CLI_HOME": str(home), "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": str(home / "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
                "BEDROCK_CLI_LOG": "0", **extra})
    return env


def timed(cmd: Sequence[str], env: dict[str, str], *, check: bool = True,
          stdin: str | None = None) -> float:
    started = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, capture_output=True, input=stdin, text=True)
    elapsed = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def interleaved(cmds: dict[str, Sequence[str]], env: dict[str, str], n: int, *,
                warmup: int = 1) -> dict[str, list[float]]:
    """Time several commands in rotation (A, B, A, B, …), so a load spike on this shared
    machine hits both sides of a comparison alike instead of one block of runs."""
    for cmd in cmds.values():
        for _ in range(warmup):
            timed(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(n):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd, env))
    return times


def repeat(cmd: Sequence[str], env: dict[str, str], n: int, *, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        timed(cmd, env)
    return [timed(cmd, env) for _ in range(n)]


def peak_rss_mb(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(peak resident MB of the child, wall seconds, stdout) via wait4's rusage."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = b"", b""
    assert proc.stdout is not None and proc.stderr is not None
    with contextlib.suppress(Exception):
        out = proc.stdout.read()
        err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]!r}")
    factor = 1024 if sys.platform != "darwin" else 1  # Linux reports KiB, macOS bytes
    return usage.ru_maxrss * factor / 1e6, elapsed, out.decode()


@contextlib.contextmanager
def serve(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`bedrock-cli serve --port 0 ARGS` in its own process; yields its URL."""
    proc = subprocess.Popen([CLI, "serve", "--port", "0", "--quiet", *args],
                            env=env or bench_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield _url(proc)
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def canned(latency_ms: float, env: dict[str, str] | None = None) -> Iterator[str]:
    """The same HTTP server and emulator, answering Converse with a fixed body: measures the
    client and the network path without the text engine's CPU in the way."""
    proc = subprocess.Popen([PY, "-m", "bench.endpoint", "--latency-ms", str(latency_ms)],
                            cwd=ROOT, env=env or bench_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        yield _url(proc)
    finally:
        proc.terminate()
        proc.wait(10)


def _url(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError("the endpoint exited before it listened")
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if found:  # keep draining stderr, or a chatty server blocks on a full pipe
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return found.group(1)
    raise RuntimeError("the endpoint did not start")


def write_prompts(path: Path, n: int, max_tokens: int = 8) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": i, "prompt": f"Write one line about item {i}.",
                                     "max_tokens": max_tokens}) + "\n")
    return path


def machine() -> str:
    import platform

    cpus = os.cpu_count()
    try:
        one, five, fifteen = os.getloadavg()
        load = f", load average {one:.1f} {five:.1f} {fifteen:.1f}"
    except OSError:
        load = ""
    return (f"{platform.system()} {platform.machine()}, {cpus} CPUs{load}, "
            f"Python {platform.python_version()}")


def which(name: str) -> str | None:
    return shutil.which(name)
