"""`doctor`: on local, on aws without credentials or region, with STS (moto) and a scripted
Bedrock endpoint, and its local-data checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

from bedrock_cli.tasks.doctor import remote as doctor_remote
from tests.fake_endpoint import FakeEndpoint
from tests.helpers import cli

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETKEY"
KEY_ID = "AKIAIOSFODNN7DOCTOR1"


def lines(stdout: str) -> dict[str, str]:
    """check name -> its line (without the symbol)."""
    out = {}
    for line in stdout.splitlines():
        if line[:2] in ("✓ ", "✗ ", "! ", "- "):
            name = line[2:].split(":", 1)[0]
            out[name] = line
    return out


def test_local_backend_is_all_set() -> None:
    run = cli(["doctor", "--backend", "local"])
    assert run.exit_code == 0, run.stdout + run.stderr
    checks = lines(run.stdout)
    assert checks["credentials"].startswith("✓ credentials: not needed")
    assert checks["emulator"].startswith("✓ emulator: the local emulator answered")
    assert checks["text model"].startswith("✓ text model: amazon.nova-lite-v1:0: available")
    assert checks["history"].startswith("✓ history:")
    assert run.stdout.rstrip().endswith("All set.")
    assert run.stderr == ""


@pytest.mark.parametrize(("model", "region"), [("acme.nosuch-v1", "us-east-1"),
                                               ("mistral-large", "us-east-1"),
                                               ("nova-lite", "sa-east-1")])
def test_a_text_model_unusable_here_is_blamed_on_the_setting_not_the_emulator(
        monkeypatch: pytest.MonkeyPatch, model: str, region: str) -> None:
    monkeypatch.setenv("BEDROCK_CLI_MODEL", model)
    run = cli(["doctor", "--backend", "local", "--region", region])
    assert run.exit_code == 3
    checks = lines(run.stdout)
    assert checks["emulator"].startswith("✓ emulator: the local emulator answered"), run.stdout
    assert checks["text model"].startswith("✗ text model:")
    assert "Reinstall" not in run.stdout


def test_auto_without_credentials_warns_but_works() -> None:
    run = cli(["doctor", "--json"])
    assert run.exit_code == 0
    report = run.json()
    assert report["ok"] is True and report["backend"] == "local"
    backend = next(c for c in report["checks"] if c["name"] == "backend")
    assert backend["status"] == "warn"
    assert "aws sso login" in backend["fix"]
    assert run.stderr == ""  # no "using the local backend" notice in the middle of a report


def test_aws_without_credentials_blocks_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    run = cli(["doctor", "--backend", "aws"])
    assert run.exit_code == 3
    checks = lines(run.stdout)
    assert checks["credentials"] == "✗ credentials: no AWS credentials were found"
    assert "    fix: Run `aws configure sso` then `aws sso login --profile NAME`" in run.stdout
    assert checks["region"] == "✓ region: eu-west-1 (env AWS_REGION)"
    assert checks["text model"].startswith("- text model")
    assert "1 problem blocks use" in run.stdout


def test_aws_without_a_region_says_how_to_set_one() -> None:
    run = cli(["doctor", "--backend", "aws", "--json"])
    assert run.exit_code == 3
    region = next(c for c in run.json()["checks"] if c["name"] == "region")
    assert region["status"] == "fail"
    assert region["fix"].startswith("aws configure set region")


def test_a_missing_profile_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    run = cli(["doctor", "--backend", "aws", "--profile", "nosuch", "--region", "us-east-1"])
    assert run.exit_code == 3
    assert "✗ backend: The config profile (nosuch) could not be found." in run.stdout
    assert "aws configure list-profiles" in run.stdout


@pytest.fixture
def aws_with_sts(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEndpoint]:
    """moto answers STS; the scripted endpoint answers Bedrock (moto passes it through)."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with mock_aws(), FakeEndpoint() as fake:
        yield fake


def _available(endpoint: FakeEndpoint, times: int) -> None:
    for _ in range(times):
        endpoint.add_json({"modelId": "m", "agreementAvailability": {"status": "AVAILABLE"},
                           "authorizationStatus": "AUTHORIZED",
                           "entitlementAvailability": "AVAILABLE",
                           "regionAvailability": "AVAILABLE"})


