"""`history list|show|search|export|delete|stats` through the CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import cli


@pytest.fixture
def logged() -> list[str]:
    """Three calls in history: a generate, an ask and an extract."""
    Path("notes.md").write_text("The capital of Japan is Tokyo.\n")
    ids = []
    for args in (["generate", "After the rain, the streets were", "--max-tokens", "5"],
                 ["ask", "What is the capital of Japan?", "-f", "notes.md"],
                 ["extract", "Invoice INV-7 total $5.00", "-F", "total:number"]):
        run = cli(["--backend", "local", *args, "--json"])
        assert run.exit_code == 0, run.stderr
        ids.append(run.json()["history_id"])
    return ids


def test_list_json_newest_first_with_filters(logged: list[str]) -> None:
    rows = cli(["history", "list", "--json"]).json()
    assert [r["id"] for r in rows] == logged[::-1]
    assert rows[1]["command"] == "ask" and rows[1]["usage"]["input_tokens"] > 0
    assert [r["id"] for r in cli(["history", "list", "-n", "1", "--json"]).json()] == \
        [logged[2]]
    assert cli(["history", "list", "--model", "haiku", "--json"]).json() == []
    assert len(cli(["history", "list", "--model", "nova-lite", "--json"]).json()) == 3
    assert len(cli(["history", "list", "--since", "1h", "--json"]).json()) == 3
    assert cli(["history", "list", "--since", "2999-01-01", "--json"]).json() == []
    assert [r["command"] for r in cli(["history", "list", "--command", "ask",
                                       "--json"]).json()] == ["ask"]


def test_list_piped_is_tab_separated(logged: list[str]) -> None:
    run = cli(["history", "list"])
    lines = run.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].split("\t")[0] == logged[2]
    assert lines[1].split("\t")[2] == "ask"


def test_show_and_search(logged: list[str]) -> None:
    run = cli(["history", "show", logged[1]])
    assert run.exit_code == 0
    assert "## Prompt\n\nWhat is the capital of Japan?" in run.stdout
    assert "The capital of Japan is Tokyo." in run.stdout
    shown = cli(["history", "show", logged[1][:-4].lower(), "--json"]).json()
    assert shown["id"] == logged[1]
    assert shown["messages"][0]["role"] == "user"
    assert cli(["history", "show", "last", "--json"]).json()["id"] == logged[2]
    found = cli(["history", "search", "capitals Tokyo", "--json"]).json()
    assert [r["id"] for r in found] == [logged[1]]
    assert cli(["history", "search", "zebra"]).stderr == "No calls match 'zebra'.\n"


def test_export_formats_and_its_own_format_option(logged: list[str]) -> None:
    run = cli(["history", "export", "--format", "jsonl"])
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in records] == logged  # oldest first
    assert "messages" in records[0]
    markdown = cli(["history", "export", "--format", "markdown"]).stdout
    assert markdown.startswith("# bedrock-cli history")
    assert markdown.count("\n## ") == 3 and "**Prompt**" in markdown
    run = cli(["history", "export", "-o", "out.jsonl"])
    assert run.exit_code == 0 and "Exported 3 call(s)" in run.stderr
    assert stat.S_IMODE(os.stat("out.jsonl").st_mode) == 0o600
    again = cli(["history", "export", "-o", "out.jsonl"])
    assert again.exit_code == 2 and "--force" in again.stderr


def test_delete_one_and_before(logged: list[str]) -> None:
    run = cli(["history", "delete", logged[0]])
    assert run.exit_code == 0 and run.stderr == "Deleted 1 call.\n"
    assert cli(["history", "search", "rain", "--json"]).json() == []
    run = cli(["history", "delete", "--before", "2999-01-01", "--json"])
    assert run.json() == {"deleted": 2}
    assert cli(["history", "list", "--json"]).json() == []


def test_stats(logged: list[str]) -> None:
    [row] = cli(["history", "stats", "--json"]).json()["groups"]
    assert row["model"] == "amazon.nova-lite-v1:0" and row["calls"] == 3
    assert "amazon.nova-lite-v1:0" in cli(["history", "stats"]).stdout


def test_no_log_keeps_calls_out_and_history_is_private(isolated_env: Path) -> None:
    run = cli(["--backend", "local", "summarize", "--no-log"], input="One two three four.")
    assert run.exit_code == 0
    assert not (isolated_env / "data" / "history.db").exists()
    assert cli(["history", "list"]).stderr == "No calls in history yet.\n"
    cli(["--backend", "local", "summarize"], input="One two three four.")
    mode = stat.S_IMODE(os.stat(isolated_env / "data" / "history.db").st_mode)
    assert mode == 0o600


def test_concurrent_cli_processes_each_log_their_calls(isolated_env: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "bedrock_cli", "--backend", "local", "summarize", "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(5)]
    ids = []
    for n, proc in enumerate(procs):
        out, err = proc.communicate(f"Process {n} wrote this sentence about harbours and "
                                    "ships. It also wrote a second one.".encode(), timeout=120)
        assert proc.returncode == 0, err.decode()
        ids.append(json.loads(out)["history_id"])
    listed = cli(["history", "list", "--json"]).json()
    assert sorted(r["id"] for r in listed) == sorted(ids)


@pytest.mark.parametrize("prefix", ["0", "01"])
def test_an_ambiguous_prefix_says_so_and_lists_candidates(logged: list[str],
                                                          prefix: str) -> None:
    for command in ("show", "delete"):
        run = cli(["history", command, prefix])
        assert run.exit_code == 2
        assert f"'{prefix}' is ambiguous" in run.stderr
        assert all(call_id in run.stderr for call_id in logged)
        assert "No call" not in run.stderr
    assert len(cli(["history", "list", "--json"]).json()) == 3  # nothing deleted
    assert cli(["history", "show", logged[0][:-1]]).exit_code == 0  # unique prefixes work


@pytest.mark.parametrize("args", [["list", "-n", "-5"], ["list", "-n", "0"],
                                  ["search", "rain", "-n", "-1"], ["export", "-n", "-2"]])
def test_a_limit_below_one_is_refused(args: list[str]) -> None:
    run = cli(["history", *args])
    assert run.exit_code == 2
    assert "--limit" in run.stderr
