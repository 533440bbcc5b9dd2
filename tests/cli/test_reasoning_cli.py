"""--reasoning-budget / --reasoning-effort / --hide-reasoning: the fields sent, the rules
checked before any call, the reasoning shown on stderr, kept in history and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedrock_cli.history import History
from bedrock_cli.local.eventstream import event
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import aws, cli

LOCAL = ["--backend", "local"]


def thinking_frames(thought: list[str], answer: list[str]) -> list[bytes]:
    frames = [event("messageStart", {"role": "assistant"})]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0,
                                           "delta": {"reasoningContent": {"text": t}}})
               for t in thought]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {
        "reasoningContent": {"signature": "c2lnbmF0dXJl"}}}),
               event("contentBlockStop", {"contentBlockIndex": 0})]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": a}})
               for a in answer]
    frames += [event("contentBlockStop", {"contentBlockIndex": 1}),
               event("messageStop", {"stopReason": "end_turn"}),
               event("metadata", {"usage": {"inputTokens": 5, "outputTokens": 9,
                                            "totalTokens": 14}, "metrics": {"latencyMs": 7}})]
    return frames


def test_budget_goes_into_thinking_for_claude(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(thinking_frames(["Let me ", "think."], ["Blue ", "light."]))
    run = aws(endpoint, "generate", "Why is the sky blue?", "-m", "sonnet",
              "--reasoning-budget", "2048")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Blue light.\n"
    assert run.stderr == "Let me think.\n\n"  # dimmed on a terminal; plain when not
    body = endpoint.requests[0].json()
    assert body["additionalModelRequestFields"] == {
        "thinking": {"type": "enabled", "budget_tokens": 2048}}
    assert "temperature" not in body.get("inferenceConfig", {})


def test_hide_reasoning_keeps_it_out_of_stderr_but_in_history_and_json(
        endpoint: FakeEndpoint, isolated_env: Path) -> None:
    endpoint.add_stream(thinking_frames(["Secret ", "thoughts."], ["Answer."]))
    run = aws(endpoint, "generate", "Q?", "-m", "sonnet", "--reasoning-budget", "2048", "-R")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Answer.\n" and run.stderr == ""
    [row] = History(isolated_env / "data").rows()
    assert row["reasoning"] == "Secret thoughts." and row["response"] == "Answer."
    assert json.loads(row["params"])["reasoning_budget"] == 2048
    endpoint.add_stream(thinking_frames(["Secret ", "thoughts."], ["Answer."]))
    result = aws(endpoint, "generate", "Q?", "-m", "sonnet", "--reasoning-budget", "2048",
                 "-R", "--json").json()
    assert result["reasoning"] == "Secret thoughts." and result["text"] == "Answer."


def test_max_tokens_are_raised_for_the_budget_and_we_say_so(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(thinking_frames(["Hm."], ["Ok."]))
    run = aws(endpoint, "generate", "Q?", "-m", "sonnet", "--reasoning-budget", "3000",
              "--max-tokens", "500")
    assert run.exit_code == 0, run.stderr
    assert "--max-tokens raised from 500 to 7096: the thinking budget (3000) counts toward " \
           "them." in run.stderr
    assert endpoint.requests[0].json()["inferenceConfig"] == {"maxTokens": 7096}


def test_effort_picks_a_budget_for_claude(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(thinking_frames(["Hm."], ["Ok."]))
    run = aws(endpoint, "generate", "Q?", "-m", "haiku", "--reasoning-effort", "high")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert body["additionalModelRequestFields"]["thinking"]["budget_tokens"] == 16384
    assert body["inferenceConfig"]["maxTokens"] == 16384 + 4096


def test_effort_is_nova_2s_own_setting(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(thinking_frames(["[REDACTED]"], ["Ok."]))
    run = aws(endpoint, "generate", "Q?", "-m", "us.amazon.nova-2-lite-v1:0",
              "--reasoning-effort", "medium")
    assert run.exit_code == 0, run.stderr
    assert endpoint.requests[0].json()["additionalModelRequestFields"] == {
        "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "medium"}}
    run = aws(endpoint, "generate", "Q?", "-m", "us.amazon.nova-2-lite-v1:0",
              "--reasoning-budget", "2048")
    assert run.exit_code == 2 and "not a token budget" in run.stderr


@pytest.mark.parametrize("args, words", [
    (["-t", "0.5"], "thinking allows only the default temperature (1)"),
    (["--top-k", "40"], "thinking does not allow top-k"),
    (["--top-p", "0.5"], "thinking allows top-p only from 0.95 to 1"),
    (["--reasoning-budget", "500"], "below the minimum of 1024"),
    (["--reasoning-budget", "64000"], "leaves no room for the answer"),
    (["--reasoning-effort", "extreme"], "is not one of low, medium, high"),
    (["--reasoning-budget", "2048", "--reasoning-effort", "low"], "not both"),
    (["--api", "invoke"], "Reasoning flags work with the Converse API"),
    (["--no-stream", "--max-tokens", "30000"], "--no-stream cannot ask for 30,000"),
])
def test_rules_are_exit_2_before_any_call(endpoint: FakeEndpoint, args: list[str],
                                          words: str) -> None:
    flags = args if any(a.startswith("--reasoning") for a in args) else \
        ["--reasoning-budget", "2048", *args]
    run = aws(endpoint, "generate", "Q?", "-m", "sonnet", *flags)
    assert run.exit_code == 2, run.stderr
    assert words in run.stderr
    assert endpoint.requests == []


def test_models_without_reasoning_are_refused(endpoint: FakeEndpoint) -> None:
    run = aws(endpoint, "generate", "Q?", "-m", "nova-lite", "--reasoning-budget", "2048")
    assert run.exit_code == 2
    assert "nova-lite does not reason" in run.stderr and "sonnet" in run.stderr
    assert endpoint.requests == []


# -- the local backend --------------------------------------------------------------------

def test_local_reasoning_streams_to_stderr_and_is_kept(isolated_env: Path) -> None:
    run = cli([*LOCAL, "generate", "Why is the sky blue?", "-m", "sonnet",
               "--reasoning-budget", "2048", "--seed", "5"])
    assert run.exit_code == 0, run.stderr
    thought = run.stderr.rstrip("\n")
    assert thought and run.stdout.strip()
    assert thought not in run.stdout
    [row] = History(isolated_env / "data").rows()
    assert row["reasoning"] == thought
    hidden = cli([*LOCAL, "generate", "Why is the sky blue?", "-m", "sonnet",
                  "--reasoning-budget", "2048", "--seed", "5", "-R"])
    assert hidden.stderr == "" and hidden.stdout == run.stdout


def test_local_reasoning_in_json_and_without_streaming() -> None:
    result = cli([*LOCAL, "generate", "Why?", "-m", "sonnet", "--reasoning-effort", "low",
                  "--json"]).json()
    assert result["reasoning"] and result["text"]
    assert result["usage"]["output_tokens"] > 0
    run = cli([*LOCAL, "generate", "Why?", "-m", "sonnet", "--reasoning-budget", "1024",
               "--no-stream", "--max-tokens", "2000"])
    assert run.exit_code == 0, run.stderr
    assert run.stderr.endswith("\n\n") and run.stdout.strip()


def test_chat_and_ask_take_reasoning() -> None:
    run = cli([*LOCAL, "chat", "-m", "sonnet", "--reasoning-budget", "1500", "--json"],
              input="hello\n")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[0])["reasoning"]
    Path("notes.md").write_text("The capital of Japan is Tokyo.\n")
    run = cli([*LOCAL, "ask", "What is the capital of Japan?", "-f", "notes.md", "-m",
               "sonnet", "--reasoning-budget", "1500", "--json"])
    assert run.exit_code == 0, run.stderr
    assert run.json()["reasoning"]
