"""`generate` on the local backend, end to end through the CLI, boto3 and the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bedrock_cli.history import History
from tests.helpers import cli

SEED_PROMPT = "After the rain, the streets were"


def test_local_generate_streams_a_continuation() -> None:
    run = cli(["generate", "--backend", "local", SEED_PROMPT])
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""  # an explicit --backend local needs no notice
    assert len(run.stdout.split()) >= 3
    assert run.stdout.endswith("\n")


def test_auto_without_credentials_says_it_is_local() -> None:
    run = cli(["generate", SEED_PROMPT, "--max-tokens", "5"])
    assert run.exit_code == 0, run.stderr
    assert "offline local backend" in run.stderr
    assert "--backend aws" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_common_options_after_the_subcommand_and_json_result() -> None:
    run = cli(["generate", SEED_PROMPT, "--backend", "local", "--json", "--seed", "7"])
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["backend"] == "local"
    assert result["model"] == "amazon.nova-lite-v1:0"
    assert result["model_id"] == "amazon.nova-lite-v1:0"
    usage = result["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_tokens"] > 0
    assert result["stop_reason"] in {"end_turn", "max_tokens"}
    assert isinstance(result["cost_usd"], float)
    assert isinstance(result["latency_ms"], int)
    assert result["history_id"]


def test_common_options_before_the_subcommand() -> None:
    run = cli(["--backend", "local", "--json", "generate", SEED_PROMPT, "--max-tokens", "4"])
    assert run.exit_code == 0, run.stderr
    assert run.json()["usage"]["output_tokens"] <= 4


@pytest.mark.parametrize("extra", [["--temperature", "0"], ["--seed", "42", "--temperature",
                                                            "0.9"]])
def test_reproducible_with_temperature_0_or_a_seed(extra: list[str]) -> None:
    args = ["generate", "--backend", "local", SEED_PROMPT, "--no-log", *extra]
    first, second = cli(args), cli(args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_streamed_and_unstreamed_agree_under_a_seed() -> None:
    args = ["generate", "--backend", "local", SEED_PROMPT, "--seed", "3", "--json"]
    streamed = cli(args).json()
    waited = cli([*args, "--no-stream"]).json()
    assert streamed["text"] == waited["text"]
    assert streamed["usage"] == waited["usage"]


def test_max_tokens_is_honoured() -> None:
    run = cli(["generate", "--backend", "local", SEED_PROMPT, "--max-tokens", "3", "--json",
               "--temperature", "0"])
    result = run.json()
    assert result["usage"]["output_tokens"] <= 3


@pytest.mark.parametrize(("args", "needle"), [
    (["--temperature", "5"], "--temperature 5"),
    (["--top-p", "1.5"], "--top-p"),
    (["--max-tokens", "0"], "--max-tokens 0"),
    (["--max-tokens", "999999"], "limit"),
    (["-m", "gpt-4o"], "models list"),
    (["-m", "nova-micro", "-a", "missing.png"], "File not found"),
    (["-m", "titan-express", "--top-k", "5"], "top-k"),
])
def test_bad_input_is_exit_2_before_any_call(args: list[str], needle: str,
                                             isolated_env: Path) -> None:
    run = cli(["generate", "--backend", "local", "hello", *args])
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert run.stdout == ""
    assert needle in run.stderr
    assert "Traceback" not in run.stderr
    assert not (isolated_env / "data" / "history.db").exists()  # nothing was called


def test_a_bad_flag_is_reported_before_the_backend_is_chosen() -> None:
    run = cli(["generate", "hi", "--temperature", "5"])  # auto backend, no credentials
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "Error: --temperature 5 is outside Bedrock's range.",
        "Hint: Use a value from 0 to 1 (0 = most predictable).",
    ]


def test_unknown_model_names_the_closest_aliases() -> None:
    run = cli(["generate", "--backend", "local", "hi", "-m", "sonet"])
    assert run.exit_code == 2
    assert "sonnet" in run.stderr


def test_no_prompt_is_exit_2() -> None:
    run = cli(["generate", "--backend", "local"], input="")
    assert run.exit_code == 2
    assert "No prompt" in run.stderr


def test_stdin_that_is_not_utf8_is_exit_2() -> None:
    run = cli(["generate", "--backend", "local", "hi"], input=b"\xff\xfe\xfa bad")
    assert run.exit_code == 2
    assert "UTF-8" in run.stderr


def test_attachments_are_checked(tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "pic.png"
    Image.new("RGB", (32, 32), "blue").save(image)
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02")
    run = cli(["generate", "--backend", "local", "hi", "-m", "nova-micro", "-a", str(image)])
    assert run.exit_code == 2 and "does not take images" in run.stderr
    run = cli(["generate", "--backend", "local", "hi", "-a", str(binary)])
    assert run.exit_code == 2 and "Cannot attach" in run.stderr
    run = cli(["generate", "--backend", "local", "What colour?", "-a", str(image), "--json"])
    assert run.exit_code == 0, run.stderr


def test_history_and_no_log(isolated_env: Path) -> None:
    run = cli(["generate", "--backend", "local", "hello there", "--json"])
    history_id = run.json()["history_id"]
    db = History(isolated_env / "data")
    row = db.get(history_id)
    assert row is not None
    assert row["status"] == "complete"
    assert row["prompt"] == "hello there"
    assert row["backend"] == "local"
    assert (isolated_env / "data" / "history.db").stat().st_mode & 0o777 == 0o600
    run = cli(["generate", "--backend", "local", "unlogged", "--json", "--no-log"])
    assert run.json()["history_id"] is None
    assert db.latest()["id"] == history_id


def test_continue_carries_the_conversation(isolated_env: Path) -> None:
    first = cli(["generate", "--backend", "local", "My name is Ada.", "--json"]).json()
    second = cli(["generate", "--backend", "local", "-c", "What is my name?", "--json"]).json()
    db = History(isolated_env / "data")
    row = db.get(second["history_id"])
    assert row["conversation_id"] == first["history_id"]
    messages = json.loads(row["messages"])
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    third = cli(["generate", "--backend", "local", "--cid", first["history_id"], "Again?",
                 "--json"]).json()
    assert db.get(third["history_id"])["conversation_id"] == first["history_id"]
    bad = cli(["generate", "--backend", "local", "--cid", "nope", "x"])
    assert bad.exit_code == 2


def test_continue_skips_calls_without_a_conversation(isolated_env: Path) -> None:
    first = cli(["generate", "--backend", "local", "Remember the word teal.", "--json"]).json()
    embedded = cli(["embed", "--backend", "local", "unrelated text", "--json"])
    assert embedded.exit_code == 0, embedded.stderr
    second = cli(["generate", "--backend", "local", "-c", "Which word?", "--json"]).json()
    row = History(isolated_env / "data").get(second["history_id"])
    assert row["conversation_id"] == first["history_id"]


def test_usage_line_on_stderr() -> None:
    run = cli(["generate", "--backend", "local", "hi", "--usage", "--max-tokens", "5"])
    assert run.exit_code == 0
    assert "tokens" in run.stderr and "$" in run.stderr


def test_version_and_module_entry_point() -> None:
    assert cli(["--version"]).stdout.strip() == "bedrock-cli 0.1.0"
    proc = subprocess.run([sys.executable, "-m", "bedrock_cli", "--version"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "bedrock-cli 0.1.0"


def test_help_does_not_import_boto3_or_rich_markdown() -> None:
    code = ("import sys\nfrom bedrock_cli.cli.main import main\nsys.argv=['bedrock-cli','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('boto3' in sys.modules, 'rich.markdown' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip().splitlines()[-1] == "False False"
