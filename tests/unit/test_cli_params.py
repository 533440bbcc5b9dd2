"""Options several commands take are declared once (cli/options.py, cli/params.py,
cli/tuning.py); a command never imports an option, or anything else, from another command."""

from __future__ import annotations

import ast
from pathlib import Path

import bedrock_cli.cli

CLI = Path(bedrock_cli.cli.__file__).parent
#: modules that declare options or help commands render; everything else in cli/ is a command
SHARED = {"options", "params", "tuning", "boundary", "render", "completion", "thinking"}
#: a command group made of two modules
PARTS = {"models": {"models_live"}}


def _cli_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("bedrock_cli.cli."):
                found.add(node.module.rsplit(".", 1)[1])
            elif node.module == "bedrock_cli.cli":
                found |= {alias.name for alias in node.names}
    return found


def test_commands_import_nothing_from_other_commands() -> None:
    wrong = {}
    for path in sorted(CLI.glob("*.py")):
        name = path.stem
        if name in ("__init__", "app", "main"):  # app.py assembles the command tree
            continue
        others = _cli_imports(path) - SHARED - PARTS.get(name, set()) - {name}
        if others:
            wrong[name] = sorted(others)
    assert wrong == {}


def test_a_shared_option_is_declared_once() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in CLI.glob("*.py"))
    for flag in ("--top-p", "--top-k", "--stop", "--no-stream", "--cid", "--continue",
                 "--chunk-tokens"):
        assert text.count(f'"{flag}"') == 1, flag
