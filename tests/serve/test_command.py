"""`bedrock-cli serve` as a user runs it: a real subprocess, signals, exit codes, stderr."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from bedrock_cli.local.server import is_loopback, url_for
from tests.helpers import cli


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bedrock_cli", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
        )
        self.banner: list[str] = []
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.banner.append(line.rstrip("\n"))
            if line.startswith("  unset "):
                break
        else:
            raise AssertionError(f"serve exited early: {self.banner}")
        self.url = self.banner[0].split(" on ")[1].split(" ")[0]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err


@pytest.fixture
def served() -> Iterator[list[Served]]:
    running: list[Served] = []
    yield running
    for s in running:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.communicate()


def _client(url: str, **config: object) -> object:
    return boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1}, **config))


def test_banner_requests_and_sigterm(served: list[Served]) -> None:
    s = Served("--port", "0", "--stream-delay-ms", "5")
    served.append(s)
    url = s.url
    assert url.startswith("http://127.0.0.1:")
    assert s.banner[1] == (f"  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url} "
                           f"AWS_ENDPOINT_URL_BEDROCK={url}")
    assert "AWS_ACCESS_KEY_ID=testing" in s.banner[2]
    assert "AWS_DEFAULT_REGION=us-east-1" in s.banner[2]
    client = _client(url)
    r = client.converse(modelId="us.amazon.nova-lite-v1:0",  # type: ignore[attr-defined]
                        messages=[{"role": "user", "content": [{"text": "hi"}]}],
                        inferenceConfig={"maxTokens": 3})
    assert r["output"]["message"]["role"] == "assistant"
    code, out, err = s.stop(signal.SIGTERM)
    assert code == 0
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("POST /model/us.amazon.nova-lite-v1%3A0/converse 200 ")
    assert lines[-1] == "bedrock-cli serve: stopped."


def test_ctrl_c_lets_an_in_flight_stream_finish(served: list[Served]) -> None:
    s = Served("--port", "0", "--stream-delay-ms", "150", "--quiet")
    served.append(s)
    client = _client(s.url, read_timeout=10)
    stream = client.converse_stream(  # type: ignore[attr-defined]
        modelId="us.amazon.nova-lite-v1:0", inferenceConfig={"maxTokens": 6},
        messages=[{"role": "user", "content": [{"text": "hi"}]}])["stream"]
    events = [next(iter(stream))]
    stopper = threading.Thread(target=lambda: s.proc.send_signal(signal.SIGINT))
    stopper.start()
    events += list(stream)  # the stream still completes after Ctrl-C
    stopper.join()
    assert "messageStart" in events[0] and "metadata" in events[-1]
    code, _, err = s.stop(signal.SIGINT)  # (already stopping; a second signal is harmless)
    assert code == 0
    assert "POST " not in err  # --quiet: no request log
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(s.url.rsplit(":", 1)[1])), timeout=1)


def test_port_in_use_exits_2() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = cli(["serve", "--port", str(port)])
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.splitlines()[0] == (
        f"Error: Cannot serve: port {port} on 127.0.0.1 is already in use.")
    assert "--port 0" in run.stderr


def test_non_loopback_host_warns(tmp_path: Path) -> None:
    # The port is taken on loopback, so binding 0.0.0.0 fails after the warning: the test
    # never exposes a listening socket beyond this machine.
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = cli(["serve", "--host", "0.0.0.0", "--port", str(port)])
    assert run.stderr.splitlines()[0] == (
        "warning: binding 0.0.0.0: the emulator will accept requests from other machines "
        "(no authentication unless --require-signature).")
    assert run.exit_code == 2


def test_signature_flags_are_checked() -> None:
    run = cli(["serve", "--require-signature", "--access-key-id", "AKID"])
    assert run.exit_code == 2
    assert run.stderr.startswith(
        "Error: --require-signature needs --access-key-id and --secret-access-key.")
    run = cli(["serve", "--access-key-id", "AKID", "--secret-access-key", "s3cr3t"])
    assert run.exit_code == 2
    assert "s3cr3t" not in run.stderr


def test_rates_are_validated() -> None:
    run = cli(["serve", "--throttle-rate", "1.5"])
    assert run.exit_code == 2
    assert "--throttle-rate" in run.stderr


def test_require_signature_end_to_end(served: list[Served]) -> None:
    secret = "e2e-secret-value"
    s = Served("--port", "0", "--require-signature", "--access-key-id", "AKIDE2E",
               env={"BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY": secret})
    served.append(s)
    assert "AWS_ACCESS_KEY_ID=AKIDE2E" in s.banner[2]

    def control(key: str) -> object:
        return boto3.client("bedrock", endpoint_url=s.url, region_name="us-east-1",
                            aws_access_key_id="AKIDE2E", aws_secret_access_key=key,
                            config=Config(retries={"total_max_attempts": 1}))

    good, bad = control(secret), control("nope")
    assert good.list_foundation_models()["modelSummaries"]  # type: ignore[attr-defined]
    with pytest.raises(bad.exceptions.ClientError) as info:  # type: ignore[attr-defined]
        bad.list_foundation_models()  # type: ignore[attr-defined]
    assert info.value.response["Error"]["Code"] == "InvalidSignatureException"
    code, _, err = s.stop()
    assert code == 0
    assert "GET /foundation-models 403 " in err
    assert secret not in "\n".join(s.banner) + err


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
    ("example.com", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_url_for() -> None:
    assert url_for("127.0.0.1", 8787) == "http://127.0.0.1:8787"
    assert url_for("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert url_for("::1", 9) == "http://[::1]:9"
