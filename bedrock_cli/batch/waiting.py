"""`batch wait` on the terminal: a progress bar from processed/total counts on a TTY, a line per
change otherwise, and the final status as the result."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bedrock_cli.batch.jobs import jsonable, progress_text
from bedrock_cli.errors import InterruptedByUser

if TYPE_CHECKING:
    from bedrock_cli.context import AppContext

Poll = Callable[[dict[str, Any]], None]


class _Display:
    def __init__(self, app: AppContext) -> None:
        self.out = app.output
        self.bar: Any = None
        self.task: Any = None
        self.last_line = ""
        self.last_time = 0.0

    def __call__(self, job: dict[str, Any]) -> None:
        if self.out.quiet:
            return
        total = job.get("totalRecordCount") or None
        done = job.get("processedRecordCount") or 0
        if self.out.stderr_tty:
            if self.bar is None:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                )

                self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                    MofNCompleteColumn(), TimeElapsedColumn(),
                                    console=self.out.console(err=True))
                self.bar.start()
                self.task = self.bar.add_task(str(job.get("status")), total=total)
            self.bar.update(self.task, total=total, completed=done,
                            description=str(job.get("status")))
            return
        line = progress_text(job)
        now = time.monotonic()
        status_changed = line.split(" ", 1)[0] != self.last_line.split(" ", 1)[0]
        if line != self.last_line and (status_changed or now - self.last_time >= 10):
            self.out.notice(f"batch wait: {line}")
            self.last_line, self.last_time = line, now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def show_wait(app: AppContext, job: str, run: Callable[[Poll], dict[str, Any]]) -> dict[str, Any]:
    display = _Display(app)
    try:
        final = run(display)
    except KeyboardInterrupt:
        raise InterruptedByUser(
            f"Stopped waiting; job {job} was not stopped.",
            f"`bedrock-cli batch wait {job}` waits again; `bedrock-cli batch stop {job}` "
            "stops it.") from None
    finally:
        display.close()
    out = app.output
    if out.json_mode:
        out.json(jsonable(final))
    else:
        out.write(progress_text(final) + "\n")
    return final
