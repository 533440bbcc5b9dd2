"""`bedrock-cli serve`: the offline Bedrock on an HTTP port, for any Bedrock client."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError

if TYPE_CHECKING:
    from bedrock_cli.local import Emulator
    from bedrock_cli.local.faults import FaultOptions
    from bedrock_cli.local.server import BedrockServer

PANEL = "Faults and latency"
DOUBLE = "Test double (docs/testing.md)"


@common_command
def serve(
    app: AppContext,
    host: Annotated[str, typer.Option(
        "--host", help="Address to bind. Anything but loopback exposes the emulator.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", "-p", min=0, max=65535, help="Port to bind (0: any free port).")] = 8787,
    latency_ms: Annotated[float, typer.Option(
        "--latency-ms", min=0.0, help="Added before every response.", rich_help_panel=PANEL)]
    = 0.0,
    stream_delay_ms: Annotated[float, typer.Option(
        "--stream-delay-ms", min=0.0, help="Added between stream events.",
        rich_help_panel=PANEL)] = 0.0,
    throttle_rate: Annotated[float, typer.Option(
        "--throttle-rate", min=0.0, max=1.0, help="Share of requests answered 429 "
        "ThrottlingException.", rich_help_panel=PANEL)] = 0.0,
    error_rate: Annotated[float, typer.Option(
        "--error-rate", min=0.0, max=1.0, help="Share answered 500 InternalServerException or "
        "503 ServiceUnavailableException (where the operation has it).",
        rich_help_panel=PANEL)] = 0.0,
    stream_cut_rate: Annotated[float, typer.Option(
        "--stream-cut-rate", min=0.0, max=1.0, help="Share of event streams whose connection "
        "is dropped mid-stream.", rich_help_panel=PANEL)] = 0.0,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed for the random faults (reproducible runs).", rich_help_panel=PANEL,
        show_default=False)] = None,
    require_signature: Annotated[bool, typer.Option(
        "--require-signature", help="Reject requests not SigV4-signed with the key below (403).")]
    = False,
    access_key_id: Annotated[str | None, typer.Option(
        "--access-key-id", envvar="BEDROCK_CLI_SERVE_ACCESS_KEY_ID",
        help="Access key id accepted with --require-signature.", show_default=False)] = None,
    secret_access_key: Annotated[str | None, typer.Option(
        "--secret-access-key", envvar="BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY",
        help="Its secret (better from the environment variable, out of `ps`).",
        show_default=False, show_envvar=True)] = None,
    allow_file_uris: Annotated[bool, typer.Option(
        "--allow-file-uris", help="Let batch jobs read and write file:// paths on this machine "
        "(off by default: any client of the port could otherwise reach local files).")]
    = False,
    responses: Annotated[Path | None, typer.Option(
        "--responses", envvar="BEDROCK_CLI_LOCAL_RESPONSES", help="TOML or JSON file of "
        "declared answers, matched before the engines.", rich_help_panel=DOUBLE,
        show_default=False)] = None,
    record: Annotated[Path | None, typer.Option(
        "--record", help="Forward every request to --upstream and append it to this cassette "
        "(JSON Lines).", rich_help_panel=DOUBLE, show_default=False)] = None,
    upstream: Annotated[str, typer.Option(
        "--upstream", help="Where --record sends requests: aws (signed with your credentials) "
        "or a URL.", rich_help_panel=DOUBLE)] = "aws",
    replay: Annotated[Path | None, typer.Option(
        "--replay", help="Answer every request from this cassette.", rich_help_panel=DOUBLE,
        show_default=False)] = None,
    match: Annotated[str, typer.Option(
        "--match", help="What --replay compares: any of operation, model, body.",
        rich_help_panel=DOUBLE)] = "operation,model,body",
    ignore_body_key: Annotated[list[str] | None, typer.Option(
        "--ignore-body-key", help="A body key --replay ignores (dotted for nested keys, "
        "repeatable).", rich_help_panel=DOUBLE, show_default=False)] = None,
) -> None:
    """Serve the offline Bedrock emulator over HTTP (Ctrl-C or SIGTERM to stop).

    Point any Bedrock client at it with --endpoint-url or AWS_ENDPOINT_URL_BEDROCK_RUNTIME /
    AWS_ENDPOINT_URL_BEDROCK. Per-request faults: the x-bedrock-cli-fault header (docs/serve.md).
    """
    from bedrock_cli.local import Emulator, EmulatorOptions
    from bedrock_cli.local import server as srv
    from bedrock_cli.local.faults import FaultOptions
    from bedrock_cli.local.sigv4 import SignatureVerifier

    out = app.output
    verifier = None
    if require_signature:
        if not access_key_id or not secret_access_key:
            raise UsageError("--require-signature needs --access-key-id and --secret-access-key.",
                             "Pass both (the secret preferably through "
                             "BEDROCK_CLI_SERVE_SECRET_ACCESS_KEY).")
        verifier = SignatureVerifier(access_key_id, secret_access_key)
    elif access_key_id or secret_access_key:
        raise UsageError("--access-key-id and --secret-access-key are only used with "
                         "--require-signature.", "Add --require-signature, or drop the keys.")
    if not srv.is_loopback(host):
        out.warn(f"binding {host}: the emulator will accept requests from other machines "
                 "(no authentication unless --require-signature).")
    from bedrock_cli.tasks.guardrail import check_file

    check_file(app.settings.local_guardrails, app.settings.source("local_guardrails"))
    faults = FaultOptions(throttle_rate, error_rate, stream_cut_rate, seed)
    emulator = Emulator(EmulatorOptions(
        latency_ms=latency_ms, stream_delay_ms=stream_delay_ms,
        extra={"local_guardrails": app.settings.local_guardrails, "file_uris": allow_file_uris},
    ))
    double = _double(app, emulator, responses, record, upstream, replay, match,
                     ignore_body_key or [])
    config = srv.ServerConfig(host=host, port=port, verifier=verifier,
                              log=None if app.settings.quiet else out.notice)
    try:
        server = srv.BedrockServer(emulator, config)
    except srv.BindError as exc:
        raise UsageError(f"Cannot serve: {exc.strerror}.",
                         "Pick another port with --port (--port 0 takes any free one), or stop "
                         "what is listening there.") from None
    server.faults.configure(faults)
    _stop_on_signals(server)
    _banner(app, server.url, access_key_id if verifier else None, faults, latency_ms)
    if double:
        out.info(double)
    srv.run(server)
    out.notice("bedrock-cli serve: stopped.")


def _double(app: AppContext, emulator: Emulator, responses: Path | None, record: Path | None,
            upstream: str, replay: Path | None, match: str, ignore: list[str]) -> str:
    """Declared responses and cassettes, each refused with exit 2 when it cannot be used;
    the line the banner adds about them."""
    from bedrock_cli import testing
    from bedrock_cli.local.cassette import CassetteError
    from bedrock_cli.local.declared import install
    from bedrock_cli.local.recording import UpstreamError
    from bedrock_cli.local.rules import ResponsesError

    try:
        rules = install(emulator, responses).rules
    except ResponsesError as exc:
        raise UsageError(f"The responses file is not valid: {exc}.",
                         "Fix that rule (the format is in docs/testing.md).") from None
    if upstream != "aws" and not record:
        raise UsageError("--upstream is only used with --record.",
                         "Add --record CASSETTE, or drop --upstream.")
    if record and replay:
        raise UsageError("--record and --replay cannot be used together.",
                         "Record once, then serve with --replay.")
    if replay:
        criteria = [c.strip() for c in match.split(",") if c.strip()]
        try:
            testing.replay(emulator, replay, criteria, ignore)
        except CassetteError as exc:
            raise UsageError(f"Cannot replay: {exc}.", "Record it again with --record.") \
                from None
        except ValueError as exc:
            raise UsageError(f"--match: {exc}.", "For example --match operation,model.") \
                from None
    elif record:
        try:
            recorder = testing.record(emulator, record, upstream, app.settings.region)
        except UpstreamError as exc:
            raise UsageError(f"Cannot record: {exc}.",
                             "Configure AWS credentials (aws configure, AWS_PROFILE), or give "
                             "--upstream a URL.") from None
        except OSError as exc:
            raise UsageError(f"Cannot record to {record}: {exc.strerror or exc}.",
                             "Pick a writable path.") from None
        return (f"Recording every request to {record}, answered by {upstream} "
                f"({recorder.upstream.region}).")
    if replay:
        return f"Answering from the cassette {replay}."
    plural = "" if len(rules) == 1 else "s"
    return f"Declared answers: {len(rules)} rule{plural} from {responses}." if responses else ""


def _stop_on_signals(server: BedrockServer) -> None:
    """From the banner on, Ctrl-C and SIGTERM are a clean stop (exit 0), even in the moment
    before the server's loop installs its own handlers: a script that kills `serve` as soon as
    it has read the banner must not see it die of the signal. (`stop()` before the loop runs
    makes the loop end as soon as it starts.)"""
    import contextlib
    import signal

    def stop(_signum: int, _frame: object) -> None:
        server.stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: nothing to race with
            signal.signal(sig, stop)


def _banner(app: AppContext, url: str, key_id: str | None, faults: FaultOptions,
            latency_ms: float) -> None:
    out = app.output
    region = app.settings.region or "us-east-1"
    out.info(f"Offline Bedrock listening on {url} (Ctrl-C to stop)")
    out.info(f"  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url} AWS_ENDPOINT_URL_BEDROCK={url}")
    if key_id:
        out.info(f"  export AWS_ACCESS_KEY_ID={key_id} AWS_SECRET_ACCESS_KEY='<the secret given "
                 f"to serve>' AWS_REGION={region}")
    else:
        out.info(f"  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
                 f"AWS_REGION={region} AWS_DEFAULT_REGION={region}   # any dummy keys work")
    out.info("  unset AWS_BEARER_TOKEN_BEDROCK AWS_PROFILE   # bearer auth needs https")
    active = [f"{name} {value:g}" for name, value in (
        ("latency-ms", latency_ms), ("throttle-rate", faults.throttle_rate),
        ("error-rate", faults.error_rate), ("stream-cut-rate", faults.stream_cut_rate)) if value]
    if active:
        seed = f", seed {faults.seed}" if faults.seed is not None else ""
        out.info(f"Injecting faults: {', '.join(active)}{seed}")
