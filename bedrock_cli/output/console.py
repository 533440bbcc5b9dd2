"""One `Output` object owns printing. Results go to stdout; everything else to stderr.

Consoles are built from injected streams so tests can read them; rich is imported only when
something is rendered, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from bedrock_cli.errors import BedrockCliError


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Output:
    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        *,
        fmt: str = "auto",
        quiet: bool = False,
        debug: bool = False,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.fmt = fmt
        self.quiet = quiet
        self.debug_enabled = debug
        self.color = "NO_COLOR" not in os.environ
        self._out_console: Any = None
        self._err_console: Any = None

    # -- properties ----------------------------------------------------------------------
    @property
    def json_mode(self) -> bool:
        return self.fmt == "json"

    @property
    def stdout_tty(self) -> bool:
        return _is_tty(self.stdout)

    @property
    def stderr_tty(self) -> bool:
        return _is_tty(self.stderr)

    @property
    def markdown(self) -> bool:
        """Render markdown (`auto` and `markdown`) only on a terminal, where rich wraps it.
        Off a terminal the model's text is written as it came: it is markdown already, and
        rendering it there would cut lines at a guessed width and drop the rest."""
        return self.fmt in ("auto", "markdown") and self.stdout_tty

    def console(self, *, err: bool = False) -> Any:
        from rich.console import Console

        if err:
            if self._err_console is None:
                self._err_console = Console(file=self.stderr, stderr=True,
                                            no_color=not self.color, highlight=False,
                                            force_terminal=None)
            return self._err_console
        if self._out_console is None:
            self._out_console = Console(file=self.stdout, no_color=not self.color,
                                        highlight=False, soft_wrap=not self.stdout_tty)
        return self._out_console

    # -- results (stdout) ---------------------------------------------------------------
    def write(self, text: str) -> None:
        """Raw text to stdout, flushed: used for streaming so nothing is buffered."""
        self.stdout.write(text)
        self.stdout.flush()

    def text(self, text: str) -> None:
        if self.markdown:
            from rich.markdown import Markdown

            self.console().print(Markdown(text))
        else:
            self.write(text if text.endswith("\n") else text + "\n")

    def json(self, data: Any, *, lines: bool = False) -> None:
        if lines or not self.stdout_tty:
            self.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        else:
            self.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")

    def renderable(self, renderable: Any) -> None:
        self.console().print(renderable)

    @contextmanager
    def live_markdown(self) -> Iterator[Any]:
        """A sink for streamed text: live-rendered markdown on a terminal, raw text when piped.

        The sink is finished even when the stream fails, so what arrived stays on screen and
        stdout ends with a newline."""
        if not self.markdown:
            sink = _RawSink(self)
            try:
                yield sink
            finally:
                sink.finish()
            return
        from rich.live import Live

        with Live(console=self.console(), refresh_per_second=12,
                  vertical_overflow="visible") as live:
            live_sink = _LiveSink(live)
            try:
                yield live_sink
            finally:
                live_sink.finish()

    # -- everything else (stderr) --------------------------------------------------------
    def notice(self, message: str) -> None:
        if not self.quiet:
            self._err(message, style="dim")

    def info(self, message: str) -> None:
        """Asked-for information on stderr (e.g. --usage): shown even with --quiet."""
        self._err(message, style="cyan")

    def warn(self, message: str) -> None:
        self._err(f"warning: {message}", style="yellow")

    def debug(self, message: str) -> None:
        if self.debug_enabled:
            self._err(message, style="dim")

    def reasoning(self, piece: str) -> None:
        if self.stderr_tty and self.color:
            self.stderr.write(f"\x1b[2m{piece}\x1b[0m")
        else:
            self.stderr.write(piece)
        self.stderr.flush()

    def error(self, err: BedrockCliError) -> None:
        if self.json_mode:
            self.stderr.write(json.dumps(err.to_dict(), ensure_ascii=False) + "\n")
            self.stderr.flush()
            return
        self._err(f"Error: {err.message}", style="bold red")
        if err.hint:
            self._err(f"Hint: {err.hint}", style="yellow")

    def _err(self, message: str, *, style: str = "") -> None:
        if self.stderr_tty and self.color:
            from rich.markup import escape

            self.console(err=True).print(f"[{style}]{escape(message)}[/]" if style else
                                         escape(message))
        else:
            self.stderr.write(message + "\n")
            self.stderr.flush()


class _RawSink:
    def __init__(self, output: Output) -> None:
        self.output = output
        self.last = ""

    def add(self, piece: str) -> None:
        if piece:
            self.output.write(piece)
            self.last = piece

    def finish(self) -> None:
        if self.last and not self.last.endswith("\n"):
            self.output.write("\n")


class _LiveSink:
    """Re-renders the markdown at most ~15 times a second: parsing the whole answer on every
    token would cost quadratic time on long answers."""

    interval = 1 / 15

    def __init__(self, live: Any) -> None:
        self.live = live
        self.buffer: list[str] = []
        self.rendered_at = 0.0
        self.dirty = False

    def add(self, piece: str) -> None:
        import time

        self.buffer.append(piece)
        self.dirty = True
        now = time.monotonic()
        if now - self.rendered_at >= self.interval:
            self._render()
            self.rendered_at = now

    def _render(self) -> None:
        from rich.markdown import Markdown

        self.live.update(Markdown("".join(self.buffer)), refresh=True)
        self.dirty = False

    def finish(self) -> None:
        if self.dirty:
            self._render()
