"""`batch run --task extract` judges each answer as `extract` does (issue 13.14): an answer
that breaks the schema is an error record, counted failed, never a success with bad data."""

from __future__ import annotations

import json
from pathlib import Path

from tests.batch.conftest import read_lines
from tests.helpers import cli

LOCAL = ["--backend", "local"]
SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"},
                                           "total": {"type": "number"}},
          "required": ["invoice_number", "total"]}
NOTHING = "The weather is nice today."
INVOICE = "Invoice INV-42, total $12.50"


def answers_with_nulls(tmp_path: Path) -> dict[str, str]:
    """The emulator's own extraction always fits the schema, so a declared response plays
    the model whose answer breaks it (required fields null)."""
    from bedrock_cli.tasks.extract import TOOL

    rules = tmp_path / "responses.json"
    nulls = {"tool_use": {"name": TOOL, "input": {"invoice_number": None, "total": None}}}
    # the first ask, and extract's one retry ("That answer does not match the schema: …")
    rules.write_text(json.dumps([{"user": NOTHING, **nulls},
                                 {"user": "does not match the schema", **nulls}]))
    return {"BEDROCK_CLI_LOCAL_RESPONSES": str(rules)}


def test_extract_and_batch_extract_give_the_same_verdict(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps(SCHEMA))
    env = answers_with_nulls(tmp_path)
    alone = cli([*LOCAL, "extract", NOTHING, "--schema", str(schema)], env=env)
    assert alone.exit_code == 5 and "does not match the schema" in alone.stderr
    good = cli([*LOCAL, "extract", INVOICE, "--schema", str(schema), "--json"], env=env)
    assert good.exit_code == 0, good.stderr

    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": NOTHING}) + "\n"
                   + json.dumps({"id": "b", "text": INVOICE}) + "\n")
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--task", "extract",
               "--schema", str(schema), "--json"], env=env)
    assert run.exit_code == 5
    lines = {line["id"]: line for line in read_lines(out)}
    assert set(lines["a"]) == {"id", "error"}
    error = lines["a"]["error"]
    assert error["code"] == "SchemaMismatch"
    assert error["message"].startswith("The model's answer does not match the schema: "
                                       "$.invoice_number: expected string, got null")
    assert 'Raw answer: {"invoice_number": null, "total": null}' in error["message"]
    assert lines["b"]["data"] == {"invoice_number": "INV-42", "total": 12.5}
    summary = json.loads(run.stdout.splitlines()[-1])
    assert (summary["succeeded"], summary["failed"]) == (1, 1)
    assert summary["input_tokens"] > 0  # the failed record's call was still paid for


def test_a_record_schema_is_checked_too(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": NOTHING, "schema": SCHEMA}) + "\n")
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--task", "extract"],
              env=answers_with_nulls(tmp_path))
    assert run.exit_code == 5
    [line] = read_lines(out)
    assert line["error"]["code"] == "SchemaMismatch"
    assert "1 failed" in run.stderr
