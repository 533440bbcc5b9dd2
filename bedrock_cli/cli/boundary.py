"""The single error boundary: project errors become a message on stderr and an exit code."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import typer

from bedrock_cli.errors import BedrockCliError, ExitCode, InterruptedByUser
from bedrock_cli.output import Output


def run_guarded(output: Output, debug: bool, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except (typer.Exit, typer.Abort):
        raise
    except BedrockCliError as err:
        output.error(err)
        raise typer.Exit(int(err.exit_code)) from None
    except KeyboardInterrupt:
        output.error(InterruptedByUser("Interrupted.", None))
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        # the reader went away (`| head`): not an error worth a message
        _silence_stdout()
        raise typer.Exit(0) from None
    except Exception as exc:
        from bedrock_cli.runtime_base import map_exception

        mapped = map_exception(exc)
        if mapped is not None:
            output.error(mapped)
            raise typer.Exit(int(mapped.exit_code)) from None
        if debug or os.environ.get("BEDROCK_CLI_RAISE_INTERNAL"):
            raise
        output.error(BedrockCliError(
            f"Internal error: {type(exc).__name__}: {exc}",
            "This is a bug in bedrock-cli. Rerun with --debug for the traceback and report it.",
        ))
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass
