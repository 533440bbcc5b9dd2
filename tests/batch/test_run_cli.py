"""`batch run` through the CLI on the local backend: output lines, resume, exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.batch.conftest import read_lines, write_prompts
from tests.helpers import cli

LOCAL = ["--backend", "local"]
FIELDS = {"id", "text", "usage", "cost_usd", "model", "model_id", "latency_ms", "stop_reason"}


def test_every_record_gets_one_result_line(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "-c", "4"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == sorted(f"r{i}" for i in range(12))
    for line in lines:
        assert set(line) == FIELDS
        assert line["model"] == line["model_id"] == "amazon.nova-lite-v1:0"
        assert line["usage"]["output_tokens"] <= 8
    assert "12 succeeded, 0 failed" in run.stderr
    # the cost has significant digits: a few cheap calls are not "$0.0000"
    from bedrock_cli.metering import dollars

    spent = sum(line["cost_usd"] for line in lines)
    assert 0 < spent < 0.0001
    assert f"tokens, {dollars(spent)}" in run.stderr and "$0.0000;" not in run.stderr


def test_a_rerun_resumes_and_repairs_a_torn_line(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "in.jsonl", 10)
    out = tmp_path / "out.jsonl"
    done = {"id": "r3", "text": "kept", "usage": {}, "cost_usd": None, "model": "m",
            "model_id": "m", "latency_ms": 1, "stop_reason": "end_turn"}
    out.write_text(json.dumps(done) + '\n{"id": "r4", "text": "tor')
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    lines = read_lines(out)
    assert lines[0] == done
    assert sorted(line["id"] for line in lines) == sorted(f"r{i}" for i in range(10))
    assert "Cut a torn last line" in run.stderr and "1 of 10 records" in run.stderr
    again = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert again.exit_code == 0 and len(read_lines(out)) == 10
    assert "10 of 10 records are already" in again.stderr


def test_failed_records_are_retried_on_resume_unless_told_not_to(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    failed = {"id": "r1", "error": {"code": "ModelErrorException", "message": "boom"}}
    out.write_text(json.dumps(failed) + "\n")
    kept = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--no-retry-errors"])
    assert kept.exit_code == 5
    assert "1 of 3 records failed" in kept.stderr
    assert [line for line in read_lines(out) if "error" in line] == [failed]
    retried = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert retried.exit_code == 0, retried.stderr
    lines = read_lines(out)
    assert len(lines) == 3 and not any("error" in line for line in lines)
    assert "Retrying 1 record" in retried.stderr


def test_bad_input_exits_2_before_any_call(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "prompt": "x"}\n{"id": "a", "prompt": "y"}\n')
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert run.exit_code == 2
    assert 'duplicate ids, nothing was sent: "a" on lines 1 and 2' in run.stderr
    assert not out.exists()
    inp.write_text('{"id": "a", "prompt": "x"}\n{"id": "b"}\n{"id": "c", "prompt": "z", '
                   '"temperature": 7}\n')
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert run.exit_code == 2
    assert "line 2: no \"prompt\"" in run.stderr and "line 3: --temperature 7" in run.stderr
    missing = cli([*LOCAL, "batch", "run", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    unknown = cli([*LOCAL, "batch", "run", str(inp), "-m", "gpt-17"])
    assert unknown.exit_code == 2 and "Unknown model" in unknown.stderr


def test_output_goes_to_stdout_without_o_and_json_summary_with_it(tmp_path: Path) -> None:
    inp = write_prompts(tmp_path / "in.jsonl", 3)
    run = cli([*LOCAL, "batch", "run", str(inp), "-q"])
    assert run.exit_code == 0
    assert sorted(json.loads(x)["id"] for x in run.stdout.splitlines()) == ["r0", "r1", "r2"]
    assert run.stderr == ""
    out = tmp_path / "out.jsonl"
    summary = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "--json"])
    assert summary.exit_code == 0
    doc = json.loads(summary.stdout)
    assert (doc["total"], doc["succeeded"], doc["failed"], doc["output"]) == (3, 3, 0, str(out))


def test_bedrock_records_and_tasks(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    records = [
        {"recordId": "CALL1", "modelInput": {"anthropic_version": "bedrock-2023-05-31",
                                             "max_tokens": 12, "messages": [
                                                 {"role": "user", "content": [
                                                     {"type": "text", "text": "Hello"}]}]}},
        {"recordId": "CALL2", "modelInput": {"inputText": "Hi", "textGenerationConfig": {
            "maxTokenCount": 5}}},
    ]
    inp.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    assert {line["id"] for line in read_lines(out)} == {"CALL1", "CALL2"}
    text = tmp_path / "text.jsonl"
    text.write_text(json.dumps({"id": 1, "text": "Ada Lovelace was born on 10 December 1815 in "
                                                 "London. She wrote the first program."}) + "\n")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {
        "name": {"type": "string"}, "born": {"type": "string", "format": "date"}}}))
    extracted = tmp_path / "extracted.jsonl"
    run = cli([*LOCAL, "batch", "run", str(text), "-o", str(extracted), "--task", "extract",
               "--schema", str(schema)])
    assert run.exit_code == 0, run.stderr
    [line] = read_lines(extracted)
    assert isinstance(line["data"], dict) and "born" in line["data"]
    no_lang = cli([*LOCAL, "batch", "run", str(text), "--task", "translate"])
    assert no_lang.exit_code == 2 and "--to LANG" in no_lang.stderr


def test_one_history_row_for_the_whole_run(tmp_path: Path, isolated_env: Path) -> None:
    inp = write_prompts(tmp_path / "in.jsonl", 5)
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(tmp_path / "out.jsonl")])
    assert run.exit_code == 0
    db = sqlite3.connect(isolated_env / "data" / "history.db")
    rows = db.execute("SELECT command, status, input_tokens, params FROM calls").fetchall()
    assert len(rows) == 1
    command, status, tokens, params = rows[0]
    assert (command, status) == ("batch", "complete") and tokens > 0
    assert json.loads(params)["succeeded"] == 5


def test_two_runs_cannot_append_to_one_output(tmp_path: Path) -> None:
    from bedrock_cli.batch.output import OutputLock

    inp = write_prompts(tmp_path / "in.jsonl", 2)
    out = tmp_path / "out.jsonl"
    held = OutputLock(out)
    held.acquire()
    try:
        run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
        assert run.exit_code == 2 and "Another `batch run` is writing" in run.stderr
        assert not out.exists()
    finally:
        held.release()
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out)])
    assert run.exit_code == 0 and len(read_lines(out)) == 2
    assert not (tmp_path / ".out.jsonl.lock").exists()
