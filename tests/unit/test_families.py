"""Family adapters: the bodies they build, the responses and chunks they read (reference §2),
and the emulator side reading back what the client side wrote."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bedrock_cli import families
from bedrock_cli.catalog import get_catalog
from bedrock_cli.errors import UsageError
from bedrock_cli.families.base import Done, StreamState
from bedrock_cli.families.body_schema import BodyError, RangeError, check
from bedrock_cli.families.llama import parse_prompt as llama_parse
from bedrock_cli.families.llama import render as llama_render
from bedrock_cli.families.mistral import parse_prompt as mistral_parse
from bedrock_cli.families.titan_text import parse_prompt as titan_parse
from bedrock_cli.types import ReasoningDelta, TextDelta, TextRequest, Usage


def model(model_id: str) -> Any:
    found = get_catalog().get(model_id)
    assert found is not None
    return found


def request(text: str, **kw: Any) -> TextRequest:
    return TextRequest(model_id=kw.pop("model_id", "x"),
                       messages=[{"role": "user", "content": [{"text": text}]}], **kw)


HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
TITAN = "amazon.titan-text-express-v1"
NOVA = "amazon.nova-lite-v1:0"
LLAMA = "meta.llama3-1-8b-instruct-v1:0"
MISTRAL = "mistral.mistral-7b-instruct-v0:2"
MISTRAL_CHAT = "mistral.mistral-large-2407-v1:0"
COHERE = "cohere.command-r-v1:0"


# ------------------------------------------------------------------ client side: bodies


def test_anthropic_body_is_the_reference_body() -> None:
    req = request("Describe this.", system=["You are terse."], max_tokens=1024, temperature=0.5,
                  top_p=0.9, stop=["\n\nHuman:"], additional_fields={"top_k": 250})
    assert families.get("anthropic").build(req, model(HAIKU)) == {  # type: ignore[union-attr]
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024,
        "system": "You are terse.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Describe this."}]}],
        "temperature": 0.5, "top_p": 0.9, "top_k": 250, "stop_sequences": ["\n\nHuman:"]}


def test_anthropic_requires_max_tokens_so_the_model_default_is_sent() -> None:
    body = families.get("anthropic").build(request("Hi"), model(HAIKU))  # type: ignore[union-attr]
    assert body["max_tokens"] == model(HAIKU).default_max_tokens
    assert "temperature" not in body and "system" not in body


def test_anthropic_images_are_base64_sources() -> None:
    req = TextRequest("x", [{"role": "user", "content": [
        {"image": {"format": "png", "source": {"bytes": b"\x89PNG"}}}, {"text": "What?"}]}])
    body = families.get("anthropic").build(req, model(HAIKU))  # type: ignore[union-attr]
    assert body["messages"][0]["content"] == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": "iVBORw=="}},
        {"type": "text", "text": "What?"}]


def test_titan_body_is_the_reference_body() -> None:
    req = request("Tell me a story.", max_tokens=512, temperature=0.7, top_p=0.9,
                  stop=["User:"])
    assert families.get("titan-text").build(req, model(TITAN)) == {  # type: ignore[union-attr]
        "inputText": "User: Tell me a story.\nBot:",
        "textGenerationConfig": {"temperature": 0.7, "topP": 0.9, "maxTokenCount": 512,
                                 "stopSequences": ["User:"]}}


def test_nova_body_uses_snake_case_inference_fields() -> None:
    req = request("Describe the image", system=["Act as a creative writing assistant."],
                  max_tokens=500, temperature=0.7, top_p=0.9, stop=["END"],
                  additional_fields={"inferenceConfig": {"topK": 20}})
    assert families.get("nova").build(req, model(NOVA)) == {  # type: ignore[union-attr]
        "schemaVersion": "messages-v1",
        "system": [{"text": "Act as a creative writing assistant."}],
        "messages": [{"role": "user", "content": [{"text": "Describe the image"}]}],
        "inferenceConfig": {"max_new_tokens": 500, "temperature": 0.7, "top_p": 0.9,
                            "top_k": 20, "stopSequences": ["END"]}}


def test_llama_body_is_the_reference_chat_template() -> None:
    req = request("What can you help me with?", system=["You are helpful"], max_tokens=512,
                  temperature=0.5, top_p=0.9)
    assert families.get("llama").build(req, model(LLAMA)) == {  # type: ignore[union-attr]
        "prompt": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are "
                  "helpful<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat can you "
                  "help me with?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        "temperature": 0.5, "top_p": 0.9, "max_gen_len": 512}


def test_llama_refuses_stop_sequences_and_non_vision_images() -> None:
    llama = families.get("llama")
    assert llama is not None
    with pytest.raises(UsageError, match="no stop sequences"):
        llama.build(request("Hi", stop=["x"]), model(LLAMA))
    image = TextRequest("x", [{"role": "user", "content": [
        {"image": {"format": "png", "source": {"bytes": b"png"}}}, {"text": "What?"}]}])
    with pytest.raises(UsageError, match="cannot carry images"):
        llama.build(image, model(LLAMA))
    body = llama.build(image, model("meta.llama3-2-11b-instruct-v1:0"))
    assert body["images"] == ["cG5n"]
    assert "<|image|>What?" in body["prompt"]


def test_mistral_prompt_body_is_the_reference_body() -> None:
    text = "Describe the purpose of a 'hello world' program in one line."
    req = request(text, max_tokens=512, temperature=0.5, top_p=0.9, stop=["\n\n"],
                  additional_fields={"top_k": 50})
    assert families.get("mistral").build(req, model(MISTRAL)) == {  # type: ignore[union-attr]
        "prompt": f"<s>[INST] {text} [/INST]", "max_tokens": 512, "temperature": 0.5,
        "top_p": 0.9, "top_k": 50, "stop": ["\n\n"]}


def test_mistral_large_2407_takes_the_chat_body() -> None:
    req = request("Hi", system=["Be brief."], max_tokens=100)
    assert families.get("mistral").build(req, model(MISTRAL_CHAT)) == {  # type: ignore[union-attr]
        "messages": [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": "Hi"}], "max_tokens": 100}


def test_cohere_body_splits_history_and_message() -> None:
    req = TextRequest("x", [
        {"role": "user", "content": [{"text": "Hi"}]},
        {"role": "assistant", "content": [{"text": "Hello!"}]},
        {"role": "user", "content": [{"text": "What are some skills I should have?"}]}],
        system=["You are a career coach."], max_tokens=2000, temperature=0.6, top_p=0.5,
        stop=["END"], additional_fields={"k": 250, "seed": 42})
    assert families.get("cohere").build(req, model(COHERE)) == {  # type: ignore[union-attr]
        "message": "What are some skills I should have?",
        "chat_history": [{"role": "USER", "message": "Hi"},
                         {"role": "CHATBOT", "message": "Hello!"}],
        "preamble": "You are a career coach.", "max_tokens": 2000, "temperature": 0.6,
        "p": 0.5, "k": 250, "seed": 42, "stop_sequences": ["END"]}


def test_text_documents_are_inlined_and_binary_ones_refused() -> None:
    doc = {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"alpha"}}}
    req = TextRequest("x", [{"role": "user", "content": [doc, {"text": "Sum up"}]}])
    body = families.get("titan-text").build(req, model(TITAN))  # type: ignore[union-attr]
    assert body["inputText"] == "User: [document: notes]\nalpha\nSum up\nBot:"
    pdf = {"document": {"format": "pdf", "name": "d", "source": {"bytes": b"%PDF"}}}
    with pytest.raises(UsageError, match="pdf"):
        families.get("titan-text").build(  # type: ignore[union-attr]
            TextRequest("x", [{"role": "user", "content": [pdf]}]), model(TITAN))


def test_family_guess_for_ids_outside_the_catalog() -> None:
    assert families.guess("anthropic.claude-future-v9:0") == "anthropic"
    assert families.guess("us.meta.llama9-instruct-v1:0") == "llama"
    assert families.guess("amazon.nova-2-lite-v1:0") == "nova"
    assert families.guess("openai.gpt-oss-120b-1:0") is None
    assert families.family_for(model(NOVA)) is families.get("nova")


# ------------------------------------------------------------------ client side: responses


RESPONSES: list[tuple[str, dict[str, Any], str, str, Usage | None]] = [
    ("anthropic", {"id": "msg_bdrk_01", "type": "message", "role": "assistant",
                   "content": [{"type": "text", "text": "Hi there"}], "stop_reason": "end_turn",
                   "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 40}},
     "Hi there", "end_turn", Usage(12, 40, 52)),
    ("titan-text", {"inputTextTokenCount": 5, "results": [
        {"tokenCount": 35, "outputText": "\nOnce", "completionReason": "FINISH"}]},
     "\nOnce", "end_turn", Usage(5, 35, 40)),
    ("nova", {"output": {"message": {"role": "assistant", "content": [{"text": "Hey"}]}},
              "stopReason": "max_tokens", "usage": {"inputTokens": 11, "outputTokens": 10,
                                                    "totalTokens": 21}},
     "Hey", "max_tokens", Usage(11, 10, 21)),
    ("llama", {"generation": "\n\nSure", "prompt_token_count": 31,
               "generation_token_count": 12, "stop_reason": "length"},
     "\n\nSure", "max_tokens", Usage(31, 12, 43)),
    ("mistral", {"outputs": [{"text": "A program.", "stop_reason": "stop"}]},
     "A program.", "end_turn", None),
    ("mistral", {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Yo"},
                              "stop_reason": "length"}]}, "Yo", "max_tokens", None),
    ("cohere", {"response_id": "r", "text": "Skills.", "generation_id": "g",
                "finish_reason": "MAX_TOKENS",
                "meta": {"billed_units": {"input_tokens": 9, "output_tokens": 40}}},
     "Skills.", "max_tokens", Usage(9, 40, 49)),
]


@pytest.mark.parametrize(("name", "body", "text", "stop", "usage"), RESPONSES)
def test_responses_parse_to_text_stop_reason_and_usage(
        name: str, body: dict[str, Any], text: str, stop: str, usage: Usage | None) -> None:
    parsed = families.get(name).parse(body)  # type: ignore[union-attr]
    assert (parsed.text, parsed.stop_reason, parsed.usage) == (text, stop, usage)


METRICS = {"amazon-bedrock-invocationMetrics": {"inputTokenCount": 28, "outputTokenCount": 10,
                                                "invocationLatency": 976,
                                                "firstByteLatency": 636}}
CHUNKS: list[tuple[str, list[dict[str, Any]], str, str]] = [
    ("anthropic", [
        {"type": "message_start", "message": {"usage": {"input_tokens": 28,
                                                        "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text",
                                                                      "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta",
                                                              "text": "Here"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta",
                                                              "text": " it is"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "max_tokens",
                                            "stop_sequence": None},
         "usage": {"output_tokens": 10}},
        {"type": "message_stop", **METRICS}], "Here it is", "max_tokens"),
    ("titan-text", [
        {"outputText": "Here", "index": 0, "totalOutputTextTokenCount": None,
         "completionReason": None, "inputTextTokenCount": 28},
        {"outputText": " it is", "index": 0, "totalOutputTextTokenCount": 10,
         "completionReason": "FINISH", "inputTextTokenCount": None, **METRICS}],
     "Here it is", "end_turn"),
    ("nova", [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": "Here"}, "contentBlockIndex": 0}},
        {"contentBlockDelta": {"delta": {"text": " it is"}, "contentBlockIndex": 0}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {"metadata": {"usage": {"inputTokens": 28, "outputTokens": 10}, "metrics": {},
                      "trace": {}}, **METRICS}], "Here it is", "end_turn"),
    ("llama", [
        {"generation": "Here", "prompt_token_count": 28, "generation_token_count": 1,
         "stop_reason": None},
        {"generation": " it is", "prompt_token_count": None, "generation_token_count": 10,
         "stop_reason": "stop", **METRICS}], "Here it is", "end_turn"),
    ("mistral", [
        {"outputs": [{"text": "Here", "stop_reason": None}]},
        {"outputs": [{"text": " it is", "stop_reason": "length"}], **METRICS}],
     "Here it is", "max_tokens"),
    ("cohere", [
        {"is_finished": False, "event_type": "stream-start", "generation_id": "g"},
        {"is_finished": False, "event_type": "text-generation", "text": "Here"},
        {"is_finished": False, "event_type": "text-generation", "text": " it is"},
        {"is_finished": True, "event_type": "stream-end", "finish_reason": "COMPLETE",
         "response": {"text": "Here it is"}, **METRICS}], "Here it is", "end_turn"),
]


@pytest.mark.parametrize(("name", "chunks", "text", "stop"), CHUNKS)
def test_stream_chunks_give_text_stop_reason_and_the_metrics_usage(
        name: str, chunks: list[dict[str, Any]], text: str, stop: str) -> None:
    family = families.get(name)
    assert family is not None
    state = StreamState()
    pieces = []
    for chunk in chunks:
        state.metrics(chunk)
        for event in family.read_chunk(chunk, state):
            assert isinstance(event, TextDelta)
            pieces.append(event.text)
    assert "".join(pieces) == text
    assert state.stop_reason == stop
    assert state.usage == Usage(28, 10, 38)
    assert state.latency_ms == 976


def test_anthropic_thinking_deltas_are_reasoning() -> None:
    events = families.get("anthropic").read_chunk(  # type: ignore[union-attr]
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "thinking_delta", "thinking": "hmm"}}, StreamState())
    assert events == [ReasoningDelta("hmm")]


# ------------------------------------------------------------------ emulator side


ROUND_TRIP = [("anthropic", HAIKU), ("titan-text", TITAN), ("nova", NOVA), ("llama", LLAMA),
              ("mistral", MISTRAL), ("mistral", MISTRAL_CHAT), ("cohere", COHERE)]


@pytest.mark.parametrize(("name", "model_id"), ROUND_TRIP)
def test_the_emulator_reads_back_what_the_client_builds(name: str, model_id: str) -> None:
    family = families.get(name)
    assert family is not None
    m = model(model_id)
    req = TextRequest(model_id, [
        {"role": "user", "content": [{"text": "First question"}]},
        {"role": "assistant", "content": [{"text": "First answer"}]},
        {"role": "user", "content": [{"text": "Second question"}]}],
        system=["Be brief."] if name != "titan-text" else [], max_tokens=50, temperature=0.2,
        top_p=0.8)
    body = json.loads(json.dumps(family.build(req, m)))
    call = family.read(body, m)
    # The engine sees the same text as through Converse (Mistral's prompt format folds the
    # system prompt into the first instruction, Titan has none).
    system = "Be brief.\n\n" if name != "titan-text" else ""
    assert call.prompt == f"{system}First question\n\nFirst answer\n\nSecond question"
    assert [role for role, _ in call.turns] == ["user", "assistant", "user"]
    assert (call.max_tokens, call.temperature) == (50, 0.2)
    assert call.top_p == pytest.approx(0.8)


@pytest.mark.parametrize(("name", "model_id"), ROUND_TRIP)
def test_the_client_reads_back_what_the_emulator_writes(name: str, model_id: str) -> None:
    family = families.get(name)
    assert family is not None
    m = model(model_id)
    call = family.read(json.loads(json.dumps(family.build(request("Hi"), m))), m)
    call.model_id, call.input_tokens = model_id, 3
    done = Done("Hello there", "max_tokens", 3, 2)
    parsed = family.parse(json.loads(json.dumps(family.respond(call, done))))
    assert (parsed.text, parsed.stop_reason) == ("Hello there", "max_tokens")
    chunks = list(family.chunks(call, iter(["Hello", " there"]), lambda: done))
    chunks[-1].update(METRICS)
    state = StreamState()
    text = ""
    for chunk in chunks:
        state.metrics(chunk)
        text += "".join(e.text for e in family.read_chunk(chunk, state))
    assert (text, state.stop_reason) == ("Hello there", "max_tokens")


def test_chat_templates_parse_back() -> None:
    turns = [("user", "a"), ("assistant", "b"), ("user", "c")]
    assert llama_parse(llama_render(["sys"], turns)) == (["sys"], turns)
    assert llama_parse("just text") == ([], [("user", "just text")])
    assert titan_parse("User: a\nBot: b\nUser: c\nBot:") == ([], turns)
    assert titan_parse("plain prompt") == ([], [("user", "plain prompt")])
    assert mistral_parse("<s>[INST] a [/INST] b</s>[INST] c [/INST]") == turns


def test_schema_violations_read_like_bedrocks() -> None:
    fields = families.anthropic.FIELDS
    assert check({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": []},
                 fields) == []
    assert check({"messages": [], "model": "x", "max_tokens": "5",
                  "anthropic_version": "bedrock-2023-05-31"}, fields) == [
        "#: extraneous key [model] is not permitted",
        "#/max_tokens: expected type: Integer, found: String"]
    assert check({"anthropic_version": "v", "max_tokens": 0, "messages": [],
                  "temperature": 1.5}, fields) == [
        "#/anthropic_version: v is not a valid enum value",
        "#/max_tokens: 0 is not greater or equal to 1",
        "#/temperature: 1.5 is not less or equal to 1"]
    assert check({}, families.titan_text.FIELDS) == ["#: required key [inputText] not found"]
    assert check({"inputText": "x", "textGenerationConfig": {"topK": 1}},
                 families.titan_text.FIELDS) == [
        "#/textGenerationConfig: extraneous key [topK] is not permitted"]


def test_read_refuses_bodies_and_values_bedrock_refuses() -> None:
    anthropic = families.get("anthropic")
    assert anthropic is not None
    with pytest.raises(BodyError) as info:
        anthropic.read({"messages": [{"role": "user", "content": "hi"}]}, model(HAIKU))
    assert len(info.value.violations) == 2
    with pytest.raises(RangeError, match="maximum allowed number of output tokens"):
        anthropic.read({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10**6,
                        "messages": [{"role": "user", "content": "hi"}]}, model(HAIKU))
    with pytest.raises(RangeError, match="must start with a user message"):
        anthropic.read({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
                        "messages": [{"role": "assistant", "content": "hi"}]}, model(HAIKU))
