"""Every table the CLI prints, on an 80- and a 120-column terminal (issue 13 item 18): nothing
runs past the width, ids are never cut, and a value is never replaced by an ellipsis; columns
are dropped, least important first, instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len

from bedrock_cli.catalog import get_catalog
from bedrock_cli.output.console import Output
from tests.helpers import Run, cli

WIDTHS = (80, 120)


@pytest.fixture(autouse=True)
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """stdout is a terminal (tables, not TSV); its width comes from COLUMNS."""
    monkeypatch.setattr(Output, "stdout_tty", property(lambda self: True))
    yield


def at(width: int, *args: str) -> Run:
    run = cli(["--backend", "local", *args], env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert run.exit_code == 0, run.stderr
    return run


def assert_fits(run: Run, width: int) -> None:
    lines = run.stdout.splitlines()
    assert lines, "no table"
    assert max(cell_len(line) for line in lines) <= width
    assert "…" not in run.stdout  # a cut value


def words(run: Run) -> set[str]:
    return set(run.stdout.replace("│", " ").replace("┃", " ").split())


@pytest.mark.parametrize("width", WIDTHS)
def test_history_list(width: int) -> None:
    for prompt in ("After the rain, the streets were quiet and the evening came",
                   "Hello", "Tell me about the harbour"):
        assert cli(["--backend", "local", "generate", prompt, "--max-tokens", "4"]).exit_code == 0
    ids = [row["id"] for row in cli(["history", "list", "--json"]).json()]
    run = at(width, "history", "list")
    assert_fits(run, width)
    assert set(ids) <= words(run)  # whole, copyable
    shown = words(run)
    assert "cost" in shown and "prompt" in shown  # the important columns stay
    assert ("model" in shown) == (width >= 120)  # the others go first, as room runs out


@pytest.mark.parametrize("width", WIDTHS)
def test_models_list(width: int) -> None:
    run = at(width, "models", "list")
    assert_fits(run, width)
    assert {m.id for m in get_catalog()} <= words(run)
    assert "$/1K" in run.stdout
    assert "0.003" in words(run)  # prices whole (Sonnet 3.5: $0.003 / 1K in)
    assert ("alias" in words(run)) == (width >= 120)
    assert "0.000035" in words(run) and "e-05" not in run.stdout  # Nova Micro, in decimals


@pytest.mark.parametrize("width", WIDTHS)
def test_models_list_available(width: int) -> None:
    run = at(width, "models", "list", "--available")
    assert_fits(run, width)
    callable_ids = [m.id for m in get_catalog()
                    if m.on_demand_in("us-east-1") or m.profile_geography_for("us-east-1")]
    assert set(callable_ids) <= words(run)
    if width >= 120:  # how each is called, whole, once there is room for it
        assert "us.anthropic.claude-sonnet-4-5-20250929-v1:0" in words(run)


@pytest.mark.parametrize("width", WIDTHS)
def test_sample(width: int) -> None:
    run = at(width, "sample", "After the rain, the streets were", "-n", "6")
    assert_fits(run, width)
    assert "probability" in run.stdout
