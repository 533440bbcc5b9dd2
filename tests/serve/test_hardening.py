"""The server survives hostile and broken clients, bounds what it holds, and keeps serving."""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable

import pytest

from .conftest import Live, closed_by_peer, exchange, read_reply

ERROR_TYPE = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
LIST = b"GET /foundation-models HTTP/1.1\r\nHost: t\r\n\r\n"


def assert_serving(live: Live) -> None:
    reply = exchange(live.port, LIST)
    assert reply.status == 200
    assert reply.json()["modelSummaries"]


def assert_bedrock_error(reply: object, status: int, code: str, message: str) -> None:
    assert reply.status == status  # type: ignore[attr-defined]
    headers = reply.headers  # type: ignore[attr-defined]
    assert headers["x-amzn-errortype"] == code + ERROR_TYPE
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-amzn-requestid"])
    assert reply.json() == {"message": message}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("raw", "message"), [
    (b"GARBAGE\r\n\r\n", "Malformed HTTP request: the request line must be 'METHOD TARGET "
                         "HTTP/1.1'."),
    (b"GET /foundation-models HTTP/9.9\r\nHost: t\r\n\r\n",
     "Malformed HTTP request: unsupported protocol version 'HTTP/9.9'."),
    (b"G(T /foundation-models HTTP/1.1\r\nHost: t\r\n\r\n",
     "Malformed HTTP request: invalid method."),
    (b"GET foundation-models HTTP/1.1\r\nHost: t\r\n\r\n",
     "Malformed HTTP request: invalid request target."),
    (b"GET /foundation-models HTTP/1.1\r\n\r\n",
     "Malformed HTTP request: HTTP/1.1 requests need a Host header."),
    (b"GET /foundation-models HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n",
     "Malformed HTTP request: invalid header line."),
    (b"GET /foundation-models HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n",
     "Malformed HTTP request: obsolete header line folding."),
    (b"POST /model/x/converse HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
     "Malformed HTTP request: invalid Content-Length."),
    (b"POST /model/x/converse HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n{}",
     "Malformed HTTP request: both Transfer-Encoding and Content-Length."),
    (b"GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
     "Malformed HTTP request: header line too long."),
])
def test_malformed_requests_get_a_bedrock_error_and_a_close(live: Live, raw: bytes,
                                                            message: str) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(raw)
        reply = read_reply(sock)
        assert_bedrock_error(reply, 400, "ValidationException", message)
        assert reply.headers["connection"] == "close"
        assert closed_by_peer(sock)
    assert_serving(live)


def test_random_garbage_never_stops_the_server(live: Live) -> None:
    rng = random.Random(7)
    for size in (1, 17, 512, 4096, 70_000):
        with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
            try:
                sock.sendall(rng.randbytes(size) + b"\r\n\r\n")
                sock.shutdown(socket.SHUT_WR)
                data = sock.recv(65536)
            except ConnectionResetError:
                data = b""
            assert data == b"" or data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_serving(live)


def test_bad_json_body(live: Live) -> None:
    body = b"{not json"
    reply = exchange(live.port, b"POST /model/amazon.nova-lite-v1%3A0/converse HTTP/1.1\r\n"
                     b"Host: t\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert_bedrock_error(reply, 400, "ValidationException",
                         "Malformed input request, please reformat your input and try again.")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/no/such/path"), ("PATCH", "/foundation-models"), ("DELETE", "/model/x/converse"),
])
def test_unknown_paths_and_methods(live: Live, method: str, path: str) -> None:
    reply = exchange(live.port, f"{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    assert_bedrock_error(reply, 404, "UnknownOperationException",
                         f"The requested operation {method} {path} is not recognized by the "
                         "service.")
    assert reply.headers.get("connection") != "close"  # a well-formed request keeps the line


def test_head_gets_headers_only(live: Live) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"HEAD /foundation-models HTTP/1.1\r\nHost: t\r\n\r\n" + LIST)
        data = b""
        while data.count(b"HTTP/1.1 ") < 2 or not data.rstrip().endswith(b"}"):
            data += sock.recv(65536)
    first, second = data.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"404 ") and first.endswith(b"\r\n\r\n")  # no body after HEAD
    assert second.startswith(b"200 ")


def test_body_over_25_mb_is_refused_with_413_while_streamed(live: Live) -> None:
    size = 26 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(b"POST /model/amazon.nova-lite-v1%3A0/invoke HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Length: " + str(size).encode() + b"\r\n\r\n")
        block = b"x" * (1024 * 1024)
        for _ in range(26):  # the client never holds the body; the server never buffers it
            sock.sendall(block)
        reply = read_reply(sock)
        assert reply.headers["connection"] == "close"
        assert closed_by_peer(sock)
    assert_bedrock_error(reply, 413, "ValidationException",
                         "The request body is too large: the limit is 26214400 bytes (25 MB).")
    assert live.exchanges[-1].status == 413 and live.exchanges[-1].body == b""
    assert_serving(live)


def test_body_over_25_mb_from_boto3(live: Live) -> None:
    client = live.client()
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.invoke_model(modelId="amazon.nova-lite-v1:0", body=b"x" * (26 * 1024 * 1024))
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_expect_continue_over_the_limit_is_refused_before_the_body(live: Live) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"POST /model/m/invoke HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                     b"Content-Length: 99999999\r\n\r\n")
        reply = read_reply(sock)
    assert reply.status == 413


