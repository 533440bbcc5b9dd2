"""`invoke`, `embed`, `tokens` and `generate --api invoke` on the local backend, end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bedrock_cli.history import History
from tests.helpers import cli

LOCAL = ["--backend", "local"]
PROMPT = "After the rain, the streets were"
CLAUDE = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 6,
          "messages": [{"role": "user", "content": PROMPT}]}


# ------------------------------------------------------------------ generate --api invoke


@pytest.mark.parametrize("model", ["haiku", "titan-express", "nova-lite", "llama", "mistral",
                                   "command-r"])
@pytest.mark.parametrize("stream", [True, False])
def test_generate_api_invoke_matches_converse(model: str, stream: bool) -> None:
    args = ["generate", *LOCAL, PROMPT, "-m", model, "--temperature", "0", "--max-tokens", "9",
            "--json", *([] if stream else ["--no-stream"])]
    native, converse = cli([*args, "--api", "invoke"]), cli(args)
    assert native.exit_code == 0, native.stderr
    assert native.stderr == ""
    got, want = native.json(), converse.json()
    assert got["text"] == want["text"] and got["text"]
    assert got["usage"] == want["usage"] == {"input_tokens": 7, "output_tokens": 9,
                                             "total_tokens": 16}
    assert got["stop_reason"] == "max_tokens"
    assert got["history_id"]


def test_generate_api_invoke_streams_plain_text() -> None:
    run = cli(["generate", *LOCAL, PROMPT, "-m", "haiku", "--api", "invoke", "--max-tokens",
               "5", "--temperature", "0"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout.endswith("\n") and len(run.stdout.split()) >= 2


@pytest.mark.parametrize(("args", "message"), [
    (["--api", "rest"], "--api 'rest' is not converse or invoke"),
    (["-m", "llama", "--api", "invoke", "--stop", "x"], "Llama's native body takes no stop"),
    (["-m", "titan-embed", "--api", "invoke"], "no native text body"),
])
def test_generate_api_usage_errors(args: list[str], message: str) -> None:
    run = cli(["generate", *LOCAL, "hi", *args])
    assert run.exit_code == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2
    assert run.stdout == ""


# ------------------------------------------------------------------ invoke


def test_invoke_prints_the_body_as_json() -> None:
    run = cli(["invoke", *LOCAL, "haiku-3", "--body", json.dumps(CLAUDE)])
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("\n") == 1  # one line when piped
    body = run.json()
    assert body["type"] == "message" and body["usage"]["output_tokens"] <= 6


def test_invoke_streams_one_json_line_per_chunk() -> None:
    run = cli(["invoke", *LOCAL, "haiku-3", "--stream", "--body", json.dumps(CLAUDE)])
    assert run.exit_code == 0, run.stderr
    chunks = [json.loads(line) for line in run.stdout.splitlines()]
    assert chunks[0]["type"] == "message_start" and chunks[-1]["type"] == "message_stop"
    assert "amazon-bedrock-invocationMetrics" in chunks[-1]


def test_invoke_body_from_file_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"inputText": "hello"}))
    from_file = cli(["invoke", *LOCAL, "titan-embed", "--body", f"@{path}"])
    from_stdin = cli(["invoke", *LOCAL, "titan-embed"], input=json.dumps({"inputText": "hello"}))
    dash = cli(["invoke", *LOCAL, "titan-embed", "--body", "-"],
               input=json.dumps({"inputText": "hello"}))
    assert from_file.exit_code == from_stdin.exit_code == dash.exit_code == 0
    assert from_file.json() == from_stdin.json() == dash.json()
    assert len(from_file.json()["embedding"]) == 1024


def test_invoke_out_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    out = tmp_path / "o" / "response.json"
    first = cli(["invoke", *LOCAL, "haiku-3", "--body", json.dumps(CLAUDE), "-o", str(out)])
    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""
    assert json.loads(out.read_bytes())["type"] == "message"
    out.write_text("keep me")
    again = cli(["invoke", *LOCAL, "haiku-3", "--body", json.dumps(CLAUDE), "-o", str(out)])
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert out.read_text() == "keep me"
    forced = cli(["invoke", *LOCAL, "haiku-3", "--stream", "--body", json.dumps(CLAUDE),
                  "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.stderr
    lines = out.read_text().splitlines()
    assert json.loads(lines[-1])["type"] == "message_stop"
    assert [p.name for p in out.parent.iterdir()] == ["response.json"]  # no temp file left


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--body", "{not json"], 2, "not valid JSON"),
    (["--body", "@/no/such/file.json"], 2, "File not found"),
    (["--body", json.dumps({"max_tokens": 5})], 5, "Malformed input request"),
])
def test_invoke_errors(args: list[str], code: int, message: str) -> None:
    run = cli(["invoke", *LOCAL, "haiku-3", *args])
    assert run.exit_code == code
    assert message in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_invoke_is_logged_in_history(isolated_env: Path) -> None:
    run = cli(["invoke", *LOCAL, "haiku-3", "--body", json.dumps(CLAUDE)])
    assert run.exit_code == 0
    row = History(isolated_env / "data").latest()
    assert row is not None
    assert row["command"] == "invoke" and row["status"] == "complete"
    assert row["input_tokens"] == 7 and json.loads(row["prompt"]) == CLAUDE


# ------------------------------------------------------------------ embed


def vector(*args: str, input: str | None = None) -> list[float]:
    run = cli(["embed", *LOCAL, *args], input=input)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.count("\n") == 1
    return list(json.loads(run.stdout))


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("dims", ["256", "512", "1024"])
def test_embed_dimensions_and_unit_length(dims: str) -> None:
    vec = vector("The cat sat on the mat.", "--dimensions", dims)
    assert len(vec) == int(dims)
    assert math.sqrt(sum(v * v for v in vec)) == pytest.approx(1.0)


def test_embed_is_deterministic_and_closer_for_shared_words() -> None:
    a = vector("the cat sat on the mat")
    assert vector("the cat sat on the mat") == a
    assert cosine(a, vector("a cat sat on a mat")) > cosine(a, vector("quarterly revenue grew"))


def test_embed_json_fields_and_inputs(tmp_path: Path) -> None:
    run = cli(["embed", *LOCAL, "hello world", "--json", "-d", "256"])
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert {k: data[k] for k in ("dimensions", "model", "model_id", "backend",
                                 "input_tokens")} == {
        "dimensions": 256, "model": "amazon.titan-embed-text-v2:0",
        "model_id": "amazon.titan-embed-text-v2:0", "backend": "local", "input_tokens": 2}
    assert len(data["embedding"]) == 256 and data["history_id"]
    path = tmp_path / "doc.txt"
    path.write_text("hello world")
    assert vector(str(path), "-d", "256") == data["embedding"]
    assert vector("-", "-d", "256", input="hello world") == data["embedding"]
    assert vector("-d", "256", input="hello world") == data["embedding"]


def test_embed_cohere_and_no_normalize() -> None:
    assert len(vector("hello", "-m", "cohere-embed", "--input-type", "search_query")) == 1024
    raw = vector("hello hello world", "--no-normalize")
    assert math.sqrt(sum(v * v for v in raw)) > 1.01


@pytest.mark.parametrize(("args", "message"), [
    (["--dimensions", "300"], "Use one of: 256, 512, 1024"),
    (["-m", "cohere-embed", "--dimensions", "512"], "not one cohere.embed-english-v3 offers"),
    (["--input-type", "search_query"], "--input-type is for Cohere"),
    (["-m", "cohere-embed", "--input-type", "query"], "search_document, search_query"),
    (["-m", "cohere-embed", "--no-normalize"], "for Titan Embeddings v2"),
    (["-m", "haiku"], "not an embeddings model"),
])
def test_embed_option_errors_exit_2_before_any_call(args: list[str], message: str) -> None:
    run = cli(["embed", *LOCAL, "hello", *args])
    assert run.exit_code == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_embed_many_streams_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "the cat", "id": "a"}\n\n"the dog"\nnot json\n')
    out = tmp_path / "out.jsonl"
    run = cli(["embed", *LOCAL, "--many", str(source), "-d", "256", "-o", str(out)])
    assert run.exit_code == 5
    assert "1 of 3 inputs could not be embedded" in run.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in records] == [1, 3, 4]
    assert records[0]["id"] == "a" and len(records[0]["embedding"]) == 256
    assert records[1]["embedding"] == vector("the dog", "-d", "256")
    assert "not valid JSON" in records[2]["error"]["message"]


def test_embed_many_text_file_to_stdout(tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("first line\nsecond line\n")
    run = cli(["embed", *LOCAL, "--many", str(source)])
    assert run.exit_code == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["line"], r["dimensions"]) for r in records] == [(1, 1024), (2, 1024)]
    assert "2 embedded, 0 failed" in run.stderr


# ------------------------------------------------------------------ tokens


def test_tokens_exact_for_models_countTokens_supports() -> None:
    run = cli(["tokens", *LOCAL, "How many tokens is this?", "-m", "haiku"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "6 tokens\n"
    data = cli(["tokens", *LOCAL, "How many tokens is this?", "-m", "haiku", "--json"]).json()
    assert data["input_tokens"] == 6 and data["exact"] is True
    assert data["model"] == "anthropic.claude-haiku-4-5-20251001-v1:0"


def test_tokens_estimate_is_labelled() -> None:
    run = cli(["tokens", *LOCAL, "How many tokens is this?"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ("≈ 6 tokens (local estimate; Bedrock's CountTokens does not support "
                          "this model)\n")
    data = cli(["tokens", *LOCAL, "-", "--json"], input="How many tokens is this?").json()
    assert data == {"input_tokens": 6, "model": "amazon.nova-lite-v1:0",
                    "model_id": "amazon.nova-lite-v1:0", "exact": False, "backend": None}


def test_tokens_rejects_non_text_models() -> None:
    run = cli(["tokens", *LOCAL, "hi", "-m", "titan-embed"])
    assert run.exit_code == 2 and "tokens counts a text model" in run.stderr
