"""`bedrock-cli doctor`: check the setup and say exactly what to fix.

The checks are imported when the command runs, so `--help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import ExitCode

if TYPE_CHECKING:
    from bedrock_cli.tasks.doctor import Check

SYMBOLS = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "-"}
STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


@common_command
def doctor(app: AppContext) -> None:
    """Check the install, config, region, backend, credentials, model access, endpoint,
    clock and local data; print each check with its fix. Exits 3 when something blocks use."""
    from bedrock_cli.tasks import doctor as task

    out = app.output
    report = task.run(app.settings, app.catalog, app.recorder,
                      lambda name, clients: app.resolve_model(name, clients=clients),
                      lambda: app.history,
                      on_check=None if out.json_mode else lambda c: _print(app, c))
    if out.json_mode:
        out.json(report.to_json())
    else:
        failed = sum(c.status == task.FAIL for c in report.checks)
        warned = sum(c.status == task.WARN for c in report.checks)
        verdict = ("All set." if not failed and not warned else
                   "Usable, with warnings." if not failed else
                   f"{failed} problem{'s block' if failed > 1 else ' blocks'} use: fix the ✗ "
                   "lines above.")
        out.write(f"\n{verdict}\n")
    if not report.ok:
        raise typer.Exit(int(ExitCode.CONFIG))


def _print(app: AppContext, check: Check) -> None:
    out = app.output
    line = f"{SYMBOLS[check.status]} {check.name}: {check.detail}"
    fix = f"    fix: {check.fix}" if check.fix and check.status in ("fail", "warn") else ""
    if out.stdout_tty and out.color:
        from rich.markup import escape

        console = out.console()
        console.print(f"[{STYLES[check.status]}]{escape(line)}[/]")
        if fix:
            console.print(f"[yellow]{escape(fix)}[/]")
        return
    out.write(line + "\n" + (fix + "\n" if fix else ""))