def test_sts_identity_is_shown_and_no_secret_anywhere(aws_with_sts: FakeEndpoint) -> None:
    endpoint = aws_with_sts
    endpoint.add_json({"asyncInvokeSummaries": []})  # ListAsyncInvokes: the endpoint answers
    _available(endpoint, 3)
    run = cli(["doctor", "--backend", "aws", "--endpoint-url", endpoint.url, "--debug"])
    assert run.exit_code == 0, run.stdout
    checks = lines(run.stdout)
    assert "account 123456789012" in checks["credentials"]
    assert "arn:aws:sts::123456789012:user/moto" in checks["credentials"]
    assert "(credentials from env)" in checks["credentials"]
    assert checks["endpoint"].startswith(f"✓ endpoint: {endpoint.url} answered (HTTP 200")
    assert checks["clock"].startswith("✓ clock: within")
    assert checks["text model"] == ("✓ text model: amazon.nova-lite-v1:0: available in "
                                    "us-east-1 (GetFoundationModelAvailability, free)")
    for output in (run.stdout, run.stderr):
        assert SECRET not in output and KEY_ID not in output
    paths = [r.path for r in endpoint.requests]
    assert paths == ["/async-invoke?maxResults=1",
                     "/foundation-model-availability/amazon.nova-lite-v1%3A0",
                     "/foundation-model-availability/amazon.nova-canvas-v1%3A0",
                     "/foundation-model-availability/amazon.titan-embed-text-v2%3A0"]


def test_model_without_access_blocks(aws_with_sts: FakeEndpoint) -> None:
    endpoint = aws_with_sts
    endpoint.add_error("AccessDeniedException", "not allowed", 403)  # still an answer
    endpoint.add_json({"modelId": "m", "agreementAvailability": {"status": "NOT_AVAILABLE"},
                       "authorizationStatus": "AUTHORIZED",
                       "entitlementAvailability": "NOT_AVAILABLE",
                       "regionAvailability": "AVAILABLE"})
    _available(endpoint, 2)
    run = cli(["doctor", "--backend", "aws", "--endpoint-url", endpoint.url, "--json"])
    assert run.exit_code == 3
    checks = {c["name"]: c for c in run.json()["checks"]}
    assert checks["endpoint"]["status"] == "ok"  # a 403 proves the endpoint is reachable
    model = checks["text model"]
    assert model["status"] == "fail"
    assert "model agreement not_available, no entitlement" in model["detail"]
    assert "Model access" in model["fix"]
    assert checks["image model"]["status"] == "ok"


def test_access_denied_to_the_check_itself_is_only_a_warning(
        aws_with_sts: FakeEndpoint) -> None:
    endpoint = aws_with_sts
    endpoint.add_json({})
    for _ in range(3):
        endpoint.add_error("AccessDeniedException", "no GetFoundationModelAvailability", 403)
    run = cli(["doctor", "--backend", "aws", "--endpoint-url", endpoint.url, "--json",
               "--max-attempts", "1"])
    assert run.exit_code == 0
    model = next(c for c in run.json()["checks"] if c["name"] == "text model")
    assert model["status"] == "warn"
    assert "bedrock:GetFoundationModelAvailability" in model["fix"]


def test_damaged_history_is_reported(isolated_env: Path) -> None:
    data = isolated_env / "data"
    data.mkdir()
    (data / "history.db").write_bytes(b"this is not a database" * 100)
    run = cli(["doctor", "--backend", "local", "--json"])
    assert run.exit_code == 3
    history = next(c for c in run.json()["checks"] if c["name"] == "history")
    assert history["status"] == "fail"
    assert history["fix"].startswith("Move it aside (mv ")


def test_unwritable_data_dir_is_reported(isolated_env: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = isolated_env / "file"
    blocker.write_text("x")
    monkeypatch.setenv("BEDROCK_CLI_HOME", str(blocker / "data"))
    run = cli(["doctor", "--backend", "local", "--no-log", "--json"])
    assert run.exit_code == 3
    data_dir = next(c for c in run.json()["checks"] if c["name"] == "data dir")
    assert data_dir["status"] == "fail" and "BEDROCK_CLI_HOME" in data_dir["fix"]


def test_clock_skew_from_a_date_header() -> None:
    now = time.time()
    assert doctor_remote.clock_skew(formatdate(now - 600, usegmt=True), now) == \
        pytest.approx(600, abs=1)
    assert doctor_remote.clock_skew(formatdate(now + 30, usegmt=True), now) == \
        pytest.approx(-30, abs=1)


@pytest.mark.parametrize(("skew", "status"), [(2.0, "ok"), (-90.0, "warn"), (400.0, "fail")])
def test_clock_thresholds(skew: float, status: str) -> None:
    state = object.__new__(doctor_remote.State)
    state.backend, state.dates = "aws", [("STS", skew)]
    check = state.check_clock()
    assert check.status == status
    if status != "ok":
        assert "timedatectl" in (check.fix or "")
