"""The text engines answer the same over `serve` (HTTP) as in-process: the instruction forms
of the text engine, typed QA spans and people facts in extraction."""

from __future__ import annotations

from typing import Any

from bedrock_cli.local.engines._syllables import line_syllables
from tests.serve.conftest import Live

NOVA = "amazon.nova-lite-v1:0"


def _text(response: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in response["output"]["message"]["content"])


def _ask(client: Any, text: str, **extra: Any) -> dict[str, Any]:
    return client.converse(modelId=NOVA, messages=[{"role": "user", "content": [{"text": text}]}],
                           inferenceConfig={"temperature": 0, "maxTokens": 300}, **extra)


def test_a_haiku_over_http(live: Live) -> None:
    text = _text(_ask(live.client(), "Write a haiku about S3"))
    assert [line_syllables(line) for line in text.split("\n")] == [5, 7, 5]


def test_a_typed_answer_over_http(live: Live) -> None:
    context = ('<source id="1" file="kili.txt">\nMount Kilimanjaro\n\nAt 5,895 metres, it is the '
               'highest mountain in Africa.\n</source>\n\nQuestion: How high is Kilimanjaro?')
    text = _text(_ask(live.client(), context, requestMetadata={"task": "ask"}))
    assert text.startswith("5,895 metres: ")


def test_people_facts_over_http(live: Live) -> None:
    schema = {"type": "object", "properties": {
        "age": {"type": "integer"}, "city": {"type": "string"},
        "languages": {"type": "array", "items": {"type": "string"}}}}
    response = live.client().converse(
        modelId=NOVA, messages=[{"role": "user", "content": [{"text": (
            "<document>\nAlex, aged 42, lives in Lisbon and speaks Portuguese and English.\n"
            "</document>")}]}],
        toolConfig={"tools": [{"toolSpec": {"name": "record_extraction",
                                            "inputSchema": {"json": schema}}}],
                    "toolChoice": {"tool": {"name": "record_extraction"}}},
        requestMetadata={"task": "extract"})
    use = response["output"]["message"]["content"][0]["toolUse"]
    assert use["input"] == {"age": 42, "city": "Lisbon", "languages": ["Portuguese", "English"]}
