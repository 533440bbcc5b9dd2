"""A pre-imported, single-threaded process that forks CLI runs on demand.

Crash tests need many short-lived CLI processes; paying Python's and boto3's import time for
each one would make ten kills cost half a minute on two cores. The zygote imports once, then
each run is a `fork()` whose child runs the CLI in-process — a real, separate process with its
own pid, file descriptors and SQLite connection, which the test can SIGKILL. Children are
reaped only when the test asks, so a pid is never reused while the test may still signal it.

Protocol (one JSON line each way): `{"run": ARGV, "out": PATH}` → `{"pid": PID}` (the child's
stdout and stderr go to PATH.out / PATH.err); `{"reap": PID}` → `{"pid": PID, "status": S}`
(S is the exit code, or -SIGNAL).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.reliability.conftest import REPO

SCRIPT = r"""
import json, os, sys
import importlib
for name in sys.argv[1:]:  # "module" or "module:function" (called once, e.g. to load a model)
    module, _, call = name.partition(":")
    loaded = importlib.import_module(module)
    if call:
        getattr(loaded, call)()
from bedrock_cli.cli.app import build_app

warm = json.loads(os.environ.get("ZYGOTE_WARM_ARGV") or "null")
if warm:  # one run in the zygote itself, so that every child starts with its caches filled
    saved_in, saved_out = os.dup(0), os.dup(1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # stdin is the command pipe: keep it
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        build_app()(warm, prog_name="bedrock-cli")
    except SystemExit as exc:
        assert not exc.code, exc.code
    finally:
        sys.stdout.flush()
        os.dup2(saved_in, 0)
        os.dup2(saved_out, 1)

for line in sys.stdin:
    msg = json.loads(line)
    if "run" in msg:
        pid = os.fork()
        if pid == 0:
            out = os.open(msg["out"] + ".out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(msg["out"] + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0); os.dup2(out, 1); os.dup2(err, 2)
            code = 0
            try:
                build_app()(msg["run"], prog_name="bedrock-cli")
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (1 if exc.code else 0)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 99
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
    elif "reap" in msg:
        _, status = os.waitpid(msg["reap"], 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"pid": msg["reap"], "status": code}), flush=True)
"""

#: what a CLI run imports lazily, imported once in the zygote
PRELOAD = ("boto3", "botocore.session", "botocore.client", "bedrock_cli.runtime",
           "bedrock_cli.clients", "bedrock_cli.history", "bedrock_cli.batch.execute",
           "bedrock_cli.batch.runner", "bedrock_cli.local", "bedrock_cli.tasks.textcall",
           "bedrock_cli.tasks.generate", "numpy")


class Zygote:
    def __init__(self, *preload: str, warm: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        """`preload`: more modules to import ("module:function" also calls it); `warm`: a CLI
        run made once in the zygote before any fork (use --no-log: it must write nothing)."""
        environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {}),
                   "ZYGOTE_WARM_ARGV": json.dumps(warm)}
        self.proc = subprocess.Popen([sys.executable, "-c", SCRIPT, *PRELOAD, *preload],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environ,
                                     text=True)
        self.children: set[int] = set()

    def _ask(self, msg: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote died (exit {self.proc.wait(5)})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def run(self, argv: list[str], out: Path) -> int:
        """Start the CLI with `argv` in a forked child; its pid (kill it, then `reap` it)."""
        pid = int(self._ask({"run": argv, "out": str(out)})["pid"])
        self.children.add(pid)
        return pid

    def reap(self, pid: int) -> int:
        """Wait for a child; its exit code (negative: the signal that ended it)."""
        self.children.discard(pid)
        return int(self._ask({"reap": pid})["status"])

    def _kill_children(self) -> None:
        import signal

        if self.proc.poll() is not None:  # its children were re-parented: not ours to signal
            return
        for pid in list(self.children):  # ours and not reaped yet: the pid cannot be reused
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self.reap(pid)

    def close(self) -> None:
        self._kill_children()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
            return
        try:  # do not hide the failure behind a cleanup error
            self._kill_children()
        finally:
            self.proc.kill()
            self.proc.wait(10)
