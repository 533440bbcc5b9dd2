"""Start-up builds only the command a run names; everything else gets the whole tree."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bedrock_cli.cli.app import COMMANDS, ROOT, build_app, command_named, root_only


@pytest.mark.parametrize(("argv", "expected"), [
    (["generate", "hi"], "generate"),
    (["--backend", "local", "--json", "generate", "hi"], "generate"),
    (["--region", "eu-west-1", "models", "list"], "models"),
    (["--format", "json", "batch", "run", "x.jsonl"], "batch"),
    (["--help"], None),
    (["--version"], None),
    ([], None),
    (["genrate", "typo"], None),  # the whole tree, so Typer can suggest "generate"
    (["--debug", "--", "generate"], None),
])
def test_command_named(argv: list[str], expected: str | None) -> None:
    assert command_named(argv) == expected


def test_every_registered_command_builds() -> None:
    full = build_app()
    assert {info.name for info in full.registered_commands} | {
        group.name for group in full.registered_groups} == {name for name, *_ in COMMANDS}
    for name, *_ in COMMANDS:
        single = build_app(only=name)
        names = [c.name for c in single.registered_commands] + [
            g.name for g in single.registered_groups]
        assert names == [name]


def test_a_run_imports_only_its_own_command_module() -> None:
    code = ("import sys\nfrom bedrock_cli.cli.main import main\n"
            "sys.argv=['bedrock-cli','config','path']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('bedrock_cli.cli.') and "
            "m.rsplit('.',1)[1] in {'image','batch','chat','serve'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("argv", "expected"), [
    ([], True),
    (["--help"], True),
    (["-h"], True),
    (["--version"], True),
    (["--region", "eu-west-1", "--help"], True),
    (["--json"], True),
    (["generate", "--help"], False),
    (["--region", "generate"], True),  # "generate" is the region here
    (["genrate"], False),  # a typo gets the whole tree and its "Did you mean"
    (["--", "generate"], False),
])
def test_root_only(argv: list[str], expected: bool) -> None:
    assert root_only(argv) == expected


@pytest.mark.parametrize("width", [60, 80, 100, 160])
@pytest.mark.parametrize("args", [["--help"], []])
def test_root_help_from_summaries_matches_the_whole_tree(width: int, args: list[str]) -> None:
    """`bedrock-cli --help` lists the commands from SUMMARIES without importing them: it
    must print exactly what the whole tree prints (update SUMMARIES when a docstring's
    first paragraph changes)."""
    runner = CliRunner()
    full = runner.invoke(build_app(), args, prog_name="bedrock-cli", terminal_width=width)
    root = runner.invoke(build_app(only=ROOT), args, prog_name="bedrock-cli",
                         terminal_width=width)
    assert "Commands:" in full.output and "doctor" in full.output
    assert root.output == full.output
    assert root.exit_code == full.exit_code


def test_root_help_imports_no_command_module() -> None:
    code = ("import sys\nfrom bedrock_cli.cli.main import main\n"
            "sys.argv=['bedrock-cli','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('bedrock_cli.cli.', "
            "'bedrock_cli.tasks')) and m.rsplit('.', 1)[1] not in {'app', 'main', 'options', "
            "'boundary'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert "Commands:" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_the_collector_is_off_during_start_up_and_back_after_it() -> None:
    """Start-up runs without the cyclic GC (tens of ms of walking objects that are never
    garbage); a command that runs longer than STARTUP_SECONDS gets it back."""
    code = ("import gc, sys, time\nfrom bedrock_cli.cli import main as m\n"
            "m.STARTUP_SECONDS = 0.2\nsys.argv = ['bedrock-cli', '--version']\n"
            "try:\n    m.main()\nexcept SystemExit:\n    pass\n"
            "during = gc.isenabled()\ntime.sleep(1.0)\nprint(during, gc.isenabled())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip().splitlines()[-1] == "False True"
