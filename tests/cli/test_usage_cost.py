"""`--usage` on every command that calls a model, and `history stats` totals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import cli

LOCAL = ["--backend", "local"]
LINE = re.compile(r"^(?P<head>[^:]+(?::\d)?(?: \([^)]*\))?): (?P<inp>\d+) in \+ (?P<out>\d+) out "
                  r"= (?P<total>\d+) tokens.*\$(?P<cost>[0-9.]+)")


def usage_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " tokens" in line and "$" in line]


def test_generate_usage_line_leaves_stdout_alone() -> None:
    args = [*LOCAL, "generate", "After the rain, the streets were", "--max-tokens", "6",
            "--seed", "3", "--temperature", "0"]
    plain = cli(args)
    metered = cli([*args, "--usage"])
    assert metered.exit_code == 0, metered.stderr
    assert metered.stdout == plain.stdout  # nothing extra on stdout
    [line] = usage_lines(metered.stderr)
    assert line.startswith("amazon.nova-lite-v1:0: ") and line.endswith(" ms")
    match = LINE.match(line)
    assert match is not None
    assert int(match["inp"]) + int(match["out"]) == int(match["total"])
    assert int(match["out"]) <= 6


def test_usage_before_the_subcommand_and_from_the_setting() -> None:
    run = cli(["--usage", *LOCAL, "generate", "hi", "--max-tokens", "3"])
    assert len(usage_lines(run.stderr)) == 1
    run = cli([*LOCAL, "generate", "hi", "--max-tokens", "3"], env={"BEDROCK_CLI_USAGE": "1"})
    assert len(usage_lines(run.stderr)) == 1
    assert usage_lines(cli([*LOCAL, "generate", "hi", "--max-tokens", "3"]).stderr) == []


def test_json_mode_reports_usage_as_json_on_stderr() -> None:
    run = cli([*LOCAL, "generate", "hi", "--max-tokens", "4", "--json", "-u"])
    result = run.json()
    report = json.loads(run.stderr.strip().splitlines()[-1])["usage_report"]
    assert report["calls"] == 1 and report["models"] == ["amazon.nova-lite-v1:0"]
    assert report["usage"] == result["usage"]
    assert report["cost_usd"] == pytest.approx(result["cost_usd"])


def test_summarize_map_reduce_prints_one_total(tmp_path: Path) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join(f"Paragraph {i}. " + "The harbour grew busier. " * 40
                               for i in range(12)))
    run = cli([*LOCAL, "summarize", str(doc), "--chunk-tokens", "400", "-u", "--json"])
    assert run.exit_code == 0, run.stderr
    result = json.loads(run.stdout)
    report = json.loads(run.stderr.strip().splitlines()[-1])["usage_report"]
    assert report["calls"] == result["calls"] > 2
    assert report["usage"]["input_tokens"] == result["usage"]["input_tokens"]
    assert report["cost_usd"] == pytest.approx(result["cost_usd"])
    text = cli([*LOCAL, "summarize", str(doc), "--chunk-tokens", "400", "-u"])
    [line] = usage_lines(text.stderr)
    assert line.startswith(f"{result['calls']} calls (amazon.nova-lite-v1:0): ")


def test_embed_image_and_ask_report_usage(tmp_path: Path) -> None:
    run = cli([*LOCAL, "embed", "hello world", "-u"])
    [line] = usage_lines(run.stderr)
    assert line.startswith("amazon.titan-embed-text-v2:0: ") and " out = " in line
    assert json.loads(run.stdout)  # the vector, untouched
    run = cli([*LOCAL, "image", "a red sun", "-o", str(tmp_path / "sun.png"), "-u"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == f"{tmp_path / 'sun.png'}\n"
    assert "amazon.nova-canvas-v1:0: 1 image, $0.040000" in run.stderr
    Path("notes.md").write_text("The capital of Japan is Tokyo.\n")
    run = cli([*LOCAL, "ask", "What is the capital of Japan?", "-f", "notes.md", "-u"])
    assert len(usage_lines(run.stderr)) == 1


def test_chat_reports_each_turn() -> None:
    run = cli([*LOCAL, "chat", "-u"], input="hello\nhow are you?\n")
    assert run.exit_code == 0, run.stderr
    assert len(usage_lines(run.stderr)) == 2


def test_batch_run_reports_the_total(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": i, "prompt": f"Say {i}", "max_tokens": 4}) + "\n"
                           for i in range(5)))
    out = tmp_path / "out.jsonl"
    run = cli([*LOCAL, "batch", "run", str(inp), "-o", str(out), "-u"])
    assert run.exit_code == 0, run.stderr
    [line] = [x for x in usage_lines(run.stderr) if not x.startswith("batch:")]
    assert line.startswith("5 calls (amazon.nova-lite-v1:0): ")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    match = LINE.match(line)
    assert match is not None
    assert int(match["inp"]) == sum(r["usage"]["input_tokens"] for r in rows)
    assert int(match["out"]) == sum(r["usage"]["output_tokens"] for r in rows)


# -- cache tokens are reported and priced (AWS path, scripted endpoint) ------------------

def test_cache_tokens_are_reported_and_priced(endpoint: FakeEndpoint) -> None:
    endpoint.add_json({
        "output": {"message": {"role": "assistant", "content": [{"text": "Yes."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10, "outputTokens": 20, "totalTokens": 3030,
                  "cacheReadInputTokens": 1000, "cacheWriteInputTokens": 2000},
        "metrics": {"latencyMs": 40},
    })
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "generate", "Hi", "-m",
               "sonnet", "--no-stream", "--json", "--usage"])
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["usage"] == {"input_tokens": 10, "output_tokens": 20, "total_tokens": 3030,
                               "cache_read_tokens": 1000, "cache_write_tokens": 2000}
    # Sonnet 4.5: $0.003 in, $0.015 out, $0.0003 cache read, $0.00375 cache write per 1K
    expected = (10 * 0.003 + 20 * 0.015 + 1000 * 0.0003 + 2000 * 0.00375) / 1000
    assert result["cost_usd"] == pytest.approx(expected)
    report = json.loads(run.stderr.strip().splitlines()[-1])["usage_report"]
    assert report["cost_usd"] == pytest.approx(expected)


def test_cache_tokens_in_the_text_line(endpoint: FakeEndpoint) -> None:
    frames = converse_frames(["ok"])
    from bedrock_cli.local.eventstream import event

    frames[-1] = event("metadata", {"usage": {"inputTokens": 5, "outputTokens": 3,
                                              "totalTokens": 1008, "cacheReadInputTokens": 1000,
                                              "cacheWriteInputTokens": 0},
                                    "metrics": {"latencyMs": 12}})
    endpoint.add_stream(frames)
    run = cli(["--backend", "aws", "--endpoint-url", endpoint.url, "generate", "Hi", "-m",
               "sonnet", "-u"])
    assert run.stdout == "ok\n"
    assert "5 in + 3 out = 1008 tokens, cache read 1000 / write 0, $0.000360, 12 ms" \
        in run.stderr


# -- history stats ---------------------------------------------------------------------

@pytest.fixture
def logged() -> list[dict[str, object]]:
    Path("notes.md").write_text("The capital of Japan is Tokyo.\n")
    for args in (["generate", "After the rain", "--max-tokens", "5"],
                 ["generate", "Hello", "--max-tokens", "4", "-m", "nova-micro"],
                 ["ask", "What is the capital of Japan?", "-f", "notes.md"],
                 ["embed", "some text"]):
        run = cli([*LOCAL, *args])
        assert run.exit_code == 0, run.stderr
    rows: list[dict[str, object]] = cli(["history", "list", "--json"]).json()
    assert len(rows) == 4
    return rows


def _sums(rows: list[dict[str, object]], key: str) -> dict[str, tuple[int, int, int, float]]:
    out: dict[str, tuple[int, int, int, float]] = {}
    for row in rows:
        usage = row["usage"]
        assert isinstance(usage, dict)
        calls, inp, outp, cost = out.get(str(row[key]), (0, 0, 0, 0.0))
        out[str(row[key])] = (calls + 1, inp + usage["input_tokens"],
                              outp + usage["output_tokens"], cost + float(row["cost_usd"] or 0))
    return out


@pytest.mark.parametrize("by, key", [("model", "model"), ("command", "command")])
def test_stats_groups_match_the_rows(logged: list[dict[str, object]], by: str,
                                     key: str) -> None:
    data = cli(["history", "stats", "--by", by, "--json"]).json()
    assert data["by"] == by
    got = {g[by]: (g["calls"], g["input_tokens"], g["output_tokens"], g["cost_usd"])
           for g in data["groups"]}
    want = _sums(logged, key)
    assert set(got) == set(want)
    for name, (calls, inp, outp, cost) in want.items():
        assert got[name][:3] == (calls, inp, outp)
        assert got[name][3] == pytest.approx(cost)
    total = data["total"]
    assert total["calls"] == 4
    assert total["input_tokens"] == sum(g["input_tokens"] for g in data["groups"])
    assert total["total_tokens"] == total["input_tokens"] + total["output_tokens"]
    # every call ran on the local backend: nothing was spent; what it would cost is apart
    assert total["cost_usd"] == 0
    assert total["local_cost_usd"] == pytest.approx(sum(w[3] for w in want.values()))
    assert {g["backend"] for g in data["groups"]} == {"local"}


def test_stats_by_day_and_since(logged: list[dict[str, object]]) -> None:
    data = cli(["history", "stats", "--by", "day", "--json"]).json()
    [day] = data["groups"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", day["day"]) and day["calls"] == 4
    assert cli(["history", "stats", "--since", "2999-01-01", "--json"]).json()["groups"] == []
    assert cli(["history", "stats", "--since", "7d", "--json"]).json()["total"]["calls"] == 4
    table = cli(["history", "stats", "--by", "command"])
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["command", "backend", "calls", "errors"]
    assert lines[-1].split()[:3] == ["total", "all", "4"]
    assert "estimates at catalog prices" in table.stderr
    bad = cli(["history", "stats", "--by", "week"])
    assert bad.exit_code == 2 and "--by 'week'" in bad.stderr


def test_stats_split_spend_by_backend(tmp_path: Path) -> None:
    """Local-backend calls are not spend: the total's cost is the aws calls' alone."""
    from bedrock_cli.history import CallRecord, History

    store = History(tmp_path / "data")
    for backend, cost in (("aws", 0.25), ("local", 0.5), ("local", 0.5)):
        store.record(CallRecord(command="generate", status="complete", model="m1",
                                backend=backend, usage={"input_tokens": 10, "output_tokens": 5},
                                cost_usd=cost))
    store.close()
    env = {"BEDROCK_CLI_HOME": str(tmp_path / "data")}
    data = cli(["history", "stats", "--json"], env=env).json()
    assert {(g["backend"], g["calls"], g["cost_usd"]) for g in data["groups"]} == {
        ("aws", 1, 0.25), ("local", 2, 1.0)}
    assert data["total"]["calls"] == 3
    assert data["total"]["cost_usd"] == 0.25 and data["total"]["local_cost_usd"] == 1.0
    assert data["backends"]["local"]["calls"] == 2
    table = cli(["history", "stats"], env=env)
    assert table.stdout.splitlines()[-1].split()[:3] == ["total", "all", "3"]
    assert table.stdout.splitlines()[-1].endswith("$0.250000")
    assert "2 calls ran on the local backend: no charge" in table.stderr


def test_stats_sums_cache_tokens_and_counts_unpriced(tmp_path: Path) -> None:
    from bedrock_cli.history import CallRecord, History

    store = History(tmp_path / "data")
    store.record(CallRecord(command="generate", status="complete", model="m1",
                            usage={"input_tokens": 10, "output_tokens": 5,
                                   "cache_read_tokens": 100, "cache_write_tokens": 7},
                            cost_usd=0.5))
    store.record(CallRecord(command="generate", status="complete", model="m1",
                            usage={"input_tokens": 3, "output_tokens": 1}, cost_usd=None))
    store.close()
    data = cli(["history", "stats", "--json"], env={"BEDROCK_CLI_HOME": str(tmp_path / "data")})
    [group] = data.json()["groups"]
    assert (group["cache_read_tokens"], group["cache_write_tokens"]) == (100, 7)
    assert group["total_tokens"] == 10 + 5 + 100 + 7 + 3 + 1
    assert group["cost_usd"] == 0.5 and group["unpriced"] == 1
