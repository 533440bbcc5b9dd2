"""(a) Start-up: `--help`, `--version` and a local `generate` (time and peak memory), next to
the AWS CLI (installed in a throwaway venv under /tmp, never the project's) and a bare boto3
script making the same Converse call against the emulator in-process; then `generate` over
HTTP against `bedrock-cli serve`, streamed and not, each next to a bare boto3 script making
the same call (`converse_stream` / `converse`) against the same endpoint.

Usage: python -m bench.startup [--n 21] [--no-awscli]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bench.common import (
    CLI,
    PY,
    Section,
    bench_env,
    fmt_s,
    interleaved,
    machine,
    median,
    peak_rss_mb,
    repeat,
    serve,
)

AWSCLI_VENV = Path("/tmp/bench-awscli")
PROMPT = "Say hello to the benchmark."
MESSAGES = '[{"role": "user", "content": [{"text": "Say hello to the benchmark."}]}]'

BARE_LOCAL = """
import boto3
from bedrock_cli.local import Emulator, EmulatorOptions, attach
session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y",
                                region_name="us-east-1")
client = session.client("bedrock-runtime",
                        endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")
attach(client, Emulator(EmulatorOptions(region="us-east-1")))
response = client.converse(
    modelId="amazon.nova-lite-v1:0",
    messages=[{"role": "user", "content": [{"text": "Say hello to the benchmark."}]}],
    inferenceConfig={"maxTokens": 16, "temperature": 0.0},
    requestMetadata={"task": "generate"})
print(response["output"]["message"]["content"][0]["text"])
"""

BARE_HTTP = """
import sys, boto3
client = boto3.client("bedrock-runtime", endpoint_url=sys.argv[1])
response = client.converse(
    modelId="amazon.nova-lite-v1:0",
    messages=[{"role": "user", "content": [{"text": "Say hello to the benchmark."}]}],
    inferenceConfig={"maxTokens": 16, "temperature": 0.0})
print(response["output"]["message"]["content"][0]["text"])
"""

BARE_STREAM = """
import sys, boto3
client = boto3.client("bedrock-runtime", endpoint_url=sys.argv[1])
response = client.converse_stream(
    modelId="amazon.nova-lite-v1:0",
    messages=[{"role": "user", "content": [{"text": "Say hello to the benchmark."}]}],
    inferenceConfig={"maxTokens": 16, "temperature": 0.0})
for event in response["stream"]:
    delta = event.get("contentBlockDelta", {}).get("delta", {})
    if "text" in delta:
        sys.stdout.write(delta["text"])
        sys.stdout.flush()
print()
"""
MIB = 1024 * 1024


def awscli() -> str | None:
    """The AWS CLI v1 in a throwaway venv (installed on first use); None when unavailable."""
    aws = AWSCLI_VENV / "bin" / "aws"
    if aws.exists():
        return str(aws)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(AWSCLI_VENV)], check=True)
        subprocess.run([str(AWSCLI_VENV / "bin" / "pip"), "install", "-q", "awscli"],
                       check=True, timeout=600)
    except (subprocess.SubprocessError, OSError):
        return None
    return str(aws) if aws.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=21)
    parser.add_argument("--no-awscli", action="store_true")
    args = parser.parse_args()
    env = bench_env()
    n = args.n
    section = Section("(a) Start-up")
    section.lines.append(f"Machine: {machine()}. Median wall time of {n} runs after one "
                         "warm-up, each pair compared run in rotation (OS file cache warm; "
                         "the text engine's cache built). "
                         "Targets (SPEC §8): `--help`/`--version` at most 0.10 s; a local "
                         "`generate` at most 0.40 s and 70 MiB peak; a streamed `generate` "
                         "over HTTP within 1.10× of a bare boto3 `converse_stream` script "
                         "against the same endpoint.")
    section.lines.append("")
    aws = None if args.no_awscli else awscli()
    generate = [CLI, "--backend", "local", "--no-log", "generate", PROMPT, "--no-stream",
                "--max-tokens", "16", "--temperature", "0"]
    measured = {
        **interleaved({"bedrock-cli --help": [CLI, "--help"],
                       "bedrock-cli --version": [CLI, "--version"],
                       "python -c pass (the interpreter alone)": [PY, "-c", "pass"]}, env, n),
        **interleaved({"bedrock-cli local generate": generate,
                       "bare boto3 + emulator in-process": [PY, "-c", BARE_LOCAL]}, env, n),
    }
    if aws:
        measured["aws --version"] = repeat([aws, "--version"], env, n)
        measured["aws help (bedrock-runtime)"] = repeat(
            [aws, "bedrock-runtime", "converse", "help"], {**env, "PAGER": "cat"}, max(3, n // 3))
    with serve(env=env) as url:
        over_http = interleaved({
            "bedrock-cli generate (streamed) via serve": [
                CLI, "--endpoint-url", url, "--no-log", "generate", PROMPT, "--max-tokens", "16",
                "--temperature", "0"],
            "bare boto3 converse_stream via serve": [PY, "-c", BARE_STREAM, url],
            "bedrock-cli generate --no-stream via serve": [
                CLI, "--endpoint-url", url, "--no-log", "generate", PROMPT, "--no-stream",
                "--max-tokens", "16", "--temperature", "0"],
            "bare boto3 converse via serve": [PY, "-c", BARE_HTTP, url],
        }, env, n)
        if aws:
            over_http["aws bedrock-runtime converse via serve"] = repeat(
                [aws, "bedrock-runtime", "converse", "--endpoint-url", url, "--model-id",
                 "amazon.nova-lite-v1:0", "--messages", MESSAGES, "--inference-config",
                 '{"maxTokens": 16, "temperature": 0}'], env, n)
    measured.update(over_http)
    med = {name: median(times) for name, times in measured.items()}
    rows = [(name, fmt_s(value), f"{min(measured[name]) * 1000:.0f} ms") for name, value in
            med.items()]
    section.table(("command", "median", "best"), rows)
    ratio = med["bedrock-cli local generate"] / med["bare boto3 + emulator in-process"]
    ratio_stream = (med["bedrock-cli generate (streamed) via serve"]
                    / med["bare boto3 converse_stream via serve"])
    ratio_http = (med["bedrock-cli generate --no-stream via serve"]
                  / med["bare boto3 converse via serve"])
    section.lines.append(f"Local `generate` / bare boto3 in-process: **{ratio:.2f}×**; over "
                         f"HTTP against `serve`, streamed `generate` / bare `converse_stream`: "
                         f"**{ratio_stream:.2f}×**, `--no-stream` / bare `converse`: "
                         f"**{ratio_http:.2f}×**" + (
                             f"; `bedrock-cli --version` / `aws --version`: "
                             f"{med['bedrock-cli --version'] / med['aws --version']:.2f}×."
                             if aws else " (AWS CLI not installed)."))
    section.lines.append("")
    peaks = {name: [peak_rss_mb(cmd, env)[0] * 1e6 / MIB for _ in range(max(3, n // 3))]
             for name, cmd in (("bedrock-cli local generate", generate),
                               ("bare boto3 + emulator in-process", [PY, "-c", BARE_LOCAL]),
                               ("bedrock-cli --version", [CLI, "--version"]))}
    peak = {name: median(values) for name, values in peaks.items()}
    section.table(("command", "peak RSS (median)", "max"),
                  [(name, f"{peak[name]:.1f} MiB", f"{max(peaks[name]):.1f} MiB")
                   for name in peaks])
    section.lines.append(f"Peak resident memory (`wait4` rusage of the child, "
                         f"{len(peaks['bedrock-cli --version'])} runs each).")
    section.lines.append("")
    section.data = {"median_s": med, "ratio_local": ratio, "ratio_http": ratio_http,
                    "ratio_stream": ratio_stream, "peak_mib": peak}
    section.commands = [
        f"python -m bench.startup --n {n}",
        "bedrock-cli --help; bedrock-cli --version",
        f'bedrock-cli --backend local --no-log generate "{PROMPT}" --no-stream --max-tokens 16 '
        "--temperature 0",
        "python -c '<bench/startup.py BARE_LOCAL: boto3 client + emulator attach + converse>'",
        f'bedrock-cli --endpoint-url URL --no-log generate "{PROMPT}" --max-tokens 16 '
        "--temperature 0   # streamed, and with --no-stream",
        "python -c '<bench/startup.py BARE_STREAM: boto3.client + converse_stream>' URL   "
        "# and BARE_HTTP: converse",
        f"/tmp/bench-awscli/bin/aws bedrock-runtime converse --endpoint-url URL --model-id "
        f"amazon.nova-lite-v1:0 --messages '{MESSAGES}'",
    ]
    section.save("startup")


if __name__ == "__main__":
    main()
