"""Faults through the real CLI, on the AWS path (the real boto3 client over a real socket).

Two kinds of endpoint:

* the `serve` emulator (the ``local_bedrock`` fixture runs the same server in a thread) with
  faults queued in the ``x-bedrock-cli-fault`` grammar: Bedrock's own errors, on the wire the
  way Bedrock sends them, and streams cut or broken by in-stream exceptions;
* `FaultyEndpoint`, for what no well-behaved server sends: bodies that are not JSON, frames with
  a bad checksum or cut in half, answers slower than the read timeout, closed connections.

Every case checks the exit code (SPEC §6), a one/two-line message with no traceback, what the
server saw (retries where Bedrock's semantics retry, none where they do not), stdout, and the
history row (a stream that broke keeps what arrived, marked partial).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bedrock_cli.local.eventstream import encode_message, exception
from bedrock_cli.pytest_plugin import LocalBedrock
from tests.helpers import Run
from tests.reliability.conftest import assert_clean_failure, aws, history_rows
from tests.reliability.faulty import (
    FaultyEndpoint,
    Reply,
    bad_crc,
    converse_body,
    converse_frames,
    refused_port,
)

PROMPT = "Tell me about the rivers of the north."
SAMPLING = ["--temperature", "0", "--max-tokens", "40"]
NOVA_BODY = json.dumps({"schemaVersion": "messages-v1",
                        "messages": [{"role": "user", "content": [{"text": PROMPT}]}],
                        "inferenceConfig": {"max_new_tokens": 40, "temperature": 0}})

#: the same call made four ways: ConverseStream, Converse, InvokeModel, IMWRS
VARIANTS = {
    "generate": ["generate", PROMPT, *SAMPLING],
    "generate --no-stream": ["generate", PROMPT, "--no-stream", *SAMPLING],
    "invoke": ["invoke", "nova-lite", "--body", NOVA_BODY],
    "invoke --stream": ["invoke", "nova-lite", "--stream", "--body", NOVA_BODY],
}

THROTTLED = "Bedrock throttled the request"
SERVER = "Bedrock had a server error"

#: (fault spec, extra options, exit code, statuses the server answered, start of the message)
HTTP_FAULTS = [
    ("throttle", [], 4, [429] * 3, f"{THROTTLED} after 3 attempts"),
    ("throttle=2", [], 0, [429, 429, 200], None),
    ("throttle=4", ["--max-attempts", "5"], 0, [429] * 4 + [200], None),
    ("throttle=4", ["--max-attempts", "2"], 4, [429, 429], f"{THROTTLED} after 2 attempts"),
    ("error=500*2", [], 0, [500, 500, 200], None),
    ("error=503*1", [], 0, [503, 200], None),
    ("error=500", [], 5, [500] * 3, SERVER),
    ("error=503", [], 5, [503] * 3, SERVER),
    ("error=ModelNotReadyException", [], 4, [429] * 3, f"{THROTTLED} after 3 attempts"),
    ("error=408", [], 5, [408], "The model timed out"),  # ModelTimeoutException: never retried
    ("error=424", [], 5, [424], "The model failed"),
    ("error=ServiceQuotaExceededException", [], 4, [400], THROTTLED),  # 400: not retried
    ("error=400", [], 5, [400], "Bedrock rejected the request"),
    ("error=403", [], 3, [403], "Access denied"),
    ("error=404", [], 5, [404], "Not found"),
]


def _id(fault: tuple[object, ...]) -> str:
    return f"{fault[0]}{''.join(' ' + str(x) for x in fault[1])}"  # type: ignore[attr-defined]


#: every fault through Converse and ConverseStream; the ones that tell retry from no-retry
#: through InvokeModel and IMWRS too (botocore's retry rules are per error, not per operation)
#: (ServiceQuotaExceededException is an InvokeModel error: Converse's model has none)
CASES = [(variant, *fault) for fault in HTTP_FAULTS
         for variant in ("generate", "generate --no-stream")
         if fault[0] != "error=ServiceQuotaExceededException"] + \
        [(variant, *fault) for fault in HTTP_FAULTS
         for variant in ("invoke", "invoke --stream")
         if fault[0] in ("throttle", "error=500*2", "error=408", "error=424",
                         "error=ServiceQuotaExceededException")]


@pytest.mark.parametrize(("variant", "spec", "extra", "code", "statuses", "message"), CASES,
                         ids=[f"{c[0]}: {_id(c[1:])}" for c in CASES])
def test_http_faults_from_serve(local_bedrock: LocalBedrock, fast_retries: None,
                                isolated_env: Path, variant: str, spec: str, extra: list[str],
                                code: int, statuses: list[int], message: str | None) -> None:
    local_bedrock.fault(spec)
    run = aws(local_bedrock.endpoint_url, *VARIANTS[variant], *extra)
    assert [r.status for r in local_bedrock.requests] == statuses
    assert len({r.headers.get("amz-sdk-invocation-id") for r in local_bedrock.requests}) == 1
    [row] = history_rows(isolated_env)
    if code == 0:
        assert run.exit_code == 0, run.stderr
        assert run.stderr == ""
        assert run.stdout.strip()
        assert row["status"] == "complete"
        return
    assert_clean_failure(run, code, message)
    assert run.stdout == ""
    assert (row["status"], row["response"] or "") == ("error", "")
    assert row["error"] == run.stderr.splitlines()[0].removeprefix("Error: ")


# -- streams that break after some events ---------------------------------------------------

#: (fault spec, exit code, start of the message for ConverseStream, and for IMWRS)
STREAM_FAULTS = [
    ("cut-after=3", 5, "The connection broke off", "The connection broke off"),
    ("stream-exception=throttlingException@3", 4, f"{THROTTLED} (in the response stream)",
     f"{THROTTLED} (in the response stream)"),
    ("stream-exception=modelStreamErrorException@3", 5,
     "The model failed (in the response stream)", "The model failed (in the response stream)"),
    ("stream-exception=internalServerException@3", 5, f"{SERVER} (in the response stream)",
     f"{SERVER} (in the response stream)"),
    ("stream-exception=serviceUnavailableException@3", 5, f"{SERVER} (in the response stream)",
     f"{SERVER} (in the response stream)"),
    ("stream-exception=validationException@3", 5,
     "Bedrock rejected the request (in the response stream)",
     "Bedrock rejected the request (in the response stream)"),
    # ConverseStream's API model has no modelTimeoutException, so the emulator refuses to
    # send it there (an unnamed in-stream error is test_broken_event_streams' case)
    ("stream-exception=modelTimeoutException@3", 5, None,
     "The model timed out (in the response stream)"),
]
CONVERSE_STREAM_FAULTS = [fault for fault in STREAM_FAULTS if fault[2] is not None]


_FULL: dict[tuple[str, ...], str] = {}


def _full_answer(endpoint: LocalBedrock, args: list[str]) -> str:
    """The fault-free answer (temperature 0: the same on every run and every server)."""
    key = tuple(args)
    if key not in _FULL:
        run = aws(endpoint.endpoint_url, *args)
        assert run.exit_code == 0, run.stderr
        _FULL[key] = run.stdout
        endpoint.reset()
    return _FULL[key]


@pytest.mark.parametrize(("spec", "code", "converse_message", "_imwrs"),
                         CONVERSE_STREAM_FAULTS, ids=[f[0] for f in CONVERSE_STREAM_FAULTS])
def test_converse_stream_faults_keep_what_arrived(
        local_bedrock: LocalBedrock, isolated_env: Path, spec: str, code: int,
        converse_message: str, _imwrs: str) -> None:
    full = _full_answer(local_bedrock, VARIANTS["generate"])
    local_bedrock.fault(spec)
    run = aws(local_bedrock.endpoint_url, *VARIANTS["generate"])
    assert_clean_failure(run, code, converse_message)
    [seen] = local_bedrock.requests  # a stream that broke is never retried
    assert seen.events == 3 or (seen.events == 4 and "exception" in spec)
    # messageStart and two deltas arrived: printed as they came, the line ended, nothing lost
    assert run.stdout.endswith("\n") and run.stdout.strip()
    assert full.startswith(run.stdout.rstrip("\n"))
    row = history_rows(isolated_env)[-1]
    assert (row["status"], row["response"]) == ("partial", run.stdout.rstrip("\n"))
    assert row["error"] == run.stderr.splitlines()[0].removeprefix("Error: ")


@pytest.mark.parametrize(("spec", "code", "_converse", "imwrs_message"), STREAM_FAULTS,
                         ids=[f[0] for f in STREAM_FAULTS])
def test_invoke_stream_faults_keep_the_chunks_that_arrived(
        local_bedrock: LocalBedrock, isolated_env: Path, spec: str, code: int, _converse: str,
        imwrs_message: str) -> None:
    full = _full_answer(local_bedrock, VARIANTS["invoke --stream"]).splitlines()
    local_bedrock.fault(spec)
    run = aws(local_bedrock.endpoint_url, *VARIANTS["invoke --stream"])
    assert_clean_failure(run, code, imwrs_message)
    assert len(local_bedrock.requests) == 1
    lines = run.stdout.splitlines()
    assert lines == full[:3]  # one JSON line per chunk that arrived, exactly as sent
    row = history_rows(isolated_env)[-1]
    assert row["status"] == "partial"
    assert [json.loads(x) for x in row["response"].splitlines()] == [json.loads(x) for x in lines]


@pytest.mark.parametrize(("spec", "code", "_converse", "imwrs_message"), STREAM_FAULTS[:3],
                         ids=[f[0] for f in STREAM_FAULTS[:3]])
def test_generate_api_invoke_stream_faults(local_bedrock: LocalBedrock, isolated_env: Path,
                                           spec: str, code: int, _converse: str,
                                           imwrs_message: str) -> None:
    args = [*VARIANTS["generate"], "--api", "invoke"]
    full = _full_answer(local_bedrock, args)
    local_bedrock.fault(spec)
    run = aws(local_bedrock.endpoint_url, *args)
    assert_clean_failure(run, code, imwrs_message)
    assert len(local_bedrock.requests) == 1
    assert run.stdout.strip() and full.startswith(run.stdout.rstrip("\n"))
    assert history_rows(isolated_env)[-1]["status"] == "partial"


def test_chat_turn_cut_mid_stream(local_bedrock: LocalBedrock, isolated_env: Path) -> None:
    local_bedrock.fault("cut-after=4")
    run = aws(local_bedrock.endpoint_url, "chat", input="Tell me about rivers.\n")
    assert_clean_failure(run, 5, "The connection broke off")
    [row] = history_rows(isolated_env)
    assert (row["command"], row["status"]) == ("chat", "partial")
    assert run.stdout == row["response"] + "\n" and row["response"]


def test_json_mode_stream_fault_is_one_json_error(local_bedrock: LocalBedrock,
                                                  isolated_env: Path) -> None:
    local_bedrock.fault("stream-exception=modelStreamErrorException@4")
    run = aws(local_bedrock.endpoint_url, *VARIANTS["generate"], "--json")
    assert run.exit_code == 5 and run.exception is None
    error = json.loads(run.stderr)["error"]
    assert (error["type"], error["code"], error["exit_code"]) == \
        ("service", "modelStreamErrorException", 5)
    [row] = history_rows(isolated_env)
    assert row["status"] == "partial" and row["response"]
    # what arrived is on stdout too: one JSON document, marked partial, with the error
    kept = json.loads(run.stdout)
    assert (kept["text"], kept["partial"], kept["history_id"]) == (row["response"], True,
                                                                   row["id"])
    assert kept["error"] == error


# -- what only a broken server sends ---------------------------------------------------------

NOT_A_RESPONSE = [b"{not json", b"", b"{}", b"[]", b'{"output": 5}',
                  b'{"output": {"message": {"content": 5}}, "stopReason": "end_turn"}',
                  b'{"output": {"message": {"content": [5]}}, "stopReason": "end_turn"}',
                  json.dumps(converse_body("cut short")).encode()[:30]]


@pytest.mark.parametrize("body", NOT_A_RESPONSE)
@pytest.mark.parametrize("command", [["generate", "hi", "--no-stream"],
                                     ["extract", "--schema", "schema.json", "Ann was here"],
                                     ["sample", "hi", "-n", "2"]])
def test_a_200_that_is_not_a_converse_response_is_exit_5(
        faulty: FaultyEndpoint, isolated_env: Path, body: bytes, command: list[str]) -> None:
    faulty.default = Reply(200, body)
    Path("schema.json").write_text('{"type": "object", "properties": {"name": '
                                   '{"type": "string"}}}')
    run = aws(faulty.url, *command)
    assert_clean_failure(run, 5, "Bedrock's answer could not be read")
    assert run.stdout == ""
    calls = [r.headers["amz-sdk-invocation-id"] for r in faulty.requests]
    assert calls and len(set(calls)) == len(calls)  # a 200 is an answer: never retried


def test_a_body_cut_short_of_its_content_length(faulty: FaultyEndpoint) -> None:
    faulty.add(Reply(200, json.dumps(converse_body("the whole answer")).encode(),
                     truncate_body=25))
    run = aws(faulty.url, "generate", "hi", "--no-stream", "--max-attempts", "1")
    assert_clean_failure(run, 5)
    assert run.stdout == ""


def test_html_502_from_a_proxy_is_retried_then_exit_5(faulty: FaultyEndpoint,
                                                       fast_retries: None) -> None:
    for _ in range(3):
        faulty.add(Reply(502, b"<html><body>Bad Gateway</body></html>",
                         {"Content-Type": "text/html"}))
    run = aws(faulty.url, "generate", "hi", "--no-stream")
    assert_clean_failure(run, 5, SERVER)
    assert len(faulty.requests) == 3


def test_one_502_then_an_answer(faulty: FaultyEndpoint, fast_retries: None) -> None:
    faulty.add(Reply(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}))
    faulty.add_json(converse_body("Recovered."))
    run = aws(faulty.url, "generate", "hi", "--no-stream")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "Recovered.\n", "")
    assert len(faulty.requests) == 2


def _stream_run(faulty: FaultyEndpoint, frames: list[bytes], home: Path, *extra: str,
                **reply: Any) -> tuple[Run, dict[str, Any]]:
    faulty.add_stream(frames, **reply)
    run = aws(faulty.url, "generate", "hi", *extra)
    [row] = history_rows(home)
    return run, row


FRAMES = converse_frames(["Hello", " there", " friend"])


@pytest.mark.parametrize(("name", "frames", "cut", "message"), [
    ("bad checksum", [*FRAMES[:3], bad_crc(FRAMES[3]), *FRAMES[4:]], False,
     "The response stream was corrupted: Checksum mismatch"),
    ("garbage frame", [*FRAMES[:3], b"\x00\x00\x00\x20" + b"x" * 28, *FRAMES[4:]], False,
     "The response stream was corrupted"),
    ("half a frame, then the end", [*FRAMES[:3], FRAMES[3][:11]], False,
     "The response stream ended before the model finished"),
    ("half a frame, then the socket closes", [*FRAMES[:3], FRAMES[3][:11]], True,
     "The connection broke off"),
    ("no closing events", FRAMES[:3], False,
     "The response stream ended before the model finished"),
    ("an exception the API does not list", [
        *FRAMES[:3], exception("fooException", {"message": "secret internals"})], False,
     "The response stream broke off with an error the service did not name."),
])
def test_broken_event_streams(faulty: FaultyEndpoint, isolated_env: Path, name: str,
                              frames: list[bytes], cut: bool, message: str) -> None:
    run, row = _stream_run(faulty, frames, isolated_env, cut=cut)
    assert_clean_failure(run, 5, message)
    assert run.stdout == "Hello there\n"
    assert (row["status"], row["response"]) == ("partial", "Hello there")
    assert len(faulty.requests) == 1


def test_a_frame_whose_json_is_broken_loses_nothing_else(faulty: FaultyEndpoint,
                                                         isolated_env: Path) -> None:
    broken = encode_message({":event-type": "contentBlockDelta", ":message-type": "event",
                             ":content-type": "application/json"}, b"{not json")
    run, row = _stream_run(faulty, [*FRAMES[:3], broken, *FRAMES[3:]], isolated_env)
    assert (run.exit_code, run.stdout) == (0, "Hello there friend\n")
    assert row["status"] == "complete"


def test_a_stream_that_stalls_past_the_read_timeout(faulty: FaultyEndpoint,
                                                    isolated_env: Path) -> None:
    faulty.add_stream(FRAMES[:3], stall=1.5)  # three events, then silence
    run = aws(faulty.url, "generate", "hi", "--read-timeout", "0.4", "--max-attempts", "1")
    assert_clean_failure(run, 5, "No answer within the read timeout")
    assert "stream the answer" not in run.stderr  # it did stream: that is no way out
    assert run.stdout == "Hello there\n"
    [row] = history_rows(isolated_env)
    assert (row["status"], row["response"]) == ("partial", "Hello there")
    assert len(faulty.requests) == 1


def test_a_stream_slower_to_start_than_the_read_timeout(faulty: FaultyEndpoint) -> None:
    faulty.add(Reply(200, b"", delay=1.0))
    run = aws(faulty.url, "generate", "hi", "--read-timeout", "0.3", "--max-attempts", "1")
    assert_clean_failure(run, 5, "No answer within the read timeout")
    assert "--read-timeout" in run.stderr
    assert "stream" not in run.stderr.splitlines()[1]  # the call streamed already


@pytest.mark.parametrize("attempts", [1, 2])
def test_an_answer_slower_than_the_read_timeout(faulty: FaultyEndpoint, isolated_env: Path,
                                                fast_retries: None, attempts: int) -> None:
    for _ in range(attempts):
        faulty.add(Reply(200, json.dumps(converse_body("late")).encode(), delay=1.0))
    run = aws(faulty.url, "generate", "hi", "--no-stream", "--read-timeout", "0.3",
              "--max-attempts", str(attempts))
    assert_clean_failure(run, 5, "No answer within the read timeout")
    assert len(faulty.requests) == attempts  # botocore retries a read timeout
    assert run.stdout == ""
    [row] = history_rows(isolated_env)
    assert row["status"] == "error"


def test_a_connection_closed_without_an_answer_is_retried(faulty: FaultyEndpoint,
                                                          fast_retries: None) -> None:
    faulty.default = Reply(raw=b"")
    run = aws(faulty.url, "generate", "hi", "--no-stream")
    assert_clean_failure(run, 5, f"The connection to {faulty.url} closed before an answer "
                                 "arrived.")
    assert len(faulty.requests) == 3


def test_garbage_instead_of_http(faulty: FaultyEndpoint, fast_retries: None) -> None:
    faulty.default = Reply(raw=b"SPAM SPAM SPAM\r\n\r\n")
    run = aws(faulty.url, "generate", "hi", "--no-stream", "--max-attempts", "2")
    assert_clean_failure(run, 5)
    assert len(faulty.requests) == 2


@pytest.mark.parametrize("command", [["generate", "hi"], ["generate", "hi", "--no-stream"],
                                     ["invoke", "nova-lite", "--body", NOVA_BODY],
                                     ["embed", "hello"]])
def test_connection_refused(aws_env: None, fast_retries: None, isolated_env: Path,
                            command: list[str]) -> None:
    held, port = refused_port()
    with held:
        run = aws(f"http://127.0.0.1:{port}", *command)
    assert_clean_failure(run, 5, f"Could not connect to http://127.0.0.1:{port}")
    assert run.stdout == ""
    assert [r["status"] for r in history_rows(isolated_env)] in ([], ["error"])


@pytest.mark.parametrize("model", ["canvas", "sd3", "sdxl"])
@pytest.mark.parametrize("body", [b"{not json", b"{}", b"[]", b'{"images": 5}',
                                  b'{"images": "abc"}', b'{"images": [5]}',
                                  b'{"artifacts": "x"}', b'{"artifacts": [5]}',
                                  b'{"seeds": [1], "finish_reasons": [null]}',
                                  b'{"images": ["aGVsbG8="], "artifacts": [{"base64": '
                                  b'"aGVsbG8=", "finishReason": "SUCCESS"}]}'])
def test_an_image_answer_that_is_not_one_is_exit_5_not_a_filter(
        faulty: FaultyEndpoint, tmp_path: Path, model: str, body: bytes) -> None:
    faulty.default = Reply(200, body)
    region = ["--region", "us-west-2"] if model == "sd3" else []
    out = tmp_path / "out"
    out.mkdir()
    run = aws(faulty.url, "image", "a red square", "-m", model, "-o", str(out / "x.png"),
              *region)
    # a broken answer is the service's failure (5), not a content filter (6)
    assert (run.exit_code, run.exception) == (5, None), run.stderr
    lines = run.stderr.splitlines()  # the image summary line, then the error and its hint
    assert "Traceback" not in run.stderr and len(lines) <= 3
    assert lines[-2].startswith("Error: ") and lines[-1].startswith("Hint: ")
    assert len(faulty.requests) == 1
    assert list(out.iterdir()) == []


#: (the families read a text field of another type as its str(): `5` prints "5" — lenient,
#: not a crash, so not listed here)
NATIVE_GARBAGE = [b"{}", b'{"outputs": 5, "results": 5, "output": 5, "content": 5}',
                  b'{"outputs": [5]}', b'{"content": [5], "output": {"message": 5}}']


@pytest.mark.parametrize("model", ["llama", "nova-lite", "titan-text-lite", "mistral",
                                   "command-r", "haiku"])
@pytest.mark.parametrize("body", NATIVE_GARBAGE)
def test_a_native_answer_that_is_not_one_is_exit_5(faulty: FaultyEndpoint, model: str,
                                                   body: bytes) -> None:
    from bedrock_cli.local.eventstream import event

    faulty.default = Reply(200, body)
    run = aws(faulty.url, "generate", "hi", "--no-stream", "--api", "invoke", "-m", model)
    assert_clean_failure(run, 5)
    chunk = {"bytes": __import__("base64").b64encode(body).decode()}
    faulty.default = Reply(200, frames=[event("chunk", chunk)],
                           headers={"Content-Type": "application/vnd.amazon.eventstream"})
    run = aws(faulty.url, "generate", "hi", "--api", "invoke", "-m", model)
    assert_clean_failure(run, 5)
