"""The local task engines behind requestMetadata hints, through a real boto3 client."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from bedrock_cli.text.tokenizer import count_tokens
from tests.pdfmaker import make_pdf

NOVA_LITE = "amazon.nova-lite-v1:0"
STORY = (
    "The harbour town of Lindqvist was founded by fishermen in 1742. For two centuries its "
    "economy depended on herring, which the town exported across the Baltic. In 1905 a "
    "railway reached the town and changed its trade completely. Tourists began to arrive "
    "every summer, drawn by the old wooden houses. Today the herring fleet is gone, but the "
    "annual herring festival still fills the harbour every August. The town council recently "
    "voted to restore the railway station as a museum.\n\nThe museum will open next spring."
)


def converse(runtime: Any, text: str, task: str, **extra: Any) -> dict[str, Any]:
    metadata = {"task": task, **extra.pop("hints", {})}
    return runtime.converse(modelId=NOVA_LITE, messages=[
        {"role": "user", "content": extra.pop("content", None) or [{"text": text}]}],
        requestMetadata=metadata, **extra)


def text_of(response: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in response["output"]["message"]["content"])


@pytest.mark.parametrize(("length", "most"), [("short", 2), ("medium", 5), ("long", 12)])
def test_summarize_reads_the_document_tags_and_the_length_hint(runtime: Any, length: str,
                                                               most: int) -> None:
    prompt = f"Summarize the document below.\n\n<document>\n{STORY}\n</document>"
    summary = text_of(converse(runtime, prompt, "summarize", hints={"length": length}))
    sentences = [s for s in summary.split(". ") if s]
    assert 1 <= len(sentences) <= most
    assert "Summarize the document" not in summary  # the instruction is not summarized
    for sentence in sentences:
        assert sentence.rstrip(".") in STORY


def test_summarize_style_bullets_and_tldr(runtime: Any) -> None:
    prompt = f"<document>\n{STORY}\n</document>"
    bullets = text_of(converse(runtime, prompt, "summarize", hints={"style": "bullets"}))
    assert all(line.startswith("- ") for line in bullets.splitlines())
    tldr = text_of(converse(runtime, prompt, "summarize", hints={"style": "tldr"}))
    assert tldr.startswith("TL;DR: ")
    assert "\n" not in tldr


def test_summarize_focus_hint_changes_the_pick(runtime: Any) -> None:
    prompt = f"<document>\n{STORY}\n</document>"
    plain = text_of(converse(runtime, prompt, "summarize", hints={"length": "short"}))
    focused = text_of(converse(runtime, prompt, "summarize",
                               hints={"length": "short", "focus": "railway museum"}))
    assert "railway" in focused.lower()
    assert plain != focused


def test_summarize_a_pdf_document_block(runtime: Any) -> None:
    pdf = make_pdf([["The harbour town of Lindqvist was founded by fishermen in 1742.",
                     "Its economy depended on herring for two centuries."]])
    content = [{"document": {"format": "pdf", "name": "town", "source": {"bytes": pdf}}},
               {"text": "Summarize the document."}]
    summary = text_of(converse(runtime, "", "summarize", content=content))
    assert "Lindqvist" in summary


def ask_prompt(question: str) -> str:
    return ('<sources>\n<source id="1" file="a.md" lines="1-2">\nParis is large. The capital '
            'of France is Paris.\n</source>\n<source id="2" file="b.md" lines="1-1">\nThe '
            f'capital of Japan is Tokyo.\n</source>\n</sources>\n\nQuestion: {question}')


def test_ask_answers_from_the_sources_and_cites_one(runtime: Any) -> None:
    answer = text_of(converse(runtime, ask_prompt("What is the capital of Japan?"), "ask"))
    assert "The capital of Japan is Tokyo." in answer
    assert answer.endswith("[2]")


def test_ask_says_plainly_when_the_context_lacks_the_answer(runtime: Any) -> None:
    answer = text_of(converse(runtime, ask_prompt("What is the capital of Peru?"), "ask"))
    assert answer == "The context does not contain the answer to that question."


def test_ask_without_any_context_says_so(runtime: Any) -> None:
    answer = text_of(converse(runtime, "Question: What is the capital of Peru?", "ask"))
    assert "has none" in answer


INVOICE = ("ACME Tools Ltd\nInvoice number: INV-2041\nDate: March 3, 2025\n"
           "Bill to: Jane Smith, jane.smith@example.com\nTotal due: $1,234.50\n")
SCHEMA = {"type": "object", "required": ["invoice_number", "date", "total", "email"],
          "properties": {"invoice_number": {"type": ["string", "null"]},
                         "date": {"type": ["string", "null"], "format": "date"},
                         "total": {"type": ["number", "null"]},
                         "email": {"type": ["string", "null"]}}}
TOOLS = {"tools": [{"toolSpec": {"name": "record_extraction",
                                 "inputSchema": {"json": SCHEMA}}}],
         "toolChoice": {"tool": {"name": "record_extraction"}}}
EXPECTED = {"invoice_number": "INV-2041", "date": "2025-03-03", "total": 1234.5,
            "email": "jane.smith@example.com"}


def test_extract_answers_with_the_forced_tool(runtime: Any) -> None:
    response = converse(runtime, f"Extract.\n<document>\n{INVOICE}</document>", "extract",
                        toolConfig=TOOLS)
    assert response["stopReason"] == "tool_use"
    [block] = response["output"]["message"]["content"]
    use = block["toolUse"]
    assert use["name"] == "record_extraction"
    assert use["input"] == EXPECTED
    assert response["usage"]["outputTokens"] == count_tokens(json.dumps(EXPECTED))


def test_extract_streams_the_tool_input(runtime: Any) -> None:
    response = runtime.converse_stream(
        modelId=NOVA_LITE, toolConfig=TOOLS, requestMetadata={"task": "extract"},
        messages=[{"role": "user", "content": [{"text": f"<document>\n{INVOICE}</document>"}]}])
    events = list(response["stream"])
    deltas = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
              if "contentBlockDelta" in e and "toolUse" in e["contentBlockDelta"]["delta"]]
    assert json.loads("".join(deltas)) == EXPECTED
    assert events[-2]["messageStop"]["stopReason"] == "tool_use"


def test_extract_many_records_through_a_wrapping_object(runtime: Any) -> None:
    schema = {"type": "object", "required": ["records"], "properties": {"records": {
        "type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "email": {"type": "string"}}}}}}
    tools = {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": schema}}}],
             "toolChoice": {"tool": {"name": "t"}}}
    text = "<document>\nAlice Brown, alice@x.com\n\nBob Green, bob@y.org\n</document>"
    response = converse(runtime, text, "extract", toolConfig=tools)
    records = response["output"]["message"]["content"][0]["toolUse"]["input"]["records"]
    assert records == [{"name": "Alice Brown", "email": "alice@x.com"},
                       {"name": "Bob Green", "email": "bob@y.org"}]


def test_translate_is_declined_plainly_never_faked(runtime: Any) -> None:
    with pytest.raises(ClientError) as caught:
        converse(runtime, "<document>\nHello\n</document>", "translate")
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("The local backend cannot translate")
    with pytest.raises(ClientError):
        runtime.converse_stream(modelId=NOVA_LITE, requestMetadata={"task": "translate"},
                                messages=[{"role": "user", "content": [{"text": "Hi"}]}])


def png(colour: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("task", ["ask", "generate", "chat", "summarize"])
def test_images_are_described_for_any_task(runtime: Any, task: str) -> None:
    content = [{"image": {"format": "png", "source": {"bytes": png("red")}}},
               {"text": "Describe this image."}]
    answer = text_of(converse(runtime, "", task, content=content))
    assert "64" in answer and "48" in answer
    assert "red" in answer


def test_a_question_about_an_image_is_answered_from_measurements(runtime: Any) -> None:
    content = [{"image": {"format": "png", "source": {"bytes": png("blue")}}},
               {"text": "Question: Is it blue?"}]
    answer = text_of(converse(runtime, "", "ask", content=content))
    assert answer.startswith("Yes — blue")


def test_an_unreadable_image_is_a_validation_error(runtime: Any) -> None:
    content = [{"image": {"format": "png", "source": {"bytes": b"\x89PNG\r\n\x1a\nbroken"}}},
               {"text": "Describe it."}]
    with pytest.raises(ClientError) as caught:
        converse(runtime, "", "ask", content=content)
    assert "Unable to process input image" in caught.value.response["Error"]["Message"]


# -- the text engine follows instructions, whichever API and family carries them ----------

def _syllable_lines(text: str) -> list[int]:
    from bedrock_cli.local.engines._syllables import line_syllables

    return [line_syllables(line) for line in text.strip().split("\n")]


def test_converse_writes_the_haiku_it_is_asked_for(runtime: Any) -> None:
    response = runtime.converse(modelId=NOVA_LITE, messages=[
        {"role": "user", "content": [{"text": "Write a haiku about S3"}]}],
        inferenceConfig={"temperature": 0, "maxTokens": 200})
    text = text_of(response)
    assert _syllable_lines(text) == [5, 7, 5] and text[0].isupper()
    assert response["usage"]["outputTokens"] == count_tokens(text)
    stream = runtime.converse_stream(modelId=NOVA_LITE, messages=[
        {"role": "user", "content": [{"text": "Write a haiku about S3"}]}],
        inferenceConfig={"temperature": 0, "maxTokens": 200})
    streamed = "".join(e["contentBlockDelta"]["delta"]["text"] for e in stream["stream"]
                       if "contentBlockDelta" in e)
    assert streamed == text


@pytest.mark.parametrize(("model_id", "body", "field"), [
    ("meta.llama3-1-8b-instruct-v1:0", {
        "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nList 4 things "
                  "to see in London<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        "max_gen_len": 200, "temperature": 0}, "generation"),
    ("mistral.mistral-7b-instruct-v0:2", {
        "prompt": "<s>[INST] List 4 things to see in London [/INST]", "max_tokens": 200,
        "temperature": 0}, "outputs"),
])
def test_invoke_model_families_follow_the_instruction_too(emulator: Any, model_id: str,
                                                          body: dict[str, Any],
                                                          field: str) -> None:
    from tests.wire.conftest import make_client

    client = make_client("bedrock-runtime", emulator, region="us-west-2")
    answer = json.loads(client.invoke_model(modelId=model_id, body=json.dumps(body))["body"]
                        .read())
    text = answer[field] if field == "generation" else answer[field][0]["text"]
    lines = text.strip().split("\n")
    assert [line.split(".")[0] for line in lines] == ["1", "2", "3", "4"], text
