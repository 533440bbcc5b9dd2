"""Secrets: recognisable credentials are planted in the environment (and in a `.env`), the CLI
is run through successes, failures, `--debug`, `doctor`, `config show` and `serve
--require-signature`, and every output is searched: stdout, stderr, history, every file under
the data and config dirs. Each planted value contains PLANTED, so even a piece of one is found.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from bedrock_cli.pytest_plugin import LocalBedrock
from tests.batch.conftest import write_prompts
from tests.helpers import Run, cli
from tests.reliability.conftest import run_cli_process
from tests.reliability.faulty import FaultyEndpoint, refused_port
from tests.serve.test_command import Served

ACCESS_KEY = "AKIAIOSFODNN7PLANTED"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY+PLANTED/key"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEPLANTEDsessionTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="
BEARER_TOKEN = "ABSKQmVkcm9ja0FQSUtleS1PLANTEDbearerTOKENc2VjcmV0LXZhbHVl"
MARK = "PLANTED"
SERVE_SECRET = "serve-side-PLANTED-secret"


class Outputs:
    """Everything the runs printed, to search at the end."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, label: str, run: Run) -> Run:
        assert run.exception is None, f"{label}: {run.exception!r}"
        self.texts += [(f"{label} stdout", run.stdout), (f"{label} stderr", run.stderr)]
        return run

    def leaks(self) -> list[str]:
        return [label for label, text in self.texts if MARK in text]