def test_chunked_request_body_and_expect_continue(live: Live) -> None:
    payload = json.dumps({"messages": [{"role": "user", "content": [{"text": "hello"}]}],
                          "inferenceConfig": {"maxTokens": 3}}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 10]), payload[i:i + 10])
                      for i in range(0, len(payload), 10))
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(b"POST /model/us.amazon.nova-lite-v1%3A0/converse HTTP/1.1\r\nHost: t\r\n"
                     b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(chunks + b"0\r\n\r\n")
        reply = read_reply(sock)
    assert reply.status == 200
    assert reply.json()["usage"]["outputTokens"] <= 3


def test_slowloris_is_cut_off_while_others_are_served(start_server: Callable[..., Live]) -> None:
    live = start_server(header_timeout=1.0)
    slow = socket.create_connection(("127.0.0.1", live.port), timeout=5)
    started = time.perf_counter()
    cut_at: list[float] = []

    def trickle() -> None:
        try:
            for byte in b"POST /model/x/converse HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaa":
                slow.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass
        finally:
            cut_at.append(time.perf_counter() - started)

    worker = threading.Thread(target=trickle)
    worker.start()
    time.sleep(0.3)
    for _ in range(3):  # others are answered promptly meanwhile
        t0 = time.perf_counter()
        assert_serving(live)
        assert time.perf_counter() - t0 < 0.5
    reply = read_reply(slow)
    elapsed = time.perf_counter() - started
    assert reply.status == 408
    assert reply.json() == {"message": "The request headers did not arrive in time."}
    assert 0.9 < elapsed < 2.5
    assert closed_by_peer(slow)
    slow.close()
    worker.join(10)


def test_idle_connection_is_closed(start_server: Callable[..., Live]) -> None:
    live = start_server(idle_timeout=0.5)
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        t0 = time.perf_counter()
        assert sock.recv(1) == b""
        assert 0.4 < time.perf_counter() - t0 < 2.0


def test_slow_body_times_out(start_server: Callable[..., Live]) -> None:
    live = start_server(body_timeout=0.5)
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"POST /model/m/converse HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{")
        reply = read_reply(sock)
    assert reply.status == 408
    assert reply.json() == {"message": "The request body did not arrive in time."}


def test_keep_alive_reuses_one_connection(live: Live) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        for _ in range(3):
            sock.sendall(LIST)
            reply = read_reply(sock)
            assert reply.status == 200
            assert "connection" not in reply.headers
    client = live.client()
    for _ in range(4):
        client.converse(modelId="us.amazon.nova-lite-v1:0", inferenceConfig={"maxTokens": 2},
                        messages=[{"role": "user", "content": [{"text": "hi"}]}])
    boto_peers = {e.peer for e in live.exchanges[3:]}
    assert len(live.exchanges) == 7
    assert len(boto_peers) == 1  # botocore's pooled connection, kept alive by the server


def test_http10_closes_unless_keep_alive(live: Live) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"GET /foundation-models HTTP/1.0\r\n\r\n")
        assert read_reply(sock).headers["connection"] == "close"
        assert closed_by_peer(sock)
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"GET /foundation-models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        assert read_reply(sock).headers["connection"] == "keep-alive"
        sock.sendall(LIST)
        assert read_reply(sock).status == 200


def test_hundreds_of_concurrent_connections_are_bounded(
        start_server: Callable[..., Live]) -> None:
    live = start_server(max_connections=32)
    socks = [socket.create_connection(("127.0.0.1", live.port), timeout=20) for _ in range(300)]
    try:
        for sock in socks:
            sock.sendall(b"GET /inference-profiles HTTP/1.1\r\nHost: t\r\n"
                         b"Connection: close\r\n\r\n")
        statuses = [read_reply(sock).status for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert statuses == [200] * 300
    server = live.thread.server
    assert 1 < server.peak_connections <= 32
    assert len(live.exchanges) == 300


def test_request_log_lines(live: Live) -> None:
    client = live.client()
    client.converse(modelId="us.amazon.nova-lite-v1:0", inferenceConfig={"maxTokens": 2},
                    messages=[{"role": "user", "content": [{"text": "hi"}]}])
    stream = client.converse_stream(modelId="us.amazon.nova-lite-v1:0",
                                    inferenceConfig={"maxTokens": 2},
                                    messages=[{"role": "user", "content": [{"text": "hi"}]}])
    events = list(stream["stream"])
    exchange(live.port, b"BOGUS\r\n\r\n")
    time.sleep(0.1)
    assert re.fullmatch(r"POST /model/us\.amazon\.nova-lite-v1%3A0/converse 200 \d+ms",
                        live.lines[0])
    assert re.fullmatch(rf"POST /model/us\.amazon\.nova-lite-v1%3A0/converse-stream 200 \d+ms "
                        rf"\(stream, {len(events)} events\)", live.lines[1])
    assert re.fullmatch(r"- - 400 \d+ms \(Malformed HTTP request: .*\)", live.lines[2])


def test_a_failure_around_the_emulator_is_a_500_not_a_dropped_connection(
        start_server: Callable[..., Live]) -> None:
    class Exploding:
        def check(self, *_: object, **__: object) -> None:
            raise RuntimeError("boom")

    live = start_server(verifier=Exploding())
    reply = exchange(live.port, LIST)
    assert_bedrock_error(reply, 500, "InternalServerException",
                         "The server encountered an internal error while processing the "
                         "request.")
