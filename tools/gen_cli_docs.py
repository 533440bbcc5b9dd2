"""Regenerate docs/cli.md from the CLI's own --help output.

    python tools/gen_cli_docs.py          # rewrite docs/cli.md
    python tools/gen_cli_docs.py --check  # exit 1 when docs/cli.md is out of date

tests/test_cli_docs.py runs the check, so the reference cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from bedrock_cli.cli.app import build_app

    result = CliRunner().invoke(build_app(), [*args, "--help"], env={"COLUMNS": "100",
                                                                     "NO_COLOR": "1"},
                                terminal_width=100)
    return result.stdout.rstrip() + "\n"


def _commands(args: list[str]) -> list[list[str]]:
    """Every command path under `args`, depth first, in the order --help lists them."""
    from bedrock_cli.cli.app import build_app

    group = build_app()
    import typer.main

    command = typer.main.get_command(group)
    for name in args:
        command = command.commands[name]  # type: ignore[attr-defined]
    names = list(getattr(command, "commands", {}))
    paths: list[list[str]] = []
    for name in names:
        path = [*args, name]
        paths.append(path)
        paths.extend(_commands(path))
    return paths


def render() -> str:
    parts = [
        "# Command reference\n",
        "Generated from `--help` by `python tools/gen_cli_docs.py`; do not edit by hand.\n",
        "## bedrock-cli\n",
        "```text\n" + _help([]) + "```\n",
    ]
    for path in _commands([]):
        parts.append(f"## bedrock-cli {' '.join(path)}\n")
        parts.append("```text\n" + _help(path) + "```\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run `python tools/gen_cli_docs.py`",
                  file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