def leaked_files(*roots: Path, skip: tuple[Path, ...] = ()) -> list[str]:
    """Files under `roots` (databases and their -wal included, read as bytes) that hold a
    planted value. `skip`: the user's own credential files, which hold them by design."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path not in skip and MARK.encode() in path.read_bytes():
                found.append(str(path))
    return found


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> Iterator[Outputs]:
    outputs = Outputs()
    yield outputs
    assert outputs.leaks() == []
    assert leaked_files(isolated_env, Path.cwd(), skip=(Path.cwd() / ".env",)) == []


def plant(monkeypatch: pytest.MonkeyPatch, *, session: bool = True) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    if session:
        monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_REGION", "us-east-1")


def test_successful_calls_with_debug(local_bedrock: LocalBedrock, planted: Outputs,
                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plant(monkeypatch)
    Path(".env").write_text(f"AWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"
                            f"AWS_SESSION_TOKEN={SESSION_TOKEN}\n")
    base = ["--backend", "aws", "--endpoint-url", local_bedrock.endpoint_url, "--debug"]
    prompts = write_prompts(tmp_path / "in.jsonl", 3)
    runs = {
        "generate": ["generate", "Tell me about rivers", "--max-tokens", "20"],
        "generate json": ["generate", "hi", "--no-stream", "--json", "--usage"],
        "invoke": ["invoke", "nova-lite", "--body", '{"messages": [{"role": "user", '
                   '"content": [{"text": "hi"}]}], "inferenceConfig": {"max_new_tokens": 5}}'],
        "invoke stream -o": ["invoke", "nova-lite", "--stream", "-o", "out.jsonl", "--body",
                             '{"messages": [{"role": "user", "content": [{"text": "hi"}]}]}'],
        "embed": ["embed", "hello world", "-o", "vec.json"],
        "tokens": ["tokens", "hello", "-m", "haiku"],
        "extract": ["extract", "Ann paid $5 on 2024-01-02", "-F", "name", "-F", "amount:number"],
        "image": ["image", "a red square", "--size", "320x320", "-o", "pic.png"],
        "batch": ["batch", "run", str(prompts), "-o", "batch.jsonl"],
        "models": ["models", "list"],
    }
    for label, args in runs.items():
        run = planted.add(label, cli([*base, *args]))
        assert run.exit_code == 0, f"{label}: {run.stderr}"
    planted.add("chat", cli([*base, "chat"], input="hello there\n"))
    for label, args in {"history list": ["history", "list", "--json"],
                        "history export": ["history", "export", "--json"],
                        "config show": ["config", "show"],
                        "config show json": ["config", "show", "--json"],
                        "doctor": ["doctor", "--backend", "local"]}.items():
        run = planted.add(label, cli(args))
        assert run.exit_code in (0, 1) and run.exception is None, f"{label}: {run.stderr}"
    signed = [r for r in local_bedrock.requests if "Authorization" in r.headers]
    assert signed and all(ACCESS_KEY in r.headers["Authorization"] for r in signed)
    assert all(r.headers.get("X-Amz-Security-Token") == SESSION_TOKEN for r in signed)


def test_failures_with_debug(local_bedrock: LocalBedrock, planted: Outputs,
                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG",
                        {"throttling_base_scale": 0.001, "non_throttling_base_scale": 0.001})
    plant(monkeypatch)
    base = ["--backend", "aws", "--endpoint-url", local_bedrock.endpoint_url, "--debug"]
    for spec in ("throttle", "error=403", "error=400", "error=500", "cut-after=2",
                 "stream-exception=modelStreamErrorException@2"):
        local_bedrock.fault(spec)
        run = planted.add(spec, cli([*base, "generate", "hi", "--max-tokens", "10"]))
        assert run.exit_code in (3, 4, 5), f"{spec}: {run.stderr}"
    held, port = refused_port()
    with held:
        planted.add("refused", cli(["--backend", "aws", "--endpoint-url",
                                    f"http://127.0.0.1:{port}", "--debug", "--max-attempts",
                                    "1", "generate", "hi"]))
    with FaultyEndpoint() as faulty:
        faulty.add_error("UnrecognizedClientException",
                         "The security token included in the request is invalid.", 403)
        faulty.add_error("ExpiredTokenException", "The security token included in the "
                         "request is expired", 403)
        for label in ("unrecognized", "expired"):
            run = planted.add(label, cli(["--backend", "aws", "--endpoint-url", faulty.url,
                                          "--debug", "generate", "hi", "--no-stream"]))
            assert run.exit_code == 3
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", BEARER_TOKEN)
    run = planted.add("bearer on http", cli([*base, "generate", "hi"]))
    assert run.exit_code == 3, run.stderr
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    run = planted.add("missing profile", cli(["--debug", "generate", "hi"]))
    assert run.exit_code == 3, run.stderr
    rows = planted.add("history", cli(["history", "list", "--json"]))
    assert rows.exit_code == 0


def test_doctor_on_aws_with_every_kind_of_credential(planted: Outputs,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    from tests.fake_endpoint import FakeEndpoint

    plant(monkeypatch)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", BEARER_TOKEN)
    with mock_aws(), FakeEndpoint() as fake:
        fake.add_json({"asyncInvokeSummaries": []})
        for _ in range(3):
            fake.add_json({"modelId": "m", "agreementAvailability": {"status": "AVAILABLE"},
                           "authorizationStatus": "AUTHORIZED",
                           "entitlementAvailability": "AVAILABLE",
                           "regionAvailability": "AVAILABLE"})
        for args in (["doctor", "--backend", "aws", "--endpoint-url", fake.url, "--debug"],
                     ["doctor", "--backend", "aws", "--endpoint-url", fake.url, "--json"]):
            run = planted.add(" ".join(args[:1] + args[-1:]), cli(args))
            assert run.stdout, run.stderr


def test_subprocesses_and_serve_with_require_signature(planted: Outputs, isolated_env: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --require-signature` with its secret from the environment, the CLI as a
    separate process with --debug, signed right and wrong: nothing planted in any output."""
    served = Served("--port", "0", "--require-signature", "--access-key-id", ACCESS_KEY,
                    env={"BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY": SECRET_KEY})
    try:
        env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
               "AWS_REGION": "us-east-1", "BEDROCK_CLI_HOME": str(isolated_env / "data")}
        args = ["--backend", "aws", "--endpoint-url", served.url, "--debug"]
        good = run_cli_process([*args, "generate", "hi", "--max-tokens", "5"], env=env)
        assert good.returncode == 0, good.stderr.decode()
        wrong = run_cli_process([*args, "generate", "hi", "--no-stream"],
                                env={**env, "AWS_SECRET_ACCESS_KEY": "wrong-" + SECRET_KEY})
        assert wrong.returncode == 3
        assert b"The request signature we calculated does not match" in wrong.stderr
        session = run_cli_process([*args, "generate", "hi", "--no-stream"],
                                  env={**env, "AWS_SESSION_TOKEN": SESSION_TOKEN})
        assert session.returncode in (0, 3)
        client = boto3.client("bedrock", endpoint_url=served.url, region_name="us-east-1",
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key="nope",
                              config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(client.exceptions.ClientError):
            client.list_foundation_models()
    finally:
        code, out, err = served.stop(signal.SIGTERM)
    assert code == 0
    for label, proc in (("good", good), ("wrong", wrong), ("session", session)):
        planted.texts += [(f"{label} stdout", proc.stdout.decode()),
                          (f"{label} stderr", proc.stderr.decode())]
    banner = "\n".join(served.banner)
    planted.texts += [("serve banner", banner.replace(ACCESS_KEY, "<the key id>")),
                      ("serve stdout", out), ("serve log", err)]
    assert err.count(" 403 ") >= 2 and " 200 " in err


def test_the_access_key_id_is_the_only_value_serve_shows(isolated_env: Path) -> None:
    """The banner shows the key id a client must use — the id, never the secret."""
    served = Served("--port", "0", "--require-signature", "--access-key-id", "AKIDSHOWN",
                    env={"BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY": SERVE_SECRET})
    try:
        assert "AWS_ACCESS_KEY_ID=AKIDSHOWN" in served.banner[2]
        assert "<the secret given to serve>" in served.banner[2]
    finally:
        code, out, err = served.stop(signal.SIGTERM)
    assert code == 0
    assert SERVE_SECRET not in "\n".join(served.banner) + out + err
    assert os.environ.get("BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY") is None
