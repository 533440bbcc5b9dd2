"""The AWS path of summarize, ask, extract, translate and chat: the real boto3 client against a
scripted endpoint over a socket — the exact requests sent, and what is printed."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from tests.fake_endpoint import FakeEndpoint, converse_frames
from tests.helpers import aws
from tests.pdfmaker import make_pdf


def answer(text: str | None = None, tool: dict[str, Any] | None = None,
           usage: tuple[int, int] = (10, 5)) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"text": text}] if text is not None else []
    if tool is not None:
        content.append({"toolUse": {"toolUseId": "tooluse_1", "name": "record_extraction",
                                    "input": tool}})
    return {"output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "tool_use" if tool is not None else "end_turn",
            "usage": {"inputTokens": usage[0], "outputTokens": usage[1],
                      "totalTokens": sum(usage)},
            "metrics": {"latencyMs": 20}}


def user_text(body: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in body["messages"][-1]["content"] if "text" in b)


# -- summarize --------------------------------------------------------------------------

def test_summarize_sends_one_tagged_streamed_call(endpoint: FakeEndpoint) -> None:
    Path("report.md").write_text("# Report\n\nSales rose by 12% in March.\n")
    endpoint.add_stream(converse_frames(["- Sales ", "rose 12%."]))
    run = aws(endpoint, "summarize", "report.md", "--length", "short", "--style", "bullets",
              "--focus", "sales (March)?", "--usage")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "- Sales rose 12%.\n"
    assert "5 in + 3 out = 8 tokens" in run.stderr
    [request] = endpoint.requests
    assert request.path == "/model/amazon.nova-lite-v1%3A0/converse-stream"
    body = request.json()
    assert body["requestMetadata"] == {"task": "summarize", "length": "short",
                                       "style": "bullets", "focus": "sales March"}
    assert body["system"][0]["text"].startswith("You summarize documents faithfully")
    text = user_text(body)
    assert text.startswith("Summarize the document below in one or two sentences. Write it "
                           "as a markdown bullet list")
    assert "Focus on sales (March)?." in text
    assert text.endswith("<document>\n# Report\n\nSales rose by 12% in March.\n</document>")


def test_summarize_map_reduce_on_aws(endpoint: FakeEndpoint) -> None:
    paragraphs = [f"Paragraph {i}. " + "The harbour grew busier every year. " * 20
                  for i in range(12)]
    Path("long.txt").write_text("\n\n".join(paragraphs))
    for i in range(6):  # two paragraphs (about 1,470 characters) fit a 700-token part
        endpoint.add_json(answer(f"Part summary {i}.", usage=(100, 10)))
    endpoint.add_stream(converse_frames(["Whole summary."]))
    run = aws(endpoint, "summarize", "long.txt", "--chunk-tokens", "700", "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["text"] == "Whole summary."
    assert (result["parts"], result["calls"]) == (6, 7)
    assert result["usage"] == {"input_tokens": 605, "output_tokens": 63, "total_tokens": 668}
    maps, final = endpoint.requests[:6], endpoint.requests[6]
    assert all(r.path.endswith("/converse") for r in maps)
    assert final.path.endswith("/converse-stream")
    parts = sorted(user_text(r.json()).split(" of 6 ")[0][-1] for r in maps)
    assert parts == ["1", "2", "3", "4", "5", "6"]
    # parts of 700 tokens get 3-5 sentence summaries (8-12 would hardly shrink them)
    assert all(r.json()["requestMetadata"]["length"] == "medium" for r in maps)
    last = user_text(final.json())
    assert last.startswith("Below are summaries of consecutive parts of one long document")
    assert all(f"Part summary {i}." in last for i in range(6))
    assert final.json()["requestMetadata"]["length"] == "medium"


def test_summarize_pdf_goes_as_a_document_block(endpoint: FakeEndpoint) -> None:
    pdf = make_pdf([["Quarterly report: revenue was 4.2 million."]])
    Path("Q3 report.pdf").write_bytes(pdf)
    endpoint.add_stream(converse_frames(["Revenue was 4.2 million."]))
    run = aws(endpoint, "summarize", "Q3 report.pdf")
    assert run.exit_code == 0, run.stderr
    content = endpoint.requests[0].json()["messages"][0]["content"]
    assert content[0] == {"document": {"format": "pdf", "name": "Q3 report",
                                       "source": {"bytes": base64.b64encode(pdf).decode()}}}
    assert content[1]["text"].startswith("Summarize the document below")
    assert "<document>" not in content[1]["text"]


def test_summarize_pdf_as_text_for_a_model_without_documents(endpoint: FakeEndpoint) -> None:
    Path("r.pdf").write_bytes(make_pdf([["Revenue was 4.2 million."]]))
    endpoint.add_stream(converse_frames(["ok"]))
    run = aws(endpoint, "summarize", "r.pdf", "-m", "nova-micro")
    assert run.exit_code == 0, run.stderr
    body = endpoint.requests[0].json()
    assert len(body["messages"][0]["content"]) == 1
    assert "<document>\nRevenue was 4.2 million.\n</document>" in user_text(body)


# -- ask --------------------------------------------------------------------------------

def test_ask_sends_numbered_sources_and_prints_the_cited_ones(endpoint: FakeEndpoint) -> None:
    Path("a.md").write_text("Intro.\n\nThe capital of France is Paris.\n")
    Path("b.txt").write_text("Tokyo is big.\n")
    endpoint.add_stream(converse_frames(["Paris ", "[1]."]))
    run = aws(endpoint, "ask", "What is the capital of France?", "-f", "a.md", "-f", "b.txt")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Paris [1].\nSources:\n- [1] a.md:1-3\n"
    body = endpoint.requests[0].json()
    assert body["requestMetadata"] == {"task": "ask"}
    assert body["system"][0]["text"].startswith("Answer the question using only the sources")
    assert user_text(body) == (
        '<sources>\n<source id="1" file="a.md" lines="1-3">\nIntro.\n\nThe capital of France '
        'is Paris.\n</source>\n<source id="2" file="b.txt" lines="1">\nTokyo is big.\n'
        '</source>\n</sources>\n\nQuestion: What is the capital of France?')


def test_ask_image_sends_an_image_block(endpoint: FakeEndpoint) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, "PNG")
    Path("dot.png").write_bytes(buffer.getvalue())
    endpoint.add_stream(converse_frames(["A red rectangle."]))
    run = aws(endpoint, "ask", "What is this?", "-i", "dot.png", "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["text"] == "A red rectangle."
    content = endpoint.requests[0].json()["messages"][0]["content"]
    assert content[0] == {"image": {"format": "png", "source": {
        "bytes": base64.b64encode(buffer.getvalue()).decode()}}}
    assert content[1] == {"text": "Question: What is this?"}
    assert endpoint.requests[0].json()["system"] == [
        {"text": "Answer the question about the image(s) accurately and concisely."}]


def test_ask_without_context_is_a_plain_question(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["Paris."]))
    run = aws(endpoint, "ask", "What is the capital of France?")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Paris.\n"
    body = endpoint.requests[0].json()
    assert body["system"][0]["text"].startswith("Answer the question accurately")
    assert user_text(body) == "Question: What is the capital of France?"


def test_ask_image_over_the_byte_limit_is_sent_downscaled(endpoint: FakeEndpoint) -> None:
    import os

    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    noise.save("noise.png", "PNG")
    assert Path("noise.png").stat().st_size > 3_750_000
    endpoint.add_stream(converse_frames(["Noise."]))
    run = aws(endpoint, "ask", "What is this?", "-i", "noise.png")
    assert run.exit_code == 0, run.stderr
    assert "sent downscaled" in run.stderr
    image = endpoint.requests[0].json()["messages"][0]["content"][0]["image"]
    data = base64.b64decode(image["source"]["bytes"])
    assert image["format"] == "jpeg" and len(data) <= 3_750_000


# -- extract ----------------------------------------------------------------------------

TOOL_CONFIG = {
    "tools": [{"toolSpec": {
        "name": "record_extraction", "description": "Record the values extracted from the "
        "document.", "inputSchema": {"json": {
            "type": "object", "required": ["number", "total"], "properties": {
                "number": {"type": ["string", "null"]},
                "total": {"type": ["number", "null"], "description": "Amount due"}}}}}}],
    "toolChoice": {"tool": {"name": "record_extraction"}},
}


def test_extract_forces_the_tool_and_prints_its_input(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(answer(tool={"number": "INV-9", "total": 12.5}))
    run = aws(endpoint, "extract", "Invoice INV-9, total $12.50", "-F", "number",
              "-F", "total:number=Amount due")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == {"number": "INV-9", "total": 12.5}
    [request] = endpoint.requests
    assert request.path.endswith("/converse")
    body = request.json()
    assert body["toolConfig"] == TOOL_CONFIG
    assert body["requestMetadata"] == {"task": "extract"}
    assert body["inferenceConfig"] == {"temperature": 0}
    assert user_text(body).endswith("<document>\nInvoice INV-9, total $12.50\n</document>")


def test_extract_retries_once_with_the_validation_error(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(answer(tool={"number": "INV-9", "total": "12.50"}))
    endpoint.add_json(answer(tool={"number": "INV-9", "total": 12.5}))
    run = aws(endpoint, "extract", "Invoice INV-9, total $12.50", "-F", "number",
              "-F", "total:number", "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["data"] == {"number": "INV-9", "total": 12.5}
    assert result["attempts"] == 2 and result["usage"]["total_tokens"] == 30
    retry = endpoint.requests[1].json()["messages"]
    assert retry[1] == {"role": "assistant", "content": [{"toolUse": {
        "toolUseId": "tooluse_1", "name": "record_extraction",
        "input": {"number": "INV-9", "total": "12.50"}}}]}
    tool_result, fix = retry[2]["content"]
    assert tool_result["toolResult"]["toolUseId"] == "tooluse_1"
    assert tool_result["toolResult"]["status"] == "error"
    assert '$.total: expected number or null, got "12.50"' in fix["text"]


def test_extract_gives_up_after_the_retry_with_exit_5(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(answer("I cannot find it."))
    endpoint.add_json(answer("Still no."))
    run = aws(endpoint, "extract", "Nothing here", "-F", "total:number")
    assert run.exit_code == 5
    assert run.stdout == ""
    assert "without calling the record_extraction tool. Raw answer: Still no." in run.stderr
    assert len(endpoint.requests) == 2
    assert endpoint.requests[1].json()["messages"][2]["content"] == [{"text": (
        "That answer does not match the schema: the model answered without calling the "
        "record_extraction tool. Call the record_extraction tool again with corrected values; "
        "use null where the document does not give a value.")}]


def test_extract_many_wraps_records(endpoint: FakeEndpoint) -> None:
    endpoint.add_json(answer(tool={"records": [{"name": "Ann"}, {"name": "Bo"}]}))
    run = aws(endpoint, "extract", "Ann and Bo", "--many", "-F", "name")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == [{"name": "Ann"}, {"name": "Bo"}]
    schema = endpoint.requests[0].json()["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]
    assert schema["json"]["properties"]["records"]["type"] == "array"
    assert schema["json"]["required"] == ["records"]


# -- translate --------------------------------------------------------------------------

def test_translate_streams_and_keeps_the_layout_between_parts(endpoint: FakeEndpoint) -> None:
    first = "First paragraph here. " * 11
    items = "- item one, a longer line of text\n- item two, a longer line of text"
    source = f"# Title\n\n{first.strip()}\n\n\n{items}\n"
    endpoint.add_stream(converse_frames(["# Titre\n\nPremier ", "paragraphe ici."]))
    endpoint.add_stream(converse_frames(["- article un\n- article deux\n"]))
    run = aws(endpoint, "translate", "-", "--to", "French", "--from", "English",
              "--chunk-tokens", "100", input=source)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "# Titre\n\nPremier paragraphe ici.\n\n\n- article un\n- article deux\n"
    body = endpoint.requests[0].json()
    assert body["requestMetadata"] == {"task": "translate", "to": "French", "from": "English"}
    assert user_text(body).startswith("Translate the document below from English into French.")
    assert f"<document>\n# Title\n\n{first.strip()}\n</document>" in user_text(
        endpoint.requests[0].json())
    assert f"<document>\n{items}\n</document>" in user_text(
        endpoint.requests[1].json())


def test_translate_json(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["Bonjour."]))
    run = aws(endpoint, "translate", "Hello.", "--to", "fr", "--json")
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert (result["text"], result["to"], result["parts"]) == ("Bonjour.", "fr", 1)
    assert result["backend"] == "aws" and result["history_id"]


# -- chat -------------------------------------------------------------------------------

def test_piped_chat_sends_the_conversation_so_far(endpoint: FakeEndpoint) -> None:
    endpoint.add_stream(converse_frames(["Hi!"]))
    endpoint.add_stream(converse_frames(["Fine."]))
    run = aws(endpoint, "chat", "-s", "Be brief.", input="Hello\nHow are you?\n")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "Hi!\nFine.\n"
    second = endpoint.requests[1].json()
    assert second["messages"] == [
        {"role": "user", "content": [{"text": "Hello"}]},
        {"role": "assistant", "content": [{"text": "Hi!"}]},
        {"role": "user", "content": [{"text": "How are you?"}]}]
    assert second["system"] == [{"text": "Be brief."}]
    assert second["requestMetadata"] == {"task": "chat"}


def test_piped_chat_stops_at_an_error_with_its_exit_code(endpoint: FakeEndpoint) -> None:
    endpoint.add_error("AccessDeniedException", "no access", 403)
    run = aws(endpoint, "chat", input="Hello\nAgain\n")
    assert run.exit_code == 3
    assert len(endpoint.requests) == 1
    assert "Access denied" in run.stderr
