"""--cache-prompt: cachePoint blocks exactly where expected (the body the endpoint received),
and the local emulator reporting a cache write, then reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bedrock_cli.tasks import caching
from bedrock_cli.types import TextRequest, with_cache_points
from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws, cli

POINT = {"cachePoint": {"type": "default"}}
LOCAL = ["--backend", "local"]


def tool_answer(data: dict[str, Any]) -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": [
        {"toolUse": {"toolUseId": "t1", "name": "record_extraction", "input": data}}]}},
        "stopReason": "tool_use", "usage": {"inputTokens": 3, "outputTokens": 2,
                                            "totalTokens": 5}, "metrics": {"latencyMs": 5}}


def test_generate_puts_points_after_the_system_prompt_and_the_context(
        endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "What is this about?", "-m", "sonnet", "-s", "Be terse.",
              "--cache-prompt", input="A long document.\n")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert body["system"] == [{"text": "Be terse."}, POINT]
    assert body["messages"] == [{"role": "user", "content": [
        {"text": "A long document."}, POINT, {"text": "What is this about?"}]}]
    assert "below sonnet's minimum of 1,024" in run.stderr  # a short prefix is said so


def test_without_the_flag_nothing_changes(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    aws(endpoint, "generate", "What is this about?", "-m", "sonnet", "-s", "Be terse.",
        input="A long document.\n")
    body = endpoint.requests[0].json()
    assert body["system"] == [{"text": "Be terse."}]
    assert body["messages"][0]["content"] == [
        {"text": "What is this about?\n\nA long document."}]


def test_a_continued_conversation_caches_up_to_the_last_answer(
        endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["First answer."]))
    assert aws(endpoint, "generate", "Hello", "-m", "sonnet").exit_code == 0
    endpoint.add_stream(converse_frames(["Second answer."]))
    run = aws(endpoint, "generate", "-c", "And then?", "-m", "sonnet", "--cache-prompt")
    assert run.exit_code == 0, run.stderr
    messages = endpoint.requests[1].json()["messages"]
    assert messages[1] == {"role": "assistant", "content": [{"text": "First answer."}, POINT]}
    assert messages[2] == {"role": "user", "content": [{"text": "And then?"}]}


def test_ask_caches_the_sources_not_the_question(endpoint: FakeEndpoint) -> None:
    Path("notes.md").write_text("The capital of Japan is Tokyo.\n")
    endpoint.add_stream(converse_frames(["Tokyo [1]."]))
    run = aws(endpoint, "ask", "What is the capital of Japan?", "-f", "notes.md", "-m",
              "sonnet", "--cache-prompt")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert body["system"][-1] == POINT
    sources, point, question = body["messages"][0]["content"]
    assert sources["text"].startswith("<sources>") and point == POINT
    assert question == {"text": "Question: What is the capital of Japan?"}


def test_extract_caches_tools_system_and_document(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(tool_answer({"total": 5}))
    run = aws(endpoint, "extract", "Invoice INV-7 total $5.00", "-F", "total:number", "-m",
              "sonnet", "--cache-prompt")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert body["toolConfig"]["tools"][-1] == POINT
    assert body["toolConfig"]["tools"][0]["toolSpec"]["name"] == "record_extraction"
    assert body["system"][-1] == POINT
    document, point, instruction = body["messages"][0]["content"]
    assert document["text"].startswith("<document>") and point == POINT
    assert instruction["text"].startswith("Extract the fields")


def test_nova_gets_no_tool_cache_point(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(tool_answer({"total": 5}))
    run = aws(endpoint, "extract", "total $5", "-F", "total:number", "-m", "nova-pro",
              "--cache-prompt")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert POINT not in body["toolConfig"]["tools"]
    assert body["system"][-1] == POINT


def test_a_model_without_caching_gets_a_notice_and_no_points(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "generate", "Hi", "-m", "llama", "-s", "Be terse.", "--cache-prompt")
    assert run.exit_code == 0, run.stderr
    assert "llama does not support prompt caching; sending without cache points." in run.stderr
    assert "cachePoint" not in endpoint.requests[0].body.decode()


def test_invoke_api_is_refused(endpoint: FakeEndpoint) -> None:
    run = aws(endpoint, "generate", "Hi", "-m", "sonnet", "--api", "invoke", "--cache-prompt")
    assert run.exit_code == 2 and "--cache-prompt works with the Converse API" in run.stderr
    assert endpoint.requests == []


def test_at_most_four_points_newest_turns_first() -> None:
    tools = {"tools": [{"toolSpec": {"name": "t"}}]}
    turns = []
    for i in range(3):
        turns += [{"role": "user", "content": [{"text": f"q{i}"}]},
                  {"role": "assistant", "content": [{"text": f"a{i}"}]}]
    request = TextRequest("m", [*turns, {"role": "user", "content": [{"text": "doc"},
                                                                      {"text": "q"}]}],
                          system=["s"], tool_config=tools)
    # tools, system, the context, then the last answer: the older answers do not fit
    assert caching.positions(request, None) == ["tools", "system", (5, 0), (6, 0)]
    body = with_cache_points(request.converse_kwargs(), request.cache_points or
                             caching.positions(request, None))
    assert body["messages"][5]["content"] == [{"text": "a2"}, POINT]
    assert body["messages"][6]["content"] == [{"text": "doc"}, POINT, {"text": "q"}]
    assert request.messages[5]["content"] == [{"text": "a2"}]  # the request is untouched


# -- the local backend simulates the cache ---------------------------------------------------

def test_chat_writes_the_cache_then_reads_it() -> None:
    system = "You answer questions about the harbour town. " * 150
    run = cli([*LOCAL, "chat", "-m", "sonnet", "-s", system, "--cache-prompt", "--json"],
              input="hello\nwhat next?\nand then?\n")
    assert run.exit_code == 0, run.stderr
    turns = [json.loads(line) for line in run.stdout.splitlines()]
    first, second, third = (t["usage"] for t in turns)
    assert first["cache_write_tokens"] > 1024 and first["cache_read_tokens"] == 0
    assert second["cache_read_tokens"] >= first["cache_write_tokens"]
    assert third["cache_read_tokens"] > second["cache_read_tokens"]
    # cache tokens are priced: the second turn costs less than the first
    assert turns[1]["cost_usd"] < turns[0]["cost_usd"]


def test_summarize_map_reduce_with_cache_points(tmp_path: Path) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join(f"Paragraph {i}. " + "The harbour grew busier. " * 60
                               for i in range(4)))
    run = cli([*LOCAL, "summarize", str(doc), "-m", "sonnet", "--cache-prompt", "--json",
               "--chunk-tokens", "2000"])
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["calls"] > 1 and result["text"]
    # the map calls share only the short system prompt: under the minimum, nothing cached
    assert "cache_read_tokens" not in result["usage"]
